import { Inject, Injectable, Logger } from '@nestjs/common';
import { MailConfigState } from '../../domain/mail-config/mail-config.state';
import { Mode } from '../../domain/mail-config/mail-config.types';
import { type CommandContext, systemContext } from '../common/command-context';
import { logContext } from '../common/log-context';
import { DecideAndAppend } from '../mail-config/decide-and-append';
import { Clock, CLOCK } from '../ports/clock.port';
import { SEND_FAILURE_COUNTER, type SendFailureCounter } from '../ports/send-failure-counter.port';

export const DELIVERY_FAILURE_THRESHOLD = Symbol('DELIVERY_FAILURE_THRESHOLD');

/**
 * Counts consecutive failed sends per tenant and mode and reports them to the decider once the
 * count reaches `threshold`; a success after failures is reported too. Whether that is a
 * transition (DeliveryFailing, DeliveryRecovered) is the decider's rule alone: a failure while
 * already failing in that mode decides nothing. The count is kept by the SendFailureCounter (in
 * memory, or shared by every instance in PostgreSQL); the failing state itself is in the event
 * stream.
 */
@Injectable()
export class DeliveryHealth {
  private readonly logger = new Logger(DeliveryHealth.name);

  constructor(
    private readonly commands: DecideAndAppend,
    @Inject(SEND_FAILURE_COUNTER) private readonly counter: SendFailureCounter,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(DELIVERY_FAILURE_THRESHOLD) private readonly threshold: number,
  ) {}

  async succeeded(tenantId: string, state: MailConfigState, mode: Mode, ctx: CommandContext): Promise<void> {
    await this.count(tenantId, ctx, () => this.counter.succeeded(tenantId));
    // The folded state says whether anything is failing: a healthy tenant's send (the hot path)
    // then costs no command.
    if (!state.delivery.failing) return;
    await this.record(tenantId, ctx, { type: 'RecordDeliverySuccess', data: { mode, at: this.now() } });
  }

  async failed(
    tenantId: string,
    mode: Mode,
    failure: { stage: string; message: string },
    ctx: CommandContext,
  ): Promise<void> {
    const count = await this.count(tenantId, ctx, () => this.counter.failed(tenantId, mode));
    if (count === undefined || count < this.threshold) return;
    await this.record(tenantId, ctx, {
      type: 'RecordDeliveryFailure',
      data: { mode, stage: failure.stage, message: failure.message, consecutiveFailures: count, at: this.now() },
    });
  }

  /** Counting is bookkeeping too: a count that cannot be kept is logged and the send answered. */
  private async count<T>(tenantId: string, ctx: CommandContext, call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await call();
    } catch (error) {
      this.logger.warn({ ...logContext(ctx, tenantId), err: (error as Error).message }, 'could not count send health');
      return undefined;
    }
  }

  /** Health is bookkeeping: failing to record it must not change the answer to the send. */
  private async record(
    tenantId: string,
    ctx: CommandContext,
    command: Parameters<DecideAndAppend['handle']>[1],
  ): Promise<void> {
    try {
      // Health transitions are the service's own observation of the send `ctx` belongs to.
      await this.commands.handle(tenantId, command, systemContext(ctx, 'send'));
    } catch (error) {
      this.logger.warn({ ...logContext(ctx, tenantId), err: (error as Error).message }, 'could not record send health');
    }
  }

  private now(): string {
    return this.clock.now().toISOString();
  }
}
