import { startBareNest, BARE_PATH } from '../lib/bare-nest';
import { call, expectStatus, pooled } from '../lib/http';
import { describeLoad, load, type LoadResult } from '../lib/load';
import { profiled } from '../lib/profile-windows';
import { type Row } from '../lib/report';
import { type Scenario } from '../lib/scenario';
import { mean, ratio } from '../lib/stats';
import { auth, provisionOverHttp, roundRobin, smtpSettings, tenantIds } from '../lib/tenants';
import { settle } from './durable-append';

const CONNECTIONS = 32;

/** Milliseconds of a process's CPU per 2xx answer over a set of loads (from /proc). */
function cpuPerAnswer(runs: LoadResult[]): number {
  const cpu = runs.reduce((n, r) => n + r.serviceCpu * r.durationSec, 0);
  return (cpu * 1000) / runs.reduce((n, r) => n + r.ok, 0);
}

export const requestCost: Scenario = {
  id: 'request-cost',
  number: 9,
  title: 'Per-request cost against the framework',
  description:
    'GET /health/live (public) and GET /v1/tenants/{id}/mail-config (the view, authenticated, round-robin over 1,000 ' +
    'tenants each holding a stored SMTP password) on the service started with `node dist/main.js`, against a bare ' +
    'NestJS 11 app on the same adapter (Express) with one GET route and nothing else (bench/lib/bare-nest.ts), 32 ' +
    'connections, autocannon over loopback. Each round runs health, bare route, view, bare route, each starting with ' +
    'the processes idle, after a warm-up of each; figures are the means of the rounds.',
  async run(ctx) {
    const tenants = tenantIds('rc', ctx.quick ? 40 : 1000);
    const durationSec = ctx.quick ? 1 : 5;
    const rounds = ctx.quick ? 1 : 4;
    const service = await ctx.startService('request-cost');
    const bare = await startBareNest(ctx.repoRoot, ctx.profileDir);
    try {
      await provisionOverHttp(service, tenants);
      await pooled(tenants.length, 16, async (i) => {
        const r = await call(service.url, 'PUT', `/v1/tenants/${tenants[i]}/mail-config/smtp`, {
          token: service.apiToken,
          body: smtpSettings(tenants[i]),
        });
        expectStatus(r, [200], `configuring SMTP for ${tenants[i]}`);
      });
      const nextTenant = roundRobin(tenants);
      const get =
        (label: string, seconds: number, target: { url: string; cpuSeconds(): number; pid?: number }) =>
        (path: () => string, headers: Record<string, string>, kind: string) =>
          profiled(
            ctx.profileDir,
            target.pid ?? 0,
            kind,
            label,
            () =>
              load({
                label,
                url: target.url,
                cpuSeconds: target.cpuSeconds,
                connections: CONNECTIONS,
                durationSec: seconds,
                method: 'GET',
                headers,
                path,
              }),
            (r) => r.ok,
          );
      const health = (label: string, seconds: number) =>
        get(label, seconds, service)(() => '/health/live', {}, 'GET /health/live');
      const view = (label: string, seconds: number) =>
        get(label, seconds, service)(
          () => `/v1/tenants/${nextTenant()}/mail-config`,
          auth(service.apiToken),
          'GET …/mail-config (view)',
        );
      const bareRoute = (label: string, seconds: number) =>
        get(label, seconds, bare)(() => BARE_PATH, {}, `bare Nest GET ${BARE_PATH}`);

      ctx.log('  warming up');
      const warm = ctx.quick ? 1 : 3;
      await bareRoute('warm-up bare route', warm);
      await health('warm-up health', warm);
      await view('warm-up views', warm);
      const healthRuns: LoadResult[] = [];
      const viewRuns: LoadResult[] = [];
      const bareRuns: LoadResult[] = [];
      const idle = async () => {
        await settle(service.cpuSeconds);
        await settle(bare.cpuSeconds);
      };
      for (let round = 1; round <= rounds; round++) {
        for (const [runs, run, label] of [
          [healthRuns, health, 'health'],
          [bareRuns, bareRoute, 'bare route'],
          [viewRuns, view, 'views'],
          [bareRuns, bareRoute, 'bare route'],
        ] as const) {
          await idle();
          runs.push(await run(`round ${round} ${label}`, durationSec));
          ctx.log(`  ${describeLoad(runs[runs.length - 1])}`);
        }
      }

      const healthPerSec = mean(healthRuns.map((r) => r.okPerSec));
      const viewPerSec = mean(viewRuns.map((r) => r.okPerSec));
      const barePerSec = mean(bareRuns.map((r) => r.okPerSec));
      const failed = [...healthRuns, ...viewRuns, ...bareRuns].reduce((n, r) => n + r.non2xx + r.errors, 0);
      const judged = (value: number | null, target: number) => (value === null || failed > 0 ? null : value >= target);
      const healthRatio = ratio(healthPerSec, barePerSec);
      const viewRatio = ratio(viewPerSec, barePerSec);
      const bareLabel = `bare NestJS route on Express (GET ${BARE_PATH}) req/s`;
      const rows: Row[] = [
        {
          measure: 'GET /health/live req/s',
          value: healthPerSec,
          unit: '/s',
          baseline: { label: bareLabel, value: barePerSec },
          ratio: healthRatio,
          target: '≥ 0.7 × bare route',
          met: judged(healthRatio, 0.7),
        },
        {
          measure: 'GET …/mail-config (authenticated view) req/s',
          value: viewPerSec,
          unit: '/s',
          baseline: { label: bareLabel, value: barePerSec },
          ratio: viewRatio,
          target: '≥ 0.5 × bare route',
          met: judged(viewRatio, 0.5),
        },
        {
          measure: 'CPU per /health/live answer',
          value: cpuPerAnswer(healthRuns),
          unit: 'ms',
          baseline: { label: 'CPU per bare-route answer', value: cpuPerAnswer(bareRuns) },
          ratio: ratio(cpuPerAnswer(healthRuns), cpuPerAnswer(bareRuns)),
        },
        {
          measure: 'CPU per view',
          value: cpuPerAnswer(viewRuns),
          unit: 'ms',
          baseline: { label: 'CPU per bare-route answer', value: cpuPerAnswer(bareRuns) },
          ratio: ratio(cpuPerAnswer(viewRuns), cpuPerAnswer(bareRuns)),
        },
        { measure: 'view latency p99 (32 connections)', value: mean(viewRuns.map((r) => r.p99)), unit: 'ms' },
      ];
      const cpuShare = (runs: LoadResult[]) => runs.map((r) => `${(r.serviceCpu * 100).toFixed(0)} %`).join(', ');
      return {
        rows,
        notes: [
          `${tenants.length} tenants, ${CONNECTIONS} connections, ${rounds} round(s) of ${durationSec} s per load after a warm-up; ` +
            `${failed ? `**${failed} requests failed**` : 'every request answered 2xx'}.`,
          `Share of a core each process used per round — health: ${cpuShare(healthRuns)}; view: ${cpuShare(viewRuns)}; ` +
            `bare route: ${cpuShare(bareRuns)} (below ~90 % the process was waiting for the CPU or the load generator).`,
          'The bare app is the floor of any route on this adapter: Node HTTP, Express 5 and Nest core, no middleware, no logging.',
        ],
      };
    } finally {
      await bare.stop();
      await service.stop();
    }
  },
};
