import { type SupportOidcConfig } from '../../src/application/app-config';
import { admit } from '../../src/infrastructure/support-oidc/oidc-support-sign-in';

const config = (lists: Partial<SupportOidcConfig>): SupportOidcConfig => ({
  issuer: 'https://login.example.com',
  clientId: 'c',
  clientSecret: 's',
  redirectUri: 'https://mail.example.com/dashboard/oidc/callback',
  allowedGroups: [],
  allowedDomains: [],
  displayName: 'Example',
  ...lists,
});

describe('who may sign in as support (every list that is set must pass)', () => {
  const both = config({ allowedGroups: ['support-agents'], allowedDomains: ['help.example'] });

  it('admits a verified email in an allowed group and domain, lower-cased as the actor', () => {
    expect(
      admit(both, { sub: '1', email: 'Ana@Help.Example', email_verified: true, groups: ['support-agents'] }),
    ).toEqual({
      email: 'ana@help.example',
    });
  });

  it.each([
    [{ email: 'ana@help.example', groups: ['sales'] }, 'it is not in a group allowed to use the support dashboard'],
    [{ email: 'ana@help.example' }, 'it is not in a group allowed to use the support dashboard'],
    [
      { email: 'ana@other.example', groups: ['support-agents'] },
      'its email domain is not one allowed to use the support dashboard',
    ],
    [
      { email: 'ana@help.example.evil', groups: ['support-agents'] },
      'its email domain is not one allowed to use the support dashboard',
    ],
    [
      { email: 'ana@help.example', email_verified: false, groups: ['support-agents'] },
      'the provider did not give a verified email address for it',
    ],
    [{ groups: ['support-agents'] }, 'the provider did not give a verified email address for it'],
  ])('refuses %j: %s', (claims, refused) => {
    expect(admit(both, { sub: 'u-1', ...claims })).toEqual([false, { account: expect.any(String), refused }]);
  });

  it('with only a domain list, groups do not matter; with only a group list, any domain does', () => {
    expect(admit(config({ allowedDomains: ['help.example'] }), { email: 'bob@help.example' })).toEqual({
      email: 'bob@help.example',
    });
    expect(admit(config({ allowedGroups: ['g'] }), { email: 'bob@anywhere.example', groups: ['g'] })).toEqual({
      email: 'bob@anywhere.example',
    });
  });
});
