import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  type Capabilities,
  GetCapabilitiesQuery,
} from '../../../application/capabilities/queries/get-capabilities.query';
import { AccessRule } from '../common/access';
import { HTTP_LIMITS } from '../common/limits';

export type CapabilitiesAnswer = Capabilities & { limits: typeof HTTP_LIMITS };

@ApiTags('capabilities')
@ApiBearerAuth()
@Controller('v1/capabilities')
export class CapabilitiesController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @AccessRule('any-caller')
  @ApiOperation({
    summary: 'Which modes this deployment offers and its limits',
    description:
      'Gmail and Microsoft 365 are available only when their OAuth apps are configured; mode 1 says whether mail ' +
      'goes to a relay or only to the outbox. A settings UI hides what cannot work here.',
  })
  @ApiOkResponse({
    description: 'The deployment\u2019s capabilities',
    schema: {
      example: {
        modes: {
          default: { available: true, reason: null, delivery: 'relay', domain: 'smemetrics-email.com' },
          gmail: { available: true, reason: null },
          microsoft: {
            available: false,
            reason: 'Microsoft 365 is not set up on this deployment (MICROSOFT_CLIENT_ID unset)',
          },
          smtp: { available: true, reason: null, allowedPorts: [25, 465, 587, 2525], security: ['starttls', 'tls'] },
        },
        rateLimits: {
          send: { limit: 600, windowSeconds: 60 },
          smtpTest: { limit: 20, windowSeconds: 60 },
          gmailAuthorization: { limit: 20, windowSeconds: 60 },
        },
        limits: HTTP_LIMITS,
      },
    },
  })
  async capabilities(): Promise<CapabilitiesAnswer> {
    return { ...(await this.queries.execute(new GetCapabilitiesQuery())), limits: HTTP_LIMITS };
  }
}
