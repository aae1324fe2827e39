import { load } from '../lib/load';
import { hasScript, rebuildProjections, waitForProjections } from '../lib/projections';
import { type Row } from '../lib/report';
import { type BenchContext, type Scenario } from '../lib/scenario';
import { seedTenants } from '../lib/seed';
import { diskUsage, type ServiceProcess } from '../lib/service';
import { median, ratio } from '../lib/stats';
import { auth, tenantIds } from '../lib/tenants';

interface Measured {
  tenants: number;
  events: number;
  seedMs: number;
  projectMs: number | null;
  diskTotal: number;
  diskEvents: number;
  rssStart: number;
  rssAfterViews: number;
  viewsPerSec: number;
  viewP99: number;
  readyAfterRestartMs: number[];
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function measure(ctx: BenchContext, tenants: number, views: number, restarts: number): Promise<Measured> {
  const label = `${tenants.toLocaleString('en-US')} tenants`;
  const ids = tenantIds('scale', tenants);
  const dataDir = ctx.dir(`scale-${tenants}`);
  ctx.log(`  ${label}: writing ~${(tenants * 10).toLocaleString('en-US')} events through the SQLite store`);
  const seed = await seedTenants(dataDir, ids, `seed ${label}`);
  ctx.log(`  ${label}: ${seed.events.toLocaleString('en-US')} events in ${(seed.ms / 1000).toFixed(1)} s`);
  // The read models are built the way an operator would after a bulk import; without the tool, the first start catches up.
  let projectMs: number | null = null;
  if (!ctx.quick && hasScript(ctx.repoRoot, 'projections:rebuild')) {
    projectMs = await rebuildProjections(ctx.repoRoot, dataDir);
    ctx.log(`  ${label}: npm run projections:rebuild took ${(projectMs / 1000).toFixed(1)} s`);
  }
  let service: ServiceProcess = await ctx.startService(`scale-${tenants}`, { dataDir, readyTimeoutMs: 900_000 });
  try {
    await waitForProjections(service);
    await settle(ctx.quick ? 200 : 1000);
    const rssStart = service.rss();
    const random = () => ids[Math.floor(Math.random() * ids.length)];
    const reads = await load({
      label: `${label} random views`,
      url: service.url,
      cpuSeconds: service.cpuSeconds,
      connections: 8,
      amount: views,
      method: 'GET',
      headers: auth(service.apiToken),
      path: () => `/v1/tenants/${random()}/mail-config`,
    });
    if (reads.ok !== views)
      throw new Error(`${views - reads.ok} of ${views} view reads failed: ${JSON.stringify(reads.statusCounts)}`);
    await settle(ctx.quick ? 200 : 1000);
    const rssAfterViews = service.rss();
    ctx.log(
      `  ${label}: RSS ${(rssStart / 2 ** 20).toFixed(0)} MiB after start, ${(rssAfterViews / 2 ** 20).toFixed(0)} MiB after ${views} views (${reads.okPerSec.toFixed(0)} views/s)`,
    );
    const readyAfterRestartMs: number[] = [];
    for (let k = 0; k < restarts; k++) {
      service = await service.restart();
      readyAfterRestartMs.push(service.readyMs);
      ctx.log(`  ${label}: restart ${k + 1}: ready in ${service.readyMs} ms`);
    }
    await service.stop();
    const disk = diskUsage(dataDir);
    return {
      tenants,
      events: seed.events,
      seedMs: seed.ms,
      projectMs,
      diskTotal: disk.total,
      diskEvents: (disk.files['events.db'] ?? 0) + (disk.files['events.db-wal'] ?? 0),
      rssStart,
      rssAfterViews,
      viewsPerSec: reads.okPerSec,
      viewP99: reads.p99,
      readyAfterRestartMs,
    };
  } finally {
    await service.stop();
  }
}

export const scale: Scenario = {
  id: 'scale',
  number: 5,
  title: 'Scale',
  description:
    '100,000 provisioned tenants of ten events each (1,000,000 events, decided by the real decider) written in bulk ' +
    'through the SQLite event store into a DATA_DIR, the read models built with `npm run projections:rebuild`, then the ' +
    'service started on it: store size on disk, RSS after start and after 10,000 GETs of random tenants’ views, and the ' +
    'time from spawning the process to the first 200 from /health/ready after a restart (median of three). Baseline in the ' +
    'same run: the same at 1,000 tenants.',
  async run(ctx) {
    const [small, large] = ctx.quick ? [20, 200] : [1000, 100_000];
    const views = ctx.quick ? 100 : 10_000;
    const restarts = ctx.quick ? 1 : 3;
    const base = await measure(ctx, small, views, restarts);
    const big = await measure(ctx, large, views, restarts);
    const baseLabel = `${small.toLocaleString('en-US')} tenants`;
    const bigLabel = `${large.toLocaleString('en-US')} tenants`;
    const readyBig = median(big.readyAfterRestartMs);
    const readyBase = median(base.readyAfterRestartMs);
    const target = (value: number, baseline: number, measure: string, unit: Row['unit']): Row => {
      const q = ratio(value, baseline);
      return {
        measure,
        value,
        unit,
        baseline: { label: baseLabel, value: baseline },
        ratio: q,
        target: '≤ 1.5 × 1k tenants',
        met: q === null ? null : q <= 1.5,
      };
    };
    const rows: Row[] = [
      target(big.rssStart, base.rssStart, `RSS after start, ${bigLabel}`, 'B'),
      target(
        big.rssAfterViews,
        base.rssAfterViews,
        `RSS after ${views.toLocaleString('en-US')} random views, ${bigLabel}`,
        'B',
      ),
      target(readyBig, readyBase, `time to ready after restart, ${bigLabel}`, 'ms'),
      {
        measure: `store size on disk (events.db), ${bigLabel}`,
        value: big.diskEvents,
        unit: 'B',
        baseline: { label: baseLabel, value: base.diskEvents },
        ratio: ratio(big.diskEvents, base.diskEvents),
      },
      {
        measure: `DATA_DIR size (events, read models, keys), ${bigLabel}`,
        value: big.diskTotal,
        unit: 'B',
        baseline: { label: baseLabel, value: base.diskTotal },
        ratio: ratio(big.diskTotal, base.diskTotal),
      },
      {
        measure: `random view reads/s (8 connections), ${bigLabel}`,
        value: big.viewsPerSec,
        unit: '/s',
        baseline: { label: baseLabel, value: base.viewsPerSec },
        ratio: ratio(big.viewsPerSec, base.viewsPerSec),
      },
      {
        measure: `random view latency p99, ${bigLabel}`,
        value: big.viewP99,
        unit: 'ms',
        baseline: { label: baseLabel, value: base.viewP99 },
        ratio: ratio(big.viewP99, base.viewP99),
      },
    ];
    const rate = (m: Measured) => `${Math.round(m.events / (m.seedMs / 1000)).toLocaleString('en-US')} events/s`;
    return {
      rows,
      notes: [
        `${big.events.toLocaleString('en-US')} events written in ${(big.seedMs / 1000).toFixed(0)} s (${rate(big)}, one append per tenant); ` +
          (big.projectMs === null
            ? 'the read models were projected by the first start (quick run, or no projections:rebuild script).'
            : `projections:rebuild over them took ${(big.projectMs / 1000).toFixed(0)} s (${Math.round(big.events / (big.projectMs / 1000)).toLocaleString('en-US')} events/s, including process start).`),
        `Restarts, ms to ready: ${bigLabel} ${big.readyAfterRestartMs.join(', ')}; ${baseLabel} ${base.readyAfterRestartMs.join(', ')}.`,
        'RSS is VmRSS of the service process read from /proc; the state cache keeps at most 5,000 folded tenants, so after 10,000 random views it holds 5,000 at 100k tenants and all 1,000 at 1k.',
      ],
    };
  },
};
