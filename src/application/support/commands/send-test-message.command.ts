import { Command } from '@nestjs/cqrs';
import { type Mode } from '../../../domain/mail-config/mail-config.types';
import type { CommandContext } from '../../common/command-context';

export interface TestMessageOutcome {
  ok: boolean;
  to: string;
  /** The mode the message left through (default after a fallback), or the mode that failed. */
  mode: Mode;
  from: string | null;
  messageId: string | null;
  /** null when sent; else where it failed and the server's secret-free text. */
  stage: string | null;
  message: string | null;
  fallback: null | { from: string; reason: string };
}

/**
 * Support dashboard: send a short test message from the tenant's active mode to `to` (an address
 * the agent typed), and record TestMessageSent with the agent as actor, whatever the outcome.
 */
export class SendTestMessageCommand extends Command<TestMessageOutcome> {
  constructor(
    readonly tenantId: string,
    readonly to: string,
    readonly context: CommandContext,
  ) {
    super();
  }
}
