import { type Logger } from '@nestjs/common';
import { type AppConfig } from '../../../application/app-config';
import { MailTransportError } from '../../../application/ports/mail-transport.port';
import { type HostResolver } from './host-resolver';
import { HostSyntaxError, type NormalisedHost, normaliseHost } from './host-name';
import { type BlockedKind, blockedKind, inNetworks, type Ip, type Network, parseCidr, parseIp } from './ip-ranges';

export interface SmtpTargetPolicy {
  allowedPorts: number[];
  /**
   * Development and tests only: private addresses inside these networks pass (a local Mailpit,
   * a loopback test peer). The port rule still applies; every other private address is refused.
   */
  allowedPrivateNetworks: Network[];
}

/** What the policy refuses before anything is resolved or connected, and the request field at fault. */
export interface PolicyRefusal {
  field: 'host' | 'port';
  message: string;
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

/** Hosts and ports whose static verdict is kept (a few per tenant at most). */
const REMEMBERED_REFUSALS = 10_000;

export class SmtpTargetGuard {
  private readonly refusals = new Map<string, PolicyRefusal | null>();

  constructor(
    private readonly policy: SmtpTargetPolicy,
    private readonly resolver: HostResolver,
  ) {}

  /**
   * The part of the policy that needs no lookup: the port, the host's syntax, IP literals and
   * names that can only be local. Saving a configuration uses it too, so a host the guard will
   * always refuse is not saved in the first place.
   */
  refusal(rawHost: string, port: number): PolicyRefusal | null {
    // The same answer for the same host and port under this (fixed) policy: every save of a
    // tenant's settings asks, usually about the host it asked about last time.
    const key = `${port} ${rawHost}`;
    let known = this.refusals.get(key);
    if (known === undefined) {
      const refused = this.staticCheck(rawHost, port);
      known = 'field' in refused ? refused : null;
      if (this.refusals.size >= REMEMBERED_REFUSALS) this.refusals.clear();
      this.refusals.set(key, known);
    }
    return known;
  }

  async check(rawHost: string, port: number, dnsTimeoutMs: number): Promise<CheckedTarget> {
    const host = this.staticCheck(rawHost, port);
    if ('field' in host) throw refuse(host.message);
    if (host.kind === 'ip') return { host: host.address, port, addresses: [host.address], servername: null };
    const { name } = host;
    if (name.endsWith('.invalid')) throw new MailTransportError('dns', `The host name ${name} does not exist`);
    const addresses = await this.resolve(name, dnsTimeoutMs);
    for (const address of addresses) {
      const ip = parseIp(address);
      // An answer we cannot parse cannot be judged, so it is refused like a private one.
      if (!ip || !this.allowed(ip)) throw refuse(nameRefused(name));
    }
    return { host: name, port, addresses, servername: name };
  }

  private staticCheck(rawHost: string, port: number): PolicyRefusal | NormalisedHost {
    if (!this.policy.allowedPorts.includes(port)) {
      return {
        field: 'port',
        message:
          `Port ${port} is not allowed for SMTP; use one of ${this.policy.allowedPorts.join(', ')} ` +
          '(usually 587 with STARTTLS or 465 with TLS)',
      };
    }
    let host: NormalisedHost;
    try {
      host = normaliseHost(rawHost);
    } catch (error) {
      if (error instanceof HostSyntaxError) return { field: 'host', message: `The host is ${error.message}` };
      throw error;
    }
    if (host.kind === 'ip') {
      if (host.blocked && !inNetworks(host.ip, this.policy.allowedPrivateNetworks)) {
        return {
          field: 'host',
          message: `${host.address} is ${describe(host.blocked)}; the SMTP server must have a public internet address`,
        };
      }
      return host;
    }
    // With no private network allowed, a local-only name is refused before any lookup; with one,
    // the name is resolved and every answer judged like an IP literal.
    const localOnly = [...PRIVATE_NAMES, ...PRIVATE_SUFFIXES].some((re) => re.test(host.name));
    if (localOnly && this.policy.allowedPrivateNetworks.length === 0) {
      return { field: 'host', message: nameRefused(host.name) };
    }
    return host;
  }

  private allowed(ip: Ip): boolean {
    return blockedKind(ip) === null || inNetworks(ip, this.policy.allowedPrivateNetworks);
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

type GuardConfig = Pick<AppConfig, 'smtpAllowedPorts' | 'smtpAllowedPrivateNetworks' | 'smtpAllowPrivateHostsAlias'>;

export function smtpTargetGuard(config: GuardConfig, resolver: HostResolver): SmtpTargetGuard {
  const networks = config.smtpAllowedPrivateNetworks.map((n) => parseCidr(n)!);
  return new SmtpTargetGuard({ allowedPorts: config.smtpAllowedPorts, allowedPrivateNetworks: networks }, resolver);
}

/**
 * What the guard lets through, said once at start-up: an operator must never learn from an
 * incident that a development setting reached production.
 */
export function logPrivateNetworks(config: GuardConfig, logger: Pick<Logger, 'warn'>): void {
  if (config.smtpAllowPrivateHostsAlias) {
    logger.warn(
      'SMTP_ALLOW_PRIVATE_HOSTS is deprecated and now means loopback only (127.0.0.0/8, ::1/128); ' +
        'use SMTP_ALLOWED_PRIVATE_NETWORKS',
    );
  }
  if (config.smtpAllowedPrivateNetworks.length) {
    logger.warn(
      "SMTP guard lets tenants' SMTP connections reach these private networks: " +
        `${config.smtpAllowedPrivateNetworks.join(', ')} (SMTP_ALLOWED_PRIVATE_NETWORKS; development only)`,
    );
  }
}
