import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from '../support/http';
import { type ServiceProcess, spawnService } from '../support/service-process';

/**
 * Issue #18 item 2: a 10 MB nested JSON body without a token used to be read and parsed
 * (synchronously, seconds of CPU, a gigabyte of memory) before the auth guard refused it, and
 * /health/live stopped answering meanwhile. The service runs in its own process here, so its
 * event loop and memory are measured apart from the test's.
 */
const API_TOKEN = 'flood-test-api-token-0123456789abcdef';
const SUPPORT_TOKEN = 'flood-test-support-token-0123456789abcdef';
const MB = 1024 * 1024;

function nestedBody(bytes: number): Buffer {
  const depth = Math.floor((bytes - '{"to":}'.length) / 2);
  return Buffer.from(`{"to":${'['.repeat(depth)}${']'.repeat(depth)}}`);
}

/** Peak resident memory of the service process so far (VmHWM), in bytes. */
function peakRss(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmHWM:'))!;
  return Number(/(\d+)/.exec(line)![1]) * 1024;
}

interface Upload {
  status: number;
  text: string;
  /** Bytes of the body handed to the socket when the answer came. */
  sentWhenAnswered: number;
  total: number;
}

/**
 * Sends `body` in 64 KiB chunks and stops once the service answers. Half-way it holds on until the
 * service answers (15 s at most): a service that waits for the whole body before refusing it is
 * then seen answering only after the last byte, however loaded the machine is.
 */
function upload(url: string, token: string | null, body: Buffer): Promise<Upload> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    let held = false;
    let wake: (() => void) | null = null;
    const req = httpRequest(`${url}/v1/tenants/x/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': String(body.length),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
    });
    req.on('response', (res) => {
      answered = true;
      wake?.();
      const sentWhenAnswered = sent;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        req.destroy();
        resolve({
          status: res.statusCode!,
          text: Buffer.concat(chunks).toString(),
          sentWhenAnswered,
          total: body.length,
        });
      });
    });
    req.on('error', (error) => {
      // The service may close the connection while the body is still coming: the answer matters.
      if (!answered) reject(error);
    });
    const pump = () => {
      while (!answered && sent < body.length) {
        if (!held && sent >= body.length / 2) {
          held = true;
          const timer = setTimeout(() => wake?.(), 15_000);
          wake = () => {
            wake = null;
            clearTimeout(timer);
            setImmediate(pump);
          };
          return;
        }
        const chunk = body.subarray(sent, sent + 64 * 1024);
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', () => setImmediate(pump));
      }
      if (!answered) req.end();
    };
    req.flushHeaders();
    setImmediate(pump);
  });
}

describe('item 2: an unauthenticated 10 MB nested body', () => {
  let dataDir: string;
  let service: ServiceProcess;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mcs-flood-'));
    service = await spawnService(
      { DATA_DIR: dataDir, NODE_ENV: 'test', API_TOKEN, SUPPORT_TOKEN, LOG_LEVEL: 'info' },
      60_000,
    );
  }, 90_000);
  afterAll(() => {
    service?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is refused with 401 before it is read, while /health/live keeps answering, without memory growth', async () => {
    expect((await request('GET', `${service.url}/health/live`)).status).toBe(200);
    const pid = service.child.pid!;
    const peakBefore = peakRss(pid);
    const body = nestedBody(10 * MB);

    let uploading = true;
    const probes: Array<{ status: number; ms: number }> = [];
    const probing = (async () => {
      while (uploading || probes.length < 5) {
        const started = performance.now();
        const res = await request('GET', `${service.url}/health/live`);
        probes.push({ status: res.status, ms: performance.now() - started });
      }
    })();
    // Three at once, as in the report.
    const uploads = await Promise.all([1, 2, 3].map(() => upload(service.url, null, body)));
    uploading = false;
    await probing;

    for (const u of uploads) {
      expect(u.status).toBe(401);
      expect(JSON.parse(u.text)).toMatchObject({ status: 401, detail: 'A valid bearer token is required' });
      // Answered before the body had been sent: the service did not wait for it, let alone parse it.
      expect(u.sentWhenAnswered).toBeLessThan(u.total);
    }
    expect(probes.every((p) => p.status === 200)).toBe(true);
    const growth = peakRss(pid) - peakBefore;
    expect(growth).toBeLessThan(50 * MB);
    const slowest = Math.max(...probes.map((p) => p.ms));
    process.stdout.write(
      `body flood: ${probes.length} /health/live probes, slowest ${slowest.toFixed(1)} ms; ` +
        `peak RSS grew ${(growth / MB).toFixed(1)} MB; refused after ${uploads.map((u) => u.sentWhenAnswered)} bytes\n`,
    );
    expect(existsSync(join(dataDir, 'outbox')) ? readdirSync(join(dataDir, 'outbox')) : []).toEqual([]);
  }, 60_000);

  it.each([
    ['an authenticated message', 'POST', '/v1/tenants/x/messages'],
    ['an authenticated SMTP save', 'PUT', '/v1/tenants/x/mail-config/smtp'],
    ['an unauthenticated SMTP save', 'PUT', '/v1/tenants/x/mail-config/smtp'],
  ])('%s nested 40 deep is refused with 400 before validation (not a 500)', async (name, method, path) => {
    const rawBody = `{"to":${'['.repeat(40)}${']'.repeat(40)}}`;
    const res = await request(method, service.url + path, {
      token: name.includes('unauthenticated') ? null : API_TOKEN,
      rawBody,
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 400, detail: 'The request body nests deeper than 32 levels' });
  });

  it('an authenticated caller may still send a body over 64 KiB to the messages route, and not over 10 MiB', async () => {
    const provision = await request('POST', `${service.url}/v1/tenants/t-big/mail-config`, {
      token: API_TOKEN,
      body: { username: 'big' },
    });
    expect(provision.status).toBe(201);
    const text = 'x'.repeat(200 * 1024);
    const sent = await request('POST', `${service.url}/v1/tenants/t-big/messages`, {
      token: API_TOKEN,
      body: { to: ['customer@example.org'], subject: 'Large', text },
    });
    expect(sent.status).toBe(200);
    const huge = await upload(service.url, API_TOKEN, Buffer.from(JSON.stringify({ text: 'x'.repeat(11 * MB) })));
    expect(huge.status).toBe(413);
  });
});
