import { MailTransportError } from '../../src/application/ports/mail-transport.port';
import { normaliseHost } from '../../src/infrastructure/mail/ssrf/host-name';
import { blockedKind, LOOPBACK_NETWORKS, parseCidr, parseIp } from '../../src/infrastructure/mail/ssrf/ip-ranges';
import { SmtpTargetGuard } from '../../src/infrastructure/mail/ssrf/smtp-target-guard';

const PORTS = [25, 465, 587, 2525];
const noDns = {
  resolve: jest.fn(async (): Promise<string[]> => {
    throw new Error('no DNS in this test');
  }),
};
/** `true`: loopback allowed, as the deprecated SMTP_ALLOW_PRIVATE_HOSTS=true now means. */
const guard = (allow: boolean | string[] = false, resolver: { resolve(n: string): Promise<string[]> } = noDns) => {
  const cidrs = allow === true ? LOOPBACK_NETWORKS : allow === false ? [] : allow;
  return new SmtpTargetGuard(
    { allowedPorts: PORTS, allowedPrivateNetworks: cidrs.map((c) => parseCidr(c)!) },
    resolver,
  );
};

async function stageOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'passed';
  } catch (error) {
    if (error instanceof MailTransportError) return error.stage;
    throw error;
  }
}

describe('item 12: SSRF guard: host normalisation', () => {
  it.each([
    ['127.1', '127.0.0.1'],
    ['0x7f000001', '127.0.0.1'],
    ['2130706433', '127.0.0.1'],
    ['0177.0.0.1', '127.0.0.1'],
    ['0x7f.1', '127.0.0.1'],
    ['127.0.0.1.', '127.0.0.1'],
    ['[::ffff:127.0.0.1]', '::ffff:127.0.0.1'],
    ['[::1]', '::1'],
  ])('reads %s as the IP %s', (raw, address) => {
    expect(normaliseHost(raw)).toMatchObject({ kind: 'ip', address });
  });

  it.each([
    ['Mail.Example.COM.', 'mail.example.com'],
    ['bücher.example', 'xn--bcher-kva.example'],
    ['ｌｏｃａｌｈｏｓｔ', 'localhost'],
  ])('reads %s as the name %s', (raw, name) => {
    expect(normaliseHost(raw)).toEqual({ kind: 'name', name });
  });

  it.each([
    'evil.example:25@10.0.0.1',
    'a/b',
    'host name',
    'x\r\ny',
    '[fe80::1%eth0]',
    '1.2.3.4.5',
    'example..com',
    '',
  ])('refuses %j', (raw) => {
    expect(() => normaliseHost(raw)).toThrow();
  });
});

describe('item 12: SSRF guard: address classes', () => {
  it.each([
    ['0.0.0.0', 'unspecified'],
    ['127.0.0.1', 'loopback'],
    ['10.0.0.8', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'shared (carrier-grade NAT)'],
    ['224.0.0.1', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fd00:ec2::254', 'private'],
    ['fe80::1', 'link-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:a00:8', 'private'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['2002:7f00:1::', 'loopback'],
    ['::127.0.0.1', 'loopback'],
    ['2001:db8::1', 'reserved'],
  ])('%s is %s', (ip, kind) => {
    expect(blockedKind(parseIp(ip)!)).toBe(kind);
  });

  it.each(['93.184.216.34', '8.8.8.8', '2a00:1450:4001:82b::1b', '::ffff:93.184.216.34'])('%s is public', (ip) => {
    expect(blockedKind(parseIp(ip)!)).toBeNull();
  });
});

describe('item 12: SSRF guard: policy', () => {
  it.each([
    '127.0.0.1',
    'localhost',
    '[::1]',
    '10.0.0.8',
    '169.254.169.254',
    '127.1',
    '0x7f000001',
    '[::ffff:127.0.0.1]',
    '2130706433',
    'metadata.google.internal',
    'printer.local',
  ])('stops %s at policy without a DNS query', async (host) => {
    noDns.resolve.mockClear();
    expect(await stageOf(guard().check(host, 587, 1000))).toBe('policy');
    expect(noDns.resolve).not.toHaveBeenCalled();
  });

  it('stops a port outside the allow list at policy, even when private hosts are allowed', async () => {
    const error = await guard(true)
      .check('smtp.example.com', 22, 1000)
      .catch((e) => e);
    expect(error).toMatchObject({ stage: 'policy' });
    expect(error.message).toContain('Port 22 is not allowed');
  });

  it('stops a name when any of its A/AAAA answers is not public', async () => {
    const resolver = { resolve: jest.fn(async () => ['93.184.216.34', '::ffff:10.0.0.1']) };
    const error = await guard(false, resolver)
      .check('mixed.example.com', 587, 1000)
      .catch((e) => e);
    expect(error).toMatchObject({ stage: 'policy' });
    // The same words as a name refused by its spelling (issue #18 item 12): nothing about what it resolves to.
    expect(error.message).toBe(
      'mixed.example.com names a local or private host; the SMTP server must be reachable on the public internet',
    );
    expect(error.message).not.toContain('10.0.0.1');
  });

  it('passes a public name with its checked addresses and the name as TLS servername', async () => {
    const resolver = { resolve: jest.fn(async () => ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946']) };
    await expect(guard(false, resolver).check('Mail.Example.COM.', 587, 1000)).resolves.toEqual({
      host: 'mail.example.com',
      port: 587,
      addresses: ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
      servername: 'mail.example.com',
    });
    expect(resolver.resolve).toHaveBeenCalledWith('mail.example.com');
  });

  it('reports dns for a name that does not exist and for a lookup that hangs', async () => {
    const missing = { resolve: async () => Promise.reject(Object.assign(new Error('nope'), { code: 'ENOTFOUND' })) };
    expect(await stageOf(guard(false, missing).check('nope.example.com', 587, 1000))).toBe('dns');
    const hanging = { resolve: () => new Promise<string[]>(() => undefined) };
    const started = Date.now();
    const error = await guard(false, hanging)
      .check('slow.example.com', 587, 200)
      .catch((e) => e);
    expect(error).toMatchObject({ stage: 'dns' });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('lets loopback through with the deprecated alias, and nothing else private', async () => {
    await expect(guard(true).check('127.1', 2525, 1000)).resolves.toMatchObject({
      addresses: ['127.0.0.1'],
      servername: null,
    });
    expect(await stageOf(guard(true).check('[::1]', 587, 1000))).toBe('passed');
    for (const host of ['10.1.1.1', '192.168.0.10', '169.254.169.254', '[fc00::1]', '[::ffff:10.1.1.1]']) {
      expect(await stageOf(guard(true).check(host, 587, 1000))).toBe('policy');
    }
    expect(await stageOf(guard(true).check('127.0.0.1', 22, 1000))).toBe('policy');
  });

  it('lets through exactly the networks of SMTP_ALLOWED_PRIVATE_NETWORKS, judging every answer of a name', async () => {
    const lan = guard(['10.0.0.0/24', 'fd00:1::/64']);
    expect(await stageOf(lan.check('10.0.0.8', 587, 1000))).toBe('passed');
    expect(await stageOf(lan.check('[::ffff:10.0.0.8]', 587, 1000))).toBe('passed');
    expect(await stageOf(lan.check('[fd00:1::25]', 587, 1000))).toBe('passed');
    for (const host of ['10.0.1.8', '127.0.0.1', '[::1]', '[fd00:2::25]']) {
      expect(await stageOf(lan.check(host, 587, 1000))).toBe('policy');
    }
    const mixed = { resolve: async () => ['10.0.0.8', '10.0.1.8'] };
    expect(await stageOf(guard(['10.0.0.0/24'], mixed).check('mail.lan.example', 587, 1000))).toBe('policy');
    const inside = { resolve: async () => ['10.0.0.8'] };
    // A local-only name is resolved (not refused outright) once a private network is allowed.
    await expect(guard(['10.0.0.0/24'], inside).check('mailpit.local', 587, 1000)).resolves.toMatchObject({
      addresses: ['10.0.0.8'],
    });
  });

  it('names the field a save must refuse, without any lookup', () => {
    const resolver = { resolve: jest.fn() };
    const g = guard(false, resolver);
    expect(g.refusal('10.0.0.8', 587)).toMatchObject({ field: 'host' });
    expect(g.refusal('localhost', 587)).toMatchObject({ field: 'host' });
    expect(g.refusal('smtp.example.com', 22)).toMatchObject({ field: 'port' });
    expect(g.refusal('smtp.example.com', 587)).toBeNull();
    expect(resolver.resolve).not.toHaveBeenCalled();
  });
});

describe('CIDR blocks', () => {
  it.each([
    ['127.0.0.0/8', '127.0.0.0/8'],
    ['10.1.2.3/8', '10.0.0.0/8'],
    ['192.168.1.5', '192.168.1.5/32'],
    ['::1/128', '::1/128'],
    ['FD00:0:0:0:0:0:0:1/16', 'fd00::/16'],
  ])('reads %s as %s', (raw, text) => {
    expect(parseCidr(raw)?.text).toBe(text);
  });

  it.each(['10.0.0.0/33', '::1/129', 'localhost/8', '10.0.0.0/8/8', '10.0.0.0/x', ''])('refuses %p', (raw) => {
    expect(parseCidr(raw)).toBeNull();
  });
});
