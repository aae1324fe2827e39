import { createHash, X509Certificate } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { CommandBus } from '@nestjs/cqrs';
import { type Page } from 'playwright-core';
import { CheckGmailConsentsCommand } from '../../src/application/gmail/commands';
import { type RunningService, startService } from '../../src/bootstrap';
import { client, type Client } from '../support/http';
import { GoogleStandIn } from '../support/google/google-stand-in';
import { standInCertificates } from '../support/microsoft/certs';
import { MicrosoftStandIn } from '../support/microsoft/microsoft-stand-in';
import { testCertificates } from '../support/smtp/certs';
import { type Peer, startSmtpPeer } from '../support/smtp/peers';

export const APP_ORIGIN = 'https://app.example';

/** A free loopback port, chosen before the service starts: PUBLIC_URL and Google's redirect URI name it. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/**
 * The service as the tenant's browser reaches it (PUBLIC_URL is its real loopback address, so the
 * session cookie and Google's redirect land on it), the stand-in Google and a real SMTP server.
 */
export interface SettingsWorld {
  publicUrl: string;
  /** A page of the main application (allowed to frame the settings page) and one of another site (not allowed). */
  appFrame: string;
  foreignFrame: string;
  google: GoogleStandIn;
  /** The stand-in Microsoft identity platform, when the world was started with one (else Microsoft is not set up). */
  microsoft: MicrosoftStandIn | null;
  smtp: Peer;
  /** A loopback port the SMTP policy allows where nobody listens: a Test of it stops at connect. */
  closedPort: number;
  api: Client;
  logs: string[];
  running: RunningService;
  close(): Promise<void>;
}

export async function startSettingsWorld(options: { microsoft?: boolean } = {}): Promise<SettingsWorld> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const app = await framingPage(publicUrl);
  const foreign = await framingPage(publicUrl);
  const google = await GoogleStandIn.start({ redirectUri: `${publicUrl}/v1/oauth/google/callback` });
  const microsoft = options.microsoft
    ? await MicrosoftStandIn.start({ redirectUri: `${publicUrl}/v1/oauth/microsoft/callback` })
    : null;
  const smtp = await startSmtpPeer();
  const closedPort = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'mcs-settings-'));
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk, _enc, done) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const running = await startService({
    env: {
      NODE_ENV: 'test',
      LOG_LEVEL: 'debug',
      DATA_DIR: dataDir,
      PUBLIC_URL: publicUrl,
      OAUTH_RETURN_URL_ORIGINS: `${APP_ORIGIN},${app.origin}`,
      SMTP_ALLOW_PRIVATE_HOSTS: 'true',
      SMTP_ALLOWED_PORTS: `${smtp.port},${closedPort}`,
      SMTP_EXTRA_CA_FILE: testCertificates().caFile,
      ...google.env(),
      ...(microsoft?.env() ?? {}),
    },
    logStream,
    port,
  });
  const apiToken = readFileSync(join(dataDir, 'api-token'), 'utf8').trim();
  return {
    publicUrl,
    appFrame: `${app.origin}/`,
    foreignFrame: `${foreign.origin}/`,
    google,
    microsoft,
    smtp,
    closedPort,
    api: client(running.url, apiToken),
    logs,
    running,
    async close() {
      await running.close();
      await google.close();
      await microsoft?.close();
      await smtp.close();
      await app.close();
      await foreign.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A page on its own loopback origin that frames the settings page, as the main application may. */
async function framingPage(publicUrl: string): Promise<{ origin: string; close(): Promise<void> }> {
  const server = createHttpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      `<!doctype html><html lang="en"><title>App</title><h1>App</h1>` +
        `<iframe src="${publicUrl}/settings/mail" title="Mail settings" width="1000" height="800"></iframe></html>`,
    );
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

/**
 * The base64 SHA-256 of the stand-in Microsoft's public key (SubjectPublicKeyInfo), for Chromium's
 * --ignore-certificate-errors-spki-list: the browser accepts that one key's certificate from the
 * throw-away CA and still refuses every other certificate it cannot verify (ignoreHTTPSErrors would
 * accept them all, for every origin of the context).
 */
export function microsoftStandInSpki(): string {
  const spki = new X509Certificate(standInCertificates().cert).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

/** The scheduler's Gmail consent check, dispatched as the scheduler does. */
export function checkGmailConsents(world: SettingsWorld): Promise<unknown> {
  return world.running.app
    .get(CommandBus)
    .execute(new CheckGmailConsentsCommand({ actor: 'system:gmail-consent-check', correlationId: 'test' }));
}

const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * axe-core's serious and critical violations on the page as it is now. Injected through the
 * DevTools protocol (page.evaluate) rather than a <script> tag, which the page's CSP would
 * rightly refuse.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  const hasAxe = await page.evaluate('typeof window.axe !== "undefined"');
  if (!hasAxe) await page.evaluate(AXE);
  const { passes, violations } = await page.evaluate<{ passes: number; violations: AxeViolation[] }>(
    `window.axe.run(document).then((r) => ({ passes: r.passes.length, violations: r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) })) }))`,
  );
  // A run that checked nothing (axe not really there) would report no violation either.
  if (passes < 10) throw new Error(`axe-core checked only ${passes} rules`);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

const ARTIFACTS = resolve(__dirname, '../artifacts');
const DOCS = resolve(__dirname, '../../docs');

/**
 * A screenshot of one state of the page in test/artifacts (every run); with
 * UPDATE_DOCS_SCREENSHOTS=1 also in docs/ (the README's pictures), so an ordinary test run leaves
 * the committed files alone.
 */
export async function screenshot(page: Page, state: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `settings-${state}.png`);
  await page.screenshot({ path, fullPage: true });
  expect(statSync(path).size).toBeGreaterThan(10_000);
  if (process.env.UPDATE_DOCS_SCREENSHOTS === '1') copyFileSync(path, join(DOCS, `settings-${state}.png`));
}

/** Tab (Shift+Tab never) until the control with this role and name has the focus. */
export async function tabTo(page: Page, role: 'button' | 'textbox' | 'combobox' | 'link', name: string) {
  const target = page.getByRole(role, { name, exact: true });
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((el) => el === (globalThis as any).document.activeElement).catch(() => false)) return;
  }
  throw new Error(`could not reach ${role} "${name}" with Tab`);
}
