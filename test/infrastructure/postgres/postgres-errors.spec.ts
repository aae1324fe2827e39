import { DatabaseUnavailableError } from '../../../src/application/ports/database-unavailable.error';
import { isUnavailable } from '../../../src/infrastructure/postgres/postgres-errors';
import { createPool } from '../../../src/infrastructure/postgres/pool';
import { PostgresDataKeyStore } from '../../../src/infrastructure/postgres/postgres.data-key-store';
import { PostgresThrottlerStorage } from '../../../src/infrastructure/postgres/postgres.throttler-storage';
import { closedPort } from '../../support/smtp/peers';

describe('PostgreSQL errors the service answers 503 to', () => {
  it.each([
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['server shutting down (57P01)', Object.assign(new Error('terminating connection'), { code: '57P01' })],
    ['connection failure (08006)', Object.assign(new Error('connection failure'), { code: '08006' })],
    ['statement timeout (57014)', Object.assign(new Error('canceling statement'), { code: '57014' })],
    ['too many connections (53300)', Object.assign(new Error('too many clients'), { code: '53300' })],
    ['a connection cut mid-query', new Error('Connection terminated unexpectedly')],
    ['a pool that could not connect in time', new Error('timeout exceeded when trying to connect')],
  ])('counts %s as unavailable', (_, error) => {
    expect(isUnavailable(error)).toBe(true);
  });

  it.each([
    ['a syntax error (42601)', Object.assign(new Error('syntax error'), { code: '42601' })],
    ['a unique violation (23505)', Object.assign(new Error('duplicate key'), { code: '23505' })],
    ['a bug', new TypeError('x is undefined')],
  ])('lets %s through as it is', (_, error) => {
    expect(isUnavailable(error)).toBe(false);
  });

  it('raises DatabaseUnavailableError from the adapters when nothing listens, naming no credentials', async () => {
    const port = await closedPort();
    const pool = createPool({
      url: `postgres://mcs:hunter22@127.0.0.1:${port}/mcs`,
      label: 'x',
      sslMode: 'disable',
      poolSize: 1,
    });
    try {
      const keys = new PostgresDataKeyStore(pool);
      const limits = new PostgresThrottlerStorage(pool);
      for (const call of [() => keys.get('t'), () => limits.increment('k', 1000, 1, 1000, 'send')]) {
        const error = await call().then(
          () => undefined,
          (e: Error) => e,
        );
        expect(error).toBeInstanceOf(DatabaseUnavailableError);
        expect(error!.message).not.toContain('hunter22');
      }
      limits.onApplicationShutdown();
    } finally {
      await pool.end();
    }
  });
});
