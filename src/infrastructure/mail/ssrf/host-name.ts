import { isIPv6 } from 'node:net';
import { type BlockedKind, blockedKind, formatIpv4, type Ip, parseIp, parseIpv4 } from './ip-ranges';

export type NormalisedHost =
  { kind: 'ip'; ip: Ip; address: string; blocked: BlockedKind | null } | { kind: 'name'; name: string };

const LABEL = '[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?';
const DNS_NAME = new RegExp(`^(?=.{1,253}$)${LABEL}(?:\\.${LABEL})*$`);
/** Characters that would make a URL parser read part of the host as user info, port or path. */
const NOT_IN_A_HOST = /[\s/\\@?#%:[\]\x00-\x1f\x7f]/;

export class HostSyntaxError extends Error {}

/**
 * Brings a host to the one form the policy judges: IP literals in every encoding getaddrinfo
 * accepts (127.1, 0x7f000001, 2130706433, 0177.0.0.1, [::ffff:127.0.0.1]) become canonical
 * addresses; names are IDNA-mapped to ASCII, lower-cased, without a trailing dot. The WHATWG
 * host parser does exactly the IPv4 number parsing that inet_aton does, which is the point.
 */
export function normaliseHost(raw: string): NormalisedHost {
  const text = raw.trim();
  const bracketed = /^\[(.*)\]$/.exec(text);
  const v6text = bracketed ? bracketed[1] : text;
  if (bracketed || isIPv6(v6text)) {
    const ip = parseIp(v6text);
    if (!ip || ip.family !== 6) throw new HostSyntaxError('not a valid IPv6 address');
    return { kind: 'ip', ip, address: v6text.toLowerCase(), blocked: blockedKind(ip) };
  }
  if (text === '' || NOT_IN_A_HOST.test(text)) throw new HostSyntaxError('not a valid host name');
  let parsed: string;
  try {
    parsed = new URL(`http://${text}/`).hostname;
  } catch {
    throw new HostSyntaxError('not a valid host name or IPv4 address');
  }
  const v4 = parseIpv4(parsed);
  if (v4 !== null) {
    const ip: Ip = { family: 4, value: v4 };
    return { kind: 'ip', ip, address: formatIpv4(v4), blocked: blockedKind(ip) };
  }
  const name = parsed.replace(/\.$/, '');
  if (!DNS_NAME.test(name)) throw new HostSyntaxError('not a valid host name');
  return { kind: 'name', name };
}
