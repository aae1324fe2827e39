import { CIPHER, type Cipher } from '../../src/application/ports/cipher.port';
import { EVENT_STORE, type EventStore } from '../../src/application/ports/event-store.port';
import { startTestService, type TestService, uniqueTenant } from '../support/app';
import { dataDirContains } from '../support/files';

const PASSWORD = 'Sup3r-Secret-Pa55word!';

describe('state, secrets and restarts', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
  });
  afterAll(async () => {
    await svc.close();
  });

  async function configured(tenant: string, password = PASSWORD) {
    await svc.api.post(`/v1/tenants/${tenant}/mail-config`, { username: tenant });
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
    return res.body;
  }

  async function storedPassword(tenant: string) {
    const store = svc.running.app.get<EventStore>(EVENT_STORE);
    const events = await store.readStream(`mailConfig-${tenant}`);
    return (events.find((e) => e.type === 'SmtpConfigured')!.data as any).password;
  }

  it('finds the same state after a restart on the same DATA_DIR, and the password still decrypts', async () => {
    const t = uniqueTenant();
    const before = await configured(t);
    await svc.restart();
    const after = await svc.api.get(`/v1/tenants/${t}/mail-config`);
    expect(after.status).toBe(200);
    expect(after.body).toEqual(before);
    const cipher = svc.running.app.get<Cipher>(CIPHER);
    expect(await cipher.decrypt(await storedPassword(t), { tenantId: t, field: 'smtp.password' })).toBe(PASSWORD);
  });

  it('keeps no plaintext password in any file under DATA_DIR', async () => {
    const t = uniqueTenant();
    await configured(t, 'Plaintext-Canary-4711');
    await svc.restart(); // flushes the WAL into the database files too
    expect(dataDirContains(svc.dataDir, 'Plaintext-Canary-4711')).toEqual([]);
    expect(dataDirContains(svc.dataDir, Buffer.from('Plaintext-Canary-4711').toString('base64'))).toEqual([]);
  });

  it('refuses to decrypt a ciphertext copied into another tenant’s stream', async () => {
    const victim = uniqueTenant('victim');
    const attacker = uniqueTenant('attacker');
    await configured(victim);
    await configured(attacker, 'attacker-own');
    const stolen = await storedPassword(victim);
    const store = svc.running.app.get<EventStore>(EVENT_STORE);
    const events = await store.readStream(`mailConfig-${attacker}`);
    const template = events.find((e) => e.type === 'SmtpConfigured')!;
    await store.appendToStream(
      `mailConfig-${attacker}`,
      [
        {
          eventId: '2b4c7a52-9d1e-4d33-9a43-3a7b0a0c6f01',
          type: 'SmtpConfigured',
          data: { ...(template.data as object), password: stolen },
          metadata: template.metadata,
        },
      ],
      { expectedVersion: events.length },
    );
    const cipher = svc.running.app.get<Cipher>(CIPHER);
    await expect(cipher.decrypt(stolen, { tenantId: attacker, field: 'smtp.password' })).rejects.toMatchObject({
      name: 'CredentialUnavailableError',
    });
    // Even the right tenant's key refuses it under another field.
    await expect(cipher.decrypt(stolen, { tenantId: victim, field: 'gmail.refreshToken' })).rejects.toMatchObject({
      name: 'CredentialUnavailableError',
      reason: 'integrity',
    });
  });

  it('stops start-up with one line naming a bad variable', async () => {
    const { parseConfig } = await import('../../src/infrastructure/config/config');
    expect(() => parseConfig({ PORT: 'eighty' })).toThrow(/^PORT: /);
    expect(() => parseConfig({ DEFAULT_RELAY_URL: 'http://relay' })).toThrow(
      /^DEFAULT_RELAY_URL: must use smtp:\/\/ or smtps:\/\//,
    );
    expect(() => parseConfig({ EVENTSTORE_CONNECTION_STRING: 'postgres://x' })).toThrow(
      /^EVENTSTORE_CONNECTION_STRING: /,
    );
    expect(() => parseConfig({ SMTP_ALLOWED_PORTS: '25,abc' })).toThrow(/^SMTP_ALLOWED_PORTS: /);
    const { keyRingFromEnv } = await import('../../src/infrastructure/crypto/key-ring');
    expect(() => keyRingFromEnv({ ENCRYPTION_KEY: 'c2hvcnQ=' }, () => Buffer.alloc(32))).toThrow(
      /^ENCRYPTION_KEY: must be base64 of exactly 32 bytes$/,
    );
  });
});
