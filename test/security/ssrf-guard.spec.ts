import { MailTransportError } from '../../src/application/ports/mail-transport.port';
import { normaliseHost } from '../../src/infrastructure/mail/ssrf/host-name';
import { blockedKind, parseIp } from '../../src/infrastructure/mail/ssrf/ip-ranges';
import { SmtpTargetGuard } from '../../src/infrastructure/mail/ssrf/smtp-target-guard';

const PORTS = [25, 465, 587, 2525];
const noDns = {
  resolve: jest.fn(async (): Promise<string[]> => {
    throw new Error('no DNS in this test');
  }),
};
const guard = (allowPrivateHosts = false, resolver: { resolve(n: string): Promise<string[]> } = noDns) =>
  new SmtpTargetGuard({ allowedPorts: PORTS, allowPrivateHosts }, resolver);

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

  it('lifts the address rule (not the port rule) with SMTP_ALLOW_PRIVATE_HOSTS', async () => {
    await expect(guard(true).check('127.1', 2525, 1000)).resolves.toMatchObject({
      addresses: ['127.0.0.1'],
      servername: null,
    });
  });
});
