import { createHash, createHmac, hkdfSync, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import {
  SETTINGS_LINK_STREAM_PREFIX,
  SINGLE_USE_STREAM_MAX_AGE_SECONDS,
} from '../../application/common/stream-categories';
import { type Clock } from '../../application/ports/clock.port';
import { ConcurrencyError, type EventStore, type StoredEvent } from '../../application/ports/event-store.port';
import {
  type IssuedSettingsLink,
  type RedeemedSettingsLink,
  SETTINGS_LINK_TTL_MS,
  SETTINGS_SESSION_TTL_MS,
  type SettingsSession,
  type SettingsSessionBinding,
  type SettingsSessions,
} from '../../application/ports/settings-session.port';
import { type MasterKeyRing } from '../crypto/key-ring';

/** Outside `mailConfig-`: projections, audit and tenant history never see these streams. */
export { SETTINGS_LINK_STREAM_PREFIX };

const LINK = /^([A-Za-z0-9_-]{43})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;
const COOKIE = /^v1\.([A-Za-z0-9_-]{1,6000})\.([A-Za-z0-9_-]{43})$/;

interface IssuedData {
  tenantId: string;
  actor: string;
  returnUrl: string | null;
  expiresAt: string;
  /** Master key the link was signed under, so a key rotation does not void links in flight. */
  keyId: string;
}

/** What the session cookie carries (signed, not secret: nothing in it opens anything but this page). */
interface SessionClaims {
  sid: string;
  tid: string;
  act: string;
  ret: string | null;
  exp: number;
  kid: string;
}

const b64url = (b: Buffer) => b.toString('base64url');

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Links and sessions that need no memory of the instance that made them (replicated shape).
 *
 * A link is nonce . expiry . HMAC(nonce, expiry, tenant, actor, returnUrl) under a key derived
 * from the master key. Its binding is recorded as SettingsLinkIssued in the event store, on
 * `settingsLink-<sha256(nonce)>` (expected version "no stream"); opening it appends
 * SettingsLinkRedeemed with the expected version 1, so of any number of concurrent openings,
 * on any instance, exactly one wins: the same optimistic concurrency as the OAuth state.
 *
 * The session is a cookie value `v1.<claims>.<HMAC>` with its own expiry; the anti-forgery
 * token is an HMAC of the session id under another derived key, so it is bound to the session
 * and any instance can check it without storing it.
 */
export class SignedSettingsSessions implements SettingsSessions {
  private readonly keys = new Map<string, Buffer>();

  constructor(
    private readonly store: EventStore,
    private readonly ring: MasterKeyRing,
    private readonly clock: Clock,
    private readonly linkTtlMs = SETTINGS_LINK_TTL_MS,
    private readonly sessionTtlMs = SETTINGS_SESSION_TTL_MS,
  ) {}

  async issueLink(binding: SettingsSessionBinding): Promise<IssuedSettingsLink> {
    const nonce = b64url(randomBytes(32));
    const expiresAt = new Date(Math.floor((this.clock.now().getTime() + this.linkTtlMs) / 1000) * 1000);
    const exp = String(expiresAt.getTime() / 1000);
    const data: IssuedData = {
      tenantId: binding.tenantId,
      actor: binding.actor,
      returnUrl: binding.returnUrl,
      expiresAt: expiresAt.toISOString(),
      keyId: this.ring.activeId,
    };
    await this.store.appendToStream(
      streamOf(nonce),
      [
        {
          eventId: randomUUID(),
          type: 'SettingsLinkIssued',
          data,
          metadata: { actor: binding.actor, correlationId: binding.correlationId, at: this.now() },
        },
      ],
      { expectedVersion: 'no_stream' },
    );
    // After the first event: EventStoreDB would otherwise take a metadata-only stream as existing.
    await this.store.setStreamMaxAge(streamOf(nonce), SINGLE_USE_STREAM_MAX_AGE_SECONDS);
    return { token: `${nonce}.${exp}.${this.linkMac(data.keyId, nonce, exp, data)}`, expiresAt };
  }

  async redeem(token: string): Promise<RedeemedSettingsLink> {
    const parts = typeof token === 'string' ? LINK.exec(token) : null;
    if (!parts) return { ok: false, reason: 'invalid', returnUrl: null };
    const [, nonce, exp, mac] = parts;
    const events = await this.store.readStream(streamOf(nonce));
    const issued = events[0] as (StoredEvent & { data: IssuedData }) | undefined;
    if (issued?.type !== 'SettingsLinkIssued' || !this.authentic(issued.data, nonce, exp, mac)) {
      return { ok: false, reason: 'invalid', returnUrl: null };
    }
    const { data } = issued;
    if (events.length > 1) return { ok: false, reason: 'used', returnUrl: data.returnUrl };
    if (this.clock.now().getTime() >= Number(exp) * 1000) {
      return { ok: false, reason: 'expired', returnUrl: data.returnUrl };
    }
    try {
      await this.store.appendToStream(
        streamOf(nonce),
        [
          {
            eventId: randomUUID(),
            type: 'SettingsLinkRedeemed',
            data: {},
            metadata: { actor: data.actor, correlationId: issued.metadata.correlationId, at: this.now() },
          },
        ],
        { expectedVersion: issued.version },
      );
    } catch (error) {
      if (error instanceof ConcurrencyError) return { ok: false, reason: 'used', returnUrl: data.returnUrl };
      throw error;
    }
    const claims: SessionClaims = {
      sid: b64url(randomBytes(18)),
      tid: data.tenantId,
      act: data.actor,
      ret: data.returnUrl,
      exp: Math.floor((this.clock.now().getTime() + this.sessionTtlMs) / 1000),
      kid: this.ring.activeId,
    };
    const body = b64url(Buffer.from(JSON.stringify(claims), 'utf8'));
    const cookie = `v1.${body}.${this.sign(claims.kid, 'settings-session/v1', body)}`;
    return { ok: true, session: this.sessionOf(claims), cookie };
  }

  verify(cookie: string): SettingsSession | null {
    const parts = typeof cookie === 'string' ? COOKIE.exec(cookie) : null;
    if (!parts) return null;
    const [, body, mac] = parts;
    let claims: SessionClaims;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as SessionClaims;
    } catch {
      return null;
    }
    if (typeof claims?.kid !== 'string' || !this.ring.get(claims.kid)) return null;
    if (!sameText(this.sign(claims.kid, 'settings-session/v1', body), mac)) return null;
    if (typeof claims.exp !== 'number' || this.clock.now().getTime() >= claims.exp * 1000) return null;
    return this.sessionOf(claims);
  }

  private sessionOf(claims: SessionClaims): SettingsSession {
    return {
      tenantId: claims.tid,
      actor: claims.act,
      returnUrl: claims.ret,
      expiresAt: new Date(claims.exp * 1000),
      csrfToken: this.sign(claims.kid, 'settings-csrf/v1', claims.sid),
    };
  }

  private authentic(data: IssuedData, nonce: string, exp: string, mac: string): boolean {
    if (!this.ring.get(data.keyId) || new Date(data.expiresAt).getTime() !== Number(exp) * 1000) return false;
    return sameText(this.linkMac(data.keyId, nonce, exp, data), mac);
  }

  private linkMac(keyId: string, nonce: string, exp: string, data: IssuedData): string {
    const signed = [nonce, exp, data.tenantId, data.actor, data.returnUrl ?? ''].join('\n');
    return this.sign(keyId, 'settings-link/v1', signed);
  }

  /** One purpose label per kind of value, so a MAC of one kind never passes for another. */
  private sign(keyId: string, purpose: string, text: string): string {
    return b64url(createHmac('sha256', this.key(keyId)).update(`${purpose}\n${text}`).digest());
  }

  /** A key of its own per master key (HKDF), never the master key itself. */
  private key(keyId: string): Buffer {
    let key = this.keys.get(keyId);
    if (!key) {
      const master = this.ring.get(keyId);
      if (!master) throw new Error(`master key ${keyId} is not in the ring`);
      key = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'mail-config/settings-session/v1', 32));
      this.keys.set(keyId, key);
    }
    return key;
  }

  private now(): string {
    return this.clock.now().toISOString();
  }
}

function streamOf(nonce: string): string {
  return `${SETTINGS_LINK_STREAM_PREFIX}${createHash('sha256').update(nonce).digest('hex')}`;
}
