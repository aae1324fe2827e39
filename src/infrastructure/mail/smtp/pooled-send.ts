import { MailTransportError, type SentMessage } from '../../../application/ports/mail-transport.port';
import { type BuiltMessage } from '../mime';
import { Deadline } from './deadline';
import { type SessionPool } from './session-pool';
import { type SmtpSession } from './smtp-session';

export interface PooledSend {
  pool: SessionPool;
  name: string;
  version: string;
  open: (deadline: Deadline) => Promise<SmtpSession>;
  sendTimeoutMs: number;
  budgetMs: number;
}

/**
 * Sends on an idle pooled session when there is one, else on a new one. A pooled session the
 * server had quietly closed fails before anything is handed over; only then is one fresh
 * session tried, so a retry can never duplicate a message.
 */
export async function sendPooled(p: PooledSend, messageId: string, built: BuiltMessage): Promise<SentMessage> {
  const deadline = new Deadline(p.budgetMs);
  let session = p.pool.take(p.name, p.version);
  let reused = session !== null;
  for (;;) {
    session ??= await p.open(deadline);
    try {
      const info = await session.send(built.envelope, built.raw, deadline.limit(p.sendTimeoutMs));
      p.pool.give(p.name, p.version, session);
      return { messageId, accepted: info.accepted.map(String), rejected: info.rejected.map(String) };
    } catch (error) {
      const stale = !session.usable;
      session.close();
      if (!(reused && stale && error instanceof MailTransportError && !error.uncertain)) throw error;
      session = null;
      reused = false;
    }
  }
}
