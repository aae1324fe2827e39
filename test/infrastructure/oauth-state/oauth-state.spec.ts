import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Clock } from '../../../src/application/ports/clock.port';
import { type EventStore } from '../../../src/application/ports/event-store.port';
import { type OAuthStateBinding } from '../../../src/application/ports/oauth-state.port';
import { MasterKeyRing } from '../../../src/infrastructure/crypto/key-ring';
import { InMemoryEventStore } from '../../../src/infrastructure/event-store/in-memory.event-store';
import { SqliteEventStore } from '../../../src/infrastructure/event-store/sqlite.event-store';
import {
  OAUTH_STATE_STREAM_PREFIX,
  SignedOAuthStateStore,
} from '../../../src/infrastructure/oauth-state/signed-oauth-state.store';

class FakeClock implements Clock {
  constructor(public time = Date.parse('2026-11-26T10:00:00Z')) {}
  now(): Date {
    return new Date(this.time);
  }
}

const ring = (...ids: string[]) =>
  new MasterKeyRing(new Map(ids.map((id) => [id, createHash('sha256').update(id).digest()])), ids[ids.length - 1]);
const binding = (tenantId = 't-1'): OAuthStateBinding => ({
  tenantId,
  returnUrl: `https://app.example/settings/mail?tenant=${tenantId}`,
  actor: 'agent@acme.test',
  correlationId: 'req-1',
});
const verifier = (seed = 'v') => createHash('sha256').update(seed).digest('base64url');

describe('signed OAuth state recorded in the event store', () => {
  let clock: FakeClock;
  let store: EventStore;
  let states: SignedOAuthStateStore;
  beforeEach(() => {
    clock = new FakeClock();
    store = new InMemoryEventStore();
    states = new SignedOAuthStateStore(store, ring('k1'), clock);
  });

  it('gives back its binding and a PKCE verifier matching the S256 challenge, once', async () => {
    const issued = await states.issue(binding(), verifier());
    expect(issued.expiresAt.getTime() - clock.time).toBeGreaterThan(9.9 * 60_000);
    expect(issued.expiresAt.getTime() - clock.time).toBeLessThanOrEqual(10 * 60_000);
    const consumed = await states.consume(issued.state);
    expect(consumed).toEqual({ ok: true, binding: binding(), codeVerifier: verifier() });
    expect(await states.consume(issued.state)).toEqual({
      ok: false,
      reason: 'replayed',
      returnUrl: binding().returnUrl,
    });
  });

  it('refuses an expired state without spending it', async () => {
    const issued = await states.issue(binding(), verifier());
    clock.time += 10 * 60_000 + 1;
    expect(await states.consume(issued.state)).toEqual({
      ok: false,
      reason: 'expired',
      returnUrl: binding().returnUrl,
    });
    clock.time -= 20 * 60_000;
    expect((await states.consume(issued.state)).ok).toBe(true);
  });

  it('refuses tampered, unknown and garbage states without naming a redirect', async () => {
    const { state } = await states.issue(binding(), verifier());
    const [nonce, exp, mac] = state.split('.');
    const flip = (s: string) => (s[5] === 'A' ? `${s.slice(0, 5)}B${s.slice(6)}` : `${s.slice(0, 5)}A${s.slice(6)}`);
    const refused = { ok: false, reason: 'invalid', returnUrl: null };
    expect(await states.consume(`${nonce}.${exp}.${flip(mac)}`)).toEqual(refused);
    expect(await states.consume(`${flip(nonce)}.${exp}.${mac}`)).toEqual(refused);
    expect(await states.consume(`${nonce}.${Number(exp) + 3600}.${mac}`)).toEqual(refused);
    expect(await states.consume(`${randomBytes(32).toString('base64url')}.${exp}.${mac}`)).toEqual(refused);
    expect(await states.consume('')).toEqual(refused);
    expect(await states.consume('not a state')).toEqual(refused);
    // None of these spent the real state.
    expect((await states.consume(state)).ok).toBe(true);
  });

  it('refuses a state whose signature belongs to another tenant’s binding', async () => {
    const mine = await states.issue(binding('t-mine'), verifier());
    const theirs = await states.issue(binding('t-theirs'), verifier());
    const [nonce, exp] = mine.state.split('.');
    const [, , theirMac] = theirs.state.split('.');
    expect(await states.consume(`${nonce}.${exp}.${theirMac}`)).toEqual({
      ok: false,
      reason: 'invalid',
      returnUrl: null,
    });
    // A service with another master key cannot forge or check ours.
    const other = new SignedOAuthStateStore(store, ring('someone-else'), clock);
    expect((await other.consume(mine.state)).ok).toBe(false);
  });

  it('still accepts a state issued before a master key rotation', async () => {
    const issued = await states.issue(binding(), verifier());
    const rotated = new SignedOAuthStateStore(store, ring('k1', 'k2'), clock);
    const consumed = await rotated.consume(issued.state);
    expect(consumed).toMatchObject({ ok: true, codeVerifier: verifier() });
  });

  it('keeps only an RFC 7636 verifier, and hands back the verifier of a state issued before verifiers came from outside', async () => {
    await expect(states.issue(binding(), 'too-short')).rejects.toThrow('43 to 128');
    await expect(states.issue(binding(), `${verifier()}\n`)).rejects.toThrow('43 to 128');
    // Issued by the previous version: OAuthStateIssued without a sealed verifier.
    const older = new Proxy(store, {
      get: (target, name, receiver) =>
        name === 'appendToStream'
          ? (id: string, events: { data: Record<string, unknown> }[], options: unknown) =>
              target.appendToStream(
                id,
                events.map(({ data: { sealedVerifier: _, ...data }, ...rest }) => ({ ...rest, data })) as never,
                options as never,
              )
          : Reflect.get(target, name, receiver),
    });
    const issued = await new SignedOAuthStateStore(older, ring('k1'), clock).issue(binding(), verifier());
    const consumed = await states.consume(issued.state);
    expect(consumed).toEqual({
      ok: true,
      binding: binding(),
      codeVerifier: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    expect((consumed as { codeVerifier: string }).codeVerifier).not.toBe(verifier());
  });

  it('records no state, nonce, verifier or tenant-visible event, outside the tenant streams', async () => {
    const issued = await states.issue(binding(), verifier());
    const consumed = await states.consume(issued.state);
    const all = await store.readAll();
    expect(all.map((e) => e.type)).toEqual(['OAuthStateIssued', 'OAuthStateConsumed']);
    expect(all.every((e) => e.streamId.startsWith(OAUTH_STATE_STREAM_PREFIX))).toBe(true);
    const stored = JSON.stringify(all, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
    for (const secret of [
      issued.state,
      issued.state.split('.')[0],
      issued.state.split('.')[2],
      (consumed as { codeVerifier: string }).codeVerifier,
    ]) {
      expect(stored).not.toContain(secret);
    }
  });
});

describe('single use across restarts and instances sharing a store', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'oauth-state-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a replay after a restart', async () => {
    const file = join(dir, 'events.db');
    const clock = new FakeClock();
    const first = new SqliteEventStore(file);
    const issued = await new SignedOAuthStateStore(first, ring('k1'), clock).issue(binding(), verifier());
    expect((await new SignedOAuthStateStore(first, ring('k1'), clock).consume(issued.state)).ok).toBe(true);
    await first.close();
    const second = new SqliteEventStore(file);
    try {
      expect(await new SignedOAuthStateStore(second, ring('k1'), clock).consume(issued.state)).toMatchObject({
        ok: false,
        reason: 'replayed',
      });
    } finally {
      await second.close();
    }
  });

  it('lets exactly one of many concurrent callbacks on two instances consume a state', async () => {
    const file = join(dir, 'events.db');
    const clock = new FakeClock();
    const a = new SqliteEventStore(file);
    const b = new SqliteEventStore(file);
    try {
      const instances = [
        new SignedOAuthStateStore(a, ring('k1'), clock),
        new SignedOAuthStateStore(b, ring('k1'), clock),
      ];
      const issued = await instances[0].issue(binding(), verifier());
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => instances[i % 2].consume(issued.state)));
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.filter((r) => !r.ok).map((r) => (r as { reason: string }).reason)).toEqual(
        Array(9).fill('replayed'),
      );
    } finally {
      await a.close();
      await b.close();
    }
  });
});
