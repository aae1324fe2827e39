import { startTestService, type TestService } from '../support/app';

describe('GET /v1/capabilities', () => {
  let bare: TestService, full: TestService;
  beforeAll(async () => {
    bare = await startTestService();
    full = await startTestService({
      env: {
        DEFAULT_RELAY_URL: 'smtp://127.0.0.1:2525',
        GOOGLE_CLIENT_ID: 'client-id.apps.googleusercontent.com',
        GOOGLE_CLIENT_SECRET: 'not-a-real-secret',
        GOOGLE_REDIRECT_URI: 'http://localhost:3000/v1/oauth/google/callback',
        SMTP_ALLOWED_PORTS: '587,2525',
        THROTTLE_SEND: '120/60',
      },
    });
  });
  afterAll(async () => {
    await Promise.all([bare?.close(), full?.close()]);
  });

  it('a default install: mail only goes to the outbox, Gmail and Microsoft are not set up and say why', async () => {
    const res = await bare.api.get('/v1/capabilities');
    expect(res.status).toBe(200);
    expect(res.body.modes.default).toEqual({
      available: true,
      reason: null,
      delivery: 'outbox',
      domain: 'smemetrics-email.com',
    });
    expect(res.body.modes.gmail.available).toBe(false);
    expect(res.body.modes.gmail.reason).toContain('GOOGLE_CLIENT_ID');
    expect(res.body.modes.microsoft.available).toBe(false);
    expect(res.body.modes.microsoft.reason).toContain('MICROSOFT_CLIENT_ID');
    expect(res.body.modes.smtp).toMatchObject({ available: true, allowedPorts: [25, 465, 587, 2525] });
    expect(res.body.limits).toEqual({
      sendBodyBytes: 10 * 1024 * 1024,
      bodyBytes: 64 * 1024,
      recipientsPerField: 100,
      attachmentsPerMessage: 20,
    });
  });

  it('follows the configuration: relay, Gmail, allowed ports and rate limits as set', async () => {
    const res = await full.support.get('/v1/capabilities');
    expect(res.status).toBe(200);
    expect(res.body.modes.default.delivery).toBe('relay');
    expect(res.body.modes.gmail).toEqual({ available: true, reason: null });
    expect(res.body.modes.smtp.allowedPorts).toEqual([587, 2525]);
    expect(res.body.rateLimits.send).toEqual({ limit: 120, windowSeconds: 60 });
    expect(JSON.stringify(res.body)).not.toContain('not-a-real-secret');
  });

  it('needs a token', async () => {
    expect((await bare.anonymous.get('/v1/capabilities')).status).toBe(401);
  });
});
