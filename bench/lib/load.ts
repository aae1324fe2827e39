import { progress } from './progress';

// autocannon ships no type declarations; this is the part of its API the harness uses.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon: (opts: Record<string, unknown>) => AutocannonInstance = require('autocannon');

interface AutocannonInstance extends PromiseLike<AutocannonResult> {
  on(event: 'tick', listener: (counter: { counter: number }) => void): void;
  stop(): void;
}

interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  statusCodeStats: Record<string, { count: number }>;
  latency: { p50: number; p90: number; p99: number; average: number; max: number };
  requests: { average: number; total: number };
}

export interface LoadOptions {
  label: string;
  url: string;
  connections: number;
  /** Seconds to run; or `amount` requests in total. */
  durationSec?: number;
  amount?: number;
  method: 'GET' | 'PUT' | 'POST';
  /** The path of each request (called once per request: rotate tenants here). */
  path: () => string;
  body?: () => string;
  headers: Record<string, string>;
  /** Cap on requests per second over all connections (the rate of an earlier run, say). */
  overallRate?: number;
  /** The service's CPU clock, to report how busy it was during the load. */
  cpuSeconds?: () => number;
}

export interface LoadResult {
  label: string;
  durationSec: number;
  /** Successful (2xx) responses per second. */
  okPerSec: number;
  /** Responses of any status per second. */
  allPerSec: number;
  ok: number;
  non2xx: number;
  errors: number;
  statusCounts: Record<string, number>;
  /** Share of one core the service used during the load (NaN when unknown). */
  serviceCpu: number;
  /** Latency of 2xx responses, milliseconds (autocannon's histogram has 1 ms resolution). */
  p50: number;
  p90: number;
  p99: number;
  mean: number;
}

/** Drives the service over loopback with autocannon and reports 2xx throughput and latency. */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const headers = { 'content-type': 'application/json', ...options.headers };
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    pipelining: 1,
    ...(options.amount ? { amount: options.amount } : { duration: options.durationSec ?? 10 }),
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
    timeout: 30,
    requests: [
      {
        method: options.method,
        headers,
        setupRequest: (req: Record<string, unknown>) => ({
          ...req,
          path: options.path(),
          ...(options.body ? { body: options.body() } : {}),
        }),
      },
    ],
  });
  let total = 0;
  let lastReport = Date.now();
  instance.on('tick', ({ counter }) => {
    total += counter;
    if (Date.now() - lastReport >= 5000) {
      lastReport = Date.now();
      progress(`  ${options.label}: ${total} responses so far`);
    }
  });
  const cpu0 = options.cpuSeconds?.() ?? NaN;
  const r = await instance;
  const serviceCpu = ((options.cpuSeconds?.() ?? NaN) - cpu0) / r.duration;
  const statusCounts = Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([k, v]) => [k, v.count]));
  const durationSec = r.duration;
  return {
    label: options.label,
    durationSec,
    okPerSec: r['2xx'] / durationSec,
    allPerSec: (r['2xx'] + r.non2xx) / durationSec,
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    statusCounts,
    serviceCpu,
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    mean: r.latency.average,
  };
}

export function describeLoad(r: LoadResult): string {
  const codes = Object.entries(r.statusCounts)
    .map(([k, v]) => `${k}×${v}`)
    .join(' ');
  const cpu = Number.isFinite(r.serviceCpu) ? `, service CPU ${(r.serviceCpu * 100).toFixed(0)}% of a core` : '';
  return `${r.label}: ${r.okPerSec.toFixed(0)} ok/s (${r.allPerSec.toFixed(0)} responses/s) over ${r.durationSec.toFixed(1)} s, p50 ${r.p50} ms, p99 ${r.p99} ms [${codes}${r.errors ? ` errors×${r.errors}` : ''}]${cpu}`;
}
