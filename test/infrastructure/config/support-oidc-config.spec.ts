import { ConfigError, parseConfig } from '../../../src/infrastructure/config/config';

const oidc = {
  SUPPORT_OIDC_ISSUER: 'https://login.example.com',
  SUPPORT_OIDC_CLIENT_ID: 'mail-config-support',
  SUPPORT_OIDC_CLIENT_SECRET: 'secret-of-the-client',
};

describe('company sign-in configuration', () => {
  it('is off when none of issuer, client id and secret is set', () => {
    expect(parseConfig({}).supportOidc).toBeNull();
  });

  it('needs all three, and names the one missing', () => {
    expect(() => parseConfig({ ...oidc, SUPPORT_OIDC_CLIENT_SECRET: '' })).toThrow(
      new ConfigError(
        'SUPPORT_OIDC_CLIENT_SECRET',
        'must be set too when SUPPORT_OIDC_ISSUER, SUPPORT_OIDC_CLIENT_ID, SUPPORT_OIDC_CLIENT_SECRET is used',
      ),
    );
  });

  it('refuses to start without an allow-list: every account of the provider would be support', () => {
    expect(() => parseConfig(oidc)).toThrow(
      /^SUPPORT_OIDC_ALLOWED_GROUPS: set it and\/or SUPPORT_OIDC_ALLOWED_DOMAINS/,
    );
    expect(() => parseConfig({ ...oidc, SUPPORT_OIDC_ALLOWED_DOMAINS: 'not a domain' })).toThrow(
      /^SUPPORT_OIDC_ALLOWED_DOMAINS: "not a domain" is not a domain name/,
    );
  });

  it('reads the lists, the button name, and the redirect URI on PUBLIC_URL', () => {
    const config = parseConfig({
      ...oidc,
      PUBLIC_URL: 'https://mail.example.com',
      SUPPORT_OIDC_ALLOWED_GROUPS: 'support-agents, leads',
      SUPPORT_OIDC_ALLOWED_DOMAINS: '@Example.COM',
    });
    expect(config.supportOidc).toEqual({
      ...{ issuer: oidc.SUPPORT_OIDC_ISSUER, clientId: oidc.SUPPORT_OIDC_CLIENT_ID },
      clientSecret: oidc.SUPPORT_OIDC_CLIENT_SECRET,
      redirectUri: 'https://mail.example.com/dashboard/oidc/callback',
      allowedGroups: ['support-agents', 'leads'],
      allowedDomains: ['example.com'],
      displayName: 'login.example.com',
    });
    expect(
      parseConfig({ ...oidc, SUPPORT_OIDC_ALLOWED_GROUPS: 'g', SUPPORT_OIDC_NAME: 'Example Inc' }).supportOidc,
    ).toMatchObject({ displayName: 'Example Inc' });
  });
});
