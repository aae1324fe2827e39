/**
 * Whole-process `perf record -g` of the service under one load (issue 19: `--cpu-prof` samples late on
 * these machines and over-weights syscalls). Starts `node dist/main.js` with `--perf-prof
 * --interpreted-frames-native-stack`, provisions tenants, warms up, records while the load runs, then
 * `perf inject --jit`, `perf script`, and prints the component table of bench/perf/attribute.py. V8 writes
 * its jitdump into the service's working directory (the repository); the probe removes it and the
 * injected `jitted-*.so` files once `perf script` has read them. Needs Debian `linux-perf`.
 *
 *   node -r @swc-node/register bench/perf-probe.ts command|view|health [seconds] [outDir]
 */
import { spawnSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { prepareProbeTenants, probeLoad, type ProbeLoad } from './lib/probe-load';
import { startFlags, startServiceProcess } from './lib/service';
import { tenantIds } from './lib/tenants';

async function main(): Promise<void> {
  const what = (process.argv[2] ?? 'command') as ProbeLoad;
  const seconds = Number(process.argv[3] ?? 10);
  const out = resolve(process.argv[4] ?? mkdtempSync(join(tmpdir(), 'perf-probe-')));
  mkdirSync(out, { recursive: true });
  const repoRoot = resolve(__dirname, '..');
  const dataDir = join(out, 'data');
  mkdirSync(dataDir, { recursive: true });
  const service = await startServiceProcess({
    repoRoot,
    runtime: 'dist',
    dataDir,
    logFile: join(out, 'service.log'),
    nodeFlags: [...startFlags(repoRoot), '--perf-prof', '--interpreted-frames-native-stack'],
  });
  const tenants = tenantIds('perf', 1000);
  await prepareProbeTenants(service, tenants);
  const run = (s: number) => probeLoad(what, service, tenants, what, s);
  await run(5);
  const perfData = join(out, 'perf.data');
  const rec = spawn('perf', ['record', '-g', '-k', 'mono', '-o', perfData, '-p', String(service.pid)], {
    stdio: 'inherit',
  });
  await new Promise((r) => setTimeout(r, 300));
  const cpu0 = service.cpuSeconds();
  const r = await run(seconds);
  const cpu1 = service.cpuSeconds();
  rec.kill('SIGINT');
  await new Promise((res) => rec.once('exit', res));
  console.log(
    `${what}: ${r.ok} ok in ${seconds}s = ${(r.ok / seconds).toFixed(0)}/s, CPU ${(((cpu1 - cpu0) / r.ok) * 1e6).toFixed(0)} µs per request`,
  );
  await service.stop();
  try {
    const jitData = join(out, 'perf.jit.data');
    const inj = spawnSync('perf', ['inject', '--jit', '-i', perfData, '-o', jitData], { stdio: 'inherit' });
    if (inj.status !== 0) throw new Error('perf inject failed');
    const script = spawnSync('perf', ['script', '-i', jitData, '-F', 'tid,ip,sym,dso'], {
      maxBuffer: 2 ** 31,
      encoding: 'utf8',
    });
    writeFileSync(join(out, 'script.txt'), script.stdout);
    const table = spawnSync(
      'python3',
      [join(__dirname, 'perf', 'attribute.py'), join(out, 'script.txt'), String(r.ok)],
      {
        encoding: 'utf8',
      },
    );
    console.log(table.stdout);
    console.log(`perf script output: ${join(out, 'script.txt')} (attribute.py … --top 40 for frames)`);
  } finally {
    for (const f of readdirSync(repoRoot))
      if (f.startsWith(`jit-${service.pid}.dump`) || f.startsWith(`jitted-${service.pid}-`))
        rmSync(join(repoRoot, f), { force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
