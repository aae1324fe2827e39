import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDatabaseConfig, requireReplicatedSecrets } from '../../../src/infrastructure/config/database-config';

const ESDB = { EVENTSTORE_CONNECTION_STRING: 'esdb://127.0.0.1:2113?tls=false' };
const parse = (url: string, extra: Record<string, string> = {}) =>
  parseDatabaseConfig({ ...ESDB, DATABASE_URL: url, ...extra });

describe('DATABASE_URL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcs-dbcfg-'));
  const ca = join(dir, 'ca.pem');
  writeFileSync(ca, 'not checked here');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is optional: unset or blank selects no database', () => {
    expect(parseDatabaseConfig({})).toBeNull();
    expect(parseDatabaseConfig({ DATABASE_URL: '  ', ...ESDB })).toBeNull();
  });

  it('takes postgres:// and postgresql:// libpq URLs, labelled without the password', () => {
    expect(parse('postgres://mcs:s3cret@db.internal:6432/mail')).toEqual({
      url: 'postgres://mcs:s3cret@db.internal:6432/mail',
      label: 'db.internal:6432/mail',
      sslMode: 'disable',
      poolSize: 10,
    });
    expect(parse('postgresql://mcs@db/mail?sslmode=verify-full', { DATABASE_POOL_SIZE: '25' })).toMatchObject({
      label: 'db:5432/mail',
      sslMode: 'verify-full',
      poolSize: 25,
    });
  });

  it.each(['disable', 'require', 'verify-full'])('honours sslmode=%s', (mode) => {
    expect(parse(`postgres://db/mail?sslmode=${mode}`)!.sslMode).toBe(mode);
  });

  it('accepts verify-ca with the CA it verifies against, and refuses it without one', () => {
    expect(parse(`postgres://db/mail?sslmode=verify-ca&sslrootcert=${ca}`)!.sslMode).toBe('verify-ca');
    expect(() => parse('postgres://db/mail?sslmode=verify-ca')).toThrow(
      'DATABASE_URL: sslmode=verify-ca needs sslrootcert (the CA to verify against)',
    );
  });

  it.each([
    ['mysql://u:hunter22@db/mail', 'DATABASE_URL: must be a postgres:// or postgresql:// URL'],
    ['not a url hunter22', 'DATABASE_URL: must be a postgres:// or postgresql:// URL'],
    [
      'postgres://u:hunter22@db/mail?sslmode=prefer',
      'DATABASE_URL: sslmode must be one of disable, require, verify-ca, verify-full, got "prefer"',
    ],
    [
      'postgres://u:hunter22@db/mail?sslmode=require&sslcert=/nonexistent/c.pem',
      'DATABASE_URL: sslcert file "/nonexistent/c.pem" does not exist',
    ],
  ])('refuses %s naming the variable, never echoing the password', (url, message) => {
    let error: Error | undefined;
    try {
      parse(url);
    } catch (e) {
      error = e;
    }
    expect(error?.message).toBe(message);
    expect(error?.message).not.toContain('hunter22');
  });

  it('refuses DATABASE_URL without EVENTSTORE_CONNECTION_STRING', () => {
    expect(() => parseDatabaseConfig({ DATABASE_URL: 'postgres://db/mail' })).toThrow(
      /^DATABASE_URL: is set but EVENTSTORE_CONNECTION_STRING is not/,
    );
  });

  it.each(['0', '1001', 'ten'])('refuses DATABASE_POOL_SIZE=%s', (size) => {
    expect(() => parse('postgres://db/mail', { DATABASE_POOL_SIZE: size })).toThrow(
      /^DATABASE_POOL_SIZE: must be a whole number 1-1000/,
    );
  });
});

describe('secrets of the replicated shape', () => {
  const all = { ENCRYPTION_KEY: 'k', API_TOKEN: 'a', SUPPORT_TOKEN: 's' };

  it('must all be given, the tokens unless JWTs are configured', () => {
    expect(() => requireReplicatedSecrets(all, false)).not.toThrow();
    expect(() => requireReplicatedSecrets({ ...all, ENCRYPTION_KEY: '' }, true)).toThrow(/^ENCRYPTION_KEY: /);
    expect(() =>
      requireReplicatedSecrets({ ENCRYPTION_KEYS: 'k1:x', API_TOKEN: 'a', SUPPORT_TOKEN: 's' }, false),
    ).not.toThrow();
    expect(() => requireReplicatedSecrets({ ...all, API_TOKEN: ' ' }, false)).toThrow(/^API_TOKEN: /);
    expect(() => requireReplicatedSecrets({ ...all, SUPPORT_TOKEN: undefined }, false)).toThrow(/^SUPPORT_TOKEN: /);
    expect(() => requireReplicatedSecrets({ ENCRYPTION_KEY: 'k' }, true)).not.toThrow();
  });
});
