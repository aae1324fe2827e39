import { startTestService, type TestService, uniqueTenant } from '../support/app';

describe('Microsoft 365 mode without an identity platform app', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ env: { MICROSOFT_CLIENT_ID: 'only-the-id' } });
  });
  afterAll(() => svc.close());

  it('answers 503 naming the missing variables, and 409 for the mode', async () => {
    const tenant = uniqueTenant();
    expect((await svc.api.post(`/v1/tenants/${tenant}/mail-config`, { username: tenant })).status).toBe(201);
    const started = await svc.api.post(`/v1/tenants/${tenant}/mail-config/microsoft/authorizations`, {
      returnUrl: 'http://localhost:3000/settings',
    });
    expect(started.status).toBe(503);
    expect(started.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(started.body.detail).toBe(
      'Microsoft 365 mode is not available: the service is missing MICROSOFT_CLIENT_SECRET, MICROSOFT_REDIRECT_URI',
    );
    expect((await svc.api.delete(`/v1/tenants/${tenant}/mail-config/microsoft/authorization`)).status).toBe(503);
    const callback = await svc.anonymous.get('/v1/oauth/microsoft/callback?code=x&state=y');
    expect(callback.status).toBe(503);
    const mode = await svc.api.put(`/v1/tenants/${tenant}/mail-config/mode`, { mode: 'microsoft' });
    expect(mode.status).toBe(409);
    expect(mode.body.detail).toMatch(/authorize access to a Microsoft 365 account/);
  });
});
