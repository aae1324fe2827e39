import type { EnvelopeCipher } from '../../src/infrastructure/crypto/envelope.cipher';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestService, type TestService, uniqueTenant } from '../support/app';
import { erased, expectProblem, PROBLEM_BASE, recordsNothing, smtpSettings, storeOf } from './hostile';

const key = () => randomBytes(32).toString('base64');
// These restart on the same DATA_DIR with other keys, so the history must live there too.
const EMBEDDED = { EVENTSTORE_CONNECTION_STRING: '' };
type Sealed = { keyId: string; ciphertext: string };

async function configure(svc: TestService, tenant: string, password = 'Crypto-Suite-Pa55') {
  expect((await svc.api.post(`/v1/tenants/${tenant}/mail-config`, { username: uniqueTenant('acme') })).status).toBe(
    201,
  );
  const res = await svc.api.put(`/v1/tenants/${tenant}/mail-config/smtp`, smtpSettings({ password }));
  expect(res.status).toBe(200);
  expect(res.body.smtp).toMatchObject({ credential: 'available', credentialProblem: null });
}

async function sealedPassword(svc: TestService, tenant: string): Promise<Sealed> {
  const events = await storeOf(svc).readStream(`mailConfig-${tenant}`);
  return (events.filter((e) => e.type === 'SmtpConfigured').pop()!.data as { password: Sealed }).password;
}

function flip(s: Sealed, at: number, mask: number): Sealed {
  const box = Buffer.from(s.ciphertext, 'base64');
  box[at < 0 ? box.length + at : at] ^= mask;
  return { ...s, ciphertext: box.toString('base64') };
}

/** Writes an SmtpConfigured straight into the store, as someone with write access to it could. */
async function plant(svc: TestService, tenant: string, password: Sealed) {
  const store = storeOf(svc);
  const events = await store.readStream(`mailConfig-${tenant}`);
  const template = events.find((e) => e.type === 'SmtpConfigured')!;
  await store.appendToStream(
    `mailConfig-${tenant}`,
    [
      {
        eventId: randomUUID(),
        type: 'SmtpConfigured',
        data: { ...(template.data as object), password },
        metadata: template.metadata,
      },
    ],
    { expectedVersion: events.length },
  );
}

describe('item 5: hostile ciphertexts', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
  });
  afterAll(async () => svc.close());

  const view = (t: string) => svc.api.get(`/v1/tenants/${t}/mail-config`);

  it('shows a ciphertext moved from another tenant as unavailable, without failing the view', async () => {
    const victim = uniqueTenant('victim');
    const attacker = uniqueTenant('attacker');
    await configure(svc, victim, 'Victim-Secret-1');
    await configure(svc, attacker, 'Attacker-Own-1');
    const stolen = await sealedPassword(svc, victim);
    const own = await sealedPassword(svc, attacker);
    await plant(svc, attacker, stolen);
    const res = await view(attacker);
    expect(res.status).toBe(200);
    expect(res.body.smtp).toMatchObject({
      passwordSet: true,
      credential: 'unavailable',
      credentialProblem: 'key_missing',
    });
    // Relabelled with the attacker's own key id, it reaches AES-GCM and fails there: other key, other tenant in the AAD.
    await plant(svc, attacker, { ...stolen, keyId: own.keyId });
    const relabelled = await view(attacker);
    expect(relabelled.body.smtp).toMatchObject({ credential: 'unavailable', credentialProblem: 'integrity' });
    expect((await view(victim)).body.smtp).toMatchObject({ credential: 'available' });
    expect(res.text + relabelled.text).not.toContain('Victim-Secret-1');
  });

  it.each([
    ['a flipped bit in the sealed box', 'integrity', (s: Sealed) => flip(s, -1, 0x01)],
    ['a flipped bit in the authentication tag', 'integrity', (s: Sealed) => flip(s, 14, 0x80)],
    ['a truncated box', 'integrity', (s: Sealed) => ({ ...s, ciphertext: s.ciphertext.slice(0, 8) })],
    ['an empty box', 'integrity', (s: Sealed) => ({ ...s, ciphertext: '' })],
    ['a key id that is not the tenant’s', 'key_missing', (s: Sealed) => ({ ...s, keyId: `dek:${randomUUID()}` })],
  ])('shows %s as unavailable (%s)', async (_, reason, tamper) => {
    const t = uniqueTenant();
    await configure(svc, t);
    await plant(svc, t, tamper(await sealedPassword(svc, t)));
    const res = await view(t);
    expect(res.status).toBe(200);
    expect(res.body.smtp).toMatchObject({ credential: 'unavailable', credentialProblem: reason });
    // History reads on, with the secret redacted whatever its state.
    const history = await svc.api.get(`/v1/tenants/${t}/mail-config/history?type=SmtpConfigured`);
    expect(history.body.events.map((e: { data: { password: unknown } }) => e.data.password)).toEqual([
      '[encrypted]',
      '[encrypted]',
    ]);
  });

  it('answers 410 to every command on a shredded tenant, records nothing, and shows its secret as shredded', async () => {
    const t = uniqueTenant();
    await configure(svc, t);
    expect((await svc.api.delete(`/v1/tenants/${t}/mail-config`)).status).toBe(200);
    await recordsNothing(svc, async () => {
      for (const res of [
        await svc.api.post(`/v1/tenants/${t}/mail-config`, { username: uniqueTenant('acme') }),
        await svc.api.put(`/v1/tenants/${t}/mail-config/mode`, { mode: 'smtp' }),
        await svc.api.put(`/v1/tenants/${t}/mail-config/smtp`, smtpSettings()),
        await svc.api.delete(`/v1/tenants/${t}/mail-config`),
      ]) {
        expect(res.status).toBe(410);
        expectProblem(res, erased);
      }
    });
    const res = await view(t);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'erased',
      smtp: { credential: 'unavailable', credentialProblem: 'shredded' },
    });
  });

  it('fails closed on an event type it does not know: 500 naming it, nothing recorded, other tenants unaffected', async () => {
    const broken = uniqueTenant('broken');
    const healthy = uniqueTenant('healthy');
    await configure(svc, broken);
    await configure(svc, healthy);
    const store = storeOf(svc);
    await store.appendToStream(
      `mailConfig-${broken}`,
      [
        {
          eventId: randomUUID(),
          type: 'SmtpPasswordRotatedV9',
          data: {},
          metadata: { actor: 'x', correlationId: 'y', at: new Date().toISOString() },
        },
      ],
      { expectedVersion: 2 },
    );
    const expected = {
      type: `${PROBLEM_BASE}unknown-event-type`,
      title: 'Unknown event type',
      status: 500,
      detail:
        'This tenant’s history holds an event of unknown type "SmtpPasswordRotatedV9"; commands on it are refused until the service understands it',
      code: 'UNKNOWN_EVENT_TYPE',
      eventType: 'SmtpPasswordRotatedV9',
    };
    await recordsNothing(svc, async () => {
      for (const res of [
        await svc.api.put(`/v1/tenants/${broken}/mail-config/mode`, { mode: 'smtp' }),
        await view(broken),
      ]) {
        expect(res.status).toBe(500);
        expectProblem(res, expected);
      }
    });
    const healthyMode = { mode: 'smtp', force: true };
    expect((await svc.api.put(`/v1/tenants/${healthy}/mail-config/mode`, healthyMode)).status).toBe(200);
  });

  it('lets exactly one of two appends with the same expected version through', async () => {
    const t = uniqueTenant();
    await configure(svc, t);
    const store = storeOf(svc);
    const append = () =>
      store.appendToStream(
        `mailConfig-${t}`,
        [
          {
            eventId: randomUUID(),
            type: 'ModeChanged',
            data: { from: 'default', to: 'smtp', reason: 'requested' },
            metadata: { actor: 'a', correlationId: randomUUID(), at: new Date().toISOString() },
          },
        ],
        { expectedVersion: 2 },
      );
    const outcomes = await Promise.allSettled([append(), append()]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({
      name: 'ConcurrencyError',
    });
    expect((await store.readStream(`mailConfig-${t}`)).map((e) => e.version)).toEqual([1, 2, 3]);
  });

  it('decides 20 concurrent commands on one tenant one after another: every one recorded once, versions contiguous', async () => {
    const t = uniqueTenant();
    await configure(svc, t);
    const ids = Array.from({ length: 20 }, () => randomUUID());
    const results = await Promise.all(
      ids.map((id, i) =>
        svc.api.put(
          `/v1/tenants/${t}/mail-config/smtp`,
          smtpSettings({ address: `help${i}@acme.example`, username: 'help@acme.example', password: undefined }),
          {
            'X-Request-Id': id,
          },
        ),
      ),
    );
    const statuses = results.map((r) => r.status);
    // A command that loses the race five times in a row answers 409; it must then not be recorded.
    expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
    const events = await storeOf(svc).readStream(`mailConfig-${t}`);
    expect(events.map((e) => e.version)).toEqual(events.map((_, i) => i + 1));
    const recorded = events.slice(2).map((e) => e.metadata.correlationId);
    expect(recorded.sort()).toEqual(ids.filter((_, i) => statuses[i] === 200).sort());
  });
});

describe('item 5: master keys that change under the service', () => {
  const oldKey = key();
  const newKey = key();
  let dataDir: string;
  let svc: TestService | undefined;
  const tenants = [uniqueTenant('r'), uniqueTenant('r')];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mcs-keys-'));
    svc = await startTestService({ dataDir, env: { ...EMBEDDED, ENCRYPTION_KEYS: `old:${oldKey}` } });
    for (const t of tenants) await configure(svc, t);
    await svc.close();
    svc = undefined;
  });
  afterEach(async () => {
    await svc?.close();
    svc = undefined;
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const restartWith = async (env: Record<string, string>) => {
    svc = await startTestService({ dataDir, env: { ...EMBEDDED, ...env } });
    return svc;
  };

  it.each([
    ['the master key is missing from the ring', { ENCRYPTION_KEYS: `new:${newKey}` }],
    ['a different key sits under the same id', { ENCRYPTION_KEYS: `old:${newKey}` }],
  ])('refuses to start when %s (issue #18 item 5), before any secret is read or sealed', async (_, env) => {
    await expect(restartWith(env)).rejects.toThrow(
      'ENCRYPTION_KEYS: does not open the stored data keys wrapped by master key "old"; ' +
        'restore the master key that wrapped them',
    );
    svc = undefined;
    // The right ring still opens every secret.
    const s = await restartWith({ ENCRYPTION_KEYS: `old:${oldKey}` });
    for (const t of tenants) {
      expect((await s.api.get(`/v1/tenants/${t}/mail-config`)).body.smtp).toMatchObject({ credential: 'available' });
    }
  });

  it('opens every secret after the data keys were re-wrapped and the old master key removed', async () => {
    const rotating = await restartWith({ ENCRYPTION_KEYS: `old:${oldKey},new:${newKey}` });
    const cipher = rotating.running.app.get(
      await import('../../src/application/ports/cipher.port').then((m) => m.CIPHER),
    ) as EnvelopeCipher;
    expect(await cipher.rotate()).toBe(tenants.length);
    await rotating.close();
    const s = await restartWith({ ENCRYPTION_KEYS: `new:${newKey}` });
    for (const t of tenants) {
      expect((await s.api.get(`/v1/tenants/${t}/mail-config`)).body.smtp).toMatchObject({
        credential: 'available',
        credentialProblem: null,
      });
    }
  });
});
