import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type MachineInfo } from './machine';

export interface Row {
  measure: string;
  value: number | null;
  unit: Unit;
  baseline?: { label: string; value: number | null };
  /** value ÷ baseline (or the ratio the target is stated on). */
  ratio?: number | null;
  /** e.g. "≥ 0.5 ×" */
  target?: string;
  /** null: the target could not be judged in this run. */
  met?: boolean | null;
}

export type Unit = '/s' | 'ms' | 'B' | 'count' | 'x' | 's';

export interface ScenarioResult {
  id: string;
  number: number;
  title: string;
  description: string;
  status: 'ok' | 'skipped' | 'failed';
  /** Why it was skipped or how it failed. */
  reason?: string;
  rows: Row[];
  notes: string[];
  durationSec: number;
  machine: MachineInfo;
  quick: boolean;
  runtime: string;
}

const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';
const DATA = /<!-- bench:data\n([\s\S]*?)\n-->/;

const DEFAULT_INTRO = `# Benchmarks

Measured speed and scale of the service, each figure side by side with a baseline measured in the
same run on the same machine, because absolute figures drift between runs on shared machines; the
ratios are what the targets are stated on. Run them with \`npm run bench\` (all scenarios),
\`npm run bench -- <name>\` (one: command-path, send-path, history-length, projection-lag, scale,
event-stores) or \`npm run bench -- --quick\` (a smoke run with tiny sizes, written elsewhere; it is
what \`npm test\` runs to prove the harness works, never a timed assertion). The section between the
markers below is rewritten by every run; the rest of this page is kept.

`;

const DEFAULT_OUTRO = `
## Analysis

Where a target is missed, what limits it (profiled) and what would lift it is noted here.
`;

export function formatValue(value: number | null | undefined, unit: Unit): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  switch (unit) {
    case '/s':
      return `${Math.round(value).toLocaleString('en-US')} /s`;
    case 'ms':
      return `${value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : Math.round(value).toLocaleString('en-US')} ms`;
    case 's':
      return `${value.toFixed(1)} s`;
    case 'B':
      return value >= 2 ** 30 ? `${(value / 2 ** 30).toFixed(2)} GiB` : `${(value / 2 ** 20).toFixed(1)} MiB`;
    case 'x':
      return `${value.toFixed(2)} ×`;
    case 'count':
      return Number.isInteger(value) || value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1);
  }
}

const metText = (met: boolean | null | undefined) =>
  met === true ? '**yes**' : met === false ? '**no**' : met === null ? 'n/a' : '';
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function machineLine(m: MachineInfo): string {
  return `${m.date} · commit \`${m.commit}\`${m.dirty ? ' (with uncommitted changes)' : ''}`;
}

function renderScenario(r: ScenarioResult, header: MachineInfo): string {
  const out = [`### ${r.number}. ${r.title} (\`${r.id}\`)`, '', r.description, ''];
  if (r.status !== 'ok') out.push(`**${r.status === 'skipped' ? 'Not run' : 'Failed'}:** ${r.reason ?? ''}`, '');
  if (r.rows.length) {
    out.push(
      '| measure | figure | baseline | baseline figure | ratio | target | met? |',
      '|---|---:|---|---:|---:|---|---|',
    );
    for (const row of r.rows) {
      out.push(
        `| ${[
          cell(row.measure),
          formatValue(row.value, row.unit),
          cell(row.baseline?.label ?? ''),
          row.baseline ? formatValue(row.baseline.value, row.unit) : '',
          row.ratio === undefined ? '' : row.ratio === null ? '—' : `${row.ratio.toFixed(2)}`,
          cell(row.target ?? ''),
          metText(row.met),
        ].join(' | ')} |`,
      );
    }
    out.push('');
  }
  for (const note of r.notes) out.push(`- ${note}`);
  if (r.notes.length) out.push('');
  const differs =
    r.machine.commit !== header.commit || r.machine.date.slice(0, 10) !== header.date.slice(0, 10) || r.quick;
  out.push(
    `<sub>${differs ? `Measured ${machineLine(r.machine)}, ` : ''}${r.quick ? 'quick (smoke) sizes, ' : ''}service started from \`${
      { dist: 'node dist/main.js', ts: 'node -r @swc-node/register src/main.ts', swc: 'a swc transpile of src/' }[
        r.runtime
      ] ?? r.runtime
    }\`; the scenario took ${r.durationSec.toFixed(0)} s.</sub>`,
    '',
  );
  return out.join('\n');
}

export function renderResults(
  results: ScenarioResult[],
  header: MachineInfo,
  totalSec: number,
  command: string,
): string {
  const sorted = [...results].sort((a, b) => a.number - b.number);
  const m = header;
  const out = [
    START,
    '',
    `## Latest results`,
    '',
    `Last run: ${machineLine(m)} · \`${command}\` · ${(totalSec / 60).toFixed(1)} min.`,
    '',
    '| machine | |',
    '|---|---|',
    `| CPU | ${m.cpuModel}, ${m.cores} cores |`,
    `| memory | ${m.memoryGiB} GiB |`,
    `| OS, Node | ${m.os}, Node ${m.node} |`,
    '',
    '### Summary',
    '',
    '| # | scenario | measure | figure | baseline figure | ratio | target | met? |',
    '|---|---|---|---:|---:|---:|---|---|',
  ];
  for (const r of sorted) {
    const targeted = r.rows.filter((row) => row.target);
    if (r.status !== 'ok' && targeted.length === 0) {
      out.push(
        `| ${r.number} | ${r.title} | ${r.status === 'skipped' ? 'not run' : 'failed'}: ${cell(r.reason ?? '')} | | | | | |`,
      );
    }
    for (const row of targeted) {
      out.push(
        `| ${r.number} | ${r.title} | ${cell(row.measure)} | ${formatValue(row.value, row.unit)} | ${
          row.baseline ? formatValue(row.baseline.value, row.unit) : ''
        } | ${row.ratio === undefined || row.ratio === null ? '—' : row.ratio.toFixed(2)} | ${cell(row.target ?? '')} | ${metText(row.met)} |`,
      );
    }
  }
  out.push('');
  for (const r of sorted) out.push(renderScenario(r, m));
  out.push(`<!-- bench:data\n${JSON.stringify({ header, totalSec, command, results: sorted })}\n-->`, '', END);
  return out.join('\n');
}

export interface StoredReport {
  header: MachineInfo;
  totalSec: number;
  command: string;
  results: ScenarioResult[];
}

export function readReport(file: string): { text: string; data: StoredReport | null } {
  if (!existsSync(file)) return { text: '', data: null };
  const text = readFileSync(file, 'utf8');
  const m = DATA.exec(text);
  try {
    return { text, data: m ? (JSON.parse(m[1]) as StoredReport) : null };
  } catch {
    return { text, data: null };
  }
}

/**
 * Writes the results between the markers of `file`, keeping what surrounds them. Scenarios not
 * run this time keep their previous results (with their own date and commit).
 */
export function writeReport(
  file: string,
  fresh: ScenarioResult[],
  header: MachineInfo,
  totalSec: number,
  command: string,
): void {
  const { text, data } = readReport(file);
  const byId = new Map((data?.results ?? []).map((r) => [r.id, r]));
  for (const r of fresh) byId.set(r.id, r);
  const block = renderResults([...byId.values()], header, totalSec, command);
  let next: string;
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  if (start >= 0 && end > start) next = text.slice(0, start) + block + text.slice(end + END.length);
  else next = `${text || DEFAULT_INTRO}${block}\n${text ? '' : DEFAULT_OUTRO}`;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, next);
}
