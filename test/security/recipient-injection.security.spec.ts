import { buildMime } from '../../src/infrastructure/mail/mime';
import { isMailbox } from '../../src/interfaces/http/common/mailbox';
import { startTestService, type TestService, uniqueTenant } from '../support/app';
import { testCertificates } from '../support/smtp/certs';
import { type Peer, PEER_PASSWORD, startSmtpPeer } from '../support/smtp/peers';
import { configureSmtp, message, provision } from '../support/smtp/scenario';
import { recordsNothing } from './hostile';

/**
 * Issue #18 item 4: a quoted local part holding a list, `"a@x.example,b@y.example,c"@example.org`,
 * passed validation as one address and nodemailer delivered it to three people, past the
 * recipient cap, while the answer reported one.
 */
const INJECTED = '"a@x.example,b@y.example,c"@example.org';
const VARIANTS = [
  INJECTED,
  '"a@x.example; b@y.example"@example.org',
  '"<b@y.example>"@example.org',
  '"a b"@example.org',
  'a@example.org,b@example.org',
  'Alice <a@example.org>',
];

describe('item 4: recipient injection through quoted local parts', () => {
  let peer: Peer;
  let svc: TestService;
  let tenant: string;

  beforeAll(async () => {
    peer = await startSmtpPeer();
    svc = await startTestService({
      env: { SMTP_ALLOWED_PORTS: String(peer.port), SMTP_EXTRA_CA_FILE: testCertificates().caFile },
    });
    tenant = uniqueTenant();
    await provision(svc, tenant);
    await configureSmtp(svc, tenant, peer.port);
  });
  afterAll(async () => {
    await svc?.close();
    await peer?.close();
  });

  const field = (name: string, value: string) =>
    name === 'replyTo' ? { [name]: value } : name === 'to' ? { to: [value] } : { [name]: [value] };

  it.each(['to', 'cc', 'bcc', 'replyTo'].flatMap((name) => VARIANTS.map((v) => [name, v] as const)))(
    'a message with %s %s is refused with 400 naming the field; nothing is sent or recorded',
    async (name, value) => {
      const before = { connections: peer.connections, deliveries: peer.inbox.deliveries.length };
      const res = await recordsNothing(svc, () =>
        svc.api.post(`/v1/tenants/${tenant}/messages`, message(field(name, value))),
      );
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([name]);
      expect({ connections: peer.connections, deliveries: peer.inbox.deliveries.length }).toEqual(before);
    },
  );

  it.each(VARIANTS)('the SMTP address %s is refused when saved and when tested; nothing connects', async (value) => {
    const before = peer.connections;
    const settings = { address: value, host: 'localhost', port: peer.port, password: PEER_PASSWORD };
    const saved = await recordsNothing(svc, () => svc.api.put(`/v1/tenants/${tenant}/mail-config/smtp`, settings));
    expect(saved.status).toBe(400);
    expect(saved.body.errors.map((e: { field: string }) => e.field)).toEqual(['address']);
    expect(saved.text).not.toContain(PEER_PASSWORD);
    const tested = await svc.api.post(`/v1/tenants/${tenant}/mail-config/smtp/test`, settings);
    expect(tested.status).toBe(400);
    const sendTo = await svc.api.post(`/v1/tenants/${tenant}/mail-config/smtp/test`, {
      ...settings,
      address: 'help@acme.example',
      sendTo: value,
    });
    expect(sendTo.status).toBe(400);
    expect(peer.connections).toBe(before);
  });

  it('plain addresses still go through, one recipient each', async () => {
    const before = peer.inbox.deliveries.length;
    const to = ['o’brien@example.org'.replace('’', "'"), 'first.last+tag@example.org', 'josé@example.org'];
    const res = await svc.api.post(`/v1/tenants/${tenant}/messages`, message({ to, replyTo: 'desk@acme.example' }));
    expect(res.status).toBe(200);
    const [delivery] = (await peer.inbox.waitFor(before + 1)).slice(before);
    expect(delivery.envelope.to.sort()).toEqual([...to].sort());
  });

  it('isMailbox accepts dot-atoms only; the composer hands one envelope recipient per item even if one slipped through', async () => {
    expect(VARIANTS.map(isMailbox)).toEqual(VARIANTS.map(() => false));
    expect(['a@example.org', 'a.b-c+d@sub.example.org', 'josé@example.org'].map(isMailbox)).toEqual([true, true, true]);
    expect(['.a@example.org', 'a..b@example.org', 'a.@example.org', 'a\u202e@example.org'].map(isMailbox)).toEqual([
      false,
      false,
      false,
      false,
    ]);
    const built = await buildMime({
      messageId: '<m@acme.example>',
      from: 'help@acme.example',
      to: [INJECTED],
      cc: [],
      bcc: [],
      subject: 's',
      text: 't',
      attachments: [],
    });
    expect(built.envelope.to).toHaveLength(1);
  });
});
