import { randomBytes } from 'node:crypto';
import { MasterKeyRing } from '../../../src/infrastructure/crypto/key-ring';
import { InMemoryEventStore } from '../../../src/infrastructure/event-store/in-memory.event-store';
import {
  SETTINGS_LINK_STREAM_PREFIX,
  SignedSettingsSessions,
} from '../../../src/infrastructure/settings/signed-settings-sessions';

/** Links and sessions with a clock the test moves, over one store shared by "instances". */
describe('SignedSettingsSessions', () => {
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);
  let now: number;
  const clock = { now: () => new Date(now) };
  let store: InMemoryEventStore;
  const binding = { tenantId: 't-1', actor: 'ana@acme.example', returnUrl: null, correlationId: 'c-1' };
  const instance = (ring = new MasterKeyRing(new Map([['k1', k1]]), 'k1')) =>
    new SignedSettingsSessions(store, ring, clock);

  beforeEach(() => {
    now = Date.parse('2026-12-03T10:00:00Z');
    store = new InMemoryEventStore();
  });

  it('opens a link once, on any instance, and the session names the tenant and actor', async () => {
    const { token, expiresAt } = await instance().issueLink(binding);
    expect(expiresAt.toISOString()).toBe('2026-12-03T10:05:00.000Z');
    const [first, second] = await Promise.all([instance().redeem(token), instance().redeem(token)]);
    const won = [first, second].filter((r) => r.ok);
    expect(won).toHaveLength(1);
    expect([first, second].filter((r) => !r.ok)).toEqual([{ ok: false, reason: 'used', returnUrl: null }]);
    const opened = won[0] as Extract<typeof first, { ok: true }>;
    expect(opened.session).toMatchObject({ tenantId: 't-1', actor: 'ana@acme.example' });
    expect(opened.session.expiresAt.toISOString()).toBe('2026-12-03T10:30:00.000Z');

    const verified = instance().verify(opened.cookie);
    expect(verified).toEqual(opened.session);
    expect(opened.cookie).not.toContain(token);
  });

  it('refuses a link after 5 minutes and a session after 30', async () => {
    const late = await instance().issueLink(binding);
    now += 5 * 60_000;
    expect(await instance().redeem(late.token)).toEqual({ ok: false, reason: 'expired', returnUrl: null });

    const { token } = await instance().issueLink(binding);
    const opened = await instance().redeem(token);
    if (!opened.ok) throw new Error('not opened');
    now += 30 * 60_000 - 1000;
    expect(instance().verify(opened.cookie)).not.toBeNull();
    now += 1000;
    expect(instance().verify(opened.cookie)).toBeNull();
  });

  it('refuses forged links and tampered cookies, and binds the anti-forgery token to the session', async () => {
    const { token } = await instance().issueLink(binding);
    const [nonce, exp] = token.split('.');
    const forged = `${nonce}.${exp}.${'A'.repeat(43)}`;
    expect(await instance().redeem(forged)).toEqual({ ok: false, reason: 'invalid', returnUrl: null });
    expect(await instance().redeem(`${nonce}.${Number(exp) + 600}.${token.split('.')[2]}`)).toMatchObject({
      ok: false,
      reason: 'invalid',
    });
    const a = await instance().redeem(token);
    const b = await instance().redeem((await instance().issueLink(binding)).token);
    if (!a.ok || !b.ok) throw new Error('not opened');
    expect(a.session.csrfToken).not.toBe(b.session.csrfToken);

    const [v, body, mac] = a.cookie.split('.');
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
    const other = Buffer.from(JSON.stringify({ ...claims, tid: 't-2' })).toString('base64url');
    expect(instance().verify(`${v}.${other}.${mac}`)).toBeNull();
    expect(instance().verify('garbage')).toBeNull();
    // Another master key cannot read it.
    expect(instance(new MasterKeyRing(new Map([['k1', k2]]), 'k1')).verify(a.cookie)).toBeNull();
  });

  it('keeps links and sessions valid across a key rotation', async () => {
    const { token } = await instance().issueLink(binding);
    const rotated = new MasterKeyRing(
      new Map([
        ['k1', k1],
        ['k2', k2],
      ]),
      'k2',
    );
    const opened = await instance(rotated).redeem(token);
    expect(opened.ok).toBe(true);
    if (opened.ok) expect(instance(rotated).verify(opened.cookie)?.tenantId).toBe('t-1');
  });

  it('records links outside the tenant streams, with no secret in them', async () => {
    const { token } = await instance().issueLink(binding);
    const streams = new Set<string>();
    for (const e of await store.readAll()) streams.add(e.streamId);
    expect([...streams].every((s) => s.startsWith(SETTINGS_LINK_STREAM_PREFIX))).toBe(true);
    const stored = JSON.stringify((await store.readStream([...streams][0])).map((e) => [e.data, e.metadata]));
    expect(stored).not.toContain(token.split('.')[0]);
    expect(stored).not.toContain(token.split('.')[2]);
  });
});
