import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { startTestService, type TestService, uniqueTenant } from '../support/app';
import { testCertificates } from '../support/smtp/certs';
import { type Peer, startSmtpPeer } from '../support/smtp/peers';
import { configureSmtp, message, provision } from '../support/smtp/scenario';
import { eventually, recordTrouble } from './dashboard-fixtures';
import { seriousViolations } from './settings-fixtures';

const ARTIFACTS = resolve(__dirname, '../artifacts');
// Debian's chromium, installed by the test setup (.ci); never a downloaded browser build.
const CHROMIUM = '/usr/bin/chromium';
const WRONG_PASSWORD = 'not-the-Right-0ne!';

/**
 * The support dashboard that helps: a tenant panel in words, history in plain language with the
 * raw event one click away, search by a revoked Gmail account, and the support actions run from
 * the page against a loopback SMTP server, recorded with the agent as actor.
 */
describe('support dashboard: tenant panel and actions in headless Chromium', () => {
  let peer: Peer;
  let svc: TestService;
  let profile: string;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const tenants = {
    smtp: uniqueTenant('smtp'),
    broken: uniqueTenant('broken'),
    draft: uniqueTenant('draft'),
    revoked: uniqueTenant('revoked'),
  };
  let brokenTestMessage = '';

  beforeAll(async () => {
    peer = await startSmtpPeer();
    svc = await startTestService({
      env: {
        SMTP_ALLOWED_PORTS: String(peer.port),
        SMTP_EXTRA_CA_FILE: testCertificates().caFile,
        THROTTLE_SMTP_TEST: '1000/60',
      },
    });
    for (const t of Object.values(tenants)) await provision(svc, t);
    await configureSmtp(svc, tenants.smtp, peer.port, { host: 'localhost' });
    // In SMTP mode with a password the server refuses: its saved-settings test fails at auth.
    await configureSmtp(svc, tenants.broken, peer.port, { host: 'localhost', password: WRONG_PASSWORD });
    const broken = await svc.api.post(`/v1/tenants/${tenants.broken}/mail-config/smtp/test`);
    expect(broken.body).toMatchObject({ ok: false, stage: 'auth' });
    brokenTestMessage = broken.body.message;
    // The same failure on a draft: the tenant stays on its default address.
    await configureSmtp(svc, tenants.draft, peer.port, {
      host: 'localhost',
      password: WRONG_PASSWORD,
      activate: false,
    });
    expect((await svc.api.post(`/v1/tenants/${tenants.draft}/mail-config/smtp/test`)).body.ok).toBe(false);
    await recordTrouble(svc, tenants.revoked, 'gmail_revoked');

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

    await page.goto(`${svc.url}/dashboard`);
    await page.getByLabel('Support token').fill(svc.supportToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Summary' }).waitFor();
  }, 90_000);

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await svc?.close();
    await peer?.close();
  });

  const panel = () => page.getByRole('region', { name: /^Tenant / });
  const configValue = (term: string) =>
    panel().locator('dt', { hasText: term }).locator('xpath=following-sibling::dd[1]');
  const history = (tenantId: string) => page.getByRole('region', { name: `History of ${tenantId}` });

  async function openTenant(tenantId: string): Promise<void> {
    await page.getByLabel('Search').fill(tenantId);
    await page.getByRole('button', { name: tenantId, exact: true }).click();
    await page.getByRole('heading', { name: `Tenant ${tenantId}` }).waitFor();
    // Focus moves to the panel's heading, so a screen reader starts reading there. The 5-second
    // refresh may show the panel a moment before the click's own load ends and moves the focus.
    await eventually(
      async () => ((await page.evaluate('document.activeElement?.id')) === 'tenant-title' ? true : undefined),
      5000,
      'focus on the tenant heading',
    );
  }

  it('counts only a tenant in SMTP mode as "SMTP failing"; a failed draft is shown as such', async () => {
    await expectText(page.locator('[data-field="tenants"]'), '4');
    await expectText(page.locator('[data-field="smtpFailing"]'), '1');
    await page.getByLabel('Search').fill(tenants.draft);
    const draftRow = page.locator(`tr[data-tenant-row="${tenants.draft}"]`);
    await draftRow.waitFor();
    await expectContains(draftRow, 'SMTP draft (not in use) failed its test at auth');
    await expectContains(draftRow, 'Default address');
    expect(pageErrors).toEqual([]);
  }, 30_000);

  it("shows the SMTP test's message in words in the tenant panel", async () => {
    await openTenant(tenants.broken);
    await expectContains(configValue('Last SMTP test'), `Failed at auth: ${brokenTestMessage}`);
    await expectContains(configValue('SMTP server'), `localhost, port ${peer.port}, STARTTLS`);
    await expectContains(configValue('Mode'), 'SMTP, sending as help@acme.example');
    expect(await seriousViolations(page)).toEqual([]);
  }, 30_000);

  it('finds a tenant by its revoked Gmail account and tells how the consent ended, raw event one click away', async () => {
    const account = `${tenants.revoked}@gmail.example`;
    await page.getByLabel('Search').fill(account);
    await waitForRows(page, [tenants.revoked]);
    await expectContains(
      page.locator(`tr[data-tenant-row="${tenants.revoked}"]`),
      `Gmail consent revoked at Google, detected while sending (${account})`,
    );
    await page.getByRole('button', { name: tenants.revoked, exact: true }).click();
    await page.getByRole('heading', { name: `Tenant ${tenants.revoked}` }).waitFor();
    await expectContains(configValue('Gmail account'), `${account}, revoked at Google, detected while sending`);

    const entry = history(tenants.revoked).locator('li', {
      hasText: `Gmail consent revoked at Google, detected while sending (${account})`,
    });
    await expectContains(entry, 'by watcher@platform');
    // The raw event: a native disclosure, opened here with the keyboard alone.
    const raw = entry.locator('pre');
    expect(await raw.isVisible()).toBe(false);
    await entry.getByText(/^Raw event \(ConsentRevoked/).focus();
    await page.keyboard.press('Enter');
    await raw.waitFor({ state: 'visible' });
    expect(await raw.innerText()).toContain('"reason": "revoked_at_google"');
    // A new event redraws the history on the next refresh; the open disclosure stays open.
    expect((await svc.support.post(`/v1/dashboard/tenants/${tenants.revoked}/settings-link`)).status).toBe(201);
    await history(tenants.revoked).locator('li', { hasText: 'Settings-page link issued' }).waitFor({ timeout: 8000 });
    expect(await entry.locator('pre').isVisible()).toBe(true);
    // …and the keyboard focus stays on its summary.
    expect(await page.evaluate('document.activeElement?.textContent')).toMatch(/^Raw event \(ConsentRevoked/);

    mkdirSync(ARTIFACTS, { recursive: true });
    await shoot('dashboard-panel.png');
    expect(await seriousViolations(page)).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 40_000);

  it('re-runs the SMTP test and sends a test message from the page; the history shows the agent', async () => {
    await openTenant(tenants.smtp);
    const status = page.getByRole('status');

    await page.getByRole('button', { name: 'Re-run SMTP test' }).click();
    await expectContains(status, 'SMTP test passed in');
    // Focus stays where the agent is.
    expect(await page.evaluate('document.activeElement?.id')).toBe('rerun-test');
    await expectContains(configValue('Last SMTP test'), '(by support token)', 8000);
    await expectContains(
      history(tenants.smtp).locator('li', { hasText: /^SMTP test passed in \d+ ms/ }),
      'by support',
      8000,
    );

    const before = peer.inbox.deliveries.length;
    await page.getByLabel('Send a test message to').fill('not an address');
    await page.getByRole('button', { name: 'Send test message' }).click();
    await expectContains(status, 'Type one email address');
    expect(await page.evaluate('document.activeElement?.id')).toBe('test-to');

    await page.getByLabel('Send a test message to').fill('agent.check@help.example');
    await page.getByLabel('Send a test message to').press('Enter');
    await expectContains(status, 'Test message sent to agent.check@help.example through SMTP from help@acme.example');
    const delivered = (await peer.inbox.waitFor(before + 1)).at(-1)!;
    expect(delivered.envelope.to).toEqual(['agent.check@help.example']);
    expect(delivered.mail.subject).toBe('Test message from the help desk');
    expect(delivered.mail.from?.text).toContain('help@acme.example');

    await expectContains(
      history(tenants.smtp).locator('li', {
        hasText: 'Test message to agent.check@help.example sent through SMTP from help@acme.example',
      }),
      'by support',
      8000,
    );
    await expectContains(configValue('Last test message'), 'To agent.check@help.example: sent through SMTP');

    await page.getByRole('button', { name: 'Copy settings-page link' }).click();
    await expectContains(status, 'Settings-page link');
    expect(await page.getByLabel('Settings-page link').inputValue()).toMatch(/\/settings\/open\?link=/);
    await expectContains(
      history(tenants.smtp).locator('li', { hasText: 'Settings-page link issued' }),
      'by support',
      8000,
    );

    await shoot('dashboard-actions.png');
    expect(await seriousViolations(page)).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it("searches the tenant's delivery log by recipient, outcome and dates, with the outcome in words", async () => {
    const tenant = uniqueTenant('log');
    const from = await provision(svc, tenant);
    const send = (to: string, subject: string) =>
      svc.api.post(`/v1/tenants/${tenant}/messages`, message({ to: [to], subject }));
    expect((await send('alice@client.example', 'Invoice 1')).status).toBe(200);
    expect((await send('bob@client.example', 'Invoice 2')).status).toBe(200);
    // The peer refuses this password: the send fails at auth, before any data left.
    await configureSmtp(svc, tenant, peer.port, { password: WRONG_PASSWORD });
    expect((await send('carol@client.example', 'Invoice 3')).status).toBe(502);

    await openTenant(tenant);
    const messages = page.getByRole('table', { name: /^Messages the tenant sent or tried to send/ });
    const found = page.locator('#messages-status');
    const rows = () =>
      messages
        .locator('tbody tr')
        .evaluateAll((trs) =>
          trs.map((tr) =>
            Array.from(tr.querySelectorAll('td'), (td: { textContent: string | null }) => td.textContent ?? ''),
          ),
        );
    // Opening the panel lists the newest messages first.
    await expectText(found, '3 messages found.');
    expect((await rows()).map((cells) => cells[2])).toEqual(['Invoice 3', 'Invoice 2', 'Invoice 1']);

    // By recipient, from the keyboard: exactly that message, in words.
    await page.getByLabel('Recipient').fill('BOB@client.example');
    await page.getByLabel('Recipient').press('Enter');
    await expectText(found, '1 message found.');
    const [bob] = await rows();
    expect(bob.slice(1)).toEqual(['bob@client.example', 'Invoice 2', 'Default address', from, 'Sent']);

    // By outcome: the failed one, with where it stopped and the server's words.
    await page.getByLabel('Recipient').fill('');
    await page.getByLabel('Outcome').selectOption('failed');
    await page.getByRole('button', { name: 'Search messages' }).click();
    await expectText(found, '1 message found.');
    const [carol] = await rows();
    expect(carol.slice(1, 5)).toEqual(['carol@client.example', 'Invoice 3', 'SMTP', 'help@acme.example']);
    expect(carol[5]).toMatch(/^Failed\s*Not sent at auth: .*535/);

    // By dates: a day long past finds nothing, and says so.
    await page.getByLabel('Outcome').selectOption('');
    await page.getByLabel('To date').fill('2020-01-31');
    await page.getByRole('button', { name: 'Search messages' }).click();
    await expectText(found, 'No messages found.');
    expect(await rows()).toEqual([]);
    await page.getByLabel('To date').fill('');
    await page.getByRole('button', { name: 'Search messages' }).click();
    await expectText(found, '3 messages found.');

    // A long log pages: "Show older messages" appends the next page below, still newest first.
    const busy = uniqueTenant('busy');
    await provision(svc, busy);
    for (let i = 1; i <= 26; i++) {
      const res = await svc.api.post(`/v1/tenants/${busy}/messages`, message({ subject: `Update ${i}` }));
      expect(res.status).toBe(200);
    }
    await openTenant(busy);
    await expectText(found, '25 messages found (older ones: Show older messages).');
    await page.getByRole('button', { name: 'Show older messages' }).click();
    await expectText(found, '26 messages found.');
    expect((await rows()).map((cells) => cells[2])).toEqual([...Array(26).keys()].map((i) => `Update ${26 - i}`));
    expect(await page.getByRole('button', { name: 'Show older messages' }).isVisible()).toBe(false);
    await openTenant(tenant);
    await expectText(found, '3 messages found.');

    await shoot('dashboard-messages.png');
    expect(await seriousViolations(page)).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 60_000);

  async function shoot(name: string): Promise<void> {
    const path = join(ARTIFACTS, name);
    await page.screenshot({ path, fullPage: true });
    expect(statSync(path).size).toBeGreaterThan(10_000);
  }
});

async function expectText(locator: Locator, text: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = (await locator.textContent())?.trim() ?? '';
    if (last === text) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`expected "${text}", still "${last}" after ${timeoutMs} ms`);
}

async function expectContains(locator: Locator, text: string, timeoutMs = 5000): Promise<void> {
  await eventually(
    async () => {
      const count = await locator.count();
      for (let i = 0; i < count; i++) if ((await locator.nth(i).innerText()).includes(text)) return true;
      return undefined;
    },
    timeoutMs,
    `"${text}" shown`,
  );
}

async function waitForRows(page: Page, tenantIds: string[]): Promise<void> {
  await eventually(
    async () => {
      const shown = await page
        .locator('#tenants tbody tr')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-tenant-row') ?? ''));
      return JSON.stringify(shown) === JSON.stringify(tenantIds) ? true : undefined;
    },
    5000,
    `rows ${tenantIds.join(', ')}`,
  );
}
