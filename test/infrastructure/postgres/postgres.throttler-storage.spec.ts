import { Controller, type INestApplication, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { type Pool } from 'pg';
import { type DatabaseConfig } from '../../../src/infrastructure/config/database-config';
import { migrateToLatest } from '../../../src/infrastructure/postgres/migrate';
import { createPool } from '../../../src/infrastructure/postgres/pool';
import { PostgresThrottlerStorage } from '../../../src/infrastructure/postgres/postgres.throttler-storage';
import { ProblemFilter } from '../../../src/interfaces/http/common/problem.filter';
import { TenantRateLimit } from '../../../src/interfaces/http/common/throttle';
import { createTestDatabase, type TestDatabase } from '../../support/postgres/database';

const MINUTE = 60_000;

describe('rate limits in PostgreSQL: one budget across instances', () => {
  let db: TestDatabase;
  const pools: Pool[] = [];
  const storages: PostgresThrottlerStorage[] = [];
  /** One storage per "instance", each with its own pool. */
  const instance = () => {
    const config: DatabaseConfig = { url: db.url, label: db.name, sslMode: 'disable', poolSize: 4 };
    const pool = createPool(config);
    pools.push(pool);
    const storage = new PostgresThrottlerStorage(pool);
    storages.push(storage);
    return storage;
  };
  const key = () => `tenant:${Math.random().toString(36).slice(2)}`;

  beforeAll(async () => {
    db = await createTestDatabase('throttle');
    await migrateToLatest({ url: db.url, label: db.name, sslMode: 'disable', poolSize: 1 });
  });
  afterAll(async () => {
    for (const s of storages) s.onApplicationShutdown();
    for (const p of pools) await p.end();
    await db.drop();
  });

  it('refuses the fourth hit of a limit of three whichever instance counts it, with the time to wait', async () => {
    const [a, b, c] = [instance(), instance(), instance()];
    const k = key();
    const hits = [];
    for (const s of [a, b, c, a]) hits.push(await s.increment(k, MINUTE, 3, MINUTE, 'smtpTest'));
    expect(hits.map((h) => [h.totalHits, h.isBlocked])).toEqual([
      [1, false],
      [2, false],
      [3, false],
      [4, true],
    ]);
    expect(hits[3].timeToBlockExpire).toBeGreaterThan(55);
    expect(hits[3].timeToBlockExpire).toBeLessThanOrEqual(60);
    // Blocked on every instance, and blocked hits do not extend the count.
    expect(await b.increment(k, MINUTE, 3, MINUTE, 'smtpTest')).toMatchObject({ isBlocked: true, totalHits: 4 });
  });

  it('lets exactly `limit` of many concurrent hits through across instances', async () => {
    const all = [instance(), instance(), instance()];
    const k = key();
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => all[i % 3].increment(k, MINUTE, 5, MINUTE, 'send')),
    );
    expect(results.filter((r) => !r.isBlocked)).toHaveLength(5);
    expect(
      results
        .filter((r) => !r.isBlocked)
        .map((r) => r.totalHits)
        .sort(),
    ).toEqual([1, 2, 3, 4, 5]);
  });

  it('keeps budgets apart per key and per throttler', async () => {
    const s = instance();
    const k = key();
    await s.increment(k, MINUTE, 1, MINUTE, 'smtpTest');
    expect(await s.increment(k, MINUTE, 1, MINUTE, 'smtpTest')).toMatchObject({ isBlocked: true });
    expect(await s.increment(k, MINUTE, 1, MINUTE, 'send')).toMatchObject({ isBlocked: false, totalHits: 1 });
    expect(await s.increment(key(), MINUTE, 1, MINUTE, 'smtpTest')).toMatchObject({ isBlocked: false });
  });

  it('opens a new window once the window and the block are over, and sweeps what is over', async () => {
    const s = instance();
    const k = key();
    await s.increment(k, 200, 1, 200, 'smtpTest');
    expect(await s.increment(k, 200, 1, 200, 'smtpTest')).toMatchObject({ isBlocked: true });
    await new Promise((r) => setTimeout(r, 450));
    expect(await s.increment(k, 200, 1, 200, 'smtpTest')).toMatchObject({ isBlocked: false, totalHits: 1 });
    await new Promise((r) => setTimeout(r, 450));
    expect(await s.sweep()).toBeGreaterThanOrEqual(1);
    expect(await s.increment(k, MINUTE, 1, MINUTE, 'smtpTest')).toMatchObject({ isBlocked: false, totalHits: 1 });
  });

  it('behind the service’s own tenant guard: the fourth SMTP test is 429 whichever of two apps gets it', async () => {
    @Controller('v1/tenants/:tenantId')
    class ProbeController {
      @Post('probe')
      @TenantRateLimit('smtpTest')
      probe() {
        return { ok: true };
      }
    }
    const app = async (): Promise<INestApplication> => {
      @Module({
        imports: [
          ThrottlerModule.forRoot({
            setHeaders: false,
            throttlers: ['smtpTest', 'gmailAuthorization', 'send'].map((name) => ({ name, limit: 3, ttl: MINUTE })),
            storage: instance(),
          }),
        ],
        controllers: [ProbeController],
      })
      class ProbeModule {}
      const nest = await NestFactory.create(ProbeModule, { logger: false });
      nest.useGlobalFilters(new ProblemFilter());
      await nest.listen(0, '127.0.0.1');
      return nest;
    };
    const apps = [await app(), await app()];
    try {
      const tenant = `t-${Math.random().toString(36).slice(2, 8)}`;
      const statuses: number[] = [];
      let refused: Response | undefined;
      for (const i of [0, 1, 0, 1]) {
        const res = await fetch(`${await apps[i].getUrl()}/v1/tenants/${tenant}/probe`, { method: 'POST' });
        statuses.push(res.status);
        if (res.status === 429) refused = res;
      }
      expect(statuses).toEqual([201, 201, 201, 429]);
      expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThan(0);
      const other = await fetch(`${await apps[0].getUrl()}/v1/tenants/${tenant}-other/probe`, { method: 'POST' });
      expect(other.status).toBe(201);
    } finally {
      for (const a of apps) await a.close();
    }
  });
});
