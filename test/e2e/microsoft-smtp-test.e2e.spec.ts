import { SMTPServer } from 'smtp-server';
import { type AddressInfo } from 'node:net';
import { startTestService, type TestService, uniqueTenant } from '../support/app';
import { testCertificates } from '../support/smtp/certs';

/** An SMTP peer that refuses every login with this reply, as the provider's servers word it. */
async function refusingPeer(responseCode: number, reply: string): Promise<{ port: number; close(): Promise<void> }> {
  const certs = testCertificates();
  const server = new SMTPServer({
    key: certs.trusted.key,
    cert: certs.trusted.cert,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(_auth, _session, callback) {
      callback(Object.assign(new Error(reply), { responseCode }));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const PASSWORD = 'Tenant-Pa55word-that-must-not-leak';

describe('the Test button knows when a provider stopped taking passwords', () => {
  let microsoft: Awaited<ReturnType<typeof refusingPeer>>;
  let gmail: Awaited<ReturnType<typeof refusingPeer>>;
  let svc: TestService;

  beforeAll(async () => {
    [microsoft, gmail] = await Promise.all([
      refusingPeer(535, '5.7.139 Authentication unsuccessful, basic authentication is disabled. [AM0PR02CA0001]'),
      refusingPeer(
        535,
        '5.7.8 Username and Password not accepted. For more information, go to ' +
          'https://support.google.com/mail/?p=BadCredentials a1-20020a05',
      ),
    ]);
    svc = await startTestService({
      env: {
        SMTP_ALLOWED_PORTS: `${microsoft.port},${gmail.port}`,
        SMTP_EXTRA_CA_FILE: testCertificates().caFile,
        THROTTLE_SMTP_TEST: '1000/60',
      },
    });
  });
  afterAll(async () => {
    await svc?.close();
    await Promise.all([microsoft, gmail].map((p) => p?.close()));
  });

  const test = async (port: number) => {
    const tenant = uniqueTenant();
    expect((await svc.api.post(`/v1/tenants/${tenant}/mail-config`, { username: tenant })).status).toBe(201);
    return svc.api.post(`/v1/tenants/${tenant}/mail-config/smtp/test`, {
      address: 'help@acme.example',
      host: 'localhost',
      port,
      security: 'starttls',
      password: PASSWORD,
    });
  };

  it('535 5.7.139 from Exchange Online stops at auth and says to use the Microsoft 365 mode', async () => {
    const res = await test(microsoft.port);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: false, stage: 'auth' });
    expect(res.body.message).toMatch(/Microsoft 365/);
    expect(res.body.message).toMatch(/use the Microsoft 365 mode/);
    expect(res.body.message).toContain('5.7.139');
    expect(res.body.message).not.toContain(PASSWORD);
    expect(res.body.message).not.toContain(Buffer.from(PASSWORD).toString('base64'));
  });

  it('535 5.7.8 from Gmail stops at auth and says to use the Gmail mode or an app password', async () => {
    const res = await test(gmail.port);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: false, stage: 'auth' });
    expect(res.body.message).toMatch(/use the Gmail mode/);
    expect(res.body.message).toMatch(/app password/);
    expect(res.body.message).not.toContain(PASSWORD);
    expect(res.body.message).not.toContain(Buffer.from(PASSWORD).toString('base64'));
    expect(svc.logs.join('\n')).not.toContain(PASSWORD);
  });
});
