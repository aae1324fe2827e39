import { OPERATIONS, type OperationExample } from '../../src/interfaces/http/openapi/operations';
import { startTestService, type TestService, uniqueTenant } from '../support/app';
import { type Peer, PEER_PASSWORD, PEER_USER, startSmtpPeer } from '../support/smtp/peers';
import { testCertificates } from '../support/smtp/certs';
import { provision } from '../support/smtp/scenario';

/** Google's endpoints on a closed loopback port: starting a consent only builds a URL. */
const NOWHERE = 'http://127.0.0.1:9/';

/**
 * Every example the OpenAPI document shows, called against the service: each gets the status
 * the document promises. Examples name `smtp.acme.example`; here that server is a loopback
 * `smtp-server` peer (the test may not resolve names outside the machine), with its credentials.
 */
describe('the OpenAPI examples work', () => {
  let svc: TestService;
  let peer: Peer;
  beforeAll(async () => {
    peer = await startSmtpPeer();
    svc = await startTestService({
      env: {
        SMTP_ALLOWED_PORTS: `587,${peer.port}`,
        SMTP_EXTRA_CA_FILE: testCertificates().caFile,
        GOOGLE_CLIENT_ID: 'examples.apps.googleusercontent.com',
        GOOGLE_CLIENT_SECRET: 'examples-secret',
        GOOGLE_REDIRECT_URI: 'http://localhost:3000/v1/oauth/google/callback',
        GOOGLE_AUTH_URL: `${NOWHERE}auth`,
        GOOGLE_TOKEN_URL: `${NOWHERE}token`,
        GOOGLE_REVOKE_URL: `${NOWHERE}revoke`,
        GOOGLE_USERINFO_URL: `${NOWHERE}userinfo`,
        // Webhooks on, to a closed loopback port: the routes answer, deliveries wait for retries.
        WEBHOOK_URL: 'http://127.0.0.1:9/webhooks',
        WEBHOOK_SECRET: `whsec_${Buffer.from('examples-webhook-secret-32-bytes!').toString('base64')}`,
      },
    });
  });
  afterAll(async () => {
    await svc?.close();
    await peer?.close();
  });

  const toLoopback = (body: unknown): unknown => {
    if (!body || typeof body !== 'object' || (body as { host?: string }).host !== 'smtp.acme.example') return body;
    return { ...body, host: 'localhost', port: peer.port, username: PEER_USER, password: PEER_PASSWORD };
  };

  const projected = async (tenant: string) => {
    for (let attempt = 0; attempt < 100; attempt++) {
      if ((await svc.support.get(`/v1/dashboard/tenants/${tenant}`)).status === 200) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`${tenant} never reached the dashboard`);
  };

  const cases = Object.entries(OPERATIONS).flatMap(([operation, doc]) =>
    'notRunnable' in doc.examples
      ? []
      : Object.entries(doc.examples).map(([name, example]) => [operation, name, example] as const),
  );

  it.each(cases)('%s, example "%s"', async (operation: string, _name: string, example: OperationExample) => {
    const [method, template] = operation.split(' ');
    let path = template;
    if (template.includes('{tenantId}')) {
      const tenant = uniqueTenant('ex');
      if (example.tenant === 'provisioned') await provision(svc, tenant);
      // The dashboard reads projections: the tenant shows there once projected (moments later).
      if (example.tenant === 'provisioned' && template.startsWith('/v1/dashboard/')) await projected(tenant);
      path = template.replace('{tenantId}', tenant);
    }
    for (const [name, value] of Object.entries(example.path ?? {})) path = path.replace(`{${name}}`, value);
    const query = new URLSearchParams(example.query ?? {}).toString();
    const client = /^\/v1\/(dashboard|audit|webhooks)\//.test(template) ? svc.support : svc.api;
    const call = { get: client.get, post: client.post, put: client.put, delete: client.delete }[method.toLowerCase()]!;
    const res = await call(`${path}${query ? `?${query}` : ''}`, toLoopback(example.body), example.headers);
    expect({ status: res.status, body: res.status === example.status ? null : res.body }).toEqual({
      status: example.status,
      body: null,
    });
  });

  it('every operation either has an example or says why it cannot run here', () => {
    for (const doc of Object.values(OPERATIONS)) {
      const examples = Object.keys(doc.examples);
      expect(examples.length).toBeGreaterThan(0);
      if ('notRunnable' in doc.examples) expect(doc.examples.notRunnable).toMatch(/test\/(e2e|security)\//);
    }
  });
});
