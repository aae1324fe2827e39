import { CONNECTION_FACTORY, type ConnectionFactory } from '../../src/infrastructure/mail/connection-factory';
import { HOST_RESOLVER, type HostResolver } from '../../src/infrastructure/mail/ssrf/host-resolver';
import { startTestService, type TestService, uniqueTenant } from '../support/app';
import { testCertificates } from '../support/smtp/certs';
import { type Peer, PEER_PASSWORD, PEER_USER, startSmtpPeer } from '../support/smtp/peers';
import { eventTypes, provision } from '../support/smtp/scenario';

const ADDRESS = 'help@acme.example';

// A file of its own: the start-up log of a second service in one test file is not captured apart.
describe('SMTP_ALLOWED_PRIVATE_NETWORKS', () => {
  let listener: Peer;
  let svc: TestService;
  let connects: string[];
  let lookups: string[];

  beforeAll(async () => {
    listener = await startSmtpPeer();
    svc = await startTestService({
      env: {
        SMTP_ALLOW_PRIVATE_HOSTS: 'false',
        SMTP_ALLOWED_PRIVATE_NETWORKS: '127.0.0.0/8',
        SMTP_ALLOWED_PORTS: `587,${listener.port}`,
        SMTP_EXTRA_CA_FILE: testCertificates().caFile,
        THROTTLE_SMTP_TEST: '1000/60',
      },
    });
    // Every socket and every lookup the service would make is counted; nothing leaves loopback.
    const factory = svc.running.app.get<ConnectionFactory>(CONNECTION_FACTORY);
    const real = factory.connect.bind(factory);
    jest.spyOn(factory, 'connect').mockImplementation(async (target) => {
      connects.push(target.address);
      if (target.address === '127.0.0.1') return real(target);
      throw Object.assign(new Error('refused by the test'), { code: 'ECONNREFUSED' });
    });
    const resolver = svc.running.app.get<HostResolver>(HOST_RESOLVER);
    jest.spyOn(resolver, 'resolve').mockImplementation(async (name) => {
      lookups.push(name);
      return ['127.0.0.1'];
    });
  });
  afterAll(async () => {
    await svc?.close();
    await listener?.close();
  });
  beforeEach(() => {
    connects = [];
    lookups = [];
  });

  it('lists the networks it lets through in one start-up warning', () => {
    const lines = svc.logs.filter((l) => l.includes('SMTP_ALLOWED_PRIVATE_NETWORKS'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('127.0.0.0/8');
    expect(JSON.parse(lines[0]).level).toBeGreaterThanOrEqual(40);
    expect(svc.logs.some((l) => l.includes('SMTP_ALLOW_PRIVATE_HOSTS is deprecated'))).toBe(false);
  });

  it('lets a loopback peer through and still stops 10.0.0.8 at policy without connecting', async () => {
    const t = uniqueTenant();
    await provision(svc, t);
    const candidate = { address: ADDRESS, port: listener.port, username: PEER_USER, password: PEER_PASSWORD };
    const ok = await svc.api.post(`/v1/tenants/${t}/mail-config/smtp/test`, { ...candidate, host: 'localhost' });
    expect(ok.body).toMatchObject({ ok: true, stage: 'done' });
    expect(connects).toEqual(['127.0.0.1']);

    connects = [];
    lookups = [];
    const before = listener.connections;
    for (const host of ['10.0.0.8', '[::1]', '[::ffff:10.0.0.8]']) {
      const res = await svc.api.post(`/v1/tenants/${t}/mail-config/smtp/test`, { ...candidate, host });
      expect(res.body).toMatchObject({ ok: false, stage: 'policy' });
    }
    expect(connects).toEqual([]);
    expect(lookups).toEqual([]);
    expect(listener.connections).toBe(before);
  });

  it('refuses to save a host or port the policy forbids (400 naming the field), recording nothing', async () => {
    const t = uniqueTenant();
    await provision(svc, t);
    const save = (host: string, port: number) =>
      svc.api.put(`/v1/tenants/${t}/mail-config/smtp`, { address: ADDRESS, host, port, password: PEER_PASSWORD });
    const host = await save('10.0.0.8', 587);
    expect(host.status).toBe(400);
    expect(host.body.errors).toEqual([{ field: 'host', message: expect.stringContaining('private address') }]);
    const port = await save('smtp.acme.example', 22);
    expect(port.status).toBe(400);
    expect(port.body.errors).toEqual([{ field: 'port', message: expect.stringContaining('Port 22 is not allowed') }]);
    expect(await eventTypes(svc, t)).toEqual(['MailConfigProvisioned']);
    expect((await save('smtp.acme.example', 587)).status).toBe(200);
    expect(connects).toEqual([]);
  });
});
