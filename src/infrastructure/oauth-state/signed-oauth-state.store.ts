import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  randomUUID,
  timingSafeEqual,
} from 'node:crypto';
import {
  OAUTH_STATE_STREAM_PREFIX,
  SINGLE_USE_STREAM_MAX_AGE_SECONDS,
} from '../../application/common/stream-categories';
import { browserBindingOf } from '../../application/common/consent-browser';
import { type Clock } from '../../application/ports/clock.port';
import { ConcurrencyError, type EventStore, type StoredEvent } from '../../application/ports/event-store.port';
import {
  type ConsumedHandoff,
  type ConsumedOAuthState,
  type IssuedOAuthState,
  OAUTH_STATE_TTL_MS,
  type OAuthStateBinding,
  type OAuthStateRefusal,
  type OAuthStateStore,
} from '../../application/ports/oauth-state.port';
import { type MasterKeyRing } from '../crypto/key-ring';

/** Outside `mailConfig-`: projections, audit and tenant history never see these streams. */
export { OAUTH_STATE_STREAM_PREFIX };

const STATE = /^([A-Za-z0-9_-]{43})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

interface IssuedData {
  tenantId: string;
  returnUrl: string;
  expiresAt: string;
  /** Master key the state was signed under, so a key rotation does not void states in flight. */
  keyId: string;
  /**
   * The PKCE verifier, AES-256-GCM sealed under a key derived from the master key and the nonce:
   * without the state in hand (the nonce is stored only as a hash) it cannot be opened. Absent
   * on states issued before verifiers came from outside; theirs is derived from the nonce.
   */
  sealedVerifier?: string;
  /** A hand-off link (POST …/authorizations), not a state; signed under its own label. */
  purpose?: 'handoff';
  /** SHA-256 of the cookie secret of the browser the consent was handed to; signed with the rest. */
  browser?: string;
}

type Spent =
  | { ok: true; issued: StoredEvent & { data: IssuedData }; nonce: string }
  | { ok: false; reason: OAuthStateRefusal; returnUrl: string | null };

/** RFC 7636: 43 to 128 unreserved characters. */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

const b64url = (b: Buffer) => b.toString('base64url');

/**
 * `state` = nonce . expiry . HMAC(nonce, expiry, tenant, returnUrl), keyed by a key derived
 * from the master key, so every instance sharing the master key can check it.
 *
 * Where it is recorded: in the event store, the one store every instance of the service
 * shares by construction (embedded SQLite or EventStoreDB alike). Issuing appends
 * OAuthStateIssued to `oauthState-<sha256(nonce)>` with expected version "no stream";
 * consuming appends OAuthStateConsumed with expected version 1, so of any number of
 * concurrent consumers, on any instance, before or after a restart, exactly one wins: the
 * same optimistic concurrency that guards every aggregate, covered by the store contract suite.
 *
 * The PKCE verifier comes from whoever starts the round trip (passport-oauth2 draws it) and is
 * kept sealed in OAuthStateIssued. The stream is named by a hash of the nonce and holds no
 * secret in the clear.
 *
 * Binding to the browser (RFC 9700 §4.7): POST …/authorizations answers a hand-off (the same
 * kind of record, signed under another label), not the provider's URL. The browser that opens it
 * first spends it, gets a cookie secret, and the state issued then keeps the secret's hash
 * (signed): a forwarded or leaked consent URL completed elsewhere comes back without it.
 */
export class SignedOAuthStateStore implements OAuthStateStore {
  private readonly keys = new Map<string, Buffer>();

  constructor(
    private readonly store: EventStore,
    private readonly ring: MasterKeyRing,
    private readonly clock: Clock,
    private readonly ttlMs = OAUTH_STATE_TTL_MS,
  ) {}

  async issue(binding: OAuthStateBinding, codeVerifier: string): Promise<IssuedOAuthState> {
    if (!VERIFIER.test(codeVerifier)) throw new Error('a PKCE code verifier has 43 to 128 unreserved characters');
    return this.record(binding, (keyId, nonce) => ({
      sealedVerifier: this.seal(keyId, nonce, codeVerifier),
      ...(binding.browser === undefined ? {} : { browser: binding.browser }),
    }));
  }

  issueHandoff(binding: OAuthStateBinding): Promise<IssuedOAuthState> {
    return this.record(binding, () => ({ purpose: 'handoff' }));
  }

  async consume(state: string, browserSecret?: string | null): Promise<ConsumedOAuthState> {
    const spent = await this.spend(state, undefined, browserSecret ?? null);
    if (!spent.ok) return spent;
    const { issued, nonce } = spent;
    return {
      ok: true,
      binding: this.bindingOf(issued),
      codeVerifier:
        issued.data.sealedVerifier === undefined
          ? this.verifierFor(issued.data.keyId, nonce)
          : this.open(issued.data.keyId, nonce, issued.data.sealedVerifier),
    };
  }

  async consumeHandoff(handoff: string): Promise<ConsumedHandoff> {
    const spent = await this.spend(handoff, 'handoff', null);
    return spent.ok ? { ok: true, binding: this.bindingOf(spent.issued) } : spent;
  }

  private async record(
    binding: OAuthStateBinding,
    extra: (keyId: string, nonce: string) => Partial<IssuedData>,
  ): Promise<IssuedOAuthState> {
    const nonce = b64url(randomBytes(32));
    const expiresAt = new Date(Math.floor((this.clock.now().getTime() + this.ttlMs) / 1000) * 1000);
    const exp = String(expiresAt.getTime() / 1000);
    const keyId = this.ring.activeId;
    const data: IssuedData = {
      tenantId: binding.tenantId,
      returnUrl: binding.returnUrl,
      expiresAt: expiresAt.toISOString(),
      keyId,
      ...extra(keyId, nonce),
    };
    await this.store.appendToStream(
      streamOf(nonce),
      [
        {
          eventId: randomUUID(),
          type: 'OAuthStateIssued',
          data,
          metadata: {
            ...this.metadata(binding.actor, binding.correlationId),
            ...(binding.authenticatedAs === undefined ? {} : { authenticatedAs: binding.authenticatedAs }),
          },
        },
      ],
      { expectedVersion: 'no_stream' },
    );
    // After the first event: EventStoreDB would otherwise take a metadata-only stream as existing.
    await this.store.setStreamMaxAge(streamOf(nonce), SINGLE_USE_STREAM_MAX_AGE_SECONDS);
    return { state: `${nonce}.${exp}.${this.mac(keyId, nonce, exp, data)}`, expiresAt };
  }

  /**
   * Checks a state (or hand-off) and spends it: authentic and of the purpose asked for, unused,
   * unexpired, and, when bound to a browser, brought by it. Only then is it spent, once.
   */
  private async spend(token: string, purpose: IssuedData['purpose'], browserSecret: string | null): Promise<Spent> {
    const parts = typeof token === 'string' ? STATE.exec(token) : null;
    if (!parts) return { ok: false, reason: 'invalid', returnUrl: null };
    const [, nonce, exp, mac] = parts;
    const events = await this.store.readStream(streamOf(nonce));
    const issued = events[0] as (StoredEvent & { data: IssuedData }) | undefined;
    if (
      issued?.type !== 'OAuthStateIssued' ||
      issued.data.purpose !== purpose ||
      !this.authentic(issued.data, nonce, exp, mac)
    ) {
      return { ok: false, reason: 'invalid', returnUrl: null };
    }
    const { returnUrl } = issued.data;
    if (events.length > 1) return { ok: false, reason: 'replayed', returnUrl };
    if (this.clock.now().getTime() >= Number(exp) * 1000) return { ok: false, reason: 'expired', returnUrl };
    if (issued.data.browser !== undefined && !sameBrowser(issued.data.browser, browserSecret)) {
      return { ok: false, reason: 'other_browser', returnUrl };
    }
    try {
      await this.store.appendToStream(
        streamOf(nonce),
        [
          {
            eventId: randomUUID(),
            type: 'OAuthStateConsumed',
            data: {},
            metadata: this.metadata(
              purpose === 'handoff' ? 'oauth-handoff' : 'oauth-callback',
              issued.metadata.correlationId,
            ),
          },
        ],
        { expectedVersion: issued.version },
      );
    } catch (error) {
      if (error instanceof ConcurrencyError) return { ok: false, reason: 'replayed', returnUrl };
      throw error;
    }
    return { ok: true, issued, nonce };
  }

  private bindingOf(issued: StoredEvent & { data: IssuedData }): OAuthStateBinding {
    return {
      tenantId: issued.data.tenantId,
      returnUrl: issued.data.returnUrl,
      actor: issued.metadata.actor,
      correlationId: issued.metadata.correlationId,
      ...(issued.metadata.authenticatedAs === undefined ? {} : { authenticatedAs: issued.metadata.authenticatedAs }),
      ...(issued.data.browser === undefined ? {} : { browser: issued.data.browser }),
    };
  }

  private authentic(data: IssuedData, nonce: string, exp: string, mac: string): boolean {
    if (!this.ring.get(data.keyId) || new Date(data.expiresAt).getTime() !== Number(exp) * 1000) return false;
    const expected = Buffer.from(this.mac(data.keyId, nonce, exp, data));
    const given = Buffer.from(mac);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }

  private mac(keyId: string, nonce: string, exp: string, data: IssuedData): string {
    const label = data.purpose === 'handoff' ? 'oauth-handoff/v1' : 'oauth-state/v1';
    const browser = data.browser === undefined ? [] : [data.browser];
    const signed = [label, nonce, exp, data.tenantId, data.returnUrl, ...browser].join('\n');
    return b64url(createHmac('sha256', this.key(keyId)).update(signed).digest());
  }

  private seal(keyId: string, nonce: string, verifier: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.sealKey(keyId, nonce), iv);
    const sealed = Buffer.concat([cipher.update(verifier, 'utf8'), cipher.final()]);
    return b64url(Buffer.concat([iv, cipher.getAuthTag(), sealed]));
  }

  private open(keyId: string, nonce: string, sealed: string): string {
    const raw = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.sealKey(keyId, nonce), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }

  private sealKey(keyId: string, nonce: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.key(keyId), Buffer.from(nonce), 'oauth-state/pkce-seal/v1', 32));
  }

  /** States issued before the verifier came from outside: an HMAC of the nonce, never stored. */
  private verifierFor(keyId: string, nonce: string): string {
    return b64url(createHmac('sha256', this.key(keyId)).update(`oauth-pkce/v1\n${nonce}`).digest());
  }

  /** A key of its own per master key (HKDF), never the master key itself. */
  private key(keyId: string): Buffer {
    let key = this.keys.get(keyId);
    if (!key) {
      const master = this.ring.get(keyId);
      if (!master) throw new Error(`master key ${keyId} is not in the ring`);
      key = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'mail-config/oauth-state/v1', 32));
      this.keys.set(keyId, key);
    }
    return key;
  }

  private metadata(actor: string, correlationId: string) {
    return { actor, correlationId, at: this.clock.now().toISOString() };
  }
}

function sameBrowser(expected: string, secret: string | null): boolean {
  if (secret === null || secret.length === 0 || secret.length > 256) return false;
  const given = Buffer.from(browserBindingOf(secret));
  const wanted = Buffer.from(expected);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

function streamOf(nonce: string): string {
  return `${OAUTH_STATE_STREAM_PREFIX}${createHash('sha256').update(nonce).digest('hex')}`;
}
