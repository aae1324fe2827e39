import { MailTransportError } from '../../../application/ports/mail-transport.port';
import { type HostResolver } from './host-resolver';
import { HostSyntaxError, normaliseHost } from './host-name';
import { type BlockedKind, blockedKind, parseIp } from './ip-ranges';

export interface SmtpTargetPolicy {
  allowedPorts: number[];
  /** Development and tests only: lifts the address rule, never the port rule. */
  allowPrivateHosts: boolean;
}

/** Where a session may connect: addresses that passed the policy, and the name TLS must verify. */
export interface CheckedTarget {
  /** The host as the tenant gave it, normalised: used in messages. */
  host: string;
  port: number;
  addresses: string[];
  servername: string | null;
}

/** Names that only ever mean "this machine" or "this private network", refused before any lookup. */
const PRIVATE_NAMES = [/^localhost$/, /\.localhost$/, /^localhost\.localdomain$/, /^ip6-(localhost|loopback)$/];
const PRIVATE_SUFFIXES = [/\.internal$/, /^metadata$/, /\.local$/, /\.home\.arpa$/, /^metadata\.goog$/];

function describe(kind: BlockedKind): string {
  return kind === 'unspecified' ? 'an unspecified address' : `a ${kind} address`;
}

const refuse = (message: string) => new MailTransportError('policy', message);

/**
 * The SSRF guard. Nothing connects to a tenant's server except through check(): ports from the
 * allow list, IP literals judged after normalisation, names resolved once (A and AAAA) with
 * every answer judged, and the checked addresses handed to the connection.
 */
/**
 * One answer for every refusal of a name: saying what it resolves to ("a loopback address") would
 * let a caller map the internal network through the Test button.
 */
const nameRefused = (name: string) =>
  `${name} names a local or private host; the SMTP server must be reachable on the public internet`;

export class SmtpTargetGuard {
  constructor(
    private readonly policy: SmtpTargetPolicy,
    private readonly resolver: HostResolver,
  ) {}

  async check(rawHost: string, port: number, dnsTimeoutMs: number): Promise<CheckedTarget> {
    if (!this.policy.allowedPorts.includes(port)) {
      throw refuse(
        `Port ${port} is not allowed for SMTP; use one of ${this.policy.allowedPorts.join(', ')} ` +
          '(usually 587 with STARTTLS or 465 with TLS)',
      );
    }
    let host;
    try {
      host = normaliseHost(rawHost);
    } catch (error) {
      if (error instanceof HostSyntaxError) throw refuse(`The host is ${error.message}`);
      throw error;
    }
    if (host.kind === 'ip') {
      if (host.blocked && !this.policy.allowPrivateHosts) {
        throw refuse(
          `${host.address} is ${describe(host.blocked)}; the SMTP server must have a public internet address`,
        );
      }
      return { host: host.address, port, addresses: [host.address], servername: null };
    }
    const { name } = host;
    if (!this.policy.allowPrivateHosts && [...PRIVATE_NAMES, ...PRIVATE_SUFFIXES].some((re) => re.test(name))) {
      throw refuse(nameRefused(name));
    }
    if (name.endsWith('.invalid')) throw new MailTransportError('dns', `The host name ${name} does not exist`);
    const addresses = await this.resolve(name, dnsTimeoutMs);
    for (const address of addresses) {
      const ip = parseIp(address);
      // An answer we cannot parse cannot be judged, so it is refused like a private one.
      const kind = ip ? blockedKind(ip) : 'reserved';
      if (kind && !this.policy.allowPrivateHosts) {
        throw refuse(nameRefused(name));
      }
    }
    return { host: name, port, addresses, servername: name };
  }

  private async resolve(name: string, timeoutMs: number): Promise<string[]> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new MailTransportError(
              'dns',
              `Looking up ${name} took longer than ${Math.round(timeoutMs / 1000)} s; try again later`,
            ),
          ),
        timeoutMs,
      );
    });
    try {
      const addresses = await Promise.race([this.resolver.resolve(name), timeout]);
      if (addresses.length === 0)
        throw new MailTransportError('dns', `The host name ${name} has no address (no A or AAAA record)`);
      return addresses;
    } catch (error) {
      if (error instanceof MailTransportError) throw error;
      const code = (error as { code?: string }).code;
      if (code === 'ENOTFOUND' || code === 'ENODATA') {
        throw new MailTransportError('dns', `The host name ${name} does not exist; check its spelling`);
      }
      throw new MailTransportError(
        'dns',
        `The host name ${name} could not be looked up right now (${code ?? 'DNS error'}); try again later`,
      );
    } finally {
      clearTimeout(timer);
    }
  }
}
