import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_STORE, type EventStore } from '../../src/application/ports/event-store.port';
import { open } from '../../src/infrastructure/crypto/aes-gcm';
import { startTestService, type TestService, uniqueTenant } from '../support/app';
import { filesUnder } from '../support/files';
import { erased as erasedProblem, expectProblem, recordsNothing } from '../security/hostile';

const K1 = randomBytes(32);
const K2 = randomBytes(32);
const PASSWORD = 'Erase-Me-Pa55word-0815';
// The embedded store keeps the history in DATA_DIR, which this test restarts on with other keys.
const EMBEDDED = { EVENTSTORE_CONNECTION_STRING: '' };

type Sealed = { keyId: string; ciphertext: string };

/** Every key this service still holds: the master keys of its ring and every data key they unwrap. */
function everyKeyHeld(dataDir: string, masterKeys: Buffer[]): Buffer[] {
  const db = new Database(join(dataDir, 'keys.db'), { readonly: true });
  const rows = db.prepare('SELECT tenant_id, data_key_id, wrapped FROM data_keys').all() as Array<{
    tenant_id: string;
    data_key_id: string;
    wrapped: Buffer | null;
  }>;
  db.close();
  const dataKeys = rows.flatMap((row) =>
    row.wrapped === null
      ? []
      : masterKeys.flatMap((master) => {
          try {
            return [open(master, row.wrapped!, `data-key/v1\n${row.tenant_id}\n${row.data_key_id}`)];
          } catch {
            return [];
          }
        }),
  );
  const generated = join(dataDir, 'master.key');
  const local = existsSync(generated) ? [Buffer.from(readFileSync(generated, 'utf8').trim(), 'base64')] : [];
  return [...masterKeys, ...local, ...dataKeys];
}

const filesHolding = (dir: string, bytes: Buffer) => filesUnder(dir).filter((f) => readFileSync(f).includes(bytes));

describe('erasure by crypto-shredding', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mcs-erase-'));
  const victim = uniqueTenant('victim');
  const before = uniqueTenant('neighbour');
  const after = uniqueTenant('neighbour');
  let svc: TestService;
  let sealed: Sealed;
  let wrappedBefore: Buffer;

  const configure = async (tenant: string, password: string) => {
    expect((await svc.api.post(`/v1/tenants/${tenant}/mail-config`, { username: tenant })).status).toBe(201);
    const res = await svc.api.put(`/v1/tenants/${tenant}/mail-config/smtp`, {
      address: 'help@acme.example',
      password,
      host: 'smtp.acme.example',
      port: 587,
      activate: true,
      // Nothing answers for this host: activated without the Test.
      force: true,
    });
    expect(res.status).toBe(200);
  };

  beforeAll(async () => {
    // Two generations of master key: a neighbour wrapped by each, the victim by the old one.
    svc = await startTestService({ dataDir, env: { ...EMBEDDED, ENCRYPTION_KEYS: `k1:${K1.toString('base64')}` } });
    await configure(victim, PASSWORD);
    await configure(before, 'Neighbour-Before-1');
    await svc.close();
    svc = await startTestService({
      dataDir,
      env: {
        ...EMBEDDED,
        ENCRYPTION_KEYS: `k1:${K1.toString('base64')},k2:${K2.toString('base64')}`,
        ENCRYPTION_ACTIVE_KEY_ID: 'k2',
      },
    });
    await configure(after, 'Neighbour-After-2');
    const events = await svc.running.app.get<EventStore>(EVENT_STORE).readStream(`mailConfig-${victim}`);
    sealed = (events.find((e) => e.type === 'SmtpConfigured')!.data as { password: Sealed }).password;
    const db = new Database(join(dataDir, 'keys.db'), { readonly: true });
    wrappedBefore = (db.prepare('SELECT wrapped FROM data_keys WHERE tenant_id = ?').get(victim) as { wrapped: Buffer })
      .wrapped;
    db.close();
    // The test can open it before erasure: the "cannot" below is not a broken test harness.
    const aad = `mail-config/v1\n${victim}\nsmtp.password`;
    const opened = everyKeyHeld(dataDir, [K1, K2]).flatMap((k) => {
      try {
        return [open(k, Buffer.from(sealed.ciphertext, 'base64'), aad).toString('utf8')];
      } catch {
        return [];
      }
    });
    expect(opened).toEqual([PASSWORD]);
    expect(filesHolding(dataDir, wrappedBefore).length).toBeGreaterThan(0);

    const res = await svc.api.delete(`/v1/tenants/${victim}/mail-config`, undefined, { 'X-Actor': 'dpo@acme.example' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'erased',
      smtp: { passwordSet: true, credential: 'unavailable', credentialProblem: 'shredded' },
    });
  });
  afterAll(async () => {
    await svc.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('leaves the password unrecoverable with every key the service still holds', () => {
    const keys = everyKeyHeld(dataDir, [K1, K2]);
    expect(keys.length).toBe(2 + 2); // two master keys, the two neighbours' data keys
    const box = Buffer.from(sealed.ciphertext, 'base64');
    for (const key of keys) {
      for (const aad of [
        `mail-config/v1\n${victim}\nsmtp.password`,
        `mail-config/v1\n${before}\nsmtp.password`,
        `mail-config/v1\n${after}\nsmtp.password`,
      ]) {
        expect(() => open(key, box, aad)).toThrow();
      }
    }
  });

  it('destroys the wrapped data key on disk, not just its row', async () => {
    const db = new Database(join(dataDir, 'keys.db'), { readonly: true });
    expect(db.prepare('SELECT wrapped, shredded_at FROM data_keys WHERE tenant_id = ?').get(victim)).toEqual({
      wrapped: null,
      shredded_at: expect.any(String),
    });
    db.close();
    expect(filesHolding(dataDir, wrappedBefore)).toEqual([]);
  });

  it('keeps the history readable, secrets redacted, with who erased it', async () => {
    for (const reader of [svc.api, svc.support]) {
      const history = await reader.get(`/v1/tenants/${victim}/mail-config/history`);
      expect(history.status).toBe(200);
      expect(history.body.events.map((e: { type: string }) => e.type)).toEqual([
        'MailConfigProvisioned',
        'SmtpConfigured',
        'ModeChanged',
        'MailConfigErased',
      ]);
      expect(history.body.events[1].data.password).toBe('[encrypted]');
      expect(history.body.events[3]).toMatchObject({ actor: 'dpo@acme.example' });
    }
    const view = await svc.api.get(`/v1/tenants/${victim}/mail-config`);
    expect(view.status).toBe(200);
    expect(view.body.status).toBe('erased');
  });

  it('answers 410 to every later command and records nothing', async () => {
    await recordsNothing(svc, async () => {
      for (const res of [
        await svc.api.post(`/v1/tenants/${victim}/mail-config`, { username: 'acme' }),
        await svc.api.put(`/v1/tenants/${victim}/mail-config/mode`, { mode: 'default' }),
        await svc.api.put(`/v1/tenants/${victim}/mail-config/smtp`, {
          address: 'a@acme.example',
          password: 'x',
          host: 'smtp.acme.example',
          port: 587,
        }),
        await svc.api.put(`/v1/tenants/${victim}/mail-config/smtp`, {
          address: 'a@acme.example',
          host: 'smtp.acme.example',
          port: 587,
        }),
        await svc.api.delete(`/v1/tenants/${victim}/mail-config`),
      ]) {
        expect(res.status).toBe(410);
        expectProblem(res, erasedProblem);
      }
    });
  });

  it('leaves the neighbours’ secrets available', async () => {
    for (const t of [before, after]) {
      expect((await svc.api.get(`/v1/tenants/${t}/mail-config`)).body.smtp).toMatchObject({ credential: 'available' });
    }
  });

  it('shows the tenant as erased on the support dashboard', async () => {
    const deadline = Date.now() + 5000;
    let tenants: Array<{ tenantId: string; status: string }> = [];
    while (Date.now() < deadline) {
      tenants = (await svc.support.get(`/v1/dashboard/tenants?q=${victim}`)).body.tenants ?? [];
      if (tenants[0]?.status === 'erased') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(tenants).toEqual([expect.objectContaining({ tenantId: victim, status: 'erased' })]);
  });

  it('stays erased and unrecoverable after a restart', async () => {
    await svc.restart();
    expect((await svc.api.put(`/v1/tenants/${victim}/mail-config/mode`, { mode: 'default' })).status).toBe(410);
    expect((await svc.api.get(`/v1/tenants/${victim}/mail-config`)).body.smtp).toMatchObject({
      credentialProblem: 'shredded',
    });
    const box = Buffer.from(sealed.ciphertext, 'base64');
    for (const key of everyKeyHeld(dataDir, [K1, K2]))
      expect(() => open(key, box, `mail-config/v1\n${victim}\nsmtp.password`)).toThrow();
  });
});
