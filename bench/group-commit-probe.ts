/**
 * Where should the group commit's fsync happen: on the event loop (a batch per setImmediate, as
 * SqliteEventStore does) or in a worker thread (the loop goes on serving while the worker
 * commits, and appends arriving meanwhile form the next batch)? Both variants run the same
 * schema, pragmas (WAL, synchronous=FULL) and SAVEPOINT-per-append batch; `conc` callers each
 * burn `busyUs` of CPU per command (the rest of a request) and then append one event.
 * Rounds alternate. Usage: node -r @swc-node/register bench/group-commit-probe.ts [busyUs] [conc]
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

interface Item {
  s: string;
  v: number;
  id: string;
  d: string;
  m: string;
}
type Commit = (items: Item[]) => number[];
type Append = (item: Item) => Promise<number>;

function open(file: string): Commit {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.exec(`CREATE TABLE IF NOT EXISTS events (position INTEGER PRIMARY KEY AUTOINCREMENT, stream_id TEXT NOT NULL,
    version INTEGER NOT NULL, event_id TEXT NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL,
    UNIQUE (stream_id, version));
    CREATE TABLE IF NOT EXISTS streams (stream_id TEXT PRIMARY KEY, version INTEGER NOT NULL);`);
  const cur = db.prepare<[string], { version: number }>('SELECT version FROM streams WHERE stream_id = ?');
  const ins = db.prepare(
    'INSERT INTO events (stream_id, version, event_id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const setv = db.prepare(
    'INSERT INTO streams (stream_id, version) VALUES (?, ?) ON CONFLICT(stream_id) DO UPDATE SET version = excluded.version',
  );
  const one = db.transaction((a: Item) => {
    const c = cur.get(a.s)?.version ?? 0;
    if (c !== a.v) throw new Error('conflict');
    const r = ins.run(a.s, c + 1, a.id, 'T', a.d, a.m);
    setv.run(a.s, c + 1);
    return Number(r.lastInsertRowid);
  });
  const batch = db.transaction((items: Item[]) =>
    items.map((a) => {
      try {
        return one(a);
      } catch {
        return -1;
      }
    }),
  );
  return (items) => batch.immediate(items);
}

interface Waiting {
  a: Item;
  res: (n: number) => void;
}

function inThread(file: string): Append {
  const commit = open(file);
  let q: Waiting[] = [];
  let scheduled = false;
  return (a) =>
    new Promise((res) => {
      q.push({ a, res });
      if (scheduled) return;
      scheduled = true;
      setImmediate(() => {
        scheduled = false;
        const b = q;
        q = [];
        const out = commit(b.map((x) => x.a));
        b.forEach((x, i) => x.res(out[i]));
      });
    });
}

function inWorker(file: string): { append: Append; close: () => Promise<number> } {
  const w = new Worker(__filename, { workerData: { file }, execArgv: ['-r', '@swc-node/register'] });
  let q: Waiting[] = [];
  let inflight: Waiting[] | null = null;
  const send = () => {
    if (inflight || q.length === 0) return;
    inflight = q;
    q = [];
    w.postMessage(inflight.map((x) => x.a));
  };
  w.on('message', (out: number[]) => {
    const b = inflight!;
    inflight = null;
    b.forEach((x, i) => x.res(out[i]));
    send();
  });
  let scheduled = false;
  return {
    append: (a) =>
      new Promise((res) => {
        q.push({ a, res });
        if (scheduled) return;
        scheduled = true;
        setImmediate(() => {
          scheduled = false;
          send();
        });
      }),
    close: () => w.terminate(),
  };
}

async function run(append: Append, conc: number, busyUs: number, secs: number) {
  const end = Date.now() + secs * 1000;
  let n = 0;
  const lat: number[] = [];
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: conc }, async (_, k) => {
      let v = 0;
      const s = `s-${k}-${randomUUID()}`;
      while (Date.now() < end) {
        const t0 = process.hrtime.bigint();
        while (process.hrtime.bigint() - t0 < BigInt(busyUs * 1000));
        const t = process.hrtime.bigint();
        const d = JSON.stringify({ x: 'y'.repeat(400) });
        await append({ s, v, id: randomUUID(), d, m: JSON.stringify({ c: randomUUID() }) });
        v++;
        n++;
        lat.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }),
  );
  const c = process.cpuUsage(cpu0);
  lat.sort((a, b) => a - b);
  return `${Math.round(n / secs)}/s p99 ${lat[Math.floor(lat.length * 0.99)].toFixed(1)} ms, main-thread CPU ${(
    (c.user + c.system) /
    1e6 /
    secs
  ).toFixed(2)}`;
}

async function main(): Promise<void> {
  const busy = Number(process.argv[2] ?? 300);
  const conc = Number(process.argv[3] ?? 32);
  const dir = mkdtempSync(join(tmpdir(), 'group-commit-probe-'));
  const thread = inThread(join(dir, 'a.db'));
  const worker = inWorker(join(dir, 'b.db'));
  const results: Record<string, string[]> = { 'event loop': [], 'worker thread': [] };
  await run(thread, conc, busy, 1);
  await run(worker.append, conc, busy, 1);
  for (let r = 0; r < 4; r++) {
    const order: [string, Append][] = [
      ['event loop', thread],
      ['worker thread', worker.append],
    ];
    for (const [name, append] of r % 2 ? order.reverse() : order) results[name].push(await run(append, conc, busy, 2));
  }
  for (const [name, rounds] of Object.entries(results))
    console.log(`${busy} µs per command, ${conc} in flight, ${name}: ${rounds.join(' | ')}`);
  await worker.close();
  rmSync(dir, { recursive: true, force: true });
}

if (isMainThread) void main();
else {
  const commit = open((workerData as { file: string }).file);
  parentPort!.on('message', (items: Item[]) => parentPort!.postMessage(commit(items)));
}
