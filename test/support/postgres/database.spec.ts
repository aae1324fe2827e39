import { Client } from 'pg';
import { createTestDatabase } from './database';

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('the test PostgreSQL server', () => {
  it('gives each suite a database of its own on PostgreSQL 17, and drops it', async () => {
    const [a, b] = await Promise.all([createTestDatabase('a'), createTestDatabase('b')]);
    expect(a.url).toMatch(/^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/a_[0-9a-f]{12}$/);
    expect((await query<{ v: string }>(a.url, "SELECT current_setting('server_version') AS v"))[0].v).toMatch(/^17\./);
    await query(a.url, 'CREATE TABLE only_in_a (id int)');
    expect(await query(b.url, "SELECT 1 FROM pg_tables WHERE tablename = 'only_in_a'")).toEqual([]);

    const holder = new Client({ connectionString: a.url });
    await holder.connect();
    holder.on('error', () => undefined);
    // Dropping ends connections still open on it (a suite that forgot to close its pool).
    await a.drop();
    await b.drop();
    const names = await query<{ datname: string }>(
      b.url.replace(/\/[^/]+$/, '/postgres'),
      `SELECT datname FROM pg_database WHERE datname IN ('${a.name}', '${b.name}')`,
    );
    expect(names).toEqual([]);
    await holder.end().catch(() => undefined);
  });
});
