import { randomBytes } from 'node:crypto';
import { type Browser, chromium, type Page } from 'playwright-core';
import { CLOCK, type Clock } from '../../src/application/ports/clock.port';
import { startTestService, type TestService, uniqueTenant } from '../support/app';
import { freePort, startOidcProvider, type TestOidcProvider } from '../support/oidc/oidc-provider';
import { provision } from '../support/smtp/scenario';
import { eventually } from './dashboard-fixtures';
import { seriousViolations } from './settings-fixtures';

// Debian's chromium, installed by the test setup (.ci); never a downloaded browser build.
const CHROMIUM = '/usr/bin/chromium';

/**
 * Issue #17: support staff sign in with their company account through a real OpenID provider
 * (oidc-provider in a child process), and what they do is theirs.
 */
describe('support sign-in with the company OpenID provider, in headless Chromium', () => {
  let provider: TestOidcProvider;
  let svc: TestService;
  let browser: Browser;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    provider = await startOidcProvider(`${publicUrl}/dashboard/oidc/callback`, {
      'ana@help.example': { email: 'ana@help.example', email_verified: true, name: 'Ana', groups: ['support-agents'] },
      'bob@help.example': { email: 'bob@help.example', email_verified: true, name: 'Bob', groups: ['sales'] },
      'eve@elsewhere.example': { email: 'eve@elsewhere.example', email_verified: true, groups: ['support-agents'] },
    });
    svc = await startTestService({
      port,
      env: {
        PUBLIC_URL: publicUrl,
        SUPPORT_OIDC_ISSUER: provider.issuer,
        SUPPORT_OIDC_CLIENT_ID: provider.clientId,
        SUPPORT_OIDC_CLIENT_SECRET: provider.clientSecret,
        SUPPORT_OIDC_ALLOWED_GROUPS: 'support-agents',
        SUPPORT_OIDC_ALLOWED_DOMAINS: 'help.example',
        SUPPORT_OIDC_NAME: 'Help Inc',
      },
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await svc?.close();
    await provider?.stop();
  });

  async function signInAtProvider(page: Page, login: string): Promise<void> {
    await page.goto(`${svc.url}/dashboard`);
    // Both ways in are labelled for a screen reader, and axe finds nothing serious on the page.
    expect(await seriousViolations(page)).toEqual([]);
    // Keyboard only: the link is reachable by Tab and followed with Enter.
    const link = page.getByRole('link', { name: 'Sign in with Help Inc' });
    await link.focus();
    await page.keyboard.press('Enter');
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('any password');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
  }

  async function newPage(): Promise<Page> {
    const page = await (await browser.newContext()).newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    return page;
  }

  it('an agent signs in through the provider and is the actor of the action they take', async () => {
    const page = await newPage();
    await signInAtProvider(page, 'ana@help.example');
    await page.getByRole('heading', { name: 'Summary' }).waitFor();
    expect(page.url()).toBe(`${svc.url}/dashboard`);
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'mcs_support')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    // The sealed authorization request was for the callback only, and is spent.
    expect(cookies.find((c) => c.name === 'mcs_support_oidc')).toBeUndefined();

    const me = await page.evaluate(async () => (await fetch('/dashboard/session')).json());
    expect(me).toEqual({ identity: 'ana@help.example', personal: true });

    // A real support action, taken with the panel's button: a settings-page link for a tenant.
    const tenant = uniqueTenant('oidc');
    await provision(svc, tenant);
    await page.getByLabel('Search').fill(tenant);
    await page.getByRole('button', { name: tenant, exact: true }).click();
    await page.getByRole('heading', { name: `Tenant ${tenant}` }).waitFor();
    await page.getByRole('button', { name: 'Copy settings-page link' }).click();
    const link = await eventually(
      async () => (await page.getByLabel('Settings-page link').inputValue()) || undefined,
      8000,
      'the settings-page link shown',
    );
    expect(link).toMatch(/\/settings\/open\?link=/);
    // The same route called from the page with an X-Actor header: the header cannot make it someone else's.
    const status = await page.evaluate(
      async (path) =>
        (await fetch(path, { method: 'POST', credentials: 'same-origin', headers: { 'X-Actor': 'mallory' } })).status,
      `/v1/dashboard/tenants/${tenant}/settings-link`,
    );
    expect(status).toBe(201);

    // The audit, read by the agent from the page, names them as the actor of both.
    const recorded = await eventually(
      async () => {
        const audit = await page.evaluate(
          async (path) => (await fetch(path)).json() as Promise<{ events: Array<{ type: string; actor: string }> }>,
          `/v1/audit/events?tenantId=${tenant}`,
        );
        const links = audit.events.filter((e) => e.type === 'SettingsLinkIssued');
        return links.length === 2 ? audit.events : undefined;
      },
      8000,
      'two SettingsLinkIssued in the audit',
    );
    expect(recorded.map((e) => [e.type, e.actor])).toEqual([
      ['MailConfigProvisioned', expect.not.stringMatching(/ana@help\.example/)],
      ['SettingsLinkIssued', 'ana@help.example'],
      ['SettingsLinkIssued', 'ana@help.example'],
    ]);
    // …and so does the panel's history, in words.
    await page
      .getByRole('region', { name: `History of ${tenant}` })
      .locator('li', { hasText: 'Settings-page link issued' })
      .filter({ hasText: 'by ana@help.example' })
      .first()
      .waitFor({ timeout: 8000 });

    // Signing out ends the session: the page is back at the sign-in form and the API refuses the browser.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: 'Sign in with Help Inc' }).waitFor();
    const after = await page.evaluate(async () => (await fetch('/v1/dashboard/summary')).status);
    expect(after).toBe(401);
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it('an account outside the allowed group is refused with a page that says so', async () => {
    const page = await newPage();
    await signInAtProvider(page, 'bob@help.example');
    const message = page.getByRole('alert');
    await message.waitFor();
    expect(await message.innerText()).toBe(
      'bob@help.example may not use the support dashboard: it is not in a group allowed to use the support ' +
        'dashboard. Ask for access, or sign in with another Help Inc account.',
    );
    expect((await page.context().cookies()).find((c) => c.name === 'mcs_support')).toBeUndefined();
    expect(await page.evaluate(async () => (await fetch('/v1/dashboard/summary')).status)).toBe(401);
    // The sign-in choices are still offered, and the refusal page is as accessible as the first.
    await page.getByRole('link', { name: 'Sign in with Help Inc' }).waitFor();
    await page.getByLabel('Support token').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
  }, 60_000);

  it('an account of another domain is refused even in the allowed group', async () => {
    const page = await newPage();
    await signInAtProvider(page, 'eve@elsewhere.example');
    const message = page.getByRole('alert');
    await message.waitFor();
    expect(await message.innerText()).toContain(
      'eve@elsewhere.example may not use the support dashboard: its email domain is not one allowed',
    );
    expect((await page.context().cookies()).find((c) => c.name === 'mcs_support')).toBeUndefined();
  }, 60_000);

  // Last: it restarts the service with another SUPPORT_TOKEN.
  it('a SUPPORT_TOKEN rotation signs out the token session, not the company one, which idleness ends', async () => {
    const company = await newPage();
    await signInAtProvider(company, 'ana@help.example');
    await company.getByRole('heading', { name: 'Summary' }).waitFor();
    const token = await newPage();
    await token.goto(`${svc.url}/dashboard`);
    await token.getByLabel('Support token').fill(svc.supportToken);
    await token.getByRole('button', { name: 'Sign in', exact: true }).click();
    await token.getByRole('heading', { name: 'Summary' }).waitFor();

    svc.env.SUPPORT_TOKEN = randomBytes(32).toString('base64url');
    await svc.restart();
    await token.reload();
    await token.getByLabel('Support token').waitFor();
    expect(await token.evaluate(async () => (await fetch('/v1/dashboard/summary')).status)).toBe(401);
    await company.reload();
    await company.getByRole('heading', { name: 'Summary' }).waitFor();

    // Half an hour without a request (the service's clock moved on instead of waiting): sign in again.
    const clock = svc.running.app.get<Clock>(CLOCK);
    clock.now = () => new Date(Date.now() + 30 * 60_000);
    await company.reload();
    await company.getByRole('link', { name: 'Sign in with Help Inc' }).waitFor();
    expect(await company.evaluate(async () => (await fetch('/v1/dashboard/summary')).status)).toBe(401);
  }, 60_000);
});
