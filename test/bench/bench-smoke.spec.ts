import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Proves the benchmark harness works end to end: `npm run bench -- --quick` runs every scenario
 * at smoke sizes, prints progress, and writes its results table and JSON. It asserts that rows
 * were produced and the page was written — never timings, which are not a test's business.
 */
const ROOT = resolve(__dirname, '../..');
const SCENARIOS = [
  'command-path',
  'send-path',
  'history-length',
  'projection-lag',
  'scale',
  'event-stores',
  'durable-append',
  'replicated',
  'request-cost',
];

describe('benchmark harness (quick smoke run)', () => {
  let dir: string;
  let run: ReturnType<typeof spawnSync>;
  let report: {
    results: {
      id: string;
      status: string;
      reason?: string;
      rows: { measure: string; value: number | null; target?: string }[];
    }[];
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mcs-bench-smoke-'));
    run = spawnSync(
      process.execPath,
      [
        '-r',
        '@swc-node/register',
        'bench/run.ts',
        '--quick',
        '--out',
        join(dir, 'benchmarks.md'),
        '--json',
        join(dir, 'results.json'),
      ],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 240_000,
        env: { PATH: process.env.PATH, HOME: process.env.HOME },
      },
    );
    report = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
  }, 250_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finishes without a failed scenario and prints progress', () => {
    expect({
      status: run.status,
      failed: report.results.filter((r) => r.status === 'failed').map((r) => `${r.id}: ${r.reason}`),
    }).toEqual({ status: 0, failed: [] });
    expect(String(run.stderr)).toMatch(/\[bench +[\d.]+s\] ── 1\. Command path/);
  });

  it('runs every scenario and each produces figures with the targets it is judged on', () => {
    expect(report.results.map((r) => r.id).sort()).toEqual([...SCENARIOS].sort());
    for (const result of report.results.filter((r) => r.status === 'ok')) {
      expect({ id: result.id, rows: result.rows.length > 0 }).toEqual({ id: result.id, rows: true });
      expect({
        id: result.id,
        targeted: result.rows.some((row) => row.target && typeof row.value === 'number'),
      }).toEqual({ id: result.id, targeted: true });
    }
    // A scenario may only be "not run" for a missing feature, and says which.
    for (const result of report.results.filter((r) => r.status === 'skipped')) expect(result.reason).toBeTruthy();
  });

  it('writes the results table with machine, date and commit into the page', () => {
    const page = readFileSync(join(dir, 'benchmarks.md'), 'utf8');
    expect(page).toContain('<!-- bench:results:start -->');
    expect(page).toMatch(/\| CPU \| .+, \d+ cores \|/);
    expect(page).toMatch(/Last run: \d{4}-\d\d-\d\dT[\d:]+Z · commit `(?:[0-9a-f]+|unknown)`/);
    expect(page).toMatch(/\| # \| scenario \| measure \| figure \| baseline figure \| ratio \| target \| met\? \|/);
    for (const id of SCENARIOS) expect(page).toContain(`(\`${id}\`)`);
  });
});
