import { CommandBus } from '@nestjs/cqrs';
import { CheckGmailConsentsCommand, RetryGoogleRevocationsCommand } from '../../../src/application/gmail/commands';
import { GoogleRevocationQueue } from '../../../src/application/gmail/google-revocation-queue';
import { startTestService, type TestService, type TestServiceOptions, uniqueTenant } from '../app';
import { request } from '../http';
import { GoogleStandIn } from './google-stand-in';

/**
 * The service's public callback URL as Google knows it. The service itself listens on a loopback
 * port chosen at start; the test browser maps this origin to it, as a reverse proxy would.
 */
export const PUBLIC_ORIGIN = 'https://mail-config.example';
export const REDIRECT_URI = `${PUBLIC_ORIGIN}/v1/oauth/google/callback`;
export const APP_ORIGIN = 'https://app.example';
export const RETURN_URL = `${APP_ORIGIN}/settings/mail`;

export interface ConsentRoundTrip {
  /** Where the stand-in sent the browser (our callback, with code/state or error). */
  callback: URL;
  callbackStatus: number;
  callbackHeaders: Headers;
  /** Where the service sent the browser: the returnUrl with ?gmail=… (null if no redirect). */
  location: URL | null;
  /** The cookie the hand-off link gave this browser (`name=value`), or null. */
  cookie: string | null;
}

export interface HandOff {
  status: number;
  headers: Headers;
  /** Where the hand-off link sent the browser (the provider's consent URL, or a refusal). */
  location: URL | null;
  /** The cookie it set (`name=value`), null when none. */
  cookie: string | null;
  setCookie: string[];
}

export class GmailHarness {
  private constructor(
    readonly google: GoogleStandIn,
    readonly svc: TestService,
  ) {}

  static async start(options: TestServiceOptions = {}): Promise<GmailHarness> {
    const google = await GoogleStandIn.start({ redirectUri: REDIRECT_URI });
    const svc = await startTestService({
      ...options,
      env: { ...google.env(), OAUTH_RETURN_URL_ORIGINS: `${APP_ORIGIN},http://localhost:3000`, ...(options.env ?? {}) },
    });
    return new GmailHarness(google, svc);
  }

  /** The scheduler's consent check, dispatched through the command bus as the scheduler does. */
  readonly consentCheck = {
    runOnce: () =>
      this.commands.execute(
        new CheckGmailConsentsCommand({ actor: 'system:gmail-consent-check', correlationId: 'test' }),
      ),
  };

  /** The scheduler's revocation retries, and the queue they work on. */
  readonly revocationRetry = {
    runOnce: ({ dueOnly = true }: { dueOnly?: boolean } = {}) =>
      this.commands.execute(
        new RetryGoogleRevocationsCommand({ actor: 'system:google-revocation-retry', correlationId: 'test' }, dueOnly),
      ),
    pending: () => this.svc.running.app.get(GoogleRevocationQueue).pending(),
  };

  private get commands(): CommandBus {
    return this.svc.running.app.get(CommandBus);
  }

  async close(): Promise<void> {
    await this.svc.close();
    await this.google.close();
  }

  async provisioned(prefix = 'gm'): Promise<string> {
    const tenant = uniqueTenant(prefix);
    const res = await this.svc.api.post(`/v1/tenants/${tenant}/mail-config`, { username: tenant.toLowerCase() });
    expect(res.status).toBe(201);
    return tenant;
  }

  startAuthorization(tenant: string, returnUrl = RETURN_URL, headers?: Record<string, string>) {
    return this.svc.api.post(`/v1/tenants/${tenant}/mail-config/gmail/authorizations`, { returnUrl }, headers);
  }

  /**
   * The browser opening the authorizationUrl POST …/authorizations answered: the service's
   * hand-off link (its public origin mapped to the loopback port), which sets the browser's
   * consent cookie and redirects to Google.
   */
  handOff(authorizationUrl: string, cookie?: string): Promise<HandOff> {
    return handOffAt(this.svc.url, authorizationUrl, cookie);
  }

  /**
   * The browser: authorizationUrl (our hand-off link) → stand-in Google → our callback with the
   * cookie the hand-off set (no bearer token) → returnUrl. A Google URL is followed as is, with
   * no cookie (a consent URL that reached another browser).
   */
  async followConsent(authorizationUrl: string, options: { cookie?: string | null } = {}): Promise<ConsentRoundTrip> {
    let providerUrl = authorizationUrl;
    let cookie: string | null = null;
    if (new URL(authorizationUrl).origin === PUBLIC_ORIGIN) {
      const handed = await this.handOff(authorizationUrl);
      expect(handed.status).toBe(302);
      providerUrl = handed.location!.toString();
      cookie = handed.cookie;
    }
    if (options.cookie !== undefined) cookie = options.cookie;
    const atProvider = await fetch(providerUrl, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
    const callback = new URL(atProvider.headers.get('location') ?? 'about:blank');
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
    return this.callback(callback, cookie);
  }

  /** Our callback with exactly this query (and this cookie), as a browser would open it. */
  async callback(callback: URL | string, cookie: string | null = null): Promise<ConsentRoundTrip> {
    const url = new URL(callback, PUBLIC_ORIGIN);
    const res = await request('GET', `${this.svc.url}${url.pathname}${url.search}`, {
      token: null,
      headers: cookie ? { cookie } : {},
    });
    const location = res.headers.get('location');
    return {
      callback: url,
      callbackStatus: res.status,
      callbackHeaders: res.headers,
      location: location ? new URL(location) : null,
      cookie,
    };
  }

  /** Start + consent; returns the outcome query of the final redirect. */
  async authorize(tenant: string, headers?: Record<string, string>): Promise<Record<string, string>> {
    const started = await this.startAuthorization(tenant, RETURN_URL, headers);
    expect(started.status).toBe(201);
    const trip = await this.followConsent(started.body.authorizationUrl);
    expect(trip.callbackStatus).toBe(302);
    return Object.fromEntries(trip.location!.searchParams);
  }

  async view(tenant: string) {
    const res = await this.svc.api.get(`/v1/tenants/${tenant}/mail-config`);
    expect(res.status).toBe(200);
    return res.body;
  }

  async history(tenant: string): Promise<
    {
      type: string;
      version: number;
      actor: string;
      correlationId: string;
      causationId: string | null;
      detectedBy: string | null;
      data: any;
    }[]
  > {
    const res = await this.svc.api.get(`/v1/tenants/${tenant}/mail-config/history?limit=500`);
    expect(res.status).toBe(200);
    return res.body.events;
  }

  send(tenant: string, body: Record<string, unknown> = {}, headers?: Record<string, string>) {
    return this.svc.api.post(
      `/v1/tenants/${tenant}/messages`,
      { to: ['customer@example.org'], subject: 'Re: your ticket', text: 'Hello from support', ...body },
      headers,
    );
  }
}

/** GET of a hand-off link at the service on `base` (the link's public origin mapped to it). */
export async function handOffAt(base: string, authorizationUrl: string, cookie?: string): Promise<HandOff> {
  const url = new URL(authorizationUrl);
  const res = await request('GET', `${base}${url.pathname}${url.search}`, {
    token: null,
    headers: cookie ? { cookie } : {},
  });
  const setCookie = res.headers.getSetCookie();
  const location = res.headers.get('location');
  return {
    status: res.status,
    headers: res.headers,
    location: location ? new URL(location) : null,
    cookie: setCookie.length > 0 ? setCookie[0].split(';')[0] : null,
    setCookie,
  };
}
