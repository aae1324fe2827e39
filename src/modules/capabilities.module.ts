import { Module } from '@nestjs/common';
import { GetCapabilitiesHandler } from '../application/capabilities/queries/get-capabilities.handler';
import { CapabilitiesController } from '../interfaces/http/capabilities/capabilities.controller';

/** `GET v1/capabilities`: what this deployment offers, read off its configuration. */
@Module({ controllers: [CapabilitiesController], providers: [GetCapabilitiesHandler] })
export class CapabilitiesModule {}
