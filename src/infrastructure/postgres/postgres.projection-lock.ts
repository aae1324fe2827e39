import { Client } from 'pg';
import { type HeldProjectionLock, type ProjectionLock } from '../../application/ports/projection-lock.port';
import { type DatabaseConfig } from '../config/database-config';
import { poolSettings } from './pool';

/** How often the holder checks that its lock connection is still alive. */
const HEARTBEAT_MS = 2000;
// The server notices a silently dead holder host (no RST) after about idle + interval × count.
const KEEPALIVES = 'SET tcp_keepalives_idle = 3; SET tcp_keepalives_interval = 1; SET tcp_keepalives_count = 3';

interface Holding {
  key: string;
  lose: (error: Error) => void;
}

/**
 * Projection leadership through a session-level advisory lock on a connection of its own (not
 * the pool's: a pooled connection goes back to the pool, the lock would go with it). The holder
 * keeps the connection; when its process dies the server ends the session and drops the lock,
 * and a standby's next attempt gets it. A holder whose connection breaks hears of it (socket
 * events, or the heartbeat failing) and stops projecting.
 */
export class PostgresProjectionLock implements ProjectionLock {
  private client: Client | null = null;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly holdings = new Map<string, Holding>();

  constructor(private readonly config: DatabaseConfig) {}

  async tryAcquire(projection: string): Promise<HeldProjectionLock | null> {
    if (this.holdings.has(projection)) return null;
    const client = await this.connection();
    const key = `mcs.projection:${projection}`;
    const { rows } = await client.query<{ held: boolean }>(
      'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS held',
      [key],
    );
    if (!rows[0].held) return null;
    let lose!: (error: Error) => void;
    const lost = new Promise<Error>((resolve) => (lose = resolve));
    this.holdings.set(projection, { key, lose });
    this.heartbeat ??= setInterval(() => void this.beat(), HEARTBEAT_MS).unref();
    return {
      lost,
      release: async () => {
        if (this.holdings.get(projection)?.lose !== lose) return;
        this.holdings.delete(projection);
        if (this.holdings.size === 0) this.stopHeartbeat();
        await this.client?.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]).catch(() => undefined);
      },
    };
  }

  async close(): Promise<void> {
    this.stopHeartbeat();
    const client = this.client;
    this.client = null;
    this.loseAll(new Error('projection lock closed'));
    await client?.end().catch(() => undefined);
  }

  private async connection(): Promise<Client> {
    if (this.client) return this.client;
    const client = new Client({
      ...poolSettings(this.config, { application_name: 'mail-config-service projection lock' }),
    });
    const broken = (error: Error) => this.broken(client, error);
    client.on('error', broken);
    client.on('end', () => broken(new Error('connection to PostgreSQL ended')));
    try {
      await client.connect();
      await client.query(KEEPALIVES);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
    return client;
  }

  private async beat(): Promise<void> {
    const client = this.client;
    if (!client) return;
    try {
      await client.query('SELECT 1');
    } catch (error) {
      this.broken(client, error as Error);
    }
  }

  /** The session is gone or unusable: every lock it held is gone with it. */
  private broken(client: Client, error: Error): void {
    if (this.client !== client) return;
    this.client = null;
    this.stopHeartbeat();
    this.loseAll(error);
    void client.end().catch(() => undefined);
  }

  private loseAll(error: Error): void {
    const holdings = [...this.holdings.values()];
    this.holdings.clear();
    for (const h of holdings) h.lose(error);
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}
