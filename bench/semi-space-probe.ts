/**
 * Does `npm start`'s --max-semi-space-size=64 pay? Two services from dist/ at once, one with the
 * flag and one without, PUT …/smtp loads alternating between them (so the machine's load falls on
 * both), CPU per command from /proc. `npm run build` first, then:
 *   node -r @swc-node/register bench/semi-space-probe.ts [rounds=4] [seconds=5]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { call, expectStatus, pooled } from './lib/http';
import { describeLoad, load, type LoadResult } from './lib/load';
import { startServiceProcess, type ServiceProcess } from './lib/service';
import { auth, provisionOverHttp, roundRobin, smtpSettings, tenantIds } from './lib/tenants';

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? 4);
  const seconds = Number(process.argv[3] ?? 5);
  const repoRoot = resolve(__dirname, '..');
  const dir = mkdtempSync(join(tmpdir(), 'mcs-semi-'));
  const variants: Array<{ name: string; flags: string[]; service?: ServiceProcess; runs: LoadResult[] }> = [
    { name: 'default young generation', flags: [], runs: [] },
    { name: '--max-semi-space-size=64', flags: ['--max-semi-space-size=64'], runs: [] },
  ];
  const tenants = tenantIds('semi', 300);
  try {
    for (const v of variants) {
      v.service = await startServiceProcess({
        repoRoot,
        runtime: 'dist',
        dataDir: join(dir, v.flags.length ? 'flag' : 'plain'),
        logFile: join(dir, `${v.flags.length ? 'flag' : 'plain'}.log`),
        nodeFlags: v.flags,
      });
      await provisionOverHttp(v.service, tenants);
      const service = v.service;
      await pooled(tenants.length, 16, async (i) => {
        const r = await call(service.url, 'PUT', `/v1/tenants/${tenants[i]}/mail-config/smtp`, {
          token: service.apiToken,
          body: smtpSettings(tenants[i]),
        });
        expectStatus(r, [200], 'first SMTP settings');
      });
    }
    const commands = (v: (typeof variants)[number], label: string, durationSec: number) => {
      const next = roundRobin(tenants);
      let current = tenants[0];
      return load({
        label,
        url: v.service!.url,
        cpuSeconds: v.service!.cpuSeconds,
        connections: 32,
        durationSec,
        method: 'PUT',
        headers: auth(v.service!.apiToken),
        path: () => `/v1/tenants/${(current = next())}/mail-config/smtp`,
        body: () => JSON.stringify(smtpSettings(current)),
      });
    };
    for (const v of variants) await commands(v, `warm-up ${v.name}`, 3);
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? variants : [...variants].reverse();
      for (const v of order) {
        const r = await commands(v, `round ${round + 1} ${v.name}`, seconds);
        v.runs.push(r);
        console.log(describeLoad(r));
      }
    }
    const perSec = (runs: LoadResult[]) =>
      runs.reduce((n, r) => n + r.ok, 0) / runs.reduce((n, r) => n + r.durationSec, 0);
    const cpu = (runs: LoadResult[]) =>
      (runs.reduce((n, r) => n + r.serviceCpu * r.durationSec, 0) * 1000) / runs.reduce((n, r) => n + r.ok, 0);
    const [plain, flag] = variants;
    console.log(
      `commands/s: ${perSec(plain.runs).toFixed(0)} without, ${perSec(flag.runs).toFixed(0)} with the flag ` +
        `(${(perSec(flag.runs) / perSec(plain.runs)).toFixed(2)} ×); CPU per command ${cpu(plain.runs).toFixed(2)} ms ` +
        `without, ${cpu(flag.runs).toFixed(2)} ms with (${(cpu(plain.runs) / cpu(flag.runs)).toFixed(2)} × fewer)`,
    );
  } finally {
    for (const v of variants) await v.service?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
