import { Command } from '@nestjs/cqrs';
import type { CommandContext } from '../../common/command-context';
import { type SendAnswer, type SendMessageInput } from '../send-message.types';

/**
 * POST …/messages: send `input` from the tenant's active mode. `idempotencyKey` (null: none)
 * makes a retry get the first outcome back instead of sending again.
 */
export class SendMessageCommand extends Command<SendAnswer> {
  constructor(
    readonly tenantId: string,
    readonly input: SendMessageInput,
    readonly idempotencyKey: string | null,
    readonly context: CommandContext,
  ) {
    super();
  }
}
