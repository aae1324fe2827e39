import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The CAs to trust: the system's, plus those of MICROSOFT_EXTRA_CA_FILE (private PKI, stand-ins in tests). */
export function trustedCas(extraCaFile: string | null): string[] | undefined {
  if (!extraCaFile) return undefined;
  return [...rootCertificates, readFileSync(extraCaFile, 'utf8')];
}

/**
 * One HTTP(S) request with a deadline on the whole exchange, for MSAL's network client and the
 * Graph transport. Never logs: URLs, headers and bodies here carry codes, verifiers and tokens.
 */
export class HttpsClient {
  private readonly agent: Agent;

  constructor(
    ca: string[] | undefined,
    private readonly timeoutMs = 10_000,
  ) {
    this.agent = new Agent({ keepAlive: true, ca, maxSockets: 64 });
  }

  send(
    method: 'GET' | 'POST',
    url: string,
    headers: Record<string, string>,
    body?: string | Buffer,
    timeoutMs = this.timeoutMs,
  ): Promise<HttpAnswer> {
    const target = new URL(url);
    const call = target.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = call(
        target,
        {
          method,
          headers: { ...headers, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) },
          ...(target.protocol === 'https:' ? { agent: this.agent } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const flat: Record<string, string> = {};
            for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) flat[k] = String(v);
            resolve({ status: res.statusCode ?? 0, headers: flat, body: Buffer.concat(chunks).toString('utf8') });
          });
          res.on('error', reject);
        },
      );
      const timer = setTimeout(() => req.destroy(new HttpTimeoutError()), Math.max(1, timeoutMs));
      req.on('close', () => clearTimeout(timer));
      req.on('error', (error) => reject(error instanceof HttpTimeoutError ? error : new HttpNetworkError(error)));
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export class HttpTimeoutError extends Error {
  constructor() {
    super('timed out');
    this.name = 'HttpTimeoutError';
  }
}

/** A network failure; the message names the error code only (the URL may hold a code or state). */
export class HttpNetworkError extends Error {
  constructor(cause: Error) {
    super((cause as NodeJS.ErrnoException).code ?? 'network error');
    this.name = 'HttpNetworkError';
  }
}
