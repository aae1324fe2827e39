/**
 * Two builds of the service side by side (A/B), the same load on each in alternating rounds:
 * throughput and the service's CPU per answer. For trying a lever before keeping it.
 *
 *   npm run build && cp -r dist /tmp/a-dist   (then change, build again)
 *   node -r @swc-node/register bench/ab-probe.ts <dirA> <dirB> command|view|health [rounds] [seconds]
 *
 * Each directory holds a `dist/` (node_modules is linked from this repository).
 */
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { settle } from './scenarios/durable-append';
import { load, type LoadResult } from './lib/load';
import { prepareProbeTenants, probeLoad, type ProbeLoad } from './lib/probe-load';
import { startServiceProcess, type ServiceProcess } from './lib/service';
import { tenantIds } from './lib/tenants';
import { startBareNest } from './lib/bare-nest';

async function main(): Promise<void> {
  const [a, b] = [resolve(process.argv[2]), resolve(process.argv[3])];
  const what = (process.argv[4] ?? 'command') as ProbeLoad;
  const rounds = Number(process.argv[5] ?? 4);
  const seconds = Number(process.argv[6] ?? 5);
  const repoRoot = resolve(__dirname, '..');
  const scratch = mkdtempSync(join(tmpdir(), 'ab-probe-'));
  const start = async (dir: string, name: string): Promise<ServiceProcess> => {
    for (const f of ['node_modules']) if (!existsSync(join(dir, f))) symlinkSync(join(repoRoot, f), join(dir, f));
    if (!existsSync(join(dir, 'package.json'))) copyFileSync(join(repoRoot, 'package.json'), join(dir, 'package.json'));
    const dataDir = join(scratch, name);
    mkdirSync(dataDir);
    return startServiceProcess({ repoRoot: dir, runtime: 'dist', dataDir, logFile: join(scratch, `${name}.log`) });
  };
  const sides = [
    { name: 'A', service: await start(a, 'A') },
    { name: 'B', service: await start(b, 'B') },
  ];
  const tenants = tenantIds('ab', 1000);
  for (const { service } of sides) await prepareProbeTenants(service, tenants);
  const bare = process.env.AB_BARE ? await startBareNest(repoRoot) : null;
  const run = (service: ServiceProcess, label: string, s: number) => probeLoad(what, service, tenants, label, s);
  for (const s of sides) await run(s.service, `warm-up ${s.name}`, 3);
  const results: Record<string, LoadResult[]> = { A: [], B: [], bare: [] };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? sides : [...sides].reverse();
    for (const s of order) {
      await settle(s.service.cpuSeconds);
      const r = await run(s.service, `${s.name}`, seconds);
      results[s.name].push(r);
      console.log(
        `round ${round + 1} ${s.name}: ${r.okPerSec.toFixed(0)}/s, CPU ${((r.serviceCpu / r.okPerSec) * 1e6).toFixed(0)} µs/answer (${(r.serviceCpu * 100).toFixed(0)} %), p99 ${r.p99} ms, non2xx ${r.non2xx}`,
      );
    }
    if (bare) {
      const r = await load({
        label: 'bare',
        url: bare.url,
        cpuSeconds: bare.cpuSeconds,
        connections: 32,
        durationSec: seconds,
        method: 'GET',
        headers: {},
        path: () => '/ping',
      });
      results.bare.push(r);
      console.log(`round ${round + 1} bare: ${r.okPerSec.toFixed(0)}/s`);
    }
  }
  const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
  const summary = (k: string) => {
    const rs = results[k];
    return { rate: mean(rs.map((r) => r.okPerSec)), cpu: mean(rs.map((r) => (r.serviceCpu / r.okPerSec) * 1e6)) };
  };
  const A = summary('A');
  const B = summary('B');
  console.log(
    `${what}: A ${A.rate.toFixed(0)}/s ${A.cpu.toFixed(0)} µs; B ${B.rate.toFixed(0)}/s ${B.cpu.toFixed(0)} µs; B/A throughput ${(B.rate / A.rate).toFixed(3)}, CPU ${(B.cpu / A.cpu).toFixed(3)}` +
      (bare ? `; bare ${summary('bare').rate.toFixed(0)}/s` : ''),
  );
  for (const s of sides) await s.service.stop();
  await bare?.stop();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
