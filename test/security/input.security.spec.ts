import { startTestService, type TestService, uniqueTenant } from '../support/app';
import { request } from '../support/http';
import { allEvents, expectProblem, invalid, PROBLEM_BASE, recordsNothing, smtpSettings, storeOf } from './hostile';

const USERNAME = { field: 'username', message: 'username must be 1-40 characters of a-z, 0-9, ".", "_" or "-"' };
const TENANT = { field: 'tenantId', message: 'tenantId must be 1-64 characters of A-Z, a-z, 0-9, _ or -' };
const HOST = { field: 'host', message: 'host must be a DNS name or an IP address of at most 253 characters' };
const label = (n: number) => 'a'.repeat(n);

describe('item 12: hostile input: names, addresses, hosts and sizes', () => {
  let svc: TestService;
  let tenant: string;
  beforeAll(async () => {
    svc = await startTestService();
    tenant = uniqueTenant();
    expect((await svc.api.post(`/v1/tenants/${tenant}/mail-config`, { username: uniqueTenant('acme') })).status).toBe(
      201,
    );
  });
  afterAll(async () => svc.close());

  const putSmtp = (body: unknown, t = tenant) => svc.api.put(`/v1/tenants/${t}/mail-config/smtp`, body);

  it.each([
    ['CR/LF', 'acme\r\nbcc: victim'],
    ['NUL', 'acme\u0000'],
    ['a line separator', 'acme\u2028x'],
    ['41 characters', label(41)],
  ])('refuses a username with %s (400) and records nothing', async (_, username) => {
    const res = await recordsNothing(svc, () =>
      svc.api.post(`/v1/tenants/${uniqueTenant()}/mail-config`, { username }),
    );
    expect(res.status).toBe(400);
    expectProblem(res, invalid([USERNAME]));
  });

  it.each([
    ['encoded CR/LF', 't%0D%0Ax'],
    ['an encoded NUL', 't%00x'],
    ['a path traversal', '..%2Fother'],
    ['65 characters', label(65)],
    ['non-ASCII letters', 't-%C3%A9'],
  ])('refuses a tenant id with %s (400) and records nothing', async (_, id) => {
    const res = await recordsNothing(svc, () =>
      svc.api.post(`/v1/tenants/${id}/mail-config`, { username: uniqueTenant('acme') }),
    );
    expect(res.status).toBe(400);
    expectProblem(res, invalid([TENANT]));
  });

  // Header bytes are UTF-8 on the wire; fetch wants them as a byte string.
  const wire = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

  it.each([
    ['a C1 control (NEL) that logs read as a new line', wire('eve\u0085admin')],
    ['a C1 control (CSI)', wire('eve\u009b31madmin')],
    ['a line separator', wire('eve\u2028admin')],
    ['bytes that are not UTF-8', 'eve\xffadmin'],
  ])('refuses an X-Actor with %s (400) and records nothing', async (_, actor) => {
    const res = await recordsNothing(svc, () =>
      svc.api.post(
        `/v1/tenants/${uniqueTenant()}/mail-config`,
        { username: uniqueTenant('acme') },
        { 'X-Actor': actor },
      ),
    );
    expect(res.status).toBe(400);
    expectProblem(
      res,
      invalid([{ field: 'X-Actor', message: 'X-Actor must be UTF-8 text without control or format characters' }]),
    );
  });

  it('keeps a UTF-8 X-Actor intact', async () => {
    const t = uniqueTenant();
    expect(
      (
        await svc.api.post(
          `/v1/tenants/${t}/mail-config`,
          { username: uniqueTenant('acme') },
          { 'X-Actor': wire('Łukasz Żółć') },
        )
      ).status,
    ).toBe(201);
    const [event] = await storeOf(svc).readStream(`mailConfig-${t}`);
    expect(event.metadata.actor).toBe('Łukasz Żółć');
  });

  it.each([
    [
      'an address with CR/LF',
      { address: 'help@acme.example\r\nBcc: victim@evil.example' },
      [
        { field: 'address', message: 'address must not contain control characters' },
        { field: 'address', message: 'address must be an email address' },
      ],
    ],
    [
      'an address with NUL',
      { address: 'help\u0000@acme.example' },
      [
        { field: 'address', message: 'address must not contain control characters' },
        { field: 'address', message: 'address must be an email address' },
      ],
    ],
    [
      'a username with LF',
      { username: 'help\nRCPT TO:<x@evil.example>' },
      [{ field: 'username', message: 'username must not contain control characters' }],
    ],
    [
      'a password with NUL',
      { password: 'pass\u0000word' },
      [{ field: 'password', message: 'password must not contain control characters' }],
    ],
    [
      'a password with CR/LF',
      { password: 'pass\r\nAUTH x' },
      [{ field: 'password', message: 'password must not contain control characters' }],
    ],
    [
      'a password over 1 KiB',
      { password: 'p'.repeat(1025) },
      [{ field: 'password', message: 'password must be 1-1024 characters' }],
    ],
    ['a host with CR/LF', { host: 'smtp.acme.example\r\nx' }, [HOST]],
    ['a host with NUL', { host: 'smtp.acme.example\u0000.evil.example' }, [HOST]],
    [
      'a host over 253 characters',
      { host: `${[label(63), label(63), label(63), label(60)].join('.')}.example` },
      [HOST],
    ],
    ['a host label over 63 characters', { host: `${label(64)}.example` }, [HOST]],
    ['a URL as host', { host: 'http://169.254.169.254/' }, [HOST]],
    ['a host with user info', { host: 'user@smtp.acme.example' }, [HOST]],
    ['port 0', { port: 0 }, [{ field: 'port', message: 'port must be 1-65535' }]],
    ['port 65536', { port: 65536 }, [{ field: 'port', message: 'port must be 1-65535' }]],
    [
      'a port as a string',
      { port: '587' },
      [
        { field: 'port', message: 'port must be 1-65535' },
        { field: 'port', message: 'port must be an integer' },
      ],
    ],
    [
      'an unknown field',
      { passwordPlain: 'x' },
      [{ field: 'passwordPlain', message: 'property passwordPlain should not exist' }],
    ],
  ])(
    'refuses SMTP settings with %s (400), never echoes the password, records nothing',
    async (_, overrides, errors) => {
      const body = smtpSettings(overrides);
      const res = await recordsNothing(svc, () => putSmtp(body));
      expect(res.status).toBe(400);
      expectProblem(res, invalid(errors as { field: string; message: string }[]));
      expect(res.text).not.toContain(String(body.password).slice(0, 12));
    },
  );

  it('accepts the boundaries: a 253-character host and a 1024-character password', async () => {
    const t = uniqueTenant();
    await svc.api.post(`/v1/tenants/${t}/mail-config`, { username: uniqueTenant('acme') });
    const host = `${[label(63), label(63), label(63), label(53)].join('.')}.example`;
    expect(host).toHaveLength(253);
    const res = await putSmtp(smtpSettings({ host, password: 'p'.repeat(1024) }), t);
    expect(res.status).toBe(200);
    expect(res.body.smtp.host).toBe(host);
  });

  it.each([
    ['an IDN', 'Bücher.Example.', 'xn--bcher-kva.example'],
    ['mixed case with a trailing dot', 'SMTP.Acme.Example.', 'smtp.acme.example'],
    ['full-width letters', 'ｓｍｔｐ．ａｃｍｅ．example', 'smtp.acme.example'],
    ['surrounding spaces', '  smtp.acme.example  ', 'smtp.acme.example'],
  ])('normalises %s into one spelling, in the view and in the event', async (_, host, normalised) => {
    const t = uniqueTenant();
    await svc.api.post(`/v1/tenants/${t}/mail-config`, { username: uniqueTenant('acme') });
    const res = await putSmtp(smtpSettings({ host }), t);
    expect(res.status).toBe(200);
    expect(res.body.smtp.host).toBe(normalised);
    const events = await storeOf(svc).readStream(`mailConfig-${t}`);
    expect((events.find((e) => e.type === 'SmtpConfigured')!.data as { host: string }).host).toBe(normalised);
  });

  it('refuses a body over 64 KiB (413) and records nothing', async () => {
    const res = await recordsNothing(svc, () =>
      request('PUT', `${svc.url}/v1/tenants/${tenant}/mail-config/smtp`, {
        token: svc.apiToken,
        rawBody: JSON.stringify(smtpSettings({ password: 'x'.repeat(65 * 1024) })),
      }),
    );
    expect(res.status).toBe(413);
    expectProblem(res, {
      type: `${PROBLEM_BASE}payload-too-large`,
      title: 'Payload too large',
      status: 413,
      detail: 'The request body is larger than this route accepts: at most 64 KiB (65536 bytes)',
      limitBytes: 65536,
    });
  });

  it.each([
    ['a bare password', 'Leaky-Password-4711'],
    ['a quoted password', '"Leaky-Password-4711"'],
    ['an unquoted password value', '{"address": "a@b.c", "password": Leaky-Password-4711}'],
    ['a truncated object', '{"password": "Leaky-Password-4711",'],
  ])('answers malformed JSON (%s) with 400 that does not quote the body, and records nothing', async (_, rawBody) => {
    const res = await recordsNothing(svc, () =>
      request('PUT', `${svc.url}/v1/tenants/${tenant}/mail-config/smtp`, { token: svc.apiToken, rawBody }),
    );
    expect(res.status).toBe(400);
    expectProblem(res, {
      type: `${PROBLEM_BASE}malformed-json`,
      title: 'Malformed JSON',
      status: 400,
      detail: 'The request body is not valid JSON',
    });
    expect(res.text).not.toContain('Leaky');
    expect(svc.logs.join('\n')).not.toContain('Leaky');
  });

  it('drops a __proto__ key: nothing is polluted and the event holds only the known fields', async () => {
    const t = uniqueTenant();
    await svc.api.post(`/v1/tenants/${t}/mail-config`, { username: uniqueTenant('acme') });
    const res = await request('PUT', `${svc.url}/v1/tenants/${t}/mail-config/smtp`, {
      token: svc.apiToken,
      rawBody: JSON.stringify(smtpSettings()).replace(/^\{/, '{"__proto__":{"isAdmin":true,"activate":true},'),
    });
    expect(res.status).toBe(200);
    expect(res.body.mode).toBe('default');
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    const events = await storeOf(svc).readStream(`mailConfig-${t}`);
    expect(events.map((e) => e.type)).toEqual(['MailConfigProvisioned', 'SmtpConfigured']);
    expect(Object.keys(events[1].data as object).sort()).toEqual([
      'address',
      'configuredAt',
      'host',
      'password',
      'passwordChanged',
      'port',
      'security',
      'username',
    ]);
  });

  it.each([
    ['a mode with CR/LF', { mode: 'smtp\r\n' }],
    ['a mode of another type', { mode: ['smtp'] }],
  ])('refuses %s (400) and records nothing', async (_, body) => {
    const res = await recordsNothing(svc, () => svc.api.put(`/v1/tenants/${tenant}/mail-config/mode`, body));
    expect(res.status).toBe(400);
    expectProblem(res, invalid([{ field: 'mode', message: 'mode must be one of default, gmail, microsoft, smtp' }]));
  });

  it.each([
    ['a type with CR/LF', '?type=SmtpConfigured%0D%0Ax', { field: 'type', message: 'type must be an event type name' }],
    ['a limit over 500', '?limit=501', { field: 'limit', message: 'limit must be an integer 1-500' }],
    [
      'a forged cursor',
      `?cursor=${Buffer.from('v:-1; DROP').toString('base64url')}`,
      { field: 'cursor', message: 'cursor is not one this service issued' },
    ],
  ])('refuses a history query with %s (400)', async (_, query, error) => {
    const res = await svc.api.get(`/v1/tenants/${tenant}/mail-config/history${query}`);
    expect(res.status).toBe(400);
    if (error.field === 'cursor') {
      expectProblem(res, {
        type: `${PROBLEM_BASE}validation`,
        title: 'Invalid request',
        status: 400,
        detail: 'Some fields are invalid: cursor',
        code: 'INVALID_CURSOR',
        errors: [error],
      });
    } else {
      expectProblem(res, invalid([error]));
    }
  });

  it('left no control character in anything the accepted requests recorded', async () => {
    const events = await allEvents(svc);
    expect(events.length).toBeGreaterThan(0);
    for (const e of events)
      expect(JSON.stringify([e.data, e.metadata])).not.toMatch(/\\u00[01][0-9a-f]|\\[rn]|[\u007f-\u009f\u2028\u2029]/);
  });
});
