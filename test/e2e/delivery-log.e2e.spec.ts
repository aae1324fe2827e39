import { startTestService, type TestService, uniqueTenant } from '../support/app';
import { type Peer, startSmtpPeer } from '../support/smtp/peers';
import { testCertificates } from '../support/smtp/certs';
import { configureSmtp, message, provision } from '../support/smtp/scenario';

interface Entry {
  messageId: string | null;
  at: string;
  to: string[];
  cc: string[];
  subject: string;
  mode: string;
  from: string | null;
  outcome: string;
  stage: string | null;
  detail: string | null;
  idempotencyKey: string | null;
  actor: string;
}

/** Every page of the tenant's log for a query, following nextCursor. */
async function allPages(svc: TestService, tenant: string, query: string): Promise<Entry[]> {
  const entries: Entry[] = [];
  let cursor: string | null = null;
  do {
    const res = await svc.support.get(
      `/v1/tenants/${tenant}/messages?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expect(res.status).toBe(200);
    entries.push(...(res.body.messages as Entry[]));
    cursor = res.body.nextCursor as string | null;
  } while (cursor);
  return entries;
}

describe('delivery log: GET /v1/tenants/{tenantId}/messages', () => {
  let svc: TestService;
  /** A peer that accepts the configuration, then goes away before the send. */
  let doomed: Peer;
  beforeAll(async () => {
    doomed = await startSmtpPeer();
    svc = await startTestService({
      env: { SMTP_ALLOWED_PORTS: String(doomed.port), SMTP_EXTRA_CA_FILE: testCertificates().caFile },
    });
  });
  afterAll(async () => {
    await svc?.close();
    await doomed?.close();
  });

  it('ten sends give ten records, findable by recipient and by time, paged without gaps or repeats', async () => {
    const tenant = uniqueTenant();
    const from = await provision(svc, tenant);
    const sent: Array<{ messageId: string; at: number }> = [];
    for (let i = 0; i < 10; i++) {
      const res = await svc.api.post(
        `/v1/tenants/${tenant}/messages`,
        message({ to: [`client-${i}@example.org`], cc: ['desk@example.org'], subject: `Ticket ${i}` }),
        { 'X-Actor': 'agent-7' },
      );
      expect(res.status).toBe(200);
      sent.push({ messageId: res.body.messageId as string, at: Date.now() });
    }

    const everything = await allPages(svc, tenant, 'limit=3');
    expect(everything.map((e) => e.subject)).toEqual([...Array(10).keys()].reverse().map((i) => `Ticket ${i}`));
    expect(everything.map((e) => e.messageId)).toEqual(sent.map((s) => s.messageId).reverse());

    const toThree = await svc.api.get(`/v1/tenants/${tenant}/messages?to=CLIENT-3@example.org`);
    expect(toThree.status).toBe(200);
    expect(toThree.body.messages).toEqual([
      expect.objectContaining({
        messageId: sent[3].messageId,
        to: ['client-3@example.org'],
        cc: ['desk@example.org'],
        subject: 'Ticket 3',
        mode: 'default',
        from,
        outcome: 'sent',
        stage: null,
        actor: 'agent-7',
      }),
    ]);
    const byCc = await allPages(svc, tenant, 'to=desk@example.org');
    expect(byCc).toHaveLength(10);

    const since = new Date(Date.parse(everything[4].at)).toISOString();
    const until = new Date(Date.parse(everything[2].at)).toISOString();
    const window = await allPages(svc, tenant, `since=${since}&until=${until}`);
    expect(window.map((e) => e.subject)).toEqual(['Ticket 7', 'Ticket 6', 'Ticket 5']);
  });

  it('records a refused send with its stage and words, and its Idempotency-Key', async () => {
    const tenant = uniqueTenant();
    await provision(svc, tenant);
    await configureSmtp(svc, tenant, doomed.port);
    await doomed.close();
    const res = await svc.api.post(`/v1/tenants/${tenant}/messages`, message({ subject: 'Lost' }), {
      'Idempotency-Key': 'order-77',
    });
    expect(res.status).toBe(502);
    const failed = await svc.api.get(`/v1/tenants/${tenant}/messages?outcome=failed`);
    expect(failed.body.messages).toEqual([
      expect.objectContaining({
        subject: 'Lost',
        mode: 'smtp',
        from: 'help@acme.example',
        outcome: 'failed',
        stage: 'connect',
        messageId: null,
        idempotencyKey: 'order-77',
      }),
    ]);
    expect(failed.body.messages[0].detail).toEqual(expect.any(String));
    expect((await svc.api.get(`/v1/tenants/${tenant}/messages?outcome=sent`)).body.messages).toEqual([]);
  });

  it('an answer replayed for a repeated Idempotency-Key sent nothing, so it adds no record', async () => {
    const tenant = uniqueTenant();
    await provision(svc, tenant);
    const send = () => svc.api.post(`/v1/tenants/${tenant}/messages`, message(), { 'Idempotency-Key': 'once-only' });
    expect((await send()).status).toBe(200);
    const again = await send();
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const log = await svc.api.get(`/v1/tenants/${tenant}/messages`);
    expect(log.body.messages).toEqual([expect.objectContaining({ idempotencyKey: 'once-only', outcome: 'sent' })]);
  });

  it("an erased tenant's records are gone, another tenant's stay", async () => {
    const [gone, kept] = [uniqueTenant(), uniqueTenant()];
    await provision(svc, gone);
    await provision(svc, kept);
    for (const t of [gone, kept]) {
      expect((await svc.api.post(`/v1/tenants/${t}/messages`, message({ to: ['same@example.org'] }))).status).toBe(200);
    }
    expect((await svc.api.delete(`/v1/tenants/${gone}/mail-config`)).status).toBe(200);
    const after = await svc.support.get(`/v1/tenants/${gone}/messages?to=same@example.org`);
    expect(after.status).toBe(200);
    expect(after.body).toEqual({ messages: [], nextCursor: null });
    expect((await svc.support.get(`/v1/tenants/${kept}/messages`)).body.messages).toHaveLength(1);
  });

  it('refuses bad filters naming the field, an unknown tenant with 404, and callers without a token', async () => {
    const tenant = uniqueTenant();
    await provision(svc, tenant);
    const bad = await svc.api.get(`/v1/tenants/${tenant}/messages?to=not-an-address&outcome=lost&since=yesterday`);
    expect(bad.status).toBe(400);
    const fields = (bad.body.errors as Array<{ field: string }>).map((e) => e.field).sort();
    expect(fields).toEqual(['outcome', 'since', 'to']);
    const cursor = await svc.api.get(`/v1/tenants/${tenant}/messages?cursor=bm9wZQ`);
    expect(cursor.status).toBe(400);
    expect((await svc.api.get(`/v1/tenants/${uniqueTenant()}/messages`)).status).toBe(404);
    expect((await svc.anonymous.get(`/v1/tenants/${tenant}/messages`)).status).toBe(401);
  });
});
