import { Module } from '@nestjs/common';
import { AuditController } from '../interfaces/http/audit/audit.controller';
import { AuditModule } from './audit.module';

/** `GET v1/audit/events` for support staff. */
@Module({ imports: [AuditModule], controllers: [AuditController] })
export class AuditHttpModule {}
