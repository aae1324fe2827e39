import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
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
  async capabilities(): Promise<CapabilitiesAnswer> {
    return { ...(await this.queries.execute(new GetCapabilitiesQuery())), limits: HTTP_LIMITS };
  }
}
