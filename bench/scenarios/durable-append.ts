import { join } from 'node:path';
import { startBareNest, BARE_PATH } from '../lib/bare-nest';
import { call, expectStatus, pooled } from '../lib/http';
import { describeLoad, load, type LoadResult } from '../lib/load';
import { profiled } from '../lib/profile-windows';
import { RawDurableAppend } from '../lib/raw-durable-append';
import { type Row } from '../lib/report';
import { type Scenario } from '../lib/scenario';
import { mean, percentile, ratio } from '../lib/stats';
import { auth, provisionOverHttp, roundRobin, smtpSettings, tenantIds } from '../lib/tenants';

const CONNECTIONS = 32;

/** Waits until a process is idle (projections caught up, GC done), so one round's tail does not slow the next. */
export async function settle(cpuSeconds: () => number, maxMs = 15_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline) {
    const before = cpuSeconds();
    await new Promise((r) => setTimeout(r, 300));
    if (!Number.isFinite(before) || (cpuSeconds() - before) / 0.3 < 0.1) return;
  }
}

interface RawRound {
  appends: number;
  wallSec: number;
  cpuSec: number;
  latencies: number[];
}

export const durableAppend: Scenario = {
  id: 'durable-append',
  number: 7,
  title: 'A command near a durable append',
  description:
    'PUT /v1/tenants/{id}/mail-config/smtp round-robin over 1,000 provisioned tenants, 32 connections (autocannon over ' +
    'loopback), against the raw single-row durable append: better-sqlite3 in the harness process on the event store’s ' +
    'schema and pragmas (WAL, `synchronous=FULL`), one IMMEDIATE transaction per append with the expected-version ' +
    'check, one after another, on the same disk as the service’s DATA_DIR. The service’s store runs ' +
    '`synchronous=FULL` too and shares one commit among the appends that arrive together (group commit); its ' +
    'projection runs in its worker thread (PROJECTION_THREAD=worker, the default), and the CPU per command counts ' +
    'all of the process’s threads. Also ' +
    'measured: a bare NestJS 11 app on Express with one GET route (bench/lib/bare-nest.ts), same connections. The ' +
    'three alternate in rounds after a warm-up, each starting with the processes idle; figures are the means of the rounds.',
  async run(ctx) {
    const tenants = tenantIds('dur', ctx.quick ? 40 : 1000);
    const durationSec = ctx.quick ? 1 : 5;
    const rounds = ctx.quick ? 1 : 4;
    const service = await ctx.startService('durable-append');
    const bare = await startBareNest(ctx.repoRoot, ctx.profileDir);
    const raw = new RawDurableAppend(join(ctx.dir('raw-append'), 'events.db'), tenants.length);
    try {
      await provisionOverHttp(service, tenants);
      // A tenant's first secret creates its data key (one fsync'd insert into keys.db, once per
      // tenant): done here, so the rounds measure the steady state of a command, not 1,000 key creations.
      const t0 = Date.now();
      await pooled(tenants.length, 16, async (i) => {
        const r = await call(service.url, 'PUT', `/v1/tenants/${tenants[i]}/mail-config/smtp`, {
          token: service.apiToken,
          body: smtpSettings(tenants[i]),
        });
        expectStatus(r, [200], `configuring SMTP for ${tenants[i]}`);
      });
      const firstSecretMs = (Date.now() - t0) / tenants.length;
      ctx.log(
        `  first SMTP settings (data key created) for ${tenants.length} tenants: ${firstSecretMs.toFixed(1)} ms each`,
      );
      const nextTenant = roundRobin(tenants);
      let current = tenants[0];
      const command = (label: string, seconds: number) =>
        profiled(
          ctx.profileDir,
          service.pid,
          'PUT …/smtp (command)',
          label,
          () => commandLoad(label, seconds),
          (r) => r.ok,
        );
      const commandLoad = (label: string, seconds: number) =>
        load({
          label,
          url: service.url,
          cpuSeconds: service.cpuSeconds,
          connections: CONNECTIONS,
          durationSec: seconds,
          method: 'PUT',
          headers: auth(service.apiToken),
          path: () => `/v1/tenants/${(current = nextTenant())}/mail-config/smtp`,
          body: () => JSON.stringify(smtpSettings(current)),
        });
      const bareRoute = (label: string, seconds: number) =>
        load({
          label,
          url: bare.url,
          cpuSeconds: bare.cpuSeconds,
          connections: CONNECTIONS,
          durationSec: seconds,
          method: 'GET',
          headers: {},
          path: () => BARE_PATH,
        });
      const rawRound = (label: string, seconds: number): RawRound => {
        const r = raw.run(seconds);
        ctx.log(
          `  ${label}: ${(r.appends / r.wallSec).toFixed(0)} appends/s, p50 ${percentile(r.latencies, 50).toFixed(2)} ms, ` +
            `p99 ${percentile(r.latencies, 99).toFixed(2)} ms, CPU ${((r.cpuSec / r.wallSec) * 100).toFixed(0)}% of a core`,
        );
        return r;
      };

      ctx.log('  warming up');
      rawRound('warm-up raw appends', ctx.quick ? 0.5 : 2);
      await bareRoute('warm-up bare route', ctx.quick ? 1 : 3);
      await command('warm-up commands', ctx.quick ? 1 : 3);
      const cmd: LoadResult[] = [];
      const base: LoadResult[] = [];
      const appends: RawRound[] = [];
      for (let round = 1; round <= rounds; round++) {
        await settle(service.cpuSeconds);
        appends.push(rawRound(`round ${round} raw appends`, durationSec));
        await settle(service.cpuSeconds);
        cmd.push(await command(`round ${round} commands`, durationSec));
        ctx.log(`  ${describeLoad(cmd[cmd.length - 1])}`);
        await settle(service.cpuSeconds);
        base.push(await bareRoute(`round ${round} bare route`, durationSec));
        ctx.log(`  ${describeLoad(base[base.length - 1])}`);
      }

      const commandsPerSec = mean(cmd.map((r) => r.okPerSec));
      const appendsPerSec = mean(appends.map((r) => r.appends / r.wallSec));
      const barePerSec = mean(base.map((r) => r.okPerSec));
      const failed = cmd.reduce((n, r) => n + r.non2xx + r.errors, 0);
      const rawLatencies = appends.flatMap((r) => r.latencies);
      const cmdCpu =
        (cmd.reduce((n, r) => n + r.serviceCpu * r.durationSec, 0) * 1000) / cmd.reduce((n, r) => n + r.ok, 0);
      const rawCpu = (appends.reduce((n, r) => n + r.cpuSec, 0) * 1000) / appends.reduce((n, r) => n + r.appends, 0);
      const bareCpu =
        (base.reduce((n, r) => n + r.serviceCpu * r.durationSec, 0) * 1000) / base.reduce((n, r) => n + r.ok, 0);
      const durable = ratio(commandsPerSec, appendsPerSec);
      const rows: Row[] = [
        {
          measure: 'PUT …/smtp commands/s (store at synchronous=FULL, group commit)',
          value: commandsPerSec,
          unit: '/s',
          baseline: { label: 'raw single-row durable appends/s (synchronous=FULL)', value: appendsPerSec },
          ratio: durable,
          target: '≥ 0.5 × raw durable append',
          met: durable === null || failed > 0 ? null : durable >= 0.5,
        },
        {
          measure: 'command latency p99 (32 connections)',
          value: mean(cmd.map((r) => r.p99)),
          unit: 'ms',
          baseline: { label: 'raw durable append p99 (one at a time)', value: percentile(rawLatencies, 99) },
          ratio: ratio(mean(cmd.map((r) => r.p99)), percentile(rawLatencies, 99)),
        },
        {
          measure: 'command latency p50 (32 connections)',
          value: mean(cmd.map((r) => r.p50)),
          unit: 'ms',
          baseline: { label: 'raw durable append p50 (one at a time)', value: percentile(rawLatencies, 50) },
          ratio: ratio(mean(cmd.map((r) => r.p50)), percentile(rawLatencies, 50)),
        },
        {
          measure: 'PUT …/smtp commands/s',
          value: commandsPerSec,
          unit: '/s',
          baseline: { label: `bare NestJS route on Express (GET ${BARE_PATH}) req/s`, value: barePerSec },
          ratio: ratio(commandsPerSec, barePerSec),
        },
        {
          measure: 'CPU per command (service process)',
          value: cmdCpu,
          unit: 'ms',
          baseline: { label: 'CPU per raw durable append', value: rawCpu },
          ratio: ratio(cmdCpu, rawCpu),
        },
        {
          measure: 'CPU per bare-route request',
          value: bareCpu,
          unit: 'ms',
        },
      ];
      return {
        rows,
        notes: [
          `${tenants.length} tenants, ${CONNECTIONS} connections, ${rounds} round(s) of ${durationSec} s per side after a warm-up; ` +
            `${cmd.reduce((n, r) => n + r.ok, 0).toLocaleString('en-US')} commands answered 200${failed ? `, **${failed} failed**` : ', none failed'}; ` +
            `${appends.reduce((n, r) => n + r.appends, 0).toLocaleString('en-US')} raw appends.`,
          'The raw append is the cost of one fsync-bound transaction: it cannot go faster one at a time. The service ' +
            'beats that floor per command only by sharing an fsync among concurrent appends (group commit).',
          'Command latency from autocannon (1 ms resolution); raw append latency measured around each transaction.',
          `Before the rounds every tenant had its SMTP settings saved once (its first secret creates its data key): ` +
            `${firstSecretMs.toFixed(1)} ms per tenant, 16 at a time.`,
        ],
      };
    } finally {
      raw.close();
      await bare.stop();
      await service.stop();
    }
  },
};
