import { Controller, Global, INestApplication, Module, Param, Post } from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { APP_CONFIG } from '../../src/application/app-config';
import { parseConfig } from '../../src/infrastructure/config/config';
import { ProblemFilter } from '../../src/interfaces/http/common/problem.filter';
import { TenantRateLimit, tenantThrottlerModule } from '../../src/interfaces/http/common/throttle';
import { GmailHarness } from '../support/google/gmail-harness';
import { request } from '../support/http';
import { PROBLEM_BASE, recordsNothing } from './hostile';

/** Routes shaped like the limited ones, so the decorator is proven apart from any feature. */
@Controller('v1/tenants/:tenantId')
class LimitedController {
  @Post('mail-config/smtp/test')
  @TenantRateLimit('smtpTest')
  test(@Param('tenantId') tenantId: string) {
    return { tenantId };
  }

  @Post('messages')
  @TenantRateLimit('send')
  send(@Param('tenantId') tenantId: string) {
    return { tenantId };
  }
}

@Global()
@Module({
  providers: [{ provide: APP_CONFIG, useValue: parseConfig({ THROTTLE_SMTP_TEST: '3/2', THROTTLE_SEND: '5/60' }) }],
  exports: [APP_CONFIG],
})
class ConfigModule {}

@Module({
  imports: [ConfigModule, tenantThrottlerModule()],
  controllers: [LimitedController],
  providers: [{ provide: APP_FILTER, useClass: ProblemFilter }],
})
class LimitedModule {}

describe('item 11: per-tenant rate limits (@TenantRateLimit)', () => {
  let app: INestApplication;
  let url: string;
  beforeAll(async () => {
    app = await NestFactory.create(LimitedModule, { logger: false });
    await app.listen(0);
    url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });
  afterAll(async () => app.close());

  const hit = (tenant: string, route = 'mail-config/smtp/test') =>
    request('POST', `${url}/v1/tenants/${tenant}/${route}`);

  it('answers 429 with Retry-After once a tenant spends its budget, and counts per tenant and per operation', async () => {
    for (let i = 0; i < 3; i++) expect((await hit('t-a')).status).toBe(201);
    const limited = await hit('t-a');
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2);
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
    expect(limited.body).toEqual({
      type: `${PROBLEM_BASE}rate-limited`,
      title: 'Too many requests',
      status: 429,
      detail: `Too many SMTP connection tests for this tenant (at most 3 per 2 s); retry in ${retryAfter} s`,
      retryAfter,
    });
    // Another tenant, and another operation of the same tenant, have budgets of their own.
    expect((await hit('t-b')).status).toBe(201);
    expect((await hit('t-a', 'messages')).status).toBe(201);
  });

  it('gives the budget back after the window', async () => {
    for (let i = 0; i < 3; i++) await hit('t-c');
    expect((await hit('t-c')).status).toBe(429);
    await new Promise((r) => setTimeout(r, 2100));
    expect((await hit('t-c')).status).toBe(201);
  });

  it('uses generous defaults when nothing is configured', () => {
    expect(parseConfig({}).rateLimits).toEqual({
      smtpTest: { limit: 20, windowSeconds: 60 },
      gmailAuthorization: { limit: 20, windowSeconds: 60 },
      send: { limit: 600, windowSeconds: 60 },
    });
  });
});

describe('item 11: per-tenant rate limits on the real routes', () => {
  let harness: GmailHarness;
  beforeAll(async () => {
    harness = await GmailHarness.start({
      env: { THROTTLE_SMTP_TEST: '2/60', THROTTLE_GMAIL_AUTHORIZATION: '2/60', THROTTLE_SEND: '2/60' },
    });
  });
  afterAll(async () => harness.close());

  const candidate = { address: 'help@acme.example', host: '93.184.216.34', port: 22, password: 'Throttle-Pa55' };
  const routes: Array<[string, string, (t: string) => Promise<{ status: number }>, string]> = [
    [
      'the Test button',
      'SMTP connection tests',
      (t) => harness.svc.api.post(`/v1/tenants/${t}/mail-config/smtp/test`, candidate),
      'mail-config/smtp/test',
    ],
    [
      'the Gmail authorization start',
      'Gmail authorization requests',
      (t) => harness.startAuthorization(t),
      'mail-config/gmail/authorizations',
    ],
    [
      'sending',
      'messages sent',
      (t) => harness.svc.api.post(`/v1/tenants/${t}/messages`, { to: ['c@example.org'], subject: 's', text: 't' }),
      'messages',
    ],
  ];

  it.each(routes)(
    'limits %s per tenant: 429 with Retry-After, nothing recorded; unauthenticated calls spend nothing',
    async (_, what, call, path) => {
      const t = await harness.provisioned('rl');
      const other = await harness.provisioned('rl');
      // Refused callers do not use up the tenant's budget.
      for (const token of [null, 'not-a-token', harness.svc.supportToken]) {
        const res = await request('POST', `${harness.svc.url}/v1/tenants/${t}/${path}`, { token, body: {} });
        expect([401, 403]).toContain(res.status);
      }
      for (let i = 0; i < 2; i++) expect([200, 201]).toContain((await call(t)).status);
      const limited = (await recordsNothing(harness.svc, () => call(t))) as Awaited<ReturnType<typeof request>>;
      expect(limited.status).toBe(429);
      const retryAfter = Number(limited.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(limited.body).toEqual({
        type: `${PROBLEM_BASE}rate-limited`,
        title: 'Too many requests',
        status: 429,
        detail: `Too many ${what} for this tenant (at most 2 per 60 s); retry in ${retryAfter} s`,
        retryAfter,
      });
      expect([200, 201]).toContain((await call(other)).status);
    },
  );

  it('sends nothing once the send budget is spent', async () => {
    const t = await harness.provisioned('rl');
    const send = () =>
      harness.svc.api.post(`/v1/tenants/${t}/messages`, { to: ['c@example.org'], subject: `limited ${t}`, text: 't' });
    await send();
    await send();
    const outbox = () => readdirSync(join(harness.svc.dataDir, 'outbox')).length;
    const before = outbox();
    expect((await send()).status).toBe(429);
    expect(outbox()).toBe(before);
  });
});
