import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { MAIL_SEND } from '../support/microsoft/microsoft-stand-in';
import {
  microsoftStandInSpki,
  screenshot,
  seriousViolations,
  type SettingsWorld,
  startSettingsWorld,
  tabTo,
} from './settings-fixtures';

// Debian's chromium, installed by the test setup (.ci); never a downloaded browser build.
const CHROMIUM = '/usr/bin/chromium';
const ACTOR = 'ana@acme.example';
const MICROSOFT_ACCOUNT = 'owner@contoso-mail.test';

describe('the settings page’s Use Microsoft 365 → Authorize in headless Chromium', () => {
  let world: SettingsWorld;
  let profile: string;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    world = await startSettingsWorld({ microsoft: true });
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
        // The stand-in's certificate comes from a throw-away CA: trusted by its key alone, nothing else.
        `--ignore-certificate-errors-spki-list=${microsoftStandInSpki()}`,
      ],
      viewport: { width: 1100, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await world?.close();
  });

  async function history(tenantId: string): Promise<{ type: string; actor: string; data: any }[]> {
    const res = await world.api.get(`/v1/tenants/${tenantId}/mail-config/history?limit=500`);
    expect(res.status).toBe(200);
    return res.body.events;
  }

  async function expectText(locator: Locator, text: string | RegExp): Promise<void> {
    await locator.filter({ hasText: text }).first().waitFor({ timeout: 15_000 });
  }

  async function accessible(state: string): Promise<void> {
    expect({ state, violations: await seriousViolations(page) }).toEqual({ state, violations: [] });
  }

  it('goes through the stand-in Microsoft’s consent and comes back showing Microsoft 365 active', async () => {
    const microsoft = world.microsoft!;
    const id = `t-settings-ms-${Date.now().toString(36)}`;
    expect((await world.api.post(`/v1/tenants/${id}/mail-config`, { username: 'contoso1' })).status).toBe(201);
    const link = await world.api.post(`/v1/tenants/${id}/settings-sessions`, {
      actor: ACTOR,
      returnUrl: 'https://app.example/settings',
    });
    expect(link.status).toBe(201);
    await page.goto(link.body.url);
    const region = page.getByRole('region', { name: 'Support Email Mode' });
    await expectText(region.locator('#active-mode'), 'My support address');

    await tabTo(page, 'button', 'Use Microsoft 365');
    await page.keyboard.press('Enter');
    await expectText(page.locator('#microsoft-status'), 'No Microsoft 365 account is authorized yet.');
    await accessible('microsoft-not-authorized');
    await screenshot(page, 'microsoft-not-authorized');

    // Authorize (keyboard): our hand-off link, the stand-in's consent over HTTPS, our callback, this page.
    const atMicrosoft = page.waitForResponse((r) =>
      r.url().startsWith(`${microsoft.url}common/oauth2/v2.0/authorize?`),
    );
    const callback = page.waitForResponse((r) => r.url().startsWith(`${world.publicUrl}/v1/oauth/microsoft/callback?`));
    const back = page.waitForResponse((r) => r.url().startsWith(`${world.publicUrl}/settings/mail?`));
    await tabTo(page, 'button', 'Authorize');
    await page.keyboard.press('Enter');
    // A certificate Chromium refuses fails the request: say so rather than time out waiting for an answer.
    const refused = page
      .waitForEvent('requestfailed', { predicate: (r) => r.url().startsWith(microsoft.url), timeout: 0 })
      .then((r) => {
        throw new Error(`Chromium did not reach the stand-in Microsoft: ${r.failure()?.errorText}`);
      });
    const consent = await Promise.race([atMicrosoft, refused]);
    expect(consent.status()).toBe(302);
    // Chromium spoke TLS to the stand-in and accepted its certificate (by the pinned key).
    expect(await consent.securityDetails()).toMatchObject({ issuer: 'stand-in CA' });
    expect(consent.headers().location).toMatch(
      new RegExp(`^${world.publicUrl}/v1/oauth/microsoft/callback\\?(?=.*state=)(?=.*code=)`),
    );
    expect((await callback).status()).toBe(302);
    expect((await callback).headers().location).toMatch(/\/settings\/mail\?microsoft=authorized$/);
    expect((await back).status()).toBe(200);
    await page.waitForLoadState('load');

    await expectText(
      page.getByRole('status'),
      `Your Microsoft 365 account ${MICROSOFT_ACCOUNT} is authorized. Support emails are now sent from it.`,
    );
    await expectText(
      page.locator('#microsoft-status'),
      `Authorized: ${MICROSOFT_ACCOUNT}. Support emails are sent from it.`,
    );
    await expectText(region.locator('#active-mode'), 'Microsoft 365');
    await expectText(region.locator('#sender'), MICROSOFT_ACCOUNT);
    await expect(page.getByRole('button', { name: 'Use Microsoft 365' }).getAttribute('aria-pressed')).resolves.toBe(
      'true',
    );
    await expect(page.getByRole('button', { name: 'Authorize', exact: true }).count()).resolves.toBe(0);
    // The outcome left the address bar: the page's address is the plain one.
    expect(page.url()).toBe(`${world.publicUrl}/settings/mail`);
    await accessible('microsoft-authorized');
    await screenshot(page, 'microsoft-authorized');

    expect(microsoft.authorizationRequests).toHaveLength(1);
    expect(microsoft.tokenRequests.map((r) => r.get('grant_type'))).toEqual(['authorization_code']);
    const view = (await world.api.get(`/v1/tenants/${id}/mail-config`)).body;
    expect(view).toMatchObject({
      mode: 'microsoft',
      sender: MICROSOFT_ACCOUNT,
      microsoft: { status: 'authorized', account: MICROSOFT_ACCOUNT, revokedAt: null },
    });
    const events = await history(id);
    expect(events.map((e) => `${e.type} by ${e.actor}`)).toEqual([
      'MailConfigProvisioned by main-application',
      `MicrosoftAuthorized by ${ACTOR}`,
      `ModeChanged by ${ACTOR}`,
    ]);
    expect(events[1].data).toMatchObject({ account: MICROSOFT_ACCOUNT, refreshToken: '[encrypted]' });
    expect(events[1].data.scopes).toContain(MAIL_SEND);
    expect(events[2].data).toEqual({ from: 'default', to: 'microsoft', reason: 'microsoft_authorized' });

    // No code, verifier, token or client secret in the page, its address or the service's logs.
    const content = await page.content();
    const logs = world.logs.join('\n');
    const secrets = microsoft.secrets();
    expect(secrets.length).toBeGreaterThan(3);
    for (const secret of secrets) {
      expect({ secret, inPage: content.includes(secret), inLogs: logs.includes(secret) }).toEqual({
        secret,
        inPage: false,
        inLogs: false,
      });
    }
    expect(pageErrors).toEqual([]);
  }, 90_000);
});
