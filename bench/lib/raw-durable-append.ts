import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';

/**
 * The floor a command is compared with: raw better-sqlite3 on the event store's schema and
 * pragmas (WAL, synchronous=FULL, busy_timeout), one IMMEDIATE transaction per append holding the
 * expected-version check, one event row and the stream's version — one fsync per append, nothing
 * else. Kept in step with src/infrastructure/event-store/sqlite.event-store.ts by hand.
 */
export class RawDurableAppend {
  private readonly db: Database.Database;
  private readonly append: (stream: string, expected: number, data: string, metadata: string) => void;
  private readonly versions = new Map<string, number>();
  private next = 0;

  constructor(
    file: string,
    private readonly streams: number,
  ) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`CREATE TABLE IF NOT EXISTS events (position INTEGER PRIMARY KEY AUTOINCREMENT,
      stream_id TEXT NOT NULL, version INTEGER NOT NULL, event_id TEXT NOT NULL, type TEXT NOT NULL,
      data TEXT NOT NULL, metadata TEXT NOT NULL, UNIQUE (stream_id, version));
      CREATE TABLE IF NOT EXISTS streams (stream_id TEXT PRIMARY KEY, version INTEGER NOT NULL);`);
    const current = this.db.prepare<[string], { version: number }>('SELECT version FROM streams WHERE stream_id = ?');
    const insert = this.db.prepare(
      'INSERT INTO events (stream_id, version, event_id, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const setVersion = this.db.prepare(
      'INSERT INTO streams (stream_id, version) VALUES (?, ?) ' +
        'ON CONFLICT(stream_id) DO UPDATE SET version = excluded.version',
    );
    const tx = this.db.transaction((stream: string, expected: number, data: string, metadata: string) => {
      if ((current.get(stream)?.version ?? 0) !== expected) throw new Error(`conflict on ${stream}`);
      insert.run(stream, expected + 1, randomUUID(), 'SmtpConfigured', data, metadata);
      setVersion.run(stream, expected + 1);
    });
    this.append = tx.immediate.bind(tx) as never;
  }

  /**
   * Appends one event at a time, round-robin over the streams, for `seconds`. Returns appends,
   * wall seconds, this process's CPU seconds and per-append latencies (ms).
   */
  run(seconds: number): { appends: number; wallSec: number; cpuSec: number; latencies: number[] } {
    const latencies: number[] = [];
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const end = t0 + BigInt(Math.round(seconds * 1e9));
    let now = t0;
    while (now < end) {
      const i = this.next++ % this.streams;
      const stream = `mailConfig-raw-${i}`;
      const version = this.versions.get(stream) ?? 0;
      // A payload of the size of an SmtpConfigured event (sealed password included), serialised per append.
      const data = JSON.stringify({
        address: `ops@tenant-${i}.example.org`,
        host: 'smtp.example.org',
        port: 587,
        security: 'starttls',
        username: `ops@tenant-${i}.example.org`,
        password: { keyId: `dek:${randomUUID()}`, ciphertext: 'q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJ==' },
        passwordChanged: true,
        configuredAt: new Date().toISOString(),
      });
      const metadata = JSON.stringify({ actor: 'bench', correlationId: randomUUID(), at: new Date().toISOString() });
      const started = process.hrtime.bigint();
      this.append(stream, version, data, metadata);
      now = process.hrtime.bigint();
      latencies.push(Number(now - started) / 1e6);
      this.versions.set(stream, version + 1);
    }
    const cpu = process.cpuUsage(cpu0);
    return {
      appends: latencies.length,
      wallSec: Number(now - t0) / 1e9,
      cpuSec: (cpu.user + cpu.system) / 1e6,
      latencies,
    };
  }

  close(): void {
    this.db.close();
  }
}
