import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type LookupFunction } from 'node:net';
import { type WebhookConfig } from '../../application/app-config';
import { type WebhookAttemptResult, type WebhookEndpoint } from '../../application/ports/webhook-endpoint.port';
import { type HostResolver } from '../mail/ssrf/host-resolver';
import { HostSyntaxError, normaliseHost } from '../mail/ssrf/host-name';
import { blockedKind, type Ip, parseIp } from '../mail/ssrf/ip-ranges';
import { standardWebhookHeaders } from './standard-webhooks.signature';
import { type WebhookAddressPolicy } from './webhook-address-policy';

class Refused extends Error {}

interface Vetted {
  address: string;
  family: 4 | 6;
}

/**
 * POSTs each webhook to WEBHOOK_URL, framed and signed per Standard Webhooks. The SSRF rule of
 * tenant SMTP hosts applies: the name is resolved once, every answer judged, and the connection
 * goes to the vetted address (TLS still verifies the name). One deadline covers the lookup, the
 * connection and the answer; the caller's `abandon` signal cuts all three short as well.
 * Redirects are not followed. Messages name the host, never the URL's path or query (which may
 * hold a token of the receiver).
 */
export class HttpWebhookEndpoint implements WebhookEndpoint {
  private readonly url: URL;

  constructor(
    private readonly config: Pick<WebhookConfig, 'url' | 'secret' | 'timeoutMs'>,
    private readonly policy: WebhookAddressPolicy,
    private readonly resolver: HostResolver,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.url = new URL(config.url);
  }

  async deliver(id: string, body: string, abandon?: AbortSignal): Promise<WebhookAttemptResult | null> {
    const where = this.url.host;
    if (abandon?.aborted) return null;
    const deadline = AbortSignal.timeout(this.config.timeoutMs);
    // A shutdown cuts the request at once rather than holding the process for up to WEBHOOK_TIMEOUT.
    const signal = abandon ? AbortSignal.any([deadline, abandon]) : deadline;
    try {
      const target = await this.vet(signal);
      const timestamp = Math.floor(this.now().getTime() / 1000);
      const status = await this.post(
        target,
        { ...standardWebhookHeaders(this.config.secret, id, timestamp, body) },
        body,
        signal,
      );
      if (status >= 200 && status < 300) return { outcome: 'delivered', statusCode: status, error: null };
      return { outcome: 'rejected', statusCode: status, error: `${where} answered ${status}` };
    } catch (error) {
      if (error instanceof Refused) return { outcome: 'refused', statusCode: null, error: error.message };
      if (abandon?.aborted && !deadline.aborted) return null;
      if (signal.aborted) {
        const seconds = Math.round(this.config.timeoutMs / 100) / 10;
        return { outcome: 'timeout', statusCode: null, error: `no answer from ${where} within ${seconds} s` };
      }
      const code = (error as { code?: string }).code ?? 'network error';
      return { outcome: 'unreachable', statusCode: null, error: `could not reach ${where} (${code})` };
    }
  }

  private async vet(signal: AbortSignal): Promise<Vetted | null> {
    let host;
    try {
      host = normaliseHost(this.url.hostname);
    } catch (error) {
      if (error instanceof HostSyntaxError) throw new Refused(`the webhook host is ${error.message}`);
      throw error;
    }
    if (host.kind === 'ip') {
      this.judge(host.ip, host.address);
      // Node connects to an IP literal without a lookup.
      return null;
    }
    const aborted = new Promise<never>((_, reject) =>
      signal.addEventListener('abort', () => reject(new Error('timeout')), { once: true }),
    );
    const answers = await Promise.race([this.resolver.resolve(host.name), aborted]);
    if (answers.length === 0) throw new Refused(`${host.name} has no address`);
    const vetted = answers.map((address) => {
      const ip = parseIp(address);
      if (!ip) throw new Refused(`${host.name} resolves to an address that cannot be judged`);
      this.judge(ip, host.name);
      return { address, family: ip.family };
    });
    return vetted[0];
  }

  private judge(ip: Ip, shown: string): void {
    const kind = blockedKind(ip);
    if (kind && !this.policy.allowsPrivate(ip)) {
      throw new Refused(`${shown} is a local or private address; the webhook URL must be reachable on the internet`);
    }
  }

  private post(target: Vetted | null, signed: Record<string, string>, body: string, signal: AbortSignal) {
    const url = this.url;
    const lookup: LookupFunction | undefined = target
      ? (_hostname, options, callback) => {
          if (options.all) callback(null, [target]);
          else callback(null, target.address, target.family);
        }
      : undefined;
    const options: RequestOptions = {
      method: 'POST',
      hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      headers: {
        ...signed,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        'user-agent': 'mail-config-service-webhooks/1',
      },
      agent: false,
      lookup,
      signal,
    };
    return new Promise<number>((resolve, reject) => {
      const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(options, (res) => {
        // The answer's body means nothing to us: read it away so the socket closes.
        res.resume();
        res.on('error', () => undefined);
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(body);
    });
  }
}
