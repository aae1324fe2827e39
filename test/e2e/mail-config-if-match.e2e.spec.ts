import { startTestService, type TestService, uniqueTenant } from '../support/app';

/** Optimistic concurrency over HTTP: the view's ETag is its version, If-Match pins it. */
describe('ETag and If-Match on the tenant configuration', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService();
  });
  afterAll(async () => {
    await svc.close();
  });

  const base = (t: string) => `/v1/tenants/${t}/mail-config`;
  const smtp = { address: 'help@acme.example', host: 'smtp.acme.example', port: 587, password: 'Sm7p-pass' };
  const historyTypes = async (t: string): Promise<string[]> =>
    (await svc.api.get(`${base(t)}/history`)).body.events.map((e: { type: string }) => e.type);

  async function provisioned(): Promise<string> {
    const t = uniqueTenant();
    const res = await svc.api.post(base(t), { username: t });
    expect(res.status).toBe(201);
    expect(res.headers.get('etag')).toBe('"1"');
    return t;
  }

  it('tags every view with its version', async () => {
    const t = await provisioned();
    const view = await svc.api.get(base(t));
    expect(view.headers.get('etag')).toBe(`"${view.body.version}"`);
    const saved = await svc.api.put(`${base(t)}/smtp`, smtp, { 'If-Match': view.headers.get('etag')! });
    expect(saved.status).toBe(200);
    expect(saved.body.version).toBe(2);
    expect(saved.headers.get('etag')).toBe('"2"');
  });

  it('answers 412 problem+json to a stale If-Match on PUT …/mode and …/smtp, appending nothing', async () => {
    const t = await provisioned();
    expect((await svc.api.put(`${base(t)}/smtp`, smtp, { 'If-Match': '"1"' })).status).toBe(200);
    const before = await historyTypes(t);

    const mode = await svc.api.put(`${base(t)}/mode`, { mode: 'smtp' }, { 'If-Match': '"1"' });
    expect(mode.status).toBe(412);
    expect(mode.headers.get('content-type')).toContain('application/problem+json');
    expect(mode.body).toMatchObject({
      type: 'https://smemetrics-email.com/problems/precondition-failed',
      status: 412,
      code: 'VERSION_MISMATCH',
      currentVersion: 2,
    });
    const resave = await svc.api.put(`${base(t)}/smtp`, { ...smtp, port: 465 }, { 'If-Match': 'W/"1"' });
    expect(resave.status).toBe(412);

    expect(await historyTypes(t)).toEqual(before);
    const view = await svc.api.get(base(t));
    expect(view.body).toMatchObject({ version: 2, mode: 'default', smtp: { port: 587 } });

    // force: no server answers for the saved host (activation's Test has its own e2e).
    const current = await svc.api.put(`${base(t)}/mode`, { mode: 'smtp', force: true }, { 'If-Match': '"2"' });
    expect(current.status).toBe(200);
    expect(current.body).toMatchObject({ mode: 'smtp', version: 3 });
    expect(await historyTypes(t)).toEqual([...before, 'ModeChanged']);
  });

  it('answers 412 to a stale If-Match on DELETE without shredding, and erases on the current one', async () => {
    const t = await provisioned();
    expect((await svc.api.put(`${base(t)}/smtp`, smtp)).status).toBe(200);

    const stale = await svc.api.delete(base(t), undefined, { 'If-Match': '"1"' });
    expect(stale.status).toBe(412);
    expect(stale.headers.get('content-type')).toContain('application/problem+json');
    const after = await svc.api.get(base(t));
    expect(after.body).toMatchObject({ status: 'active', version: 2, smtp: { credential: 'available' } });
    expect(await historyTypes(t)).not.toContain('MailConfigErased');

    const erased = await svc.api.delete(base(t), undefined, { 'If-Match': '"2"' });
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({ status: 'erased', version: 3 });
    expect(erased.headers.get('etag')).toBe('"3"');
  });

  it('keeps today’s behaviour without If-Match, accepts *, and refuses a malformed one (400)', async () => {
    const t = await provisioned();
    expect((await svc.api.put(`${base(t)}/smtp`, smtp)).status).toBe(200);
    expect((await svc.api.put(`${base(t)}/mode`, { mode: 'smtp', force: true }, { 'If-Match': '*' })).status).toBe(200);
    const malformed = await svc.api.put(`${base(t)}/mode`, { mode: 'default' }, { 'If-Match': '3' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors).toEqual([expect.objectContaining({ field: 'If-Match' })]);
    expect((await svc.api.put(`${base(t)}/mode`, { mode: 'default' })).body).toMatchObject({ version: 4 });
  });
});
