import { startTestService, type TestService, uniqueTenant } from '../support/app';
import { request } from '../support/http';
import { recordsNothing } from './hostile';

/**
 * Issue #18 item 11: failed authentications were not throttled (≈540 guesses/s on the dashboard
 * sign-in). Past THROTTLE_FAILED_AUTH failures from one client address, every request carrying a
 * credential from it is answered 429 until the window ends; other addresses are not affected.
 */
describe('item 11: failed authentications are throttled per client address', () => {
  let svc: TestService;
  let tenant: string;
  const v6 = () => svc.url.replace('127.0.0.1', '[::1]');

  beforeAll(async () => {
    svc = await startTestService({ env: { THROTTLE_FAILED_AUTH: '5/600' } });
    tenant = uniqueTenant();
    expect((await svc.api.post(`/v1/tenants/${tenant}/mail-config`, { username: uniqueTenant('acme') })).status).toBe(
      201,
    );
  });
  afterAll(() => svc?.close());

  it('answers 429 with Retry-After after 5 wrong tokens, then even to the right one; another address still gets in', async () => {
    const guesses: number[] = [];
    await recordsNothing(svc, async () => {
      for (let i = 0; i < 3; i++) {
        const res = await request('PUT', `${svc.url}/v1/tenants/${tenant}/mail-config/smtp`, {
          token: `guess-${i}-${'x'.repeat(40)}`,
          body: { address: 'help@acme.example', host: 'smtp.acme.example', port: 587, password: 'p' },
        });
        guesses.push(res.status);
      }
      for (let i = 0; i < 2; i++) {
        const res = await request('POST', `${svc.url}/dashboard/session`, { body: { token: `guess-${i}-dashboard` } });
        guesses.push(res.status);
      }
      const throttled = await request('POST', `${svc.url}/dashboard/session`, { body: { token: 'one-more' } });
      expect(throttled.status).toBe(429);
      expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(throttled.body).toMatchObject({ status: 429, title: 'Too many requests' });
      const right = await request('GET', `${svc.url}/v1/tenants/${tenant}/mail-config`, { token: svc.apiToken });
      expect(right.status).toBe(429);
      expect(right.text).not.toContain('acme');
      expect(right.text).not.toContain(svc.apiToken);
    });
    expect(guesses).toEqual([401, 401, 401, 401, 401]);
    // The health probe carries no credential: never throttled.
    expect((await request('GET', `${svc.url}/health/live`)).status).toBe(200);
    // ::1 is another client address for the service.
    const other = await request('GET', `${v6()}/v1/tenants/${tenant}/mail-config`, { token: svc.apiToken });
    expect(other.status).toBe(200);
    expect(svc.logs.join('\n')).not.toContain(svc.apiToken);
  });
});
