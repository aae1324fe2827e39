import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { type Clock } from '../../application/ports/clock.port';
import {
  type SupportSessionRecord,
  type SupportSessionStore,
  type SupportSignInMethod,
} from '../../application/ports/support-session.port';

/** A support session lasts a working day at most; signing out ends it before. */
export const SUPPORT_SESSION_SECONDS = 8 * 60 * 60;

/** SUPPORT_SESSION_IDLE's default: a session unused this long is refused. */
export const SUPPORT_SESSION_IDLE_SECONDS = 30 * 60;

/** Ended sessions are kept this long past their end, then purged (nothing reads them after). */
const PURGE_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * How stale the recorded last use may get before a use writes it again. Writing it on every
 * request would turn each dashboard read (the page loads several support routes at once) into a
 * write: a WAL commit in SQLite, a row update and its replication in the shared PostgreSQL. A
 * minute is fine-grained enough for a timeout of half an hour; the price is that a session may be
 * refused up to this long before its exact idle time, so it is capped at a tenth of a short one.
 */
const REFRESH_AFTER_MS = 60 * 1000;

// 32 random bytes, base64url: exactly what a session id looks like, so anything else is not looked up.
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

const hash = (id: string) => createHash('sha256').update(id, 'utf8').digest('hex');

/**
 * What binds a token session to the SUPPORT_TOKEN it began with. Keyed by the session id, which
 * only the browser holds (the store keeps its hash): a reader of the store cannot test guesses of
 * the token against it, and the fingerprint differs per session.
 */
const tokenFingerprint = (id: string, token: string) =>
  createHmac('sha256', id).update(`mcs support token\0${token}`, 'utf8').digest('hex');

const sameFingerprint = (a: string | null, b: string) =>
  a !== null && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export interface SupportSessionOptions {
  clock?: Clock;
  /** SUPPORT_SESSION_IDLE in seconds. */
  idleSeconds?: number;
  /** The SUPPORT_TOKEN this instance accepts; token sessions begun with another one are refused. */
  supportToken: string;
}

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
  private readonly clock: Clock;
  private readonly idleMs: number;
  private readonly refreshAfterMs: number;
  private readonly supportToken: string;

  constructor(
    private readonly store: SupportSessionStore,
    options: SupportSessionOptions,
  ) {
    this.clock = options.clock ?? { now: () => new Date() };
    this.idleMs = (options.idleSeconds ?? SUPPORT_SESSION_IDLE_SECONDS) * 1000;
    this.refreshAfterMs = Math.min(REFRESH_AFTER_MS, this.idleMs / 10);
    this.supportToken = options.supportToken;
    this.purger = setInterval(
      () => void this.store.purge(new Date(this.now().getTime() - PURGE_AFTER_MS)).catch(() => undefined),
      60 * 60 * 1000,
    ).unref();
  }

  /** `method` "token": the caller presented this instance's SUPPORT_TOKEN, to which the session is bound. */
  async start(identity: string, method: SupportSignInMethod): Promise<StartedSupportSession> {
    const id = randomBytes(32).toString('base64url');
    const createdAt = this.now();
    const session: SupportSessionRecord = {
      identity,
      method,
      createdAt,
      expiresAt: new Date(createdAt.getTime() + SUPPORT_SESSION_SECONDS * 1000),
      lastUsedAt: createdAt,
      tokenFingerprint: method === 'token' ? tokenFingerprint(id, this.supportToken) : null,
    };
    await this.store.create(hash(id), session);
    return { id, ...session };
  }

  /**
   * The live session a cookie names, or null (unknown, expired, idle too long, begun with a
   * support token that has since been rotated, signed out, or not an id at all). A use counts
   * towards keeping it alive, recorded in the shared store so every instance sees it.
   */
  async resolve(id: string): Promise<SupportSessionRecord | null> {
    if (!SESSION_ID.test(id)) return null;
    const now = this.now();
    const session = await this.store.find(hash(id), now);
    if (!session) return null;
    if (now.getTime() - session.lastUsedAt.getTime() >= this.idleMs) return null;
    if (
      session.method === 'token' &&
      !sameFingerprint(session.tokenFingerprint, tokenFingerprint(id, this.supportToken))
    )
      return null;
    if (now.getTime() - session.lastUsedAt.getTime() >= this.refreshAfterMs) {
      await this.store.touch(hash(id), now);
      return { ...session, lastUsedAt: now };
    }
    return session;
  }

  async end(id: string): Promise<void> {
    if (SESSION_ID.test(id)) await this.store.revoke(hash(id), this.now());
  }

  async close(): Promise<void> {
    clearInterval(this.purger);
    await this.store.close();
  }

  private now(): Date {
    return this.clock.now();
  }
}
