/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by function and by package,
 * and inclusive time of the functions you name. Used to find what limits a missed target:
 *   node -r @swc-node/register bench/profile-summary.ts <file.cpuprofile> [top=25] [fn | fn@file-part …] [--window 5-20]
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

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

const FRAMEWORK = 'Node HTTP + Express + Nest core';

/**
 * Components a request's CPU is split into. A sample goes to the component of its nearest frame
 * (leaf first) that one of these patterns names; native frames without a file (JSON.stringify, a
 * better-sqlite3 call) thereby go to whoever called them. `anywhere` components win from any
 * depth: work the projection runner or the store's group commit started on its own turn.
 */
const COMPONENTS: { name: string; url: RegExp; anywhere?: boolean }[] = [
  { name: 'projection (read models, subscription)', url: /\/(projections|read-models)\//, anywhere: true },
  {
    name: 'request logging (pino, pino-http, serializers)',
    url: /node_modules\/(pino|pino-http|nestjs-pino|fast-redact|pino-std-serializers|sonic-boom|thread-stream|safe-stable-stringify|quick-format-unescaped|atomic-sleep)\/|infrastructure\/logging\//,
  },
  {
    name: 'metrics (prom-client, http metrics)',
    url: /node_modules\/prom-client\/|http-metrics\.middleware|infrastructure\/metrics\//,
  },
  {
    name: 'body parsing (express.json, depth check)',
    url: /node_modules\/(body-parser|raw-body|iconv-lite)\/|json-body|json-depth/,
  },
  {
    name: 'validation (class-validator/transformer, pipes)',
    url: /node_modules\/(class-validator|class-transformer|validator|libphonenumber-js)\/|http\/common\/(validation|tenant-id\.pipe)|common\/pipes\//,
  },
  {
    name: 'auth (guard, token, throttle, request id)',
    url: /http\/common\/(auth\.guard|static-token|jwt\.authenticator|authenticate-first|failed-auth-throttle|caller|request-context|access)|node_modules\/(jsonwebtoken|jose)\//,
  },
  { name: 'crypto (cipher, data keys)', url: /infrastructure\/crypto\// },
  {
    name: 'event store (SQLite append, stream read)',
    url: /infrastructure\/event-store\/|node_modules\/better-sqlite3\//,
  },
  {
    name: 'use case: handler, state, decide, presenter',
    url: /\/(application|domain)\/|node_modules\/@nestjs\/cqrs\/|node_modules\/rxjs\//,
  },
  { name: 'controller, problem filter', url: /\/interfaces\/http\// },
  {
    name: FRAMEWORK,
    url: /node_modules\/(@nestjs\/(core|common|platform-express)|express|router|finalhandler|send|on-finished|parseurl|path-to-regexp|qs|accepts|negotiator|mime-types|etag|fresh|content-disposition|cookie|vary|proxy-addr|depd|statuses|http-errors|encodeurl|escape-html|range-parser|merge-descriptors|ee-first|content-type|type-is|media-typer|bytes|mime-db)\/|^node:|^(internal|_http|net|events|stream)/,
  },
];
/** Node's own frames defer to whoever called them (crypto for the cipher, the framework for an ETag's hash). */
const NODE_CORE = /^node:|^(internal|_http|net|events|stream)/;
const OTHER = 'other JS (unattributed library or Node code)';
const GC = 'V8 garbage collector';
const PROGRAM = 'native, outside JS (libuv, syscalls, compiler)';

interface Window {
  pid: number;
  label: string;
  fromUs: number;
  toUs: number;
  requests: number;
}

/**
 * Component → µs of CPU per request → share, over the samples taken inside the windows of one
 * label (the loads a scenario marked, see bench/lib/profile-windows.ts). Idle samples are left out,
 * so the µs add up to the process's busy time per request as the profiler saw it.
 */
export function componentTable(file: string, windows: Window[], detail = false): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: Node[];
    startTime: number;
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const componentOf = new Map<number, string | null>();
  const classify = (leaf: number): string | null => {
    const cached = componentOf.get(leaf);
    if (cached !== undefined) return cached;
    const { functionName } = byId.get(leaf)!.callFrame;
    let result: string | null = null;
    if (functionName === '(idle)') result = null;
    else if (functionName === '(garbage collector)') result = GC;
    else if (functionName === '(program)') result = PROGRAM;
    else {
      let nearest: string | null = null;
      let core = false;
      for (let cur: number | undefined = leaf; cur !== undefined; cur = parent.get(cur)) {
        const url = byId.get(cur)!.callFrame.url;
        if (!url) continue;
        if (NODE_CORE.test(url)) {
          core = true;
          continue;
        }
        const hit = COMPONENTS.find((c) => c.url.test(url));
        if (!hit) continue;
        if (hit.anywhere) {
          nearest = hit.name;
          break;
        }
        nearest ??= hit.name;
      }
      result = nearest ?? (core ? FRAMEWORK : OTHER);
    }
    componentOf.set(leaf, result);
    return result;
  };
  const labels = [...new Set(windows.map((w) => w.label))];
  const out: string[] = [];
  for (const label of labels) {
    const mine = windows.filter((w) => w.label === label);
    const requests = mine.reduce((n, w) => n + w.requests, 0);
    const us = new Map<string, number>();
    const leaves = new Map<string, Map<string, number>>();
    let t = profile.startTime;
    let busyUs = 0;
    profile.samples.forEach((id, i) => {
      t += profile.timeDeltas[i];
      // A sample stands for the interval since the previous one.
      if (!mine.some((w) => t >= w.fromUs && t <= w.toUs)) return;
      const component = classify(id);
      if (component === null) return;
      const dt = profile.timeDeltas[i];
      us.set(component, (us.get(component) ?? 0) + dt);
      busyUs += dt;
      if (detail) {
        const f = byId.get(id)!.callFrame;
        const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`;
        const m = leaves.get(component) ?? new Map<string, number>();
        leaves.set(component, m.set(key, (m.get(key) ?? 0) + dt));
      }
    });
    out.push(
      `${label}: ${requests.toLocaleString('en-US')} requests, ${(busyUs / 1e6).toFixed(1)} s busy in ${mine.length} window(s), ` +
        `${(busyUs / Math.max(1, requests)).toFixed(0)} µs per request (${file.split('/').pop()})`,
      '',
      '| component | µs per request | share |',
      '|---|---:|---:|',
    );
    for (const [name, v] of [...us].sort((a, b) => b[1] - a[1])) {
      out.push(`| ${name} | ${(v / Math.max(1, requests)).toFixed(0)} | ${((100 * v) / busyUs).toFixed(0)} % |`);
      if (detail) {
        const top = [...(leaves.get(name) ?? [])].sort((a, b) => b[1] - a[1]).slice(0, 6);
        for (const [fn, n] of top) out.push(`|   ↳ ${fn} | ${(n / Math.max(1, requests)).toFixed(1)} | |`);
      }
    }
    out.push(`| **total** | **${(busyUs / Math.max(1, requests)).toFixed(0)}** | 100 % |`, '');
  }
  return out.join('\n');
}

/** Re-reads a --profile directory: `profile-summary.ts --components DIR [--detail]`. */
export function componentTables(dir: string, detail = false): string {
  const windowsFile = join(dir, 'windows.jsonl');
  const windows = (existsSync(windowsFile) ? readFileSync(windowsFile, 'utf8') : '')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Window);
  const out: string[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    // --cpu-prof names its files CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile
    const mine = windows.filter((w) => w.pid === Number(file.split('.')[3]));
    if (mine.length) out.push(componentTable(join(dir, file), mine, detail));
  }
  return out.join('\n');
}

if (require.main === module && process.argv[2] === '--components') {
  console.log(componentTables(process.argv[3], process.argv.includes('--detail')));
} else if (require.main === module) {
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
