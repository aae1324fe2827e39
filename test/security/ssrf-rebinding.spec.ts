import { type Socket } from 'node:net';
import { type ConnectionTarget, TcpConnectionFactory } from '../../src/infrastructure/mail/connection-factory';
import { SmtpTargetGuard } from '../../src/infrastructure/mail/ssrf/smtp-target-guard';
import { NodemailerTenantSmtpTransport } from '../../src/infrastructure/mail/tenant-smtp.transport';
import { testCertificates } from '../support/smtp/certs';
import { type Peer, PEER_PASSWORD, PEER_USER, startSmtpPeer } from '../support/smtp/peers';

const PUBLIC = '93.184.216.34';
const FAST = { dns: 1000, connect: 1000, greeting: 1000, tls: 1000, auth: 1000, send: 1000 };

/** First answer public, every later answer loopback: the classic rebinding attack. */
function rebindingResolver() {
  const calls: string[] = [];
  return {
    calls,
    async resolve(name: string) {
      calls.push(name);
      return calls.length === 1 ? [PUBLIC] : ['127.0.0.1'];
    },
  };
}

describe('item 1: DNS rebinding', () => {
  let peer: Peer;
  beforeAll(async () => {
    peer = await startSmtpPeer();
  });
  afterAll(() => peer.close());

  const settings = {
    host: 'mail.tenant.example',
    port: 587,
    security: 'starttls' as const,
    username: PEER_USER,
    password: PEER_PASSWORD,
  };

  it('connects only to the address that was checked, with the host name as TLS servername', async () => {
    const resolver = rebindingResolver();
    const targets: ConnectionTarget[] = [];
    // Records instead of opening a socket: no traffic may leave loopback.
    const recording = {
      async connect(target: ConnectionTarget): Promise<Socket> {
        targets.push(target);
        throw Object.assign(new Error('recorded, not connected'), { code: 'ECONNREFUSED' });
      },
    };
    const guard = new SmtpTargetGuard({ allowedPorts: [587], allowedPrivateNetworks: [] }, resolver);
    const transport = new NodemailerTenantSmtpTransport(guard, recording, {
      extraCa: [],
      clientName: 'mcs.test',
      testTimeouts: FAST,
    });

    const report = await transport.verify(settings);
    expect(report.stage).toBe('connect');
    expect(targets).toEqual([
      expect.objectContaining({ address: PUBLIC, port: 587, servername: 'mail.tenant.example' }),
    ]);
    expect(resolver.calls).toEqual(['mail.tenant.example']);

    // The next session resolves again, gets loopback, and stops at policy: nothing is connected.
    const second = await transport.verify(settings);
    expect(second.stage).toBe('policy');
    expect(targets).toHaveLength(1);
  });

  it('makes TLS verify the certificate against the host name, whatever address was dialled', async () => {
    const targets: ConnectionTarget[] = [];
    const tcp = new TcpConnectionFactory();
    // Stands in for the public address with the loopback peer, whose certificate is for "localhost".
    const redirecting = {
      connect(target: ConnectionTarget) {
        targets.push(target);
        return tcp.connect({ ...target, address: '127.0.0.1', port: peer.port });
      },
    };
    const guard = new SmtpTargetGuard(
      { allowedPorts: [587], allowedPrivateNetworks: [] },
      { resolve: async () => [PUBLIC] },
    );
    const transport = new NodemailerTenantSmtpTransport(guard, redirecting, {
      extraCa: [testCertificates().ca],
      clientName: 'mcs.test',
      testTimeouts: FAST,
    });
    const report = await transport.verify(settings);
    expect(targets[0]).toMatchObject({ address: PUBLIC, servername: 'mail.tenant.example' });
    expect(peer.servernames).toContain('mail.tenant.example');
    expect(report).toMatchObject({ ok: false, stage: 'tls' });
    expect(report.message).toContain('not valid for mail.tenant.example');
    expect(peer.logins).toEqual([]);
  });
});
