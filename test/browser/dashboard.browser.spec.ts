import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { startTestService, type TestService, uniqueTenant } from '../support/app';
import { recordTrouble, smtpSettings } from './dashboard-fixtures';

const SCREENSHOT = resolve(__dirname, '../artifacts/dashboard.png');
// Debian's chromium, installed by the test setup (.ci); never a downloaded browser build.
const CHROMIUM = '/usr/bin/chromium';

describe('support dashboard in headless Chromium', () => {
  let svc: TestService;
  let profile: string;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const tenants = {
    smtp: uniqueTenant('smtp'),
    revoked: uniqueTenant('gmail'),
    failedTest: uniqueTenant('test'),
    fine: uniqueTenant('fine'),
  };

  beforeAll(async () => {
    svc = await startTestService();
    for (const [name, t] of Object.entries(tenants))
      await svc.api.post(
        `/v1/tenants/${t}/mail-config`,
        { username: name.toLowerCase() },
        { 'x-actor': 'ana@help.example' },
      );
    await svc.api.put(`/v1/tenants/${tenants.smtp}/mail-config/smtp`, smtpSettings('Browser-Canary-Pw'), {
      'x-actor': 'ana@help.example',
    });
    await svc.api.put(`/v1/tenants/${tenants.failedTest}/mail-config/smtp`, { ...smtpSettings('pw'), activate: false });
    await recordTrouble(svc, tenants.revoked, 'gmail_revoked');
    await recordTrouble(svc, tenants.failedTest, 'smtp_test_failed');

    profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1280, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && !/status of 40[13]/.test(m.text()) && pageErrors.push(m.text()));
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await svc?.close();
  });

  it('signs in without the token in the URL, shows the counts, filters to needs attention and opens a timeline', async () => {
    const first = await page.goto(`${svc.url}/dashboard`);
    expect(first!.status()).toBe(401);

    // The main application's token is refused with an explanation.
    await page.getByLabel('Support token').fill(svc.apiToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('does not give access to the support dashboard').waitFor();

    await page.getByLabel('Support token').fill(svc.supportToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Summary' }).waitFor();
    expect(page.url()).toBe(`${svc.url}/dashboard`);
    const cookie = (await context.cookies()).find((c) => c.name === 'mcs_support')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(await page.evaluate<string>('document.cookie')).not.toContain(svc.supportToken);

    const card = (field: string) => page.locator(`[data-field="${field}"]`);
    await expectText(card('tenants'), '4');
    await expectText(card('needsAttention'), '2');
    await expectText(card('gmailRevoked'), '1');
    // The failed test is of an SMTP draft (that tenant is on its default address): not "SMTP failing".
    await expectText(card('smtpFailing'), '0');
    await expectText(card('byMode.smtp'), '1');
    await expect(page.locator('#tenants tbody tr').count()).resolves.toBe(4);

    await page.getByLabel('Status').selectOption('needs_attention');
    await waitForRows(page, [tenants.revoked, tenants.failedTest].sort());
    await expect(page.locator(`tr[data-tenant-row="${tenants.revoked}"]`).innerText()).resolves.toContain(
      'Gmail consent revoked at Google, detected while sending',
    );

    await page.getByRole('button', { name: tenants.revoked }).click();
    const timeline = page.getByRole('region', { name: `History of ${tenants.revoked}` });
    await timeline.waitFor();
    const entries = await timeline.locator('li').allInnerTexts();
    // Newest first, in words; the raw event (redacted) is inside a closed disclosure.
    expect(entries[0]).toMatch(
      /^Mode changed from Gmail to the default address \(the consent was revoked\)\n+by watcher@platform/,
    );
    expect(entries.join('\n')).toMatch(
      /Gmail consent revoked at Google, detected while sending .*\n+by watcher@platform/,
    );
    expect(entries.join('\n')).toMatch(/Provisioned with username revoked; .*\n+by ana@help.example/);
    expect((await timeline.locator('li').allTextContents()).join('\n')).toContain('"refreshToken": "[encrypted]"');

    // It refreshes itself: a tenant provisioned now appears in the counts without a reload.
    await svc.api.post(`/v1/tenants/${uniqueTenant('late')}/mail-config`, { username: 'late' });
    await expectText(card('tenants'), '5', 8000);

    mkdirSync(resolve(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('searches by text and signs out back to the sign-in form', async () => {
    await page.getByLabel('Status').selectOption('');
    await page.getByLabel('Search').fill(tenants.smtp);
    await waitForRows(page, [tenants.smtp]);
    await expect(page.locator(`tr[data-tenant-row="${tenants.smtp}"]`).innerText()).resolves.toContain(
      'help@acme.example',
    );

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Support token').waitFor();
    expect((await context.cookies()).find((c) => c.name === 'mcs_support')).toBeUndefined();
    expect(pageErrors).toEqual([]);
  }, 30_000);
});

async function expectText(locator: ReturnType<Page['locator']>, text: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = (await locator.textContent())?.trim() ?? '';
    if (last === text) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`expected "${text}", still "${last}" after ${timeoutMs} ms`);
}

async function waitForRows(page: Page, tenantIds: string[]): Promise<void> {
  const deadline = Date.now() + 3000;
  let shown: string[] = [];
  while (Date.now() < deadline) {
    shown = await page
      .locator('#tenants tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-tenant-row') ?? ''));
    if (JSON.stringify(shown) === JSON.stringify(tenantIds)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`expected rows ${tenantIds.join(', ')}, got ${shown.join(', ')}`);
}
