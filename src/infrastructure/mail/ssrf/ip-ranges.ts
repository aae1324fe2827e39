import { isIPv4, isIPv6 } from 'node:net';

/** Why an address may not be the target of a tenant's SMTP connection. */
export type BlockedKind =
  'unspecified' | 'loopback' | 'private' | 'link-local' | 'shared (carrier-grade NAT)' | 'multicast' | 'reserved';

export interface Ip {
  family: 4 | 6;
  value: bigint;
}

/** A canonical dotted quad only: odd encodings are normalised by the host parser before this. */
export function parseIpv4(text: string): bigint | null {
  if (!isIPv4(text)) return null;
  return text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

/** Any IPv6 text form (with `::` and a dotted IPv4 tail); zone ids are refused. */
export function parseIpv6(text: string): bigint | null {
  if (!isIPv6(text) || text.includes('%')) return null;
  let groups: string[];
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let head = text;
  if (tail) {
    const v4 = parseIpv4(tail[1]);
    if (v4 === null) return null;
    head = text.slice(0, -tail[1].length) + ((v4 >> 16n) & 0xffffn).toString(16) + ':' + (v4 & 0xffffn).toString(16);
  }
  const [left, right] = head.split('::');
  const leftGroups = left ? left.split(':') : [];
  if (right === undefined) {
    groups = leftGroups;
  } else {
    const rightGroups = right ? right.split(':') : [];
    groups = [...leftGroups, ...Array(8 - leftGroups.length - rightGroups.length).fill('0'), ...rightGroups];
  }
  if (groups.length !== 8) return null;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

export function parseIp(text: string): Ip | null {
  const v4 = parseIpv4(text);
  if (v4 !== null) return { family: 4, value: v4 };
  const v6 = parseIpv6(text.replace(/^\[(.*)\]$/, '$1'));
  return v6 === null ? null : { family: 6, value: v6 };
}

export function formatIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

type Range = [prefix: bigint, bits: number, kind: BlockedKind];

const v4 = (cidr: string, kind: BlockedKind): Range => {
  const [ip, bits] = cidr.split('/');
  return [parseIpv4(ip)!, Number(bits), kind];
};
const v6 = (cidr: string, kind: BlockedKind): Range => {
  const [ip, bits] = cidr.split('/');
  return [parseIpv6(ip)!, Number(bits), kind];
};

/** IANA special-purpose IPv4 registry, minus nothing: none of these hosts a tenant's mail server. */
const IPV4_BLOCKED: Range[] = [
  v4('0.0.0.0/8', 'unspecified'),
  v4('10.0.0.0/8', 'private'),
  v4('100.64.0.0/10', 'shared (carrier-grade NAT)'),
  v4('127.0.0.0/8', 'loopback'),
  // Includes 169.254.169.254, the cloud metadata service.
  v4('169.254.0.0/16', 'link-local'),
  v4('172.16.0.0/12', 'private'),
  v4('192.0.0.0/24', 'reserved'),
  v4('192.0.2.0/24', 'reserved'),
  v4('192.88.99.0/24', 'reserved'),
  v4('192.168.0.0/16', 'private'),
  v4('198.18.0.0/15', 'reserved'),
  v4('198.51.100.0/24', 'reserved'),
  v4('203.0.113.0/24', 'reserved'),
  v4('224.0.0.0/4', 'multicast'),
  v4('240.0.0.0/4', 'reserved'),
];

const IPV6_BLOCKED: Range[] = [
  v6('::/128', 'unspecified'),
  v6('::1/128', 'loopback'),
  v6('100::/64', 'reserved'),
  // IETF protocol assignments (Teredo, ORCHID, benchmarking) and documentation.
  v6('2001::/23', 'reserved'),
  v6('2001:db8::/32', 'reserved'),
  v6('3fff::/20', 'reserved'),
  v6('5f00::/16', 'reserved'),
  v6('64:ff9b:1::/48', 'private'),
  v6('fc00::/7', 'private'),
  v6('fe80::/10', 'link-local'),
  v6('fec0::/10', 'private'),
  v6('ff00::/8', 'multicast'),
];

/** IPv6 forms that carry an IPv4 address the packet ends up at: judged by that address. */
const low32 = (v: bigint) => v & 0xffffffffn;
/** `deprecated`: forms nobody should use today, refused even when they carry a public address. */
const IPV4_CARRIERS: Array<{ prefix: bigint; bits: number; extract: (v: bigint) => bigint; deprecated: boolean }> = [
  { prefix: parseIpv6('::ffff:0:0')!, bits: 96, extract: low32, deprecated: false }, // IPv4-mapped
  { prefix: parseIpv6('64:ff9b::')!, bits: 96, extract: low32, deprecated: false }, // NAT64 well-known prefix
  { prefix: parseIpv6('2002::')!, bits: 16, extract: (v) => (v >> 80n) & 0xffffffffn, deprecated: false }, // 6to4
  { prefix: parseIpv6('::ffff:0:0:0')!, bits: 96, extract: low32, deprecated: true }, // IPv4-translated (SIIT)
  { prefix: parseIpv6('::')!, bits: 96, extract: low32, deprecated: true }, // IPv4-compatible
];

function within(value: bigint, width: number, prefix: bigint, bits: number): boolean {
  const shift = BigInt(width - bits);
  return value >> shift === prefix >> shift;
}

/** The reason the address is refused, or null when it is a public unicast address. */
export function blockedKind(ip: Ip): BlockedKind | null {
  if (ip.family === 4) return IPV4_BLOCKED.find(([p, b]) => within(ip.value, 32, p, b))?.[2] ?? null;
  const direct = IPV6_BLOCKED.find(([p, b]) => within(ip.value, 128, p, b));
  if (direct) return direct[2];
  for (const carrier of IPV4_CARRIERS) {
    if (within(ip.value, 128, carrier.prefix, carrier.bits)) {
      return blockedKind({ family: 4, value: carrier.extract(ip.value) }) ?? (carrier.deprecated ? 'reserved' : null);
    }
  }
  return null;
}

/** A CIDR block the operator lets through the guard (development: a local Mailpit, a test peer). */
export interface Network {
  family: 4 | 6;
  prefix: bigint;
  bits: number;
  /** Canonical text, as logged at start-up. */
  text: string;
}

export const LOOPBACK_NETWORKS = ['127.0.0.0/8', '::1/128'];

/** `127.0.0.0/8`, `::1/128`, `10.1.2.3` (a single host); null when it is not a CIDR block. */
export function parseCidr(raw: string): Network | null {
  const [address, bitsText, extra] = raw.trim().split('/');
  if (extra !== undefined || !address) return null;
  const ip = parseIp(address);
  if (!ip) return null;
  const width = ip.family === 4 ? 32 : 128;
  if (bitsText !== undefined && !/^\d{1,3}$/.test(bitsText)) return null;
  const bits = bitsText === undefined ? width : Number(bitsText);
  if (bits > width) return null;
  const shift = BigInt(width - bits);
  const prefix = (ip.value >> shift) << shift;
  const text = `${ip.family === 4 ? formatIpv4(prefix) : formatIpv6(prefix)}/${bits}`;
  return { family: ip.family, prefix, bits, text };
}

function formatIpv6(value: bigint): string {
  const groups = [...Array(8).keys()].map((i) => ((value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  // The longest run of zero groups becomes "::", as in RFC 5952.
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.length && j - i > 1) best = { start: i, length: j - i };
    i = j;
  }
  if (best.start < 0) return groups.join(':');
  return `${groups.slice(0, best.start).join(':')}::${groups.slice(best.start + best.length).join(':')}`;
}

const IPV4_MAPPED = parseIpv6('::ffff:0:0')!;

/** Whether an operator-allowed network holds the address (an IPv4-mapped IPv6 address counts as its IPv4). */
export function inNetworks(ip: Ip, networks: readonly Network[]): boolean {
  const candidates: Ip[] = [ip];
  if (ip.family === 6 && within(ip.value, 128, IPV4_MAPPED, 96)) candidates.push({ family: 4, value: low32(ip.value) });
  return candidates.some((c) =>
    networks.some((n) => n.family === c.family && within(c.value, c.family === 4 ? 32 : 128, n.prefix, n.bits)),
  );
}
