import { Agent, request as httpRequest } from 'node:http';

export interface HttpResult {
  status: number;
  body: any;
  /** Wall time from sending the request to the end of the response body, in milliseconds. */
  ms: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** A small keep-alive JSON client for setup calls and for latency samples taken one at a time. */
export function call(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<HttpResult> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = { accept: 'application/json', ...(options.headers ?? {}) };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = httpRequest(
      new URL(path, baseUrl),
      { method, headers, agent, timeout: options.timeoutMs ?? 30_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : null;
          } catch {
            /* not JSON: keep the text */
          }
          resolve({ status: res.statusCode ?? 0, body, ms });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Calls `work(i)` for i in [0, total) with at most `concurrency` in flight. */
export async function pooled(total: number, concurrency: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < total) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
}

export function expectStatus(result: HttpResult, expected: number[], what: string): void {
  if (!expected.includes(result.status)) {
    throw new Error(
      `${what}: HTTP ${result.status} ${typeof result.body === 'string' ? result.body : JSON.stringify(result.body)}`.slice(
        0,
        500,
      ),
    );
  }
}
