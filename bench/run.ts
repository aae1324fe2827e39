import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { machineInfo } from './lib/machine';
import { progress } from './lib/progress';
import { componentTable, summarise } from './profile-summary';
import { WINDOWS_FILE } from './lib/profile-windows';
import { formatValue, type ScenarioResult, writeReport } from './lib/report';
import { makeContext, type Scenario, SkipScenario } from './lib/scenario';
import { quickBuild, removeQuickBuild } from './lib/quick-build';
import { buildService, type Runtime } from './lib/service';
import { commandPath } from './scenarios/command-path';
import { durableAppend } from './scenarios/durable-append';
import { eventStores } from './scenarios/event-stores';
import { historyLength } from './scenarios/history-length';
import { projectionLag } from './scenarios/projection-lag';
import { replicated } from './scenarios/replicated';
import { requestCost } from './scenarios/request-cost';
import { scale } from './scenarios/scale';
import { sendPath } from './scenarios/send-path';

const SCENARIOS: Scenario[] = [
  commandPath,
  sendPath,
  historyLength,
  projectionLag,
  scale,
  eventStores,
  durableAppend,
  replicated,
  requestCost,
];

const USAGE = `usage: npm run bench -- [--quick] [--out FILE] [--json FILE] [--runtime dist|ts] [--no-build] [--keep] [name…]
  names: ${SCENARIOS.map((s) => s.id).join(', ')} (default: all)
  --quick     smoke sizes (well under a minute); writes to a temp file unless --out is given
  --out FILE  the markdown page to rewrite (default docs/benchmarks.md; quick: a temp file)
  --json FILE also write the results as JSON
  --runtime   dist: npm run build, then node dist/main.js (default); swc: a quick swc transpile of src/ (default with --quick);
              ts: node -r @swc-node/register src/main.ts
  --no-build  use dist/ as it is
  --keep      keep the scratch directory (service logs, data directories)
  --profile DIR  run each service under node --cpu-prof, write the profiles to DIR and print a summary of each`;

interface Args {
  names: string[];
  quick: boolean;
  out?: string;
  json?: string;
  runtime?: Runtime;
  build: boolean;
  keep: boolean;
  profile?: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { names: [], quick: false, build: true, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') args.quick = true;
    else if (a === '--out') args.out = argv[++i];
    else if (a === '--json') args.json = argv[++i];
    else if (a === '--runtime') args.runtime = argv[++i] as Runtime;
    else if (a === '--no-build') args.build = false;
    else if (a === '--keep') args.keep = true;
    else if (a === '--profile') args.profile = resolve(argv[++i]);
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (a.startsWith('-')) throw new Error(`unknown option ${a}\n${USAGE}`);
    else args.names.push(a);
  }
  if (args.runtime && !['dist', 'ts', 'swc'].includes(args.runtime))
    throw new Error(`--runtime must be dist, swc or ts\n${USAGE}`);
  for (const name of args.names) {
    if (!SCENARIOS.some((s) => s.id === name)) throw new Error(`unknown benchmark "${name}"\n${USAGE}`);
  }
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const repoRoot = resolve(__dirname, '..');
  const runtime: Runtime = args.runtime ?? (args.quick ? 'swc' : 'dist');
  const out = resolve(
    args.out ?? (args.quick ? join(tmpdir(), 'mcs-bench-quick.md') : join(repoRoot, 'docs/benchmarks.md')),
  );
  const selected = args.names.length ? SCENARIOS.filter((s) => args.names.includes(s.id)) : SCENARIOS;
  const machine = machineInfo(repoRoot);
  const started = Date.now();
  progress(
    `${args.quick ? 'quick smoke run' : 'benchmarks'}: ${selected.map((s) => s.id).join(', ')} on ${machine.cpuModel} ×${machine.cores}, ${
      machine.memoryGiB
    } GiB, commit ${machine.commit}${machine.dirty ? '+changes' : ''}`,
  );
  if (runtime === 'dist' && args.build) buildService(repoRoot);
  if (runtime === 'swc') quickBuild(repoRoot);

  const workDir = mkdtempSync(join(tmpdir(), 'mcs-bench-'));
  if (args.profile) mkdirSync(args.profile, { recursive: true });
  const ctx = makeContext({
    repoRoot,
    quick: args.quick,
    runtime,
    machine,
    log: progress,
    workDir,
    profileDir: args.profile,
  });
  const results: ScenarioResult[] = [];
  for (const scenario of selected) {
    const t0 = Date.now();
    progress(`── ${scenario.number}. ${scenario.title} (${scenario.id})`);
    const base = {
      id: scenario.id,
      number: scenario.number,
      title: scenario.title,
      description: scenario.description,
      machine,
      quick: args.quick,
      runtime,
    };
    try {
      const outcome = await scenario.run(ctx);
      results.push({ ...base, status: 'ok', ...outcome, durationSec: (Date.now() - t0) / 1000 });
    } catch (error) {
      const skipped = error instanceof SkipScenario;
      const reason = skipped
        ? (error as Error).message
        : String((error as Error).stack ?? error)
            .split('\n')
            .slice(0, 6)
            .join(' ');
      progress(`   ${skipped ? 'not run' : 'FAILED'}: ${reason}`);
      results.push({
        ...base,
        status: skipped ? 'skipped' : 'failed',
        reason,
        rows: [],
        notes: [],
        durationSec: (Date.now() - t0) / 1000,
      });
    }
    const last = results[results.length - 1];
    for (const row of last.rows.filter((r) => r.target)) {
      const figure =
        row.ratio === undefined || row.ratio === null
          ? formatValue(row.value, row.unit)
          : `ratio ${row.ratio.toFixed(2)}`;
      progress(
        `   ${row.measure}: ${figure} (target ${row.target}) → ${row.met ? 'met' : row.met === false ? 'MISSED' : 'n/a'}`,
      );
    }
    progress(`   done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }

  const totalSec = (Date.now() - started) / 1000;
  const command = `npm run bench${args.quick ? ' -- --quick' : ''}${args.names.length ? `${args.quick ? '' : ' --'} ${args.names.join(' ')}` : ''}`;
  writeReport(out, results, machine, totalSec, command);
  if (args.json) writeFileSync(args.json, JSON.stringify({ machine, totalSec, results }, null, 2));
  progress(`wrote ${out}${args.json ? ` and ${args.json}` : ''} after ${(totalSec / 60).toFixed(1)} min`);
  if (args.profile) {
    const windowsFile = join(args.profile, WINDOWS_FILE);
    const windows = existsSync(windowsFile)
      ? readFileSync(windowsFile, 'utf8')
          .trim()
          .split('\n')
          .filter(Boolean)
          .map(
            (line) =>
              JSON.parse(line) as { pid: number; label: string; fromUs: number; toUs: number; requests: number },
          )
      : [];
    for (const file of readdirSync(args.profile).filter((f) => f.endsWith('.cpuprofile'))) {
      // --cpu-prof names its files CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile
      const pid = Number(file.split('.')[3]);
      const mine = windows.filter((w) => w.pid === pid);
      if (mine.length)
        console.log(`\nWhere each request's CPU goes (${file}):\n\n${componentTable(join(args.profile, file), mine)}`);
      else console.log(`\n${summarise(join(args.profile, file), 30)}`);
    }
  }
  if (args.keep) progress(`scratch kept in ${workDir}`);
  else rmSync(workDir, { recursive: true, force: true });
  if (runtime === 'swc') removeQuickBuild(repoRoot);
  if (results.some((r) => r.status === 'failed')) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
