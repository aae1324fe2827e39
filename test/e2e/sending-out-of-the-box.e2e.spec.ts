import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { request } from '../support/http';
import { type ServiceProcess, spawnService } from '../support/service-process';

/**
 * `npm start` with no environment beyond a scratch DATA_DIR and a free port: nothing else is
 * running (no relay, no event store server), and the service still does its main job.
 */
describe('sending with no configuration at all', () => {
  let dataDir: string;
  let service: ServiceProcess;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mcs-bare-'));
    service = await spawnService({ DATA_DIR: dataDir }, 60_000);
  }, 90_000);
  afterAll(() => {
    service?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('writes a provisioned tenant’s message as .eml under DATA_DIR/outbox, From support.<username>@smemetrics-email.com', async () => {
    const token = readFileSync(join(dataDir, 'api-token'), 'utf8').trim();
    const provisioned = await request('POST', `${service.url}/v1/tenants/t-bare/mail-config`, {
      token,
      body: { username: 'acme' },
    });
    expect(provisioned.status).toBe(201);
    const sent = await request('POST', `${service.url}/v1/tenants/t-bare/messages`, {
      token,
      body: { to: ['customer@example.org'], subject: 'Hello', text: 'First message' },
    });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({
      mode: 'default',
      delivery: 'outbox',
      from: 'support.acme@smemetrics-email.com',
      fallback: null,
    });
    const files = readdirSync(join(dataDir, 'outbox')).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(1);
    const mail = await simpleParser(readFileSync(join(dataDir, 'outbox', files[0])));
    expect(mail.from?.text).toBe('support.acme@smemetrics-email.com');
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : null).toBe('customer@example.org');
    expect(mail.messageId).toBe(sent.body.messageId);
    expect(mail.text?.trim()).toBe('First message');
  });

  it('said once at start-up that mode-1 mail goes to the outbox because DEFAULT_RELAY_URL is unset', async () => {
    const said = service.stdout.filter((l) => l.includes('DEFAULT_RELAY_URL is unset'));
    expect(said).toHaveLength(1);
    expect(said[0]).toContain('written to the outbox');
    expect(said[0]).toContain(join(dataDir, 'outbox'));
    expect(said[0]).toContain('NOT delivered');
  });
});
