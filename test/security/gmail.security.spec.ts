import { createHash, randomBytes } from 'node:crypto';
import { EVENT_STORE } from '../../src/application/ports/event-store.port';
import { MasterKeyRing } from '../../src/infrastructure/crypto/key-ring';
import { SignedOAuthStateStore } from '../../src/infrastructure/oauth-state/signed-oauth-state.store';
import { GMAIL_SEND } from '../support/google/google-state';
import { APP_ORIGIN, GmailHarness, PUBLIC_ORIGIN, RETURN_URL } from '../support/google/gmail-harness';
import { allEvents, expectProblem, invalid, recordsNothing } from './hostile';

const STATE_INVALID_HERE = `${RETURN_URL}?gmail=error&reason=state_invalid`;
// A state that cannot be trusted cannot name a returnUrl either: the browser goes to the app's origin.
const STATE_INVALID_APP = `${APP_ORIGIN}/?gmail=error&reason=state_invalid`;

describe('item 8: hostile OAuth round trips', () => {
  let h: GmailHarness;
  beforeAll(async () => {
    h = await GmailHarness.start();
  });
  afterAll(() => h.close());

  /** The consent cookie of the browser each callback URL below belongs to (the one that opened the hand-off). */
  const cookies = new WeakMap<URL, string | null>();

  /**
   * The browser opening the authorizationUrl (our hand-off link, which gives it the consent
   * cookie), then at Google: consent given, Google's redirect to our callback (not followed).
   * A Google URL is opened as is, by a browser without the cookie.
   */
  async function atGoogle(authorizationUrl: string): Promise<URL> {
    let cookie: string | null = null;
    let url = authorizationUrl;
    if (new URL(url).origin === PUBLIC_ORIGIN) {
      const handed = await h.handOff(url);
      expect(handed.status).toBe(302);
      url = handed.location!.toString();
      cookie = handed.cookie;
    }
    const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
    const callback = new URL(res.headers.get('location')!);
    cookies.set(callback, cookie);
    return callback;
  }

  /**
   * Runs the callback and asserts: 302 to `location`, not cached, nothing sent, and nothing
   * recorded but (for a genuine state) the state's own single use, so it cannot be replayed.
   */
  async function refused(
    callback: URL | string,
    location: string,
    opts: { exchanges?: number; consumesState?: boolean } = {},
  ) {
    const tokenRequests = h.google.tokenRequests.length;
    const sent = h.google.sent.length;
    const before = await allEvents(h.svc);
    const trip = await h.callback(callback, typeof callback === 'string' ? null : (cookies.get(callback) ?? null));
    const added = (await allEvents(h.svc)).slice(before.length);
    expect(added.map((e) => [e.streamId.split('-')[0], e.type])).toEqual(
      opts.consumesState ? [['oauthState', 'OAuthStateConsumed']] : [],
    );
    expect(trip.callbackStatus).toBe(302);
    expect(trip.location!.toString()).toBe(location);
    expect(trip.callbackHeaders.get('cache-control')).toBe('no-store');
    expect(trip.callbackHeaders.get('referrer-policy')).toBe('no-referrer');
    expect(h.google.tokenRequests.length - tokenRequests).toBe(opts.exchanges ?? 0);
    expect(h.google.sent.length).toBe(sent);
  }

  it('refuses a replayed state: no second code exchange, nothing recorded', async () => {
    const tenant = await h.provisioned();
    const callback = await atGoogle((await h.startAuthorization(tenant)).body.authorizationUrl);
    expect((await h.callback(callback, cookies.get(callback)!)).location!.searchParams.get('gmail')).toBe('authorized');
    await refused(callback, STATE_INVALID_HERE);
  });

  it('refuses an expired state (issued 11 minutes ago), nothing recorded', async () => {
    const tenant = await h.provisioned();
    const app = h.svc.running.app;
    const past = new SignedOAuthStateStore(app.get(EVENT_STORE), app.get(MasterKeyRing), {
      now: () => new Date(Date.now() - 11 * 60_000),
    });
    const verifier = randomBytes(32).toString('base64url');
    const issued = await past.issue(
      { tenantId: tenant, returnUrl: RETURN_URL, actor: 'agent', correlationId: 'c-expired' },
      verifier,
    );
    const handed = await h.handOff((await h.startAuthorization(tenant)).body.authorizationUrl);
    const url = handed.location!;
    url.searchParams.set('state', issued.state);
    url.searchParams.set('code_challenge', createHash('sha256').update(verifier).digest('base64url'));
    const callback = await atGoogle(url.toString());
    cookies.set(callback, handed.cookie);
    await refused(callback, STATE_INVALID_HERE);
    expect((await h.view(tenant)).gmail.status).toBe('not_authorized');
  });

  it.each([
    ['a flipped MAC', ([n, e, m]: string[]) => `${n}.${e}.${m.startsWith('A') ? 'B' : 'A'}${m.slice(1)}`],
    ['an extended expiry', ([n, e, m]: string[]) => `${n}.${Number(e) + 600}.${m}`],
    ['no MAC', ([n, e]: string[]) => `${n}.${e}.`],
    ['garbage', () => 'garbage'],
    ['CR/LF', ([n, e, m]: string[]) => `${n}.${e}.${m}\r\nSet-Cookie: x=1`],
  ])('refuses a state with %s, nothing recorded', async (_, tamper) => {
    const tenant = await h.provisioned();
    const callback = await atGoogle((await h.startAuthorization(tenant)).body.authorizationUrl);
    callback.searchParams.set('state', tamper(callback.searchParams.get('state')!.split('.')));
    await refused(callback, STATE_INVALID_APP);
  });

  it('refuses another tenant’s MAC on this tenant’s nonce, and a callback without a state', async () => {
    const mine = await h.provisioned();
    const theirs = await h.provisioned();
    const a = await atGoogle((await h.startAuthorization(mine)).body.authorizationUrl);
    const b = await atGoogle((await h.startAuthorization(theirs)).body.authorizationUrl);
    const [nonce, exp] = a.searchParams.get('state')!.split('.');
    a.searchParams.set('state', `${nonce}.${exp}.${b.searchParams.get('state')!.split('.')[2]}`);
    await refused(a, STATE_INVALID_APP);
    await refused(`${a.origin}${a.pathname}?code=${a.searchParams.get('code')}`, STATE_INVALID_APP);
  });

  it('does not let a code obtained in another tenant’s flow complete this tenant’s authorization (PKCE)', async () => {
    const victim = await h.provisioned();
    const attacker = await h.provisioned();
    const victimCallback = await atGoogle((await h.startAuthorization(victim)).body.authorizationUrl);
    const attackerCallback = await atGoogle((await h.startAuthorization(attacker)).body.authorizationUrl);
    // The victim's valid state with the code Google issued in the attacker's flow.
    victimCallback.searchParams.set('code', attackerCallback.searchParams.get('code')!);
    await refused(victimCallback, `${RETURN_URL}?gmail=error&reason=exchange_failed`, {
      exchanges: 1,
      consumesState: true,
    });
    for (const tenant of [victim, attacker]) expect((await h.view(tenant)).gmail.status).toBe('not_authorized');
  });

  it('does not authorize a grant without gmail.send, and sends nothing through Gmail afterwards', async () => {
    const tenant = await h.provisioned();
    h.google.nextConsent({ kind: 'approve', untick: [GMAIL_SEND] });
    const callback = await atGoogle((await h.startAuthorization(tenant)).body.authorizationUrl);
    await refused(callback, `${RETURN_URL}?gmail=error&reason=scope_missing`, { exchanges: 1, consumesState: true });
    expect((await h.view(tenant)).gmail).toMatchObject({ status: 'not_authorized', account: null, scopes: [] });
    const sent = h.google.sent.length;
    expect((await h.send(tenant)).body).toMatchObject({ mode: 'default' });
    expect(h.google.sent.length).toBe(sent);
  });

  it('does not authorize a grant without a refresh token', async () => {
    const tenant = await h.provisioned();
    h.google.nextConsent({ kind: 'approve', withoutRefreshToken: true });
    const callback = await atGoogle((await h.startAuthorization(tenant)).body.authorizationUrl);
    await refused(callback, `${RETURN_URL}?gmail=error&reason=exchange_failed`, { exchanges: 1, consumesState: true });
    expect((await h.view(tenant)).gmail.status).toBe('not_authorized');
  });

  it.each([
    ['another origin', 'https://evil.example/settings'],
    ['credentials in the URL', 'https://app.example@evil.example/settings'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['CR/LF', 'https://app.example/settings\r\nSet-Cookie: x=1'],
  ])('refuses a returnUrl with %s (400 naming returnUrl) and records nothing', async (_, returnUrl) => {
    const tenant = await h.provisioned();
    const res = await recordsNothing(h.svc, () => h.startAuthorization(tenant, returnUrl));
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'returnUrl', message: expect.any(String) }]);
    // Refused by the DTO (no code) or by the use case's origin check (its code); nothing else in the body.
    expectProblem(res, { ...invalid(res.body.errors), ...(res.body.code ? { code: 'INVALID_RETURN_URL' } : {}) });
  });
});
