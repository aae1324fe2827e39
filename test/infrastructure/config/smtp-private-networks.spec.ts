import { parseConfig } from '../../../src/infrastructure/config/config';

const parse = (env: Record<string, string>) => parseConfig({ DATA_DIR: '/tmp/mcs-unused', ...env });

describe('SMTP_ALLOWED_PRIVATE_NETWORKS and its deprecated alias', () => {
  it('allows no private network by default', () => {
    expect(parse({})).toMatchObject({ smtpAllowedPrivateNetworks: [], smtpAllowPrivateHostsAlias: false });
  });

  it('reads a CIDR list, IPv4 and IPv6, in canonical form', () => {
    expect(parse({ SMTP_ALLOWED_PRIVATE_NETWORKS: ' 127.0.0.0/8 , ::1/128,10.1.2.3/24' })).toMatchObject({
      smtpAllowedPrivateNetworks: ['127.0.0.0/8', '::1/128', '10.1.2.0/24'],
    });
  });

  it('takes SMTP_ALLOW_PRIVATE_HOSTS=true as loopback only, and the explicit list over it', () => {
    expect(parse({ SMTP_ALLOW_PRIVATE_HOSTS: 'true' })).toMatchObject({
      smtpAllowedPrivateNetworks: ['127.0.0.0/8', '::1/128'],
      smtpAllowPrivateHostsAlias: true,
    });
    expect(parse({ SMTP_ALLOW_PRIVATE_HOSTS: 'true', SMTP_ALLOWED_PRIVATE_NETWORKS: '172.29.125.0/24' })).toMatchObject(
      { smtpAllowedPrivateNetworks: ['172.29.125.0/24'] },
    );
  });

  it('refuses what is not a CIDR block, naming the variable', () => {
    expect(() => parse({ SMTP_ALLOWED_PRIVATE_NETWORKS: '10.0.0.0/33' })).toThrow(/SMTP_ALLOWED_PRIVATE_NETWORKS/);
    expect(() => parse({ SMTP_ALLOWED_PRIVATE_NETWORKS: 'mailpit' })).toThrow(/"mailpit" is not a CIDR block/);
  });
});
