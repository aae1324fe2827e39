import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type EventStore, type NewEvent } from '../../src/application/ports/event-store.port';
import { streamOf } from '../../src/application/mail-config/streams';
import { type RunningService, startService } from '../../src/bootstrap';
import { InMemoryEventStore } from '../../src/infrastructure/event-store/in-memory.event-store';
import { request } from '../support/http';
import { families, sample } from '../support/metrics';
import { closedPort } from '../support/smtp/peers';

/**
 * Another writer (a second instance, say) that appends to a stream between every decision of the
 * command handler and its append, `times` times in a row: the store then really refuses the
 * handler's append with a version conflict, as many times as the handler is willing to retry.
 */
function withRivalWriter(store: EventStore) {
  let armed: { streamId: string; times: number } | null = null;
  const rivalEvent = (): NewEvent => ({
    eventId: `rival-${Math.random().toString(36).slice(2)}`,
    type: 'SmtpConnectionTested',
    data: { ok: true, stage: 'done', message: 'ok', durationMs: 1, testedAt: new Date().toISOString() },
    metadata: { actor: 'other-instance', correlationId: 'rival', at: new Date().toISOString() },
  });
  const wrapped = new Proxy(store, {
    get(target, key, receiver) {
      if (key !== 'appendToStream') return Reflect.get(target, key, receiver);
      return async (streamId: string, ...rest: unknown[]) => {
        if (armed && armed.streamId === streamId && armed.times > 0) {
          armed.times--;
          await target.appendToStream(streamId, [rivalEvent()], { expectedVersion: 'any' });
        }
        return (target.appendToStream as (...a: unknown[]) => Promise<unknown>)(streamId, ...rest);
      };
    },
  });
  return { store: wrapped, arm: (streamId: string, times: number) => (armed = { streamId, times }) };
}

describe('GET /metrics', () => {
  const API_TOKEN = 'metrics-test-api-token-0123456789abcdef';
  let dataDir: string;
  let running: RunningService;
  let downPort: number;
  const logs: string[] = [];
  const rival = withRivalWriter(new InMemoryEventStore());
  const api = (method: string, path: string, body?: unknown) =>
    request(method, running.url + path, { token: API_TOKEN, body });
  const scrape = async () => (await request('GET', `${running.url}/metrics`)).text;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mcs-metrics-'));
    downPort = await closedPort();
    running = await startService({
      env: {
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        DATA_DIR: dataDir,
        API_TOKEN,
        SMTP_ALLOW_PRIVATE_HOSTS: 'true',
        SMTP_ALLOWED_PORTS: `25,465,587,2525,${downPort}`,
      },
      logStream: new Writable({ write: (chunk, _e, done) => (logs.push(String(chunk)), done()) }),
      port: 0,
      eventStore: rival.store,
    });
  });
  afterAll(async () => {
    await running.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('exposes the series of every concern in Prometheus text format', async () => {
    const res = await request('GET', `${running.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(families(res.text)).toEqual(
      expect.arrayContaining([
        'http_request_duration_seconds',
        'mail_config_commands_total',
        'mail_config_sends_total',
        'mail_config_send_duration_seconds',
        'mail_config_smtp_tests_total',
        'mail_config_gmail_token_refreshes_total',
        'mail_config_gmail_revocations_detected_total',
        'event_store_append_duration_seconds',
        'mail_config_projection_lag_seconds',
        'mail_config_projection_checkpoint',
        'process_cpu_user_seconds_total',
        'nodejs_heap_size_used_bytes',
      ]),
    );
    // Series exist at zero before anything happened, so rate() and alerts work from the start.
    expect(res.text).toContain('mail_config_sends_total{mode="gmail",outcome="fallback"} 0');
    expect(res.text).toContain('mail_config_gmail_token_refreshes_total{outcome="revoked"} 0');
  });

  it('counts a send by mode and outcome, and times the request by route and status', async () => {
    const tenant = 't-metrics-send';
    expect((await api('POST', `/v1/tenants/${tenant}/mail-config`, { username: 'acme' })).status).toBe(201);
    const before = await scrape();
    const sent = await api('POST', `/v1/tenants/${tenant}/messages`, {
      to: ['client@example.org'],
      subject: 'Hello',
      text: 'Hi',
    });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ mode: 'default', fallback: null });
    expect(readdirSync(join(dataDir, 'outbox')).length).toBeGreaterThan(0);

    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) =>
      sample(after, name, labels) - sample(before, name, labels);
    expect(delta('mail_config_sends_total', { mode: 'default', outcome: 'ok' })).toBe(1);
    expect(delta('mail_config_sends_total', { mode: 'default', outcome: 'failed' })).toBe(0);
    expect(delta('mail_config_send_duration_seconds_count', { mode: 'default', outcome: 'ok' })).toBe(1);
    const route = { method: 'POST', route: '/v1/tenants/:tenantId/messages', status: '200' };
    expect(delta('http_request_duration_seconds_count', route)).toBe(1);
  });

  it('counts a failed send under outcome "failed" (the SMTP server is down: 502)', async () => {
    const tenant = 't-metrics-fail';
    await api('POST', `/v1/tenants/${tenant}/mail-config`, { username: 'fail' });
    const smtp = {
      address: 'm@acme.example',
      host: '127.0.0.1',
      port: downPort,
      security: 'none',
      password: 'pw',
      activate: true,
      // The server is down on purpose: activated without the Test.
      force: true,
    };
    const before = await scrape();
    const res = await api('PUT', `/v1/tenants/${tenant}/mail-config/smtp`, smtp);
    expect(res.status).toBe(200);
    const sent = await api('POST', `/v1/tenants/${tenant}/messages`, {
      to: ['client@example.org'],
      subject: 'Hello',
      text: 'Hi',
    });
    expect(sent.status).toBe(502);
    expect(sent.body.stage).toBe('connect');
    const after = await scrape();
    expect(
      sample(after, 'mail_config_sends_total', { mode: 'smtp', outcome: 'failed' }) -
        sample(before, 'mail_config_sends_total', { mode: 'smtp', outcome: 'failed' }),
    ).toBe(1);
  });

  it('counts a failed SMTP test by the stage where it stopped', async () => {
    const tenant = 't-metrics-test';
    await api('POST', `/v1/tenants/${tenant}/mail-config`, { username: 'tester' });
    const before = await scrape();
    // Port 2626 is outside SMTP_ALLOWED_PORTS: the test stops at "policy" without connecting.
    const res = await api('POST', `/v1/tenants/${tenant}/mail-config/smtp/test`, {
      address: 'm@acme.example',
      host: 'smtp.acme.example',
      port: 2626,
      password: 'pw',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: false, stage: 'policy' });
    const after = await scrape();
    const labels = { stage: 'policy', outcome: 'failed' };
    expect(
      sample(after, 'mail_config_smtp_tests_total', labels) - sample(before, 'mail_config_smtp_tests_total', labels),
    ).toBe(1);
    expect(sample(after, 'mail_config_smtp_tests_total', { stage: 'done', outcome: 'ok' })).toBe(
      sample(before, 'mail_config_smtp_tests_total', { stage: 'done', outcome: 'ok' }),
    );
  });

  it('counts a command that lost every retry to a concurrent writer as a conflict (409)', async () => {
    const tenant = 't-metrics-conflict';
    await api('POST', `/v1/tenants/${tenant}/mail-config`, { username: 'busy' });
    const smtp = { address: 'm@busy.example', host: 'smtp.busy.example', port: 587, password: 'pw' };
    expect((await api('PUT', `/v1/tenants/${tenant}/mail-config/smtp`, smtp)).status).toBe(200);
    const before = await scrape();
    const conflict = { type: 'ChangeMode', outcome: 'conflict' };

    rival.arm(streamOf(tenant), 100);
    const res = await api('PUT', `/v1/tenants/${tenant}/mail-config/mode`, { mode: 'smtp', force: true });
    rival.arm(streamOf(tenant), 0);
    expect(res.status).toBe(409);
    expect(res.body.type).toContain('concurrent-change');

    const after = await scrape();
    expect(
      sample(after, 'mail_config_commands_total', conflict) - sample(before, 'mail_config_commands_total', conflict),
    ).toBe(1);
    // The rival's events are in the stream; the handler's change is not.
    const view = await api('GET', `/v1/tenants/${tenant}/mail-config`);
    expect(view.body.mode).toBe('default');
    // A retry once the other writer is quiet succeeds and counts as ok.
    expect((await api('PUT', `/v1/tenants/${tenant}/mail-config/mode`, { mode: 'smtp', force: true })).status).toBe(
      200,
    );
    expect(
      sample(await scrape(), 'mail_config_commands_total', { type: 'ChangeMode', outcome: 'ok' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('names refused and unknown requests by their route pattern, never by the raw path', async () => {
    await request('GET', `${running.url}/v1/tenants/t-no-token/mail-config`);
    await request('GET', `${running.url}/no/such/path-${Date.now()}`);
    const text = await scrape();
    expect(
      sample(text, 'http_request_duration_seconds_count', {
        method: 'GET',
        route: '/v1/tenants/:tenantId/mail-config',
        status: '401',
      }),
    ).toBe(1);
    expect(
      sample(text, 'http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status: '404' }),
    ).toBe(1);
    expect(text).not.toContain('t-no-token');
    expect(text).not.toContain('/no/such');
  });
});
