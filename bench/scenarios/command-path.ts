import { describeLoad, load, type LoadResult } from '../lib/load';
import { type Row } from '../lib/report';
import { type Scenario } from '../lib/scenario';
import { mean, ratio } from '../lib/stats';
import { auth, provisionOverHttp, roundRobin, smtpSettings, tenantIds } from '../lib/tenants';
import { trivialRoute } from '../lib/trivial-route';

const CONNECTIONS = 32;

/** The latency rows carry a baseline only when the trivial route answers 2xx (autocannon times only those). */
function latencyRow(measure: string, value: number, baseline: number | null): Row {
  return baseline === null
    ? { measure, value, unit: 'ms' }
    : {
        measure,
        value,
        unit: 'ms',
        baseline: { label: measure.replace('command', 'trivial route'), value: baseline },
        ratio: ratio(value, baseline),
      };
}

/** Milliseconds of service CPU per answer over a set of runs (from /proc, so it is immune to how busy the load generator was). */
function cpuPerRequest(runs: LoadResult[], which: 'ok' | 'all'): number {
  const cpu = runs.reduce((n, r) => n + r.serviceCpu * r.durationSec, 0);
  const answers = runs.reduce((n, r) => n + (which === 'ok' ? r.ok : r.ok + r.non2xx), 0);
  return (cpu * 1000) / answers;
}

export const commandPath: Scenario = {
  id: 'command-path',
  number: 1,
  title: 'Command path',
  description:
    'PUT /v1/tenants/{id}/mail-config/smtp round-robin over 1,000 provisioned tenants (each command encrypts the password ' +
    'and appends one SmtpConfigured event), 32 connections, autocannon over loopback, against the service started with ' +
    '`node dist/main.js` on a fresh DATA_DIR. Baseline in the same run and process: a trivial authenticated route with ' +
    'the same connections. The two alternate in rounds after a warm-up; figures are the means of the rounds.',
  async run(ctx) {
    const tenants = tenantIds('cmd', ctx.quick ? 40 : 1000);
    const durationSec = ctx.quick ? 1 : 5;
    const rounds = ctx.quick ? 1 : 4;
    const service = await ctx.startService('command-path');
    try {
      await provisionOverHttp(service, tenants);
      const trivial = await trivialRoute(service);
      const nextTenant = roundRobin(tenants);
      let current = tenants[0];
      const command = (label: string, seconds: number) =>
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
      const baseline = (label: string, seconds: number) =>
        load({
          label,
          url: service.url,
          cpuSeconds: service.cpuSeconds,
          connections: CONNECTIONS,
          durationSec: seconds,
          method: 'GET',
          headers: auth(service.apiToken),
          path: () => trivial.path,
        });

      ctx.log('  warming up both routes');
      await baseline('warm-up trivial', ctx.quick ? 1 : 3);
      await command('warm-up commands', ctx.quick ? 1 : 3);
      const cmd: LoadResult[] = [];
      const base: LoadResult[] = [];
      for (let round = 1; round <= rounds; round++) {
        base.push(await baseline(`round ${round} trivial`, durationSec));
        ctx.log(`  ${describeLoad(base[base.length - 1])}`);
        cmd.push(await command(`round ${round} commands`, durationSec));
        ctx.log(`  ${describeLoad(cmd[cmd.length - 1])}`);
      }
      const commandsPerSec = mean(cmd.map((r) => r.okPerSec));
      const baselinePerSec = mean(base.map((r) => (trivial.expectOk ? r.okPerSec : r.allPerSec)));
      const failed = cmd.reduce((n, r) => n + r.non2xx + r.errors, 0);
      const cmdP50 = mean(cmd.map((r) => r.p50));
      const cmdP99 = mean(cmd.map((r) => r.p99));
      // autocannon keeps latency of 2xx answers only; a refusal baseline has none.
      const baseP50 = trivial.expectOk ? mean(base.map((r) => r.p50)) : null;
      const baseP99 = trivial.expectOk ? mean(base.map((r) => r.p99)) : null;
      const r = ratio(commandsPerSec, baselinePerSec);
      return {
        rows: [
          {
            measure: 'PUT …/smtp commands/s',
            value: commandsPerSec,
            unit: '/s',
            baseline: { label: trivial.label, value: baselinePerSec },
            ratio: r,
            target: '≥ 0.5 × trivial route',
            met: r === null || failed > 0 ? null : r >= 0.5,
          },
          latencyRow('command latency p50', cmdP50, baseP50),
          latencyRow('command latency p99', cmdP99, baseP99),
          {
            measure: 'service CPU per command',
            value: cpuPerRequest(cmd, 'ok'),
            unit: 'ms',
            baseline: {
              label: 'per trivial-route answer',
              value: cpuPerRequest(base, trivial.expectOk ? 'ok' : 'all'),
            },
            ratio: ratio(cpuPerRequest(cmd, 'ok'), cpuPerRequest(base, trivial.expectOk ? 'ok' : 'all')),
          },
        ],
        notes: [
          `${tenants.length} tenants, ${CONNECTIONS} connections, ${rounds} round(s) of ${durationSec} s each after a warm-up; ${cmd.reduce((n, r) => n + r.ok, 0).toLocaleString('en-US')} commands answered 200${failed ? `, **${failed} failed**` : ', none failed'}.`,
          trivial.note,
          'Latency from autocannon (1 ms resolution); throughput counts only successful commands.',
        ],
      };
    } finally {
      await service.stop();
    }
  },
};
