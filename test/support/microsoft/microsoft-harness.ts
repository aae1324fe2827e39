import { get } from 'node:https';
import { startTestService, type TestService, type TestServiceOptions, uniqueTenant } from '../app';
import { type HandOff, handOffAt } from '../google/gmail-harness';
import { request } from '../http';
import { standInCertificates } from './certs';
import { MicrosoftStandIn } from './microsoft-stand-in';

/** The service's public origin as Microsoft knows it (the browser maps it to the loopback port). */
export const PUBLIC_ORIGIN = 'https://mail-config.example';
export const REDIRECT_URI = `${PUBLIC_ORIGIN}/v1/oauth/microsoft/callback`;
export const APP_ORIGIN = 'https://app.example';
export const RETURN_URL = `${APP_ORIGIN}/settings/mail`;

export interface MicrosoftRoundTrip {
  callback: URL;
  callbackStatus: number;
  callbackHeaders: Headers;
  location: URL | null;
  cookie: string | null;
}

/** The browser at the stand-in: it trusts the throw-away CA, as a browser of the test would. */
function browserGet(url: string): Promise<{ status: number; location: string | null }> {
  return new Promise((resolve, reject) => {
    const req = get(url, { ca: standInCertificates().ca, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location ?? null }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

export class MicrosoftHarness {
  private constructor(
    readonly microsoft: MicrosoftStandIn,
    readonly svc: TestService,
  ) {}

  static async start(options: TestServiceOptions = {}): Promise<MicrosoftHarness> {
    const microsoft = await MicrosoftStandIn.start({ redirectUri: REDIRECT_URI });
    const svc = await startTestService({
      ...options,
      env: { ...microsoft.env(), OAUTH_RETURN_URL_ORIGINS: APP_ORIGIN, ...(options.env ?? {}) },
    });
    return new MicrosoftHarness(microsoft, svc);
  }

  async close(): Promise<void> {
    await this.svc.close();
    await this.microsoft.close();
  }

  async provisioned(prefix = 'ms'): Promise<string> {
    const tenant = uniqueTenant(prefix);
    const res = await this.svc.api.post(`/v1/tenants/${tenant}/mail-config`, { username: tenant.toLowerCase() });
    expect(res.status).toBe(201);
    return tenant;
  }

  startAuthorization(tenant: string, returnUrl = RETURN_URL, headers?: Record<string, string>) {
    return this.svc.api.post(`/v1/tenants/${tenant}/mail-config/microsoft/authorizations`, { returnUrl }, headers);
  }

  /**
   * The browser opening the authorizationUrl POST …/authorizations answered: the service's
   * hand-off link (its public origin mapped to the loopback port), which sets the browser's
   * consent cookie and redirects to Microsoft.
   */
  handOff(authorizationUrl: string, cookie?: string): Promise<HandOff> {
    return handOffAt(this.svc.url, authorizationUrl, cookie);
  }

  /**
   * The browser: authorizationUrl (our hand-off link) → stand-in Microsoft → our callback with the
   * cookie the hand-off set (no bearer token) → returnUrl. A Microsoft URL is followed as is, with
   * no cookie (a consent URL that reached another browser).
   */
  async followConsent(authorizationUrl: string, options: { cookie?: string | null } = {}): Promise<MicrosoftRoundTrip> {
    let providerUrl = authorizationUrl;
    let cookie: string | null = null;
    if (new URL(authorizationUrl).origin === PUBLIC_ORIGIN) {
      const handed = await this.handOff(authorizationUrl);
      expect(handed.status).toBe(302);
      providerUrl = handed.location!.toString();
      cookie = handed.cookie;
    }
    if (options.cookie !== undefined) cookie = options.cookie;
    const atProvider = await browserGet(providerUrl);
    const callback = new URL(atProvider.location ?? 'about:blank');
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
    return this.callback(callback, cookie);
  }

  /** Our callback with exactly this query (and this cookie), as a browser would open it. */
  async callback(callback: URL | string, cookie: string | null = null): Promise<MicrosoftRoundTrip> {
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

  /** Start + consent; the outcome query of the final redirect. */
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

  send(tenant: string, body: Record<string, unknown> = {}) {
    return this.svc.api.post(`/v1/tenants/${tenant}/messages`, {
      to: ['customer@example.org'],
      subject: 'Re: your ticket',
      text: 'Hello from support',
      ...body,
    });
  }
}
