import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { PEER_PASSWORD, PEER_USER } from '../support/smtp/peers';
import {
  checkGmailConsents,
  screenshot,
  seriousViolations,
  type SettingsWorld,
  startSettingsWorld,
  tabTo,
} from './settings-fixtures';

// Debian's chromium, installed by the test setup (.ci); never a downloaded browser build.
const CHROMIUM = '/usr/bin/chromium';
const ACTOR = 'ana@acme.example';
const WRONG_PASSWORD = 'Not-The-Password-7731';
const GMAIL_ACCOUNT = 'owner@acme-mail.test';

describe('the tenant’s settings page in headless Chromium', () => {
  let world: SettingsWorld;
  let profile: string;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  let seq = 0;

  beforeAll(async () => {
    world = await startSettingsWorld();
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
      viewport: { width: 1100, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => pageErrors.push(e.message));
    // Refusals the tests provoke on purpose (403 forged change, 409 failed activation Test, 410 used link)
    // are logged by the browser too.
    page.on(
      'console',
      (m) => m.type() === 'error' && !/status of 4(03|09|10)/.test(m.text()) && pageErrors.push(m.text()),
    );
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await world?.close();
  });

  async function tenant(): Promise<{ id: string; address: string }> {
    const username = `acme${++seq}`;
    const id = `t-settings-${seq}-${Date.now().toString(36)}`;
    const res = await world.api.post(`/v1/tenants/${id}/mail-config`, { username });
    expect(res.status).toBe(201);
    return { id, address: `support.${username}@smemetrics-email.com` };
  }

  async function sessionLink(tenantId: string): Promise<string> {
    const res = await world.api.post(`/v1/tenants/${tenantId}/settings-sessions`, {
      actor: ACTOR,
      returnUrl: 'https://app.example/settings',
    });
    expect(res.status).toBe(201);
    return res.body.url;
  }

  async function history(tenantId: string): Promise<{ type: string; actor: string }[]> {
    const res = await world.api.get(`/v1/tenants/${tenantId}/mail-config/history?limit=500`);
    expect(res.status).toBe(200);
    return res.body.events;
  }

  async function accessible(state: string): Promise<void> {
    expect({ state, violations: await seriousViolations(page) }).toEqual({ state, violations: [] });
  }

  /** The consent round trip the action starts: the stand-in Google, our callback, then this page again. */
  async function throughGoogle(action: () => Promise<void>): Promise<void> {
    const back = page.waitForResponse((r) => r.url().startsWith(`${world.publicUrl}/settings/mail?`));
    await action();
    expect((await back).status()).toBe(200);
    await page.waitForLoadState('load');
  }

  const field = (name: string) => page.getByRole('textbox', { name, exact: true });
  const region = () => page.getByRole('region', { name: 'Support Email Mode' });

  async function expectText(locator: Locator, text: string | RegExp): Promise<void> {
    await locator.filter({ hasText: text }).first().waitFor({ timeout: 15_000 });
  }

  it('walks the tenant’s path: support address → Gmail consent → own SMTP server tested and saved', async () => {
    const { id, address } = await tenant();
    const link = await sessionLink(id);
    const token = new URL(link).searchParams.get('link')!;

    const landing = await page.goto(link);
    expect(landing!.status()).toBe(200);
    expect(page.url()).toBe(`${world.publicUrl}/settings/mail`);
    expect(page.url()).not.toContain(token.split('.')[0]);
    const csp = landing!.headers()['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain('frame-ancestors https://app.example');
    const html = await landing!.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toContain(token);

    await expectText(region().locator('#sender'), address);
    await expectText(region().locator('#active-mode'), 'My support address');
    await accessible('default');
    await screenshot(page, 'default');

    await page.getByRole('button', { name: 'Use Microsoft 365' }).click();
    await expectText(page.locator('#microsoft-status'), 'Microsoft 365 is not set up on this platform');
    await expect(page.getByRole('button', { name: 'Authorize' }).count()).resolves.toBe(0);
    await accessible('microsoft-not-set-up');
    await screenshot(page, 'microsoft-not-set-up');

    await page.getByRole('button', { name: 'Use Gmail Email Address' }).click();
    const authorize = page.getByRole('button', { name: 'Authorize', exact: true });
    await authorize.waitFor();
    await accessible('gmail-not-authorized');
    await screenshot(page, 'gmail-not-authorized');

    // Consent at the stand-in Google, at top level, then back on this page: no new sign-in.
    await throughGoogle(() => authorize.click());
    const status = page.getByRole('status').filter({ hasText: 'is authorized' });
    await expectText(status, `Your Gmail account ${GMAIL_ACCOUNT} is authorized`);
    expect(world.google.authorizationRequests).toHaveLength(1);
    await expectText(page.locator('#gmail-status'), `Authorized: ${GMAIL_ACCOUNT}`);
    await expectText(region().locator('#sender'), GMAIL_ACCOUNT);
    expect(page.url()).toBe(`${world.publicUrl}/settings/mail`);
    await accessible('gmail-authorized');
    await screenshot(page, 'gmail-authorized');

    await page.getByRole('button', { name: 'Use a dedicated mail server' }).click();
    await field('Email address').fill(PEER_USER);
    await field('Password').fill(WRONG_PASSWORD);
    await field('Host').fill('localhost');
    await field('Port').fill(String(world.smtp.port));
    await expect(page.getByRole('combobox', { name: 'Security', exact: true }).inputValue()).resolves.toBe('starttls');
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    const result = page.locator('#test-result');
    await expectText(result, 'Test failed. Stage reached: auth');
    await expectText(result, 'Authentication failed');
    await accessible('smtp-test-failed');
    await screenshot(page, 'smtp-test-failed');

    await field('Password').fill(PEER_PASSWORD);
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    await expectText(result, 'Test passed. Stage reached: done');
    await accessible('smtp-test-passed');
    await screenshot(page, 'smtp-test-passed');

    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expectText(page.locator('#notice'), `Saved. Support emails are now sent from ${PEER_USER}`);
    await expectText(region().locator('#active-mode'), 'Dedicated mail server');
    await expect(field('Password').inputValue()).resolves.toBe('');
    await accessible('smtp-saved');
    await screenshot(page, 'smtp-saved');

    const view = (await world.api.get(`/v1/tenants/${id}/mail-config`)).body;
    expect(view).toMatchObject({
      mode: 'smtp',
      sender: PEER_USER,
      gmail: { status: 'authorized', account: GMAIL_ACCOUNT },
      smtp: { address: PEER_USER, host: 'localhost', port: world.smtp.port, security: 'starttls', passwordSet: true },
    });
    const events = await history(id);
    expect(events.map((e) => `${e.type} by ${e.actor}`)).toEqual([
      'MailConfigProvisioned by main-application',
      `GmailAuthorized by ${ACTOR}`,
      `ModeChanged by ${ACTOR}`,
      `SmtpConfigured by ${ACTOR}`,
      // Activation runs the Test on the saved settings first (the page's own Test was of a candidate).
      `SmtpConnectionTested by ${ACTOR}`,
      `ModeChanged by ${ACTOR}`,
    ]);

    const content = await page.content();
    expect(content).not.toContain(PEER_PASSWORD);
    expect(content).not.toContain(WRONG_PASSWORD);
    expect(world.logs.join('\n')).not.toContain(PEER_PASSWORD);

    // A change without the anti-forgery token (what another site could send) is refused and records nothing.
    const forged = await page.evaluate(async () => {
      const res = await fetch('/settings/api/mode', {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ mode: 'default' }),
      });
      return res.status;
    });
    expect(forged).toBe(403);
    expect(await history(id)).toHaveLength(events.length);

    // The same link a second time: the used-or-expired page.
    const again = await page.goto(link);
    expect(again!.status()).toBe(410);
    await page.getByRole('heading', { name: 'This link has expired or was already used' }).waitFor();
    await page.getByText('open your mail settings ("Support Email Mode") again').waitFor();
    await accessible('link-expired');
    await screenshot(page, 'link-expired');
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it('notices by itself when Gmail consent is withdrawn at Google and offers Authorize again', async () => {
    const { id, address } = await tenant();
    await page.goto(await sessionLink(id));
    await page.getByRole('button', { name: 'Use Gmail Email Address' }).click();
    await throughGoogle(() => page.getByRole('button', { name: 'Authorize', exact: true }).click());
    await expectText(page.locator('#gmail-status'), `Authorized: ${GMAIL_ACCOUNT}`);

    // The user removes the app at Google; the consent check notices; the open page follows.
    world.google.revokeAccess(GMAIL_ACCOUNT);
    await checkGmailConsents(world);
    await expectText(page.locator('#gmail-status'), 'was withdrawn at Google');
    await expectText(region().locator('#sender'), address);
    await expectText(
      page.locator('#notice'),
      `Access to ${GMAIL_ACCOUNT} was withdrawn at Google. Support emails are now sent from your support address.`,
    );
    await page.getByRole('button', { name: 'Authorize', exact: true }).waitFor();
    await accessible('gmail-revoked');
    await screenshot(page, 'gmail-revoked');
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('works with the keyboard alone (Tab, Enter, Space)', async () => {
    const { id } = await tenant();
    await page.goto(await sessionLink(id));
    await region().waitFor();
    await expectText(page.locator('#active-mode'), 'My support address');

    await tabTo(page, 'button', 'Use Gmail Email Address');
    await page.keyboard.press('Enter');
    await tabTo(page, 'button', 'Authorize');
    await throughGoogle(() => page.keyboard.press('Space'));
    await expectText(page.locator('#notice'), `Your Gmail account ${GMAIL_ACCOUNT} is authorized`);

    await tabTo(page, 'button', 'Use a dedicated mail server');
    await page.keyboard.press('Space');
    await tabTo(page, 'textbox', 'Email address');
    await page.keyboard.type(PEER_USER);
    await tabTo(page, 'textbox', 'Password');
    await page.keyboard.type(PEER_PASSWORD);
    await tabTo(page, 'textbox', 'Host');
    await page.keyboard.type('localhost');
    await tabTo(page, 'textbox', 'Port');
    await page.keyboard.type(String(world.smtp.port));
    await tabTo(page, 'button', 'Save');
    // Not tested on the page: the server tests before it activates, and the Test passes.
    await page.keyboard.press('Enter');
    await expectText(page.locator('#notice'), `Saved. Support emails are now sent from ${PEER_USER}`);
    expect(await page.locator('#confirm').isHidden()).toBe(true);

    await tabTo(page, 'button', 'Use my support address');
    await page.keyboard.press('Enter');
    await expectText(page.locator('#active-mode'), 'My support address');
    const types = (await history(id)).map((e) => `${e.type} by ${e.actor}`);
    expect(types.slice(-4)).toEqual([
      `SmtpConfigured by ${ACTOR}`,
      `SmtpConnectionTested by ${ACTOR}`,
      `ModeChanged by ${ACTOR}`,
      `ModeChanged by ${ACTOR}`,
    ]);
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it('asks after a failed activation Test; "Save anyway" activates with force, Cancel changes nothing', async () => {
    const { id } = await tenant();
    await page.goto(await sessionLink(id));
    await expectText(page.locator('#active-mode'), 'My support address');
    await page.getByRole('button', { name: 'Use a dedicated mail server' }).click();
    await field('Email address').fill(PEER_USER);
    await field('Password').fill(PEER_PASSWORD);
    await field('Host').fill('127.0.0.1');
    await field('Port').fill(String(world.closedPort));

    const confirm = page.getByRole('alertdialog', {
      name: 'This configuration has not passed a test. Save it anyway?',
    });
    const focused = () => page.evaluate(() => (globalThis as any).document.activeElement?.id as string | undefined);
    const mode = async () => (await world.api.get(`/v1/tenants/${id}/mail-config`)).body.mode;
    const types = async () => (await history(id)).map((e) => e.type);
    /** Save (Enter on it): the server's Test stops at connect, nothing is saved, the page asks. */
    const saveRefused = async () => {
      await page.keyboard.press('Enter');
      await confirm.waitFor();
      await expectText(page.locator('#test-result'), 'Not saved: the test failed. Stage reached: connect');
      // Announced: an alertdialog named by its question, described by the failure, the focus inside it.
      const description = await confirm.evaluate(
        (el) => (globalThis as any).document.getElementById(el.getAttribute('aria-describedby')).textContent,
      );
      expect(description).toContain('Stage reached: connect (connecting to the server).');
      expect(await focused()).toBe('confirm-save');
      expect(await mode()).toBe('default');
      expect(await types()).toEqual(['MailConfigProvisioned']);
    };

    await page.getByRole('button', { name: 'Save', exact: true }).focus();
    await saveRefused();
    await accessible('smtp-confirm');
    await screenshot(page, 'smtp-confirm');

    // Escape cancels, back on Save; nothing changed.
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'hidden' });
    expect(await focused()).toBe('smtp-save');
    expect(await mode()).toBe('default');

    // Cancel (Tab, Enter) the same.
    await saveRefused();
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('confirm-cancel');
    await page.keyboard.press('Enter');
    await confirm.waitFor({ state: 'hidden' });
    expect(await focused()).toBe('smtp-save');
    expect(await mode()).toBe('default');
    expect(await types()).toEqual(['MailConfigProvisioned']);

    // "Save anyway" (Enter where the focus lands): the same settings again, with force.
    await saveRefused();
    await page.keyboard.press('Enter');
    await expectText(
      page.locator('#notice'),
      `Saved without a passing test. Support emails are now sent from ${PEER_USER} through 127.0.0.1.`,
    );
    await expectText(region().locator('#active-mode'), 'Dedicated mail server');
    await confirm.waitFor({ state: 'hidden' });
    await expect(field('Password').inputValue()).resolves.toBe('');
    await accessible('smtp-forced');
    const view = (await world.api.get(`/v1/tenants/${id}/mail-config`)).body;
    expect(view).toMatchObject({
      mode: 'smtp',
      sender: PEER_USER,
      smtp: { address: PEER_USER, host: '127.0.0.1', port: world.closedPort, passwordSet: true },
    });
    const events = await history(id);
    expect(events.map((e) => `${e.type} by ${e.actor}`)).toEqual([
      'MailConfigProvisioned by main-application',
      `SmtpConfigured by ${ACTOR}`,
      `ModeChanged by ${ACTOR}`,
    ]);
    expect(events.at(-1)).toMatchObject({ data: { from: 'default', to: 'smtp', forced: true } });
    expect(await page.content()).not.toContain(PEER_PASSWORD);
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it('asks after a failed Test on switching to the saved server; "Switch anyway" switches with force', async () => {
    const { id } = await tenant();
    // Saved through the API without activating (no Test then), on a port where nobody listens.
    const saved = await world.api.put(`/v1/tenants/${id}/mail-config/smtp`, {
      address: PEER_USER,
      password: PEER_PASSWORD,
      host: '127.0.0.1',
      port: world.closedPort,
    });
    expect(saved.status).toBe(200);
    await page.goto(await sessionLink(id));
    await expectText(page.locator('#active-mode'), 'My support address');

    const confirm = page.getByRole('alertdialog', {
      name: 'The saved settings have not passed a test. Switch to them anyway?',
    });
    const smtpChoice = page.getByRole('button', { name: 'Use a dedicated mail server' });
    const onSmtpChoice = () =>
      smtpChoice.evaluate((el) => el === (globalThis as any).document.activeElement) as Promise<boolean>;
    const focused = () => page.evaluate(() => (globalThis as any).document.activeElement?.id as string | undefined);
    const mode = async () => (await world.api.get(`/v1/tenants/${id}/mail-config`)).body.mode;
    const types = async () => (await history(id)).map((e) => e.type);
    /** Enter on the choice: the server tests the saved settings, stops at connect, changes nothing; the page asks. */
    const switchRefused = async () => {
      expect(await onSmtpChoice()).toBe(true);
      await page.keyboard.press('Enter');
      await confirm.waitFor();
      await expectText(
        page.locator('#test-result'),
        'Not switched: the test of the saved settings failed. Stage reached: connect',
      );
      // Announced: an alertdialog named by its question, described by the failure, the focus on its button.
      const description = await confirm.evaluate(
        (el) => (globalThis as any).document.getElementById(el.getAttribute('aria-describedby')).textContent,
      );
      expect(description).toContain('Stage reached: connect (connecting to the server).');
      expect(await focused()).toBe('confirm-switch');
      await expect(page.getByRole('button', { name: 'Switch anyway', exact: true }).isVisible()).resolves.toBe(true);
      await expectText(page.locator('#active-mode'), 'My support address');
      expect(await mode()).toBe('default');
      expect(await types()).toEqual(['MailConfigProvisioned', 'SmtpConfigured']);
    };

    await smtpChoice.focus();
    await switchRefused();
    await accessible('mode-anyway');
    await screenshot(page, 'mode-anyway');

    // Escape cancels, back on the choice; nothing changed.
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'hidden' });
    expect(await onSmtpChoice()).toBe(true);
    expect(await mode()).toBe('default');

    // Cancel (Tab, Enter) the same.
    await switchRefused();
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('switch-cancel');
    await page.keyboard.press('Enter');
    await confirm.waitFor({ state: 'hidden' });
    expect(await onSmtpChoice()).toBe(true);
    expect(await types()).toEqual(['MailConfigProvisioned', 'SmtpConfigured']);

    // "Switch anyway" (Enter where the focus lands): the switch again, with force.
    await switchRefused();
    await page.keyboard.press('Enter');
    await expectText(
      page.locator('#notice'),
      `Switched without a passing test. Support emails are now sent from ${PEER_USER} through 127.0.0.1.`,
    );
    await expectText(region().locator('#active-mode'), 'Dedicated mail server');
    await expectText(region().locator('#sender'), PEER_USER);
    await confirm.waitFor({ state: 'hidden' });
    expect(await onSmtpChoice()).toBe(true);
    await expect(smtpChoice.getAttribute('aria-pressed')).resolves.toBe('true');
    await expect(page.locator('#test-result').textContent()).resolves.toBe('');
    await accessible('mode-forced');
    await screenshot(page, 'mode-forced');

    expect(await world.api.get(`/v1/tenants/${id}/mail-config`).then((r) => r.body)).toMatchObject({
      mode: 'smtp',
      sender: PEER_USER,
      smtp: { address: PEER_USER, host: '127.0.0.1', port: world.closedPort },
    });
    const events = await history(id);
    expect(events.map((e) => `${e.type} by ${e.actor}`)).toEqual([
      'MailConfigProvisioned by main-application',
      'SmtpConfigured by main-application',
      `ModeChanged by ${ACTOR}`,
    ]);
    expect(events.at(-1)).toMatchObject({ data: { from: 'default', to: 'smtp', forced: true } });
    expect(await page.content()).not.toContain(PEER_PASSWORD);
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it('may be framed by the main application only, and Authorize leaves the frame for the consent screen', async () => {
    const { id } = await tenant();
    await page.goto(await sessionLink(id));
    await region().waitFor();

    await page.goto(world.foreignFrame);
    await page.waitForLoadState('load');
    // The page's load waits for its frame: Chromium replaced the refused one by its error page.
    const refused = page.frames().find((f) => f !== page.mainFrame());
    expect(refused!.url()).toMatch(/^chrome-error:/);
    await expect(refused!.getByRole('region', { name: 'Support Email Mode' }).count()).resolves.toBe(0);

    await page.goto(world.appFrame);
    const framed = page.frameLocator('iframe[title="Mail settings"]');
    await framed.getByRole('region', { name: 'Support Email Mode' }).waitFor();
    await framed.getByRole('button', { name: 'Use Gmail Email Address' }).click();
    const back = page.waitForResponse((r) => r.url().startsWith(`${world.publicUrl}/settings/mail?`));
    await framed.getByRole('button', { name: 'Authorize', exact: true }).click();
    await back;
    // The consent round trip ran at top level and came back to the page itself.
    await page.waitForURL(`${world.publicUrl}/settings/mail`);
    await expectText(page.locator('#notice'), `Your Gmail account ${GMAIL_ACCOUNT} is authorized`);
    expect(pageErrors.filter((e) => !/frame-ancestors|Refused to frame/.test(e))).toEqual([]);
  }, 60_000);
});
