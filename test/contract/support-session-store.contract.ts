import { type SupportSessionStore } from '../../src/application/ports/support-session.port';
import { SupportSessions } from '../../src/infrastructure/support-sessions/support-sessions';

export interface SupportSessionStoreFixture {
  store: SupportSessionStore;
  /** A second store on the same storage: another instance of the service. */
  another(): Promise<SupportSessionStore>;
  cleanup(): Promise<void>;
}

const at = (iso: string) => new Date(iso);

/** What every support session store guarantees, on SQLite (DATA_DIR) and PostgreSQL (replicated). */
export function supportSessionStoreContract(name: string, open: () => Promise<SupportSessionStoreFixture>): void {
  describe(`support session store: ${name}`, () => {
    let fx: SupportSessionStoreFixture;
    beforeEach(async () => {
      fx = await open();
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    const session = {
      identity: 'ana@help.example',
      method: 'oidc' as const,
      createdAt: at('2026-12-03T09:00:00.000Z'),
      expiresAt: at('2026-12-03T17:00:00.000Z'),
    };

    it('finds a live session by its hash, at this instance and at another', async () => {
      await fx.store.create('h1', session);
      expect(await fx.store.find('h1', at('2026-12-03T10:00:00Z'))).toEqual(session);
      expect(await (await fx.another()).find('h1', at('2026-12-03T10:00:00Z'))).toEqual(session);
      expect(await fx.store.find('h2', at('2026-12-03T10:00:00Z'))).toBeNull();
    });

    it('a session is gone once expired', async () => {
      await fx.store.create('h1', session);
      expect(await fx.store.find('h1', session.expiresAt)).toBeNull();
    });

    it('a sign-out at one instance ends the session at every instance', async () => {
      await fx.store.create('h1', session);
      const other = await fx.another();
      await other.revoke('h1', at('2026-12-03T10:00:00Z'));
      expect(await fx.store.find('h1', at('2026-12-03T10:00:01Z'))).toBeNull();
      expect(await other.find('h1', at('2026-12-03T10:00:01Z'))).toBeNull();
    });

    it('purges sessions that ended before a time, and only those', async () => {
      await fx.store.create('ended', { ...session, expiresAt: at('2026-12-03T10:00:00Z') });
      await fx.store.create('revoked', session);
      await fx.store.revoke('revoked', at('2026-12-03T09:30:00Z'));
      await fx.store.create('live', session);
      expect(await fx.store.purge(at('2026-12-03T11:00:00Z'))).toBe(2);
      expect(await fx.store.find('live', at('2026-12-03T11:00:00Z'))).toEqual(session);
    });

    it('through SupportSessions: the store sees a hash, never the id the browser holds', async () => {
      const created: string[] = [];
      const spy: SupportSessionStore = {
        ...fx.store,
        create: (hash, s) => (created.push(hash), fx.store.create(hash, s)),
        find: (hash, now) => fx.store.find(hash, now),
        revoke: (hash, now) => fx.store.revoke(hash, now),
        purge: (before) => fx.store.purge(before),
        close: async () => undefined,
      };
      const sessions = new SupportSessions(spy);
      try {
        const started = await sessions.start('support token', 'token');
        expect(created).toHaveLength(1);
        expect(created[0]).not.toContain(started.id);
        expect(await sessions.resolve(started.id)).toMatchObject({ identity: 'support token', method: 'token' });
        expect(await sessions.resolve(created[0])).toBeNull();
        await sessions.end(started.id);
        expect(await sessions.resolve(started.id)).toBeNull();
      } finally {
        await sessions.close();
      }
    });
  });
}
