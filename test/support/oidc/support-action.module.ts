import { Controller, HttpCode, Module, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { type CommandContext } from '../../../src/application/common/command-context';
import { ProvisionMailConfigCommand } from '../../../src/application/mail-config/commands/provision-mail-config.command';
import { AccessRule } from '../../../src/interfaces/http/common/access';
import { Ctx } from '../../../src/interfaces/http/common/request-context';

/**
 * A support action as the dashboard's POST actions are built — a support route under
 * /v1/dashboard that builds its CommandContext with `@Ctx()` (the acting-agent accessor) and
 * records an event — mounted by the tests only, so the sign-in can be proven end to end before
 * those actions exist. It provisions, since that is a command every tenant has.
 */
@AccessRule('support')
@Controller('v1/dashboard/test-actions')
class SupportActionController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':tenantId/provision')
  @HttpCode(201)
  async provision(@Param('tenantId') tenantId: string, @Ctx() ctx: CommandContext): Promise<{ actor: string }> {
    await this.commands.execute(new ProvisionMailConfigCommand(tenantId, 'agentaction', ctx));
    return { actor: ctx.actor };
  }
}

@Module({ controllers: [SupportActionController] })
export class SupportActionTestModule {}
