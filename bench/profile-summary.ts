/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by function and by package,
 * and inclusive time of the functions you name. Used to find what limits a missed target:
 *   node -r @swc-node/register bench/profile-summary.ts <file.cpuprofile> [top=25] [fn | fn@file-part …] [--window 5-20]
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

function packageOf(url: string): string {
  if (!url) return '(native/gc/idle)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1];
  if (url.startsWith('node:')) return 'node core';
  const s = /\/(dist|src)\/(.*)$/.exec(url);
  return s ? `app: ${s[2].split('/').slice(0, 2).join('/')}` : url;
}

/** `window`: only samples taken between these seconds after the profile started (e.g. the load, not the start-up). */
export function summarise(file: string, top = 25, named: string[] = [], window?: [number, number]): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: Node[];
    startTime: number;
    endTime: number;
    samples: number[];
    timeDeltas: number[];
  };
  if (window) {
    let t = 0;
    const kept: number[] = [];
    profile.samples.forEach((id, i) => {
      t += profile.timeDeltas[i];
      if (t / 1e6 >= window[0] && t / 1e6 <= window[1]) kept.push(id);
    });
    profile.samples = kept;
  }
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const total = profile.samples.length;
  const self = new Map<string, number>();
  const pkg = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const id of profile.samples) {
    const n = byId.get(id)!;
    const key = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + 1);
    const p = ['(idle)', '(program)', '(garbage collector)'].includes(n.callFrame.functionName)
      ? n.callFrame.functionName
      : packageOf(n.callFrame.url);
    pkg.set(p, (pkg.get(p) ?? 0) + 1);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur)!.callFrame;
      for (const name of named) {
        // "fn" or "fn@part-of-file" (to tell apart functions that share a name)
        const [fn, file] = name.split('@');
        if (frame.functionName === fn && (!file || frame.url.includes(file)) && !seen.has(name)) {
          seen.add(name);
          inclusive.set(name, (inclusive.get(name) ?? 0) + 1);
        }
      }
    }
  }
  const pct = (n: number) => `${((100 * n) / total).toFixed(1).padStart(5)}%`;
  const idle = pkg.get('(idle)') ?? 0;
  const lines = [
    `${file}: ${total} samples (${total - idle} busy) over ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s${window ? `, window ${window[0]}-${window[1]} s` : ''}`,
    '',
    'self time by package:',
  ];
  for (const [k, v] of [...pkg].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`${pct(v)}  ${k}`);
  lines.push('', 'self time by function:');
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`${pct(v)}  ${k}`);
  if (named.length) {
    lines.push('', 'inclusive time (share of all samples, share of busy samples):');
    for (const name of named) {
      const n = inclusive.get(name) ?? 0;
      lines.push(`${pct(n)} ${((100 * n) / Math.max(1, total - idle)).toFixed(1).padStart(5)}%  ${name}`);
    }
  }
  return lines.join('\n');
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const w = args.findIndex((a) => a === '--window');
  const window = w >= 0 ? (args.splice(w, 2)[1].split('-').map(Number) as [number, number]) : undefined;
  const [file, top, ...named] = args;
  if (!file) {
    console.error(
      'usage: bench/profile-summary.ts <file.cpuprofile> [top] [fn | fn@file-part …] [--window FROM-TO seconds]',
    );
    process.exit(2);
  }
  console.log(summarise(file, Number(top ?? 25), named, window));
}
