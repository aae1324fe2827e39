import { simpleParser } from 'mailparser';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { request } from '../support/http';
import { type ServiceProcess, spawnService } from '../support/service-process';

/** A relay on loopback that takes its time to accept each message's data (a slow upstream). */
async function slowRelay(delayMs: number) {
  const received: Array<{ subject: string | undefined; to: string[] }> = [];
  let dataStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (dataStarted = resolve));
  const timers = new Set<NodeJS.Timeout>();
  const server = new SMTPServer({
    closeTimeout: 100,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      dataStarted();
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        await new Promise((r) => timers.add(setTimeout(r, delayMs)));
        const mail = await simpleParser(Buffer.concat(chunks));
        received.push({ subject: mail.subject, to: session.envelope.rcptTo.map((r) => r.address) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  const close = () => {
    timers.forEach(clearTimeout);
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { port, received, started, close };
}

/** Whether a new TCP connection to the port is accepted. */
function accepts(url: string): Promise<boolean> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

describe('graceful shutdown of the real process', () => {
  const API_TOKEN = 'shutdown-test-api-token-0123456789abcdef';
  let dataDir: string;
  let service: ServiceProcess | undefined;
  let relay: Awaited<ReturnType<typeof slowRelay>> | undefined;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'mcs-shutdown-'));
  });
  afterEach(async () => {
    service?.kill();
    await relay?.close();
    service = undefined;
    relay = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = (env: Record<string, string>) =>
    spawnService({ NODE_ENV: 'production', DATA_DIR: dataDir, API_TOKEN, ...env });
  const api = (method: string, path: string, body?: unknown) =>
    request(method, service!.url + path, { token: API_TOKEN, body });
  const message = { to: ['client@example.org'], subject: 'Sent across a deploy', text: 'Hello' };
  /**
   * Whether this service still takes new requests. A refused connection says no; an accepted one
   * is asked for this service's tenant, because the freed port may at once be given to a server of
   * another test running in parallel (seen once in CI), which would accept the connection too.
   */
  const stillTakesRequests = async () =>
    (await accepts(service!.url)) &&
    (await api('GET', '/v1/tenants/t-deploy/mail-config').catch(() => null))?.status === 200;

  it('on SIGTERM stops accepting, lets an in-flight send finish, closes the stores and exits 0', async () => {
    relay = await slowRelay(2500);
    service = await start({ DEFAULT_RELAY_URL: `smtp://127.0.0.1:${relay.port}` });
    expect((await api('POST', '/v1/tenants/t-deploy/mail-config', { username: 'acme' })).status).toBe(201);

    const sending = api('POST', '/v1/tenants/t-deploy/messages', message);
    await relay.started; // the message is being handed to the relay right now
    service.child.kill('SIGTERM');
    await service.waitForLine(/SIGTERM received/);
    expect(await stillTakesRequests()).toBe(false);

    const sent = await sending;
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ mode: 'default', messageId: expect.any(String) });
    expect(relay.received).toEqual([{ subject: 'Sent across a deploy', to: ['client@example.org'] }]);

    const { code, signal } = await service.exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(service.stdout.some((l) => l.includes('stopped cleanly'))).toBe(true);
    expect(service.stderr.join('')).toBe('');
    // Every SQLite file was closed, not abandoned: the write-ahead logs were checkpointed and
    // removed (a killed process leaves them full).
    const files = readdirSync(dataDir);
    expect(files).toEqual(expect.arrayContaining(['events.db', 'keys.db']));
    for (const wal of files.filter((f) => f.endsWith('-wal')))
      expect([wal, statSync(join(dataDir, wal)).size]).toEqual([wal, 0]);

    // And the data is intact for the next start.
    service = await start({});
    expect((await api('GET', '/v1/tenants/t-deploy/mail-config')).body).toMatchObject({
      tenantId: 't-deploy',
      version: 1,
    });
    service.child.kill('SIGINT');
    expect((await service.exited).code).toBe(0);
  }, 60_000);

  it('gives in-flight requests SHUTDOWN_TIMEOUT_MS at most, then cuts them and still exits cleanly', async () => {
    relay = await slowRelay(20_000);
    service = await start({ DEFAULT_RELAY_URL: `smtp://127.0.0.1:${relay.port}`, SHUTDOWN_TIMEOUT_MS: '1000' });
    expect((await api('POST', '/v1/tenants/t-stuck/mail-config', { username: 'stuck' })).status).toBe(201);

    const sending = api('POST', '/v1/tenants/t-stuck/messages', message).catch((error: Error) => error);
    await relay.started;
    const signalledAt = Date.now();
    service.child.kill('SIGTERM');
    const { code } = await service.exited;
    const tookMs = Date.now() - signalledAt;
    expect(code).toBe(0);
    expect(tookMs).toBeGreaterThanOrEqual(1000);
    expect(tookMs).toBeLessThan(8000);
    // The connection was cut, not answered (fetch reports a network error).
    expect(await sending).toMatchObject({ name: 'TypeError', message: 'fetch failed' });
    expect(service.stdout.some((l) => /requests still running after 1000 ms; closed 1 connection/.test(l))).toBe(true);
  }, 60_000);

  it('refuses to start with a bad SHUTDOWN_TIMEOUT_MS, naming it in one line', async () => {
    await expect(start({ SHUTDOWN_TIMEOUT_MS: 'soon' })).rejects.toThrow(
      /SHUTDOWN_TIMEOUT_MS: must be a number of milliseconds/,
    );
  });
});
