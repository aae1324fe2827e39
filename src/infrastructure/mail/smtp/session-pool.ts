import { type SmtpSession } from './smtp-session';

// Enough for a busy tenant's concurrent sends to reuse sessions instead of reconnecting.
const MAX_IDLE_PER_KEY = 16;
const IDLE_MS = 30_000;
const MAX_MESSAGES_PER_SESSION = 100;

interface Idle {
  session: SmtpSession;
  timer: NodeJS.Timeout;
}

interface Entry {
  version: string;
  idle: Idle[];
}

/**
 * Authenticated sessions kept for reuse, per pool (tenant) and configuration version. A newer
 * version closes the older one's sessions: a changed password or host never reuses a session
 * opened with the old settings.
 */
export class SessionPool {
  private readonly entries = new Map<string, Entry>();

  /** An idle session of this exact version, or null. */
  take(pool: string, version: string): SmtpSession | null {
    const entry = this.entries.get(pool);
    if (!entry) return null;
    if (entry.version !== version) {
      this.drop(pool);
      return null;
    }
    while (entry.idle.length) {
      const { session, timer } = entry.idle.pop()!;
      clearTimeout(timer);
      if (session.usable) return session;
    }
    return null;
  }

  give(pool: string, version: string, session: SmtpSession): void {
    let entry = this.entries.get(pool);
    // take() drops an older version's entry, so a different one here is newer than this session.
    if (entry && entry.version !== version) return session.quit();
    if (!session.usable || session.messagesSent >= MAX_MESSAGES_PER_SESSION) return session.quit();
    entry ??= { version, idle: [] };
    this.entries.set(pool, entry);
    if (entry.idle.length >= MAX_IDLE_PER_KEY) return session.quit();
    const idle: Idle = {
      session,
      timer: setTimeout(() => {
        entry!.idle = entry!.idle.filter((i) => i !== idle);
        session.quit();
      }, IDLE_MS),
    };
    idle.timer.unref();
    entry.idle.push(idle);
  }

  drop(pool: string): void {
    const entry = this.entries.get(pool);
    this.entries.delete(pool);
    for (const { session, timer } of entry?.idle ?? []) {
      clearTimeout(timer);
      session.quit();
    }
  }

  closeAll(): void {
    for (const pool of [...this.entries.keys()]) this.drop(pool);
  }
}
