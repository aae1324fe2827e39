import { call, expectStatus, type HttpResult } from '../lib/http';
import { type Row } from '../lib/report';
import { type Scenario } from '../lib/scenario';
import { seedLongTenant, seedTenants } from '../lib/seed';
import { type ServiceProcess } from '../lib/service';
import { median, ratio, summarize } from '../lib/stats';
import { smtpSettings } from '../lib/tenants';

const SHORT = 'history-short';
const LONG = 'history-long';
const WARM = 'history-warm';

/** One request at a time, alternating the two tenants so drift hits both alike; latency in ms. */
async function alternate(
  n: number,
  request: (tenantId: string) => Promise<HttpResult>,
): Promise<{ short: number[]; long: number[] }> {
  const out = { short: [] as number[], long: [] as number[] };
  for (let i = 0; i < n; i++) {
    for (const [tenant, list] of (i % 2 === 0
      ? [
          [SHORT, out.short],
          [LONG, out.long],
        ]
      : [
          [LONG, out.long],
          [SHORT, out.short],
        ]) as [string, number[]][]) {
      const r = await request(tenant);
      expectStatus(r, [200], `${tenant}`);
      list.push(r.ms);
    }
  }
  return out;
}

const view = (s: ServiceProcess) => (tenant: string) =>
  call(s.url, 'GET', `/v1/tenants/${tenant}/mail-config`, { token: s.apiToken });
const command = (s: ServiceProcess) => (tenant: string) =>
  call(s.url, 'PUT', `/v1/tenants/${tenant}/mail-config/smtp`, { token: s.apiToken, body: smtpSettings(tenant) });

export const historyLength: Scenario = {
  id: 'history-length',
  number: 3,
  title: 'History length',
  description:
    'Latency of GET …/mail-config (the view) and of PUT …/smtp (a command) on a tenant with 10,000 events against one ' +
    'with 10 events, in the same service, one request at a time, alternating the two tenants. The histories are written ' +
    'through the SQLite store before the service starts. Steady state (the folded state is cached and checked against the ' +
    'stream version) carries the target; the first read after a start, which folds the whole stream, is reported beside it.',
  async run(ctx) {
    const longEvents = ctx.quick ? 1000 : 10_000;
    const samples = ctx.quick ? 50 : 1000;
    const commandSamples = ctx.quick ? 20 : 300;
    const restarts = ctx.quick ? 1 : 3;
    const dataDir = ctx.dir('history');
    await seedTenants(dataDir, [SHORT, WARM], 'seed');
    await seedLongTenant(dataDir, LONG, longEvents);
    ctx.log(`  seeded ${SHORT} (10 events) and ${LONG} (${longEvents.toLocaleString('en-US')} events)`);
    let service = await ctx.startService('history-length', { dataDir });
    try {
      // Cold: the first read of each tenant after a start folds its whole stream.
      const cold = { short: [] as number[], long: [] as number[] };
      for (let k = 0; k < restarts; k++) {
        if (k > 0) service = await service.restart();
        for (let i = 0; i < 20; i++) await view(service)(WARM); // the route is warm, the two tenants are not
        const order = k % 2 === 0 ? [SHORT, LONG] : [LONG, SHORT];
        for (const tenant of order) {
          const r = await view(service)(tenant);
          expectStatus(r, [200], `first view of ${tenant}`);
          (tenant === SHORT ? cold.short : cold.long).push(r.ms);
        }
      }
      ctx.log(
        `  first view after start: ${SHORT} ${cold.short.map((v) => v.toFixed(1)).join('/')} ms, ${LONG} ${cold.long.map((v) => v.toFixed(1)).join('/')} ms`,
      );
      await alternate(Math.ceil(samples / 5), view(service)); // warm-up
      const views = await alternate(samples, view(service));
      await alternate(Math.ceil(commandSamples / 5), command(service));
      const commands = await alternate(commandSamples, command(service));
      const v = { short: summarize(views.short), long: summarize(views.long) };
      const c = { short: summarize(commands.short), long: summarize(commands.long) };
      ctx.log(
        `  view p50 ${v.short.p50.toFixed(2)} vs ${v.long.p50.toFixed(2)} ms; command p50 ${c.short.p50.toFixed(2)} vs ${c.long.p50.toFixed(2)} ms`,
      );
      const label = `10 events`;
      const what = `${longEvents.toLocaleString('en-US')} events`;
      const targeted = (measure: string, value: number, baseline: number): Row => {
        const q = ratio(value, baseline);
        return {
          measure,
          value,
          unit: 'ms',
          baseline: { label, value: baseline },
          ratio: q,
          target: '≤ 1.5 × 10 events',
          met: q === null ? null : q <= 1.5,
        };
      };
      const info = (measure: string, value: number, baseline: number): Row => ({
        measure,
        value,
        unit: 'ms',
        baseline: { label, value: baseline },
        ratio: ratio(value, baseline),
      });
      return {
        rows: [
          targeted(`view latency p50, ${what}`, v.long.p50, v.short.p50),
          targeted(`command latency p50, ${what}`, c.long.p50, c.short.p50),
          info(`view latency p99, ${what}`, v.long.p99, v.short.p99),
          info(`command latency p99, ${what}`, c.long.p99, c.short.p99),
          info(`first view after a start (full fold), ${what}`, median(cold.long), median(cold.short)),
        ],
        notes: [
          `${samples} views and ${commandSamples} commands per tenant, one at a time over a keep-alive connection, after a warm-up; the long history grows by one event per command.`,
          `First view after a start, per start (ms): ${what} ${cold.long.map((x) => x.toFixed(1)).join(', ')}; 10 events ${cold.short.map((x) => x.toFixed(1)).join(', ')}.`,
        ],
      };
    } finally {
      await service.stop();
    }
  },
};
