import { Body, Controller, Headers, Param, Put, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { CommandContext } from '../../../application/common/command-context';
import { ChangeDisplayNameCommand } from '../../../application/mail-config/commands/change-display-name.command';
import type { MailConfigView } from '../../../application/mail-config/mail-config.view';
import { expectedVersionFrom, setETag } from '../common/etag';
import { Ctx } from '../common/request-context';
import { TenantIdPipe } from '../common/tenant-id.pipe';
import { DisplayNameDto } from './mail-config.dto';

@ApiTags('tenant configuration')
@ApiBearerAuth()
@Controller('v1/tenants/:tenantId/mail-config/display-name')
export class DisplayNameController {
  constructor(private readonly commandBus: CommandBus) {}

  @Put()
  @ApiOperation({
    summary: 'Set the display name of the From in every mode',
    description:
      'Records DisplayNameChanged (nothing when unchanged). Messages then leave as "<displayName>" <address>; ' +
      'a message may override it with fromName.',
  })
  @ApiHeader({
    name: 'If-Match',
    required: false,
    description: 'The ETag of the view the change is based on; another version answers 412 and changes nothing',
  })
  @ApiOkResponse({ description: 'The tenant view, with displayName' })
  async change(
    @Param('tenantId', TenantIdPipe) tenantId: string,
    @Body() body: DisplayNameDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Ctx() ctx: CommandContext,
    @Res({ passthrough: true }) res: Response,
  ): Promise<MailConfigView> {
    const view = await this.commandBus.execute(
      new ChangeDisplayNameCommand(tenantId, body.displayName, ctx, expectedVersionFrom(ifMatch)),
    );
    setETag(res, view.version);
    return view;
  }
}
