import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo, type Socket } from 'node:net';

/**
 * One request as the receiver got it, and what it answered (`dropped`: connection cut, no answer;
 * `held`: no answer, the request is kept open and `cutBySender` turns true once the sender gave up on it).
 */
export interface ReceivedWebhook {
  id: string;
  timestamp: string;
  signature: string;
  headers: Record<string, string>;
  body: string;
  payload: { type: string; timestamp: string; data: Record<string, unknown> & { tenantId: string } };
  answered: number | 'dropped' | 'held';
  cutBySender?: boolean;
}

/** What to answer a request: a status, cut the connection as a receiver that is down, or never answer. */
export type Answer = number | 'dropped' | 'held';
type Rule = (webhook: Omit<ReceivedWebhook, 'answered'>) => Answer | undefined;

/** A fresh Standard Webhooks secret, as the main application would generate it. */
export function webhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * The main application's webhook endpoint on loopback: records every request with its headers
 * and raw body, and answers what the test's rules say (204 otherwise).
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private rules: Rule[] = [];
  private readonly sockets = new Set<Socket>();
  private waiters: Array<() => void> = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('request', (req, res) => {
      void readBody(req).then((body) => {
        const header = (name: string) => String(req.headers[name] ?? '');
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
        const webhook = {
          id: header('webhook-id'),
          timestamp: header('webhook-timestamp'),
          signature: header('webhook-signature'),
          headers,
          body,
          payload: JSON.parse(body) as ReceivedWebhook['payload'],
        };
        let answer: Answer = 204;
        for (const rule of this.rules) {
          const a = rule(webhook);
          if (a !== undefined) {
            answer = a;
            break;
          }
        }
        const received: ReceivedWebhook = { ...webhook, answered: answer };
        this.received.push(received);
        if (answer === 'dropped') req.socket.destroy();
        else if (answer === 'held') {
          received.cutBySender = false;
          res.on('close', () => {
            received.cutBySender = !res.writableEnded;
            for (const wake of this.waiters.splice(0)) wake();
          });
        } else res.writeHead(answer).end();
        for (const wake of this.waiters.splice(0)) wake();
      });
    });
  }

  static async start(): Promise<WebhookReceiver> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return new WebhookReceiver(server, `http://127.0.0.1:${port}/hooks/mail-config?source=test`);
  }

  /** Rules are asked in order; the first with an answer decides. */
  answer(rule: Rule): void {
    this.rules.push(rule);
  }

  /** The first `times` requests matching `match` get `answer`; later ones fall through. */
  failFirst(times: number, match: (w: Omit<ReceivedWebhook, 'answered'>) => boolean, answer: Answer = 500): void {
    let left = times;
    this.answer((w) => {
      if (!match(w) || left === 0) return undefined;
      left--;
      return answer;
    });
  }

  of(tenantId: string, type?: string): ReceivedWebhook[] {
    return this.received.filter((w) => w.payload.data.tenantId === tenantId && (!type || w.payload.type === type));
  }

  /** Resolves once `check` holds over what was received (checked after every request). */
  async until<T>(check: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = check();
      if (value !== undefined && value !== false) return value;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`webhook receiver: condition not met within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 500));
        this.waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
