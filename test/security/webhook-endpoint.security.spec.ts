import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { ConfigError, parseConfig } from '../../src/infrastructure/config/config';
import { HttpWebhookEndpoint } from '../../src/infrastructure/webhooks/http.webhook-endpoint';

/** A receiver on loopback that records what reached it (and may never answer). */
async function receiver(answer: 'ok' | 'never' = 'ok') {
  const got: IncomingMessage[] = [];
  const server: Server = createServer((req, res) => {
    got.push(req);
    req.resume();
    if (answer === 'ok') req.on('end', () => res.writeHead(200).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    got,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const secretText = `whsec_${randomBytes(32).toString('base64')}`;
const secret = Buffer.from(secretText.slice('whsec_'.length), 'base64');
const resolver = (answers: Record<string, string[]>) => ({
  resolve: jest.fn(async (name: string) => answers[name] ?? []),
});
const allow = { allowsPrivate: () => true };
const deny = { allowsPrivate: () => false };

describe('the webhook endpoint applies the SSRF policy of tenant SMTP hosts', () => {
  it.each([
    ['http://127.0.0.1:9/hook', '127.0.0.1'],
    ['http://[::1]:9/hook', '::1'],
    ['http://169.254.169.254/latest/meta-data', '169.254.169.254'],
    ['http://0x7f000001:9/', '127.0.0.1'],
  ])('refuses %s before connecting unless the deployment allows private addresses', async (url, shown) => {
    const endpoint = new HttpWebhookEndpoint({ url, secret, timeoutMs: 2000 }, deny, resolver({}));
    expect(await endpoint.deliver('msg_1', '{}')).toEqual({
      outcome: 'refused',
      statusCode: null,
      error: `${shown} is a local or private address; the webhook URL must be reachable on the internet`,
    });
  });

  it('refuses a name when any of its addresses is private (no DNS rebinding through a second answer)', async () => {
    const dns = resolver({ 'hooks.example.com': ['203.0.114.7', '10.0.0.8'] });
    const endpoint = new HttpWebhookEndpoint(
      { url: 'https://hooks.example.com/x', secret, timeoutMs: 2000 },
      deny,
      dns,
    );
    expect(await endpoint.deliver('msg_1', '{}')).toMatchObject({
      outcome: 'refused',
      error: 'hooks.example.com is a local or private address; the webhook URL must be reachable on the internet',
    });
  });

  it('connects to the address it vetted, asking the name once, and signs per Standard Webhooks', async () => {
    const peer = await receiver();
    try {
      const dns = resolver({ 'hooks.internal.test': ['127.0.0.1'] });
      const url = `http://hooks.internal.test:${peer.port}/hook?token=abc`;
      const endpoint = new HttpWebhookEndpoint({ url, secret, timeoutMs: 2000 }, allow, dns);
      const body = JSON.stringify({ type: 'mail_config.mode_changed', timestamp: 'now', data: {} });
      expect(await endpoint.deliver('msg_42', body)).toEqual({ outcome: 'delivered', statusCode: 200, error: null });
      expect(dns.resolve).toHaveBeenCalledTimes(1);
      const [req] = peer.got;
      expect(req.url).toBe('/hook?token=abc');
      expect(req.headers.host).toBe(`hooks.internal.test:${peer.port}`);
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      expect(headers['webhook-id']).toBe('msg_42');
      expect(new Webhook(secretText).verify(body, headers)).toEqual(JSON.parse(body));
    } finally {
      await peer.close();
    }
  });

  it('gives up on a receiver that does not answer within the timeout, naming the host only', async () => {
    const peer = await receiver('never');
    try {
      const url = `http://127.0.0.1:${peer.port}/hook?token=abc`;
      const endpoint = new HttpWebhookEndpoint({ url, secret, timeoutMs: 300 }, allow, resolver({}));
      expect(await endpoint.deliver('msg_1', '{}')).toEqual({
        outcome: 'timeout',
        statusCode: null,
        error: `no answer from 127.0.0.1:${peer.port} within 0.3 s`,
      });
      expect(peer.got).toHaveLength(1);
    } finally {
      await peer.close();
    }
  });
});

describe('webhook configuration', () => {
  const refusal = (env: Record<string, string>) => {
    try {
      parseConfig(env);
      return null;
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return error.message;
    }
  };

  it('is off without WEBHOOK_URL and WEBHOOK_SECRET, and on with both', () => {
    expect(parseConfig({}).webhooks).toBeNull();
    const config = parseConfig({ WEBHOOK_URL: 'https://app.example.com/hooks', WEBHOOK_SECRET: secretText });
    expect(config.webhooks).toEqual({
      url: 'https://app.example.com/hooks',
      secret,
      retryScheduleMs: [5000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000],
      timeoutMs: 15_000,
    });
  });

  it.each([
    [
      'a URL without a secret',
      { WEBHOOK_URL: 'https://app.example.com/h' },
      'WEBHOOK_SECRET: must be set when WEBHOOK_URL is',
    ],
    ['a secret without a URL', { WEBHOOK_SECRET: secretText }, 'WEBHOOK_URL: must be set when WEBHOOK_SECRET is'],
    ['an ftp URL', { WEBHOOK_URL: 'ftp://x', WEBHOOK_SECRET: secretText }, 'WEBHOOK_URL: must use http:// or https://'],
    [
      'a URL with credentials',
      { WEBHOOK_URL: 'https://u:p@app.example.com/h', WEBHOOK_SECRET: secretText },
      'WEBHOOK_URL: must not carry credentials: requests are signed with WEBHOOK_SECRET',
    ],
    [
      'a secret without whsec_',
      { WEBHOOK_URL: 'https://app.example.com/h', WEBHOOK_SECRET: 'not-a-whsec-secret-but-long-enough' },
      'WEBHOOK_SECRET: must be whsec_ followed by the base64 of 24 to 64 random bytes',
    ],
    [
      'a secret of 5 bytes',
      { WEBHOOK_URL: 'https://app.example.com/h', WEBHOOK_SECRET: 'whsec_c2hvcnQ=' },
      'WEBHOOK_SECRET: must be whsec_ followed by the base64 of 24 to 64 random bytes',
    ],
    [
      'a schedule with a word in it',
      { WEBHOOK_RETRY_SCHEDULE: '5s,soon' },
      'WEBHOOK_RETRY_SCHEDULE: "soon" is not a duration like 500ms, 5s, 5m, 2h or 1d (comma-separated)',
    ],
    [
      'a timeout of 10 minutes',
      { WEBHOOK_TIMEOUT: '10m' },
      'WEBHOOK_TIMEOUT: must be a duration from 100ms to 5m, got "10m"',
    ],
  ])('refuses %s with one line naming the variable', (_label, env, message) => {
    expect(refusal(env)).toBe(message);
  });

  it('never repeats the secret in a refusal', () => {
    const bad = 'whsec_' + 'A'.repeat(8) + '!!';
    expect(refusal({ WEBHOOK_URL: 'https://app.example.com/h', WEBHOOK_SECRET: bad })).not.toContain(bad);
  });
});
