import { Module } from '@nestjs/common';
import { GetAuditEventsHandler } from '../application/audit/queries/get-audit-events.handler';
import { ProjectionsModule } from './projections.module';

/** The cross-tenant audit query, over the audit index the projections keep. */
@Module({ imports: [ProjectionsModule], providers: [GetAuditEventsHandler] })
export class AuditModule {}
