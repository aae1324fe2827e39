import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type DefaultRelayTransport,
  MailTransportError,
  type OutgoingMessage,
  type SentMessage,
} from '../../application/ports/mail-transport.port';
import { buildMime } from './mime';

/**
 * Mode 1 with no relay configured: each message becomes an .eml file under DATA_DIR/outbox, so
 * the service does its main job with nothing else running. Written to a temporary name and
 * renamed, so a reader of the directory never sees half a message.
 */
export class OutboxTransport implements DefaultRelayTransport {
  readonly delivery = 'outbox' as const;

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  async send(message: OutgoingMessage): Promise<SentMessage> {
    const built = await buildMime(message);
    const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.eml`;
    const temporary = join(this.dir, `.${name}.tmp`);
    try {
      await writeFile(temporary, built.raw, { mode: 0o600 });
      await rename(temporary, join(this.dir, name));
    } catch (error) {
      throw new MailTransportError(
        'send',
        `The outbox could not be written (${(error as { code?: string }).code ?? 'I/O error'})`,
      );
    }
    return { messageId: message.messageId, accepted: built.envelope.to, rejected: [] };
  }
}
