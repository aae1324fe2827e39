import { Inject } from '@nestjs/common';
import { CommandBus, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DecideAndAppend } from '../../mail-config/decide-and-append';
import { type Clock, CLOCK } from '../../ports/clock.port';
import { SendMessageCommand } from '../../sending/commands/send-message.command';
import { SendTestMessageCommand, type TestMessageOutcome } from './send-test-message.command';

/**
 * Goes through the send use case itself (same sender, fallback and delivery-health rules as any
 * message), then records its outcome. The message says who it is from and that nothing is needed.
 */
@CommandHandler(SendTestMessageCommand)
export class SendTestMessageHandler implements ICommandHandler<SendTestMessageCommand> {
  constructor(
    private readonly commands: CommandBus,
    private readonly decideAndAppend: DecideAndAppend,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ tenantId, to, context }: SendTestMessageCommand): Promise<TestMessageOutcome> {
    const { outcome } = await this.commands.execute(
      new SendMessageCommand(
        tenantId,
        {
          to: [to],
          subject: 'Test message from the help desk',
          text:
            'This message was sent by the help desk to check that email from this address arrives. ' +
            'No action is needed.',
        },
        null,
        context,
      ),
    );
    const result: TestMessageOutcome = outcome.ok
      ? {
          ok: true,
          to,
          mode: outcome.result.mode,
          from: outcome.result.from,
          messageId: outcome.result.messageId,
          stage: null,
          message: null,
          fallback: outcome.result.fallback,
        }
      : {
          ok: false,
          to,
          mode: outcome.failure.mode,
          from: null,
          messageId: null,
          stage: outcome.failure.stage,
          message: outcome.failure.message,
          fallback: null,
        };
    const { fallback: _fallback, ...recorded } = result;
    await this.decideAndAppend.handle(
      tenantId,
      { type: 'RecordTestMessage', data: { ...recorded, at: this.clock.now().toISOString() } },
      context,
    );
    return result;
  }
}
