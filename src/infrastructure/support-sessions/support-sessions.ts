import { createHash, randomBytes } from 'node:crypto';
import {
  type SupportSessionRecord,
  type SupportSessionStore,
  type SupportSignInMethod,
} from '../../application/ports/support-session.port';

/** A support session lasts a working day; signing out ends it before. */
export const SUPPORT_SESSION_SECONDS = 8 * 60 * 60;

/** Ended sessions are kept this long past their end, then purged (nothing reads them after). */
const PURGE_AFTER_MS = 24 * 60 * 60 * 1000;

// 32 random bytes, base64url: exactly what a session id looks like, so anything else is not looked up.
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

const hash = (id: string) => createHash('sha256').update(id, 'utf8').digest('hex');

export interface StartedSupportSession extends SupportSessionRecord {
  /** Goes into the browser's cookie and nowhere else; the store only ever sees its hash. */
  id: string;
}

/**
 * Server-side support sessions: a random id in an HttpOnly cookie, its hash in the store with
 * the agent's identity. Chosen over a signed, self-contained session because sign-out must kill a
 * copied cookie at once on every instance, and a revocation list would need the same shared store
 * plus a key to manage; a lookup per support request is cheap.
 */
export class SupportSessions {
  private readonly purger: NodeJS.Timeout;

  constructor(
    private readonly store: SupportSessionStore,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.purger = setInterval(
      () => void this.store.purge(new Date(this.now().getTime() - PURGE_AFTER_MS)).catch(() => undefined),
      60 * 60 * 1000,
    ).unref();
  }

  async start(identity: string, method: SupportSignInMethod): Promise<StartedSupportSession> {
    const id = randomBytes(32).toString('base64url');
    const createdAt = this.now();
    const session = {
      identity,
      method,
      createdAt,
      expiresAt: new Date(createdAt.getTime() + SUPPORT_SESSION_SECONDS * 1000),
    };
    await this.store.create(hash(id), session);
    return { id, ...session };
  }

  /** The live session a cookie names, or null (unknown, expired, signed out, or not an id at all). */
  async resolve(id: string): Promise<SupportSessionRecord | null> {
    if (!SESSION_ID.test(id)) return null;
    return this.store.find(hash(id), this.now());
  }

  async end(id: string): Promise<void> {
    if (SESSION_ID.test(id)) await this.store.revoke(hash(id), this.now());
  }

  async close(): Promise<void> {
    clearInterval(this.purger);
    await this.store.close();
  }
}
