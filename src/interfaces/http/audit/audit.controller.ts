import { Controller, Get, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { GetAuditEventsQuery } from '../../../application/audit/queries/get-audit-events.query';
import type { HistoryPage } from '../../../application/mail-config/history';
import { AccessRule } from '../common/access';
import { AuditQueryDto } from './audit.dto';

@ApiTags('audit')
@ApiBearerAuth()
@AccessRule('support')
@Controller('v1/audit')
export class AuditController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get('events')
  @ApiOkResponse({ description: 'Events of every tenant, oldest first, secrets shown as "[encrypted]"' })
  events(@Query() q: AuditQueryDto): Promise<HistoryPage> {
    return this.queryBus.execute(
      new GetAuditEventsQuery({
        tenantId: q.tenantId,
        types: q.type,
        since: q.since ? new Date(q.since) : undefined,
        until: q.until ? new Date(q.until) : undefined,
        limit: q.limit ?? 100,
        cursor: q.cursor,
      }),
    );
  }
}
