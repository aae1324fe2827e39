import { type TestService } from '../support/app';
import { GmailHarness, PUBLIC_ORIGIN, RETURN_URL } from '../support/google/gmail-harness';
import { APP_ORIGIN as MS_APP_ORIGIN, MicrosoftHarness } from '../support/microsoft/microsoft-harness';
import { allEvents } from './hostile';

/**
 * Issue #18 item 8: whoever completed a leaked or forwarded consent URL chose the account, and the
 * tenant switched at once. Now the authorizationUrl is a one-time link to this service, which
 * binds the consent to the browser that opens it (a cookie, RFC 9700 §4.7); the callback refuses
 * any other browser.
 */

/** Events the act added to the store, as [stream category, type]. */
async function added(svc: TestService, act: () => Promise<unknown>): Promise<string[][]> {
  const before = (await allEvents(svc)).length;
  await act();
  return (await allEvents(svc)).slice(before).map((e) => [e.streamId.split('-')[0], e.type]);
}

function attributes(setCookie: string): Record<string, string> {
  return Object.fromEntries(
    setCookie
      .split(';')
      .slice(1)
      .map((part) => part.trim().split('='))
      .map(([k, v]) => [k.toLowerCase(), v ?? '']),
  );
}

describe('item 8: the Gmail consent is bound to the browser it was handed to', () => {
  let h: GmailHarness;
  beforeAll(async () => {
    h = await GmailHarness.start();
  });
  afterAll(() => h.close());

  it('hands out a link to this service, not Google’s URL: no state, no PKCE challenge in it', async () => {
    const tenant = await h.provisioned();
    const atGoogle = h.google.authorizationRequests.length;
    const started = await h.startAuthorization(tenant);
    expect(started.status).toBe(201);
    const link = new URL(started.body.authorizationUrl);
    expect(`${link.origin}${link.pathname}`).toBe(`${PUBLIC_ORIGIN}/v1/oauth/google/authorize`);
    expect([...link.searchParams.keys()]).toEqual(['handoff']);
    expect(h.google.authorizationRequests.length).toBe(atGoogle);
  });

  it('refuses a consent URL completed in another browser: other_browser, no code exchange, nothing recorded, mode unchanged', async () => {
    const tenant = await h.provisioned();
    const handed = await h.handOff((await h.startAuthorization(tenant)).body.authorizationUrl);
    const googleUrl = handed.location!.toString();
    const exchanges = h.google.tokenRequests.length;
    // The victim's browser went on to Google; the URL leaked. The attacker consents with their own account,
    // with no cookie, with a made-up one of the right name, and with the cookie of their own consent.
    const own = await h.handOff((await h.startAuthorization(await h.provisioned())).body.authorizationUrl);
    const [name] = handed.cookie!.split('=');
    for (const cookie of [null, `${name}=${'A'.repeat(43)}`, `${name}=`, own.cookie]) {
      h.google.nextConsent({ kind: 'approve', account: 'attacker@evil.test' });
      let trip: Awaited<ReturnType<GmailHarness['followConsent']>> | undefined;
      expect(
        await added(h.svc, async () => {
          trip = await h.followConsent(googleUrl, { cookie });
        }),
      ).toEqual([]);
      expect(trip!.callbackStatus).toBe(302);
      expect(trip!.location!.toString()).toBe(`${RETURN_URL}?gmail=error&reason=other_browser`);
      expect(trip!.callbackHeaders.get('cache-control')).toBe('no-store');
    }
    expect(h.google.tokenRequests.length).toBe(exchanges);
    expect(await h.view(tenant)).toMatchObject({ mode: 'default', gmail: { status: 'not_authorized', account: null } });
    expect((await h.history(tenant)).map((e) => e.type)).toEqual(['MailConfigProvisioned']);
    expect(h.svc.logs.join('\n')).toContain('Gmail authorization callback refused: state other_browser');

    // The refusals did not spend the state: the browser it was handed to still completes it, with its own account.
    const trip = await h.followConsent(googleUrl, { cookie: handed.cookie });
    expect(trip.location!.searchParams.get('gmail')).toBe('authorized');
    expect((await h.view(tenant)).gmail).toMatchObject({ status: 'authorized', account: 'owner@acme-mail.test' });
  });

  it('opens the link once: a second browser gets no cookie and no consent URL, and nothing is issued for it', async () => {
    const tenant = await h.provisioned();
    const link = (await h.startAuthorization(tenant)).body.authorizationUrl;
    expect((await h.handOff(link)).status).toBe(302);
    let second: Awaited<ReturnType<GmailHarness['handOff']>> | undefined;
    expect(
      await added(h.svc, async () => {
        second = await h.handOff(link);
      }),
    ).toEqual([]);
    expect(second!.status).toBe(302);
    expect(second!.location!.toString()).toBe(`${RETURN_URL}?gmail=error&reason=state_invalid`);
    expect(second!.setCookie).toEqual([]);
  });

  it('refuses a forged link, and a state offered as a link or a link as a state, without naming a redirect of theirs', async () => {
    const tenant = await h.provisioned();
    const link = new URL((await h.startAuthorization(tenant)).body.authorizationUrl);
    const handed = await h.handOff((await h.startAuthorization(tenant)).body.authorizationUrl);
    const state = handed.location!.searchParams.get('state')!;
    const [nonce, exp, mac] = link.searchParams.get('handoff')!.split('.');
    for (const handoff of [`${nonce}.${exp}.${mac.startsWith('A') ? 'B' : 'A'}${mac.slice(1)}`, state, 'garbage']) {
      const forged = new URL(link);
      forged.searchParams.set('handoff', handoff);
      const res = await h.handOff(forged.toString());
      expect(res.status).toBe(302);
      expect(res.location!.toString()).toBe(
        `${h.svc.env.OAUTH_RETURN_URL_ORIGINS.split(',')[0]}/?gmail=error&reason=state_invalid`,
      );
      expect(res.setCookie).toEqual([]);
    }
    const callback = new URL(handed.location!.searchParams.get('redirect_uri')!);
    callback.searchParams.set('code', 'x');
    callback.searchParams.set('state', link.searchParams.get('handoff')!);
    const trip = await h.callback(callback, handed.cookie);
    expect(trip.location!.searchParams.get('reason')).toBe('state_invalid');
    expect((await h.history(tenant)).map((e) => e.type)).toEqual(['MailConfigProvisioned']);
  });

  it('sets the cookie HttpOnly, SameSite=Lax, Secure, on the OAuth path only, for the state’s 10 minutes, and clears it at the callback', async () => {
    const tenant = await h.provisioned();
    const handed = await h.handOff((await h.startAuthorization(tenant)).body.authorizationUrl);
    expect(handed.setCookie).toHaveLength(1);
    const set = attributes(handed.setCookie[0]);
    expect(set).toMatchObject({ path: '/v1/oauth/google', httponly: '', secure: '', samesite: 'Lax' });
    expect(Number(set['max-age'])).toBeGreaterThan(590);
    expect(Number(set['max-age'])).toBeLessThanOrEqual(600);
    expect(handed.headers.get('referrer-policy')).toBe('no-referrer');
    expect(handed.headers.get('cache-control')).toBe('no-store');
    // The secret is the browser's own: nothing of the state, the handoff or the PKCE verifier.
    const secret = handed.cookie!.split('=')[1];
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(handed.location!.toString()).not.toContain(secret);
    const trip = await h.followConsent(handed.location!.toString(), { cookie: handed.cookie });
    expect(trip.location!.searchParams.get('gmail')).toBe('authorized');
    const cleared = trip.callbackHeaders.getSetCookie().map(attributes);
    expect(cleared).toEqual([expect.objectContaining({ path: '/v1/oauth/google', expires: expect.any(String) })]);
    expect(Date.parse(cleared[0].expires)).toBeLessThan(Date.now());
  });
});

describe('item 8: the Microsoft consent is bound to the browser it was handed to', () => {
  let h: MicrosoftHarness;
  beforeAll(async () => {
    h = await MicrosoftHarness.start();
  });
  afterAll(() => h.close());
  beforeEach(() => h.microsoft.decide({ kind: 'grant' }));

  it('refuses a consent URL completed in another browser: other_browser, no code exchange, nothing recorded', async () => {
    const tenant = await h.provisioned();
    const link = new URL((await h.startAuthorization(tenant)).body.authorizationUrl);
    expect(`${link.origin}${link.pathname}`).toBe(`${PUBLIC_ORIGIN}/v1/oauth/microsoft/authorize`);
    const handed = await h.handOff(link.toString());
    expect(attributes(handed.setCookie[0])).toMatchObject({
      path: '/v1/oauth/microsoft',
      httponly: '',
      samesite: 'Lax',
    });
    const microsoftUrl = handed.location!.toString();
    const exchanges = h.microsoft.tokenRequests.length;
    h.microsoft.decide({ kind: 'grant', account: 'attacker@evil.test' });
    let trip: Awaited<ReturnType<MicrosoftHarness['followConsent']>> | undefined;
    expect(
      await added(h.svc, async () => {
        trip = await h.followConsent(microsoftUrl, { cookie: null });
      }),
    ).toEqual([]);
    expect(trip!.location!.toString()).toBe(`${MS_APP_ORIGIN}/settings/mail?microsoft=error&reason=other_browser`);
    expect(h.microsoft.tokenRequests.length).toBe(exchanges);
    expect((await h.view(tenant)).mode).toBe('default');
    expect((await h.history(tenant)).map((e) => e.type)).toEqual(['MailConfigProvisioned']);

    h.microsoft.decide({ kind: 'grant' });
    const own = await h.followConsent(microsoftUrl, { cookie: handed.cookie });
    expect(own.location!.searchParams.get('microsoft')).toBe('authorized');
    expect((await h.view(tenant)).mode).toBe('microsoft');
  });

  it('opens the link once', async () => {
    const tenant = await h.provisioned();
    const link = (await h.startAuthorization(tenant)).body.authorizationUrl;
    expect((await h.handOff(link)).status).toBe(302);
    const second = await h.handOff(link);
    expect(second.location!.toString()).toBe(`${MS_APP_ORIGIN}/settings/mail?microsoft=error&reason=state_invalid`);
    expect(second.setCookie).toEqual([]);
  });
});
