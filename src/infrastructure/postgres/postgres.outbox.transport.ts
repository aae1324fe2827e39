import { type Pool } from 'pg';
import {
  type DefaultRelayTransport,
  MailTransportError,
  type OutgoingMessage,
  type SentMessage,
} from '../../application/ports/mail-transport.port';
import { buildMime } from '../mail/mime';
import { isUnavailable } from './postgres-errors';

/**
 * Mode 1 with no relay in the replicated shape: each message becomes a row of outbox_messages
 * (the .eml bytes and the envelope), readable from any instance or by an operator with psql,
 * where the embedded shape writes DATA_DIR/outbox. One INSERT: a message is there whole or not.
 */
export class PostgresOutboxTransport implements DefaultRelayTransport {
  readonly delivery = 'outbox' as const;

  constructor(private readonly pool: Pool) {}

  async send(message: OutgoingMessage): Promise<SentMessage> {
    const built = await buildMime(message);
    try {
      await this.pool.query({
        name: 'mcs_outbox_insert',
        text: 'INSERT INTO outbox_messages (message_id, envelope_from, envelope_to, raw) VALUES ($1, $2, $3, $4)',
        values: [message.messageId, built.envelope.from, built.envelope.to, built.raw],
      });
    } catch (error) {
      // Nothing was handed over: the send failed for sure, and may be retried with the same key.
      throw new MailTransportError(
        'send',
        `The outbox could not be written (${isUnavailable(error) ? 'PostgreSQL unavailable' : 'database error'})`,
      );
    }
    return { messageId: message.messageId, accepted: built.envelope.to, rejected: [] };
  }
}
