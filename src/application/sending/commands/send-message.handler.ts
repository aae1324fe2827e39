import { Inject, Logger, Optional } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { createHash } from 'node:crypto';
import { type MailConfigState, requireActive, senderOf } from '../../../domain/mail-config/mail-config.state';
import { type Mode } from '../../../domain/mail-config/mail-config.types';
import { type CommandContext, systemContext } from '../../common/command-context';
import { logContext } from '../../common/log-context';
import { GmailGrants } from '../../gmail/gmail-grants';
import { DecideAndAppend } from '../../mail-config/decide-and-append';
import { StateReader } from '../../mail-config/state-reader';
import { type Clock, CLOCK } from '../../ports/clock.port';
import { SEND_METRICS, type SendMetrics } from '../../metrics/send-metrics';
import { DELIVERY_LOG, type DeliveryLog } from '../../ports/delivery-log.port';
import { ID_GENERATOR, type IdGenerator } from '../../ports/id.port';
import { type IdempotencyClaim, IDEMPOTENCY_STORE, type IdempotencyStore } from '../../ports/idempotency.port';
import { GrantRevokedError, MailTransportError, type OutgoingMessage } from '../../ports/mail-transport.port';
import { DeliveryHealth } from '../delivery-health';
import { requireSafeHeaders } from '../message-headers';
import { deliveryOf, ModeSenderRegistry, ModeUnavailableError } from '../mode-senders';
import {
  type DeliveryOutcome,
  IdempotencyConflictError,
  type SendAnswer,
  type SendMessageInput,
  type SendResult,
} from '../send-message.types';
import { SendMessageCommand } from './send-message.command';

const interrupted = (mode: Mode): DeliveryOutcome => ({
  ok: false,
  failure: {
    mode,
    stage: 'send',
    message:
      'An earlier request with this Idempotency-Key was interrupted while sending; ' +
      'the message may or may not have been sent',
    uncertain: true,
  },
});

/**
 * How long a duplicate waits for the first request with its key (at this instance or another)
 * before answering 409 "in progress", and how often it looks. Most sends finish well within it.
 */
export const IDEMPOTENCY_WAIT = Symbol('IDEMPOTENCY_WAIT');
export interface IdempotencyWait {
  totalMs: number;
  pollMs: number;
}
export const DEFAULT_IDEMPOTENCY_WAIT: IdempotencyWait = { totalMs: 2000, pollMs: 100 };

/**
 * The message leaves from the active mode's address through that mode's sender. With an
 * Idempotency-Key the first outcome is stored before answering, so a retry (after a timeout, a
 * crash, a restart) gets it back and nothing is sent twice. A failure where nothing was handed
 * over is not stored: the same key may try again.
 */
@CommandHandler(SendMessageCommand)
export class SendMessageHandler implements ICommandHandler<SendMessageCommand> {
  private readonly logger = new Logger(SendMessageHandler.name);

  constructor(
    private readonly reader: StateReader,
    private readonly grants: GmailGrants,
    private readonly decideAndAppend: DecideAndAppend,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly senders: ModeSenderRegistry,
    private readonly health: DeliveryHealth,
    @Inject(IDEMPOTENCY_STORE) private readonly idempotency: IdempotencyStore,
    @Inject(ID_GENERATOR) private readonly ids: IdGenerator,
    @Inject(SEND_METRICS) private readonly metrics: SendMetrics,
    @Inject(DELIVERY_LOG) private readonly deliveryLog: DeliveryLog,
    @Optional() @Inject(IDEMPOTENCY_WAIT) private readonly wait: IdempotencyWait = DEFAULT_IDEMPOTENCY_WAIT,
  ) {}

  async execute({ tenantId, input, idempotencyKey, context: ctx }: SendMessageCommand): Promise<SendAnswer> {
    // Before anything is claimed or sent: a forged header is refused whoever the caller is.
    requireSafeHeaders(input);
    const state = await this.activeState(tenantId);
    if (idempotencyKey === null) {
      return { outcome: await this.deliverAndLog(tenantId, state, input, ctx, null), replayed: false };
    }

    const claim = await this.claim(tenantId, idempotencyKey, fingerprint(input));
    switch (claim.kind) {
      case 'completed':
        return { outcome: claim.outcome as DeliveryOutcome, replayed: true };
      case 'interrupted':
        return { outcome: interrupted(state.mode), replayed: true };
      case 'in_progress':
      case 'mismatch':
        throw new IdempotencyConflictError(claim.kind);
      case 'claimed':
        break;
    }
    let outcome: DeliveryOutcome;
    try {
      outcome = await this.deliverAndLog(tenantId, state, input, ctx, idempotencyKey);
    } catch (error) {
      await this.idempotency.release(tenantId, idempotencyKey);
      throw error;
    }
    if (outcome.ok || outcome.failure.uncertain) await this.idempotency.complete(tenantId, idempotencyKey, outcome);
    else await this.idempotency.release(tenantId, idempotencyKey);
    return { outcome, replayed: false };
  }

  /**
   * A duplicate of a request still running waits briefly for its outcome rather than answering
   * 409 at once; if the first released its claim (nothing was sent), this one takes it.
   */
  private async claim(tenantId: string, key: string, print: string): Promise<IdempotencyClaim> {
    const deadline = Date.now() + this.wait.totalMs;
    let claim = await this.idempotency.claim(tenantId, key, print);
    while (claim.kind === 'in_progress' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, this.wait.pollMs));
      claim = await this.idempotency.claim(tenantId, key, print);
    }
    return claim;
  }

  private async activeState(tenantId: string): Promise<MailConfigState> {
    const { state } = await this.reader.load(tenantId);
    requireActive(state);
    return state;
  }

  /** One delivery-log record per attempt that reached a transport; a replayed answer sent nothing, so none. */
  private async deliverAndLog(
    tenantId: string,
    state: MailConfigState,
    input: SendMessageInput,
    ctx: CommandContext,
    idempotencyKey: string | null,
  ): Promise<DeliveryOutcome> {
    const outcome = await this.deliver(tenantId, state, input, ctx);
    const sent = outcome.ok ? outcome.result : null;
    const failure = outcome.ok ? null : outcome.failure;
    this.deliveryLog.record({
      tenantId,
      messageId: sent?.messageId ?? null,
      at: this.clock.now().toISOString(),
      to: input.to,
      cc: input.cc ?? [],
      bcc: input.bcc ?? [],
      subject: input.subject,
      mode: sent?.mode ?? failure!.mode,
      from: sent?.from ?? senderOf(state),
      outcome: sent ? 'sent' : failure!.uncertain ? 'uncertain' : 'failed',
      stage: failure?.stage ?? null,
      detail: failure?.message ?? null,
      fallback: sent?.fallback ?? null,
      idempotencyKey,
      correlationId: ctx.correlationId,
      actor: ctx.actor,
    });
    return outcome;
  }

  private async deliver(
    tenantId: string,
    state: MailConfigState,
    input: SendMessageInput,
    ctx: CommandContext,
  ): Promise<DeliveryOutcome> {
    const mode = state.mode;
    const started = process.hrtime.bigint();
    const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
    try {
      const result = await this.sendIn(mode, tenantId, state, input, ctx);
      const fellBack = result.fallback !== null;
      this.metrics.messageSent(mode, fellBack ? 'fallback' : 'ok', elapsed());
      await this.health.succeeded(tenantId, state, result.mode, ctx);
      this.logger.log(
        {
          ...logContext(ctx, tenantId),
          mode: result.mode,
          delivery: result.delivery,
          messageId: result.messageId,
          fallback: result.fallback?.reason ?? null,
        },
        result.delivery === 'outbox' ? 'message written to the outbox (not delivered)' : 'message sent',
      );
      return { ok: true, result };
    } catch (error) {
      if (!(error instanceof MailTransportError)) throw error;
      this.metrics.messageSent(mode, 'failed', elapsed());
      const failure = { mode, stage: error.stage, message: error.message, uncertain: error.uncertain };
      await this.health.failed(tenantId, mode, failure, ctx);
      this.logger.warn(
        { ...logContext(ctx, tenantId), mode, stage: error.stage, uncertain: error.uncertain, reason: error.message },
        'message not sent',
      );
      return { ok: false, failure };
    }
  }

  private async sendIn(
    mode: Mode,
    tenantId: string,
    state: MailConfigState,
    input: SendMessageInput,
    ctx: CommandContext,
  ): Promise<SendResult> {
    const sender = this.senders.get(mode);
    if (!sender) throw new ModeUnavailableError(mode);
    const from = senderOf(state)!;
    const message = this.compose(from, state, input);
    try {
      const sent = await sender.send({ tenantId, state }, message);
      return {
        messageId: sent.messageId,
        mode,
        from,
        fromName: message.fromName ?? null,
        delivery: deliveryOf(sender),
        fallback: null,
        accepted: sent.accepted,
        rejected: sent.rejected,
      };
    } catch (error) {
      if (!(error instanceof GrantRevokedError) || mode === 'default') throw error;
      return this.fallBack(mode, tenantId, state, input, ctx);
    }
  }

  /**
   * The grant is gone for good: record it (mode returns to default) and send through mode 1. The
   * service noticed it while sending: recorded as actor `system`, detectedBy `send`, caused by
   * this send request (its correlation id), not by whoever asked for the send.
   */
  private async fallBack(
    from: Mode,
    tenantId: string,
    state: MailConfigState,
    input: SendMessageInput,
    ctx: CommandContext,
  ): Promise<SendResult> {
    // Guarded by the grant this send used: a re-authorization in the meantime is not undone.
    if (from === 'microsoft') {
      await this.decideAndAppend.handle(
        tenantId,
        {
          type: 'RevokeMicrosoftConsent',
          data: {
            reason: 'revoked_at_provider',
            at: this.clock.now().toISOString(),
            grantAuthorizedAt: state.microsoft.authorizedAt,
          },
        },
        systemContext(ctx, 'send'),
      );
    } else {
      await this.grants.recordRevokedAtGoogle(tenantId, { authorizedAt: state.gmail.authorizedAt }, ctx, 'send');
    }
    const sender = this.senders.get('default');
    if (!sender) throw new ModeUnavailableError('default');
    const address = state.defaultAddress!;
    const message = this.compose(address, state, input);
    const sent = await sender.send({ tenantId, state }, message);
    return {
      messageId: sent.messageId,
      mode: 'default',
      from: address,
      fromName: message.fromName ?? null,
      delivery: deliveryOf(sender),
      fallback: { from: from === 'default' ? 'gmail' : from, reason: 'grant_revoked' },
      accepted: sent.accepted,
      rejected: sent.rejected,
    };
  }

  private compose(from: string, state: MailConfigState, input: SendMessageInput): OutgoingMessage {
    const fromName = input.fromName?.trim() ?? state.displayName ?? undefined;
    return {
      // Ours, so every transport (and the outbox file) reports the same id.
      messageId: `<${this.ids.next()}@${from.split('@')[1]}>`,
      from,
      fromName,
      inReplyTo: input.inReplyTo,
      references: input.references,
      headers: Object.entries(input.headers ?? {}).map(([name, value]) => ({ name, value })),
      to: input.to,
      cc: input.cc ?? [],
      bcc: input.bcc ?? [],
      replyTo: input.replyTo,
      subject: input.subject,
      text: input.text,
      html: input.html,
      attachments: (input.attachments ?? []).map((a) => ({
        filename: a.filename,
        contentType: a.contentType,
        content: Buffer.from(a.contentBase64, 'base64'),
      })),
    };
  }
}

/** Same key with a different message is a client bug, not a retry. */
function fingerprint(input: SendMessageInput): string {
  const canonical: unknown[] = [
    input.to,
    input.cc ?? [],
    input.bcc ?? [],
    input.replyTo ?? null,
    input.subject,
    input.text ?? null,
    input.html ?? null,
    input.attachments ?? [],
  ];
  // Only when given: a message without them keeps the fingerprint it had before they existed.
  const headers = [input.fromName ?? null, input.inReplyTo ?? null, input.references ?? [], input.headers ?? {}];
  if (input.fromName !== undefined || input.inReplyTo !== undefined || input.references || input.headers) {
    canonical.push(headers);
  }
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}
