import { type Clock } from '../../src/application/ports/clock.port';
import { type SupportSessionStore } from '../../src/application/ports/support-session.port';
import { SupportSessions } from '../../src/infrastructure/support-sessions/support-sessions';

export interface SupportSessionStoreFixture {
  store: SupportSessionStore;
  /** A second store on the same storage: another instance of the service. */
  another(): Promise<SupportSessionStore>;
  cleanup(): Promise<void>;
}

const at = (iso: string) => new Date(iso);

const MINUTE = 60_000;
const OLD_TOKEN = 'old-support-token-0123456789abcdefghijklmnop';
const NEW_TOKEN = 'new-support-token-0123456789abcdefghijklmnop';

class FakeClock implements Clock {
  time = at('2026-12-03T09:00:00.000Z').getTime();
  now(): Date {
    return new Date(this.time);
  }
}

/** The store as SupportSessions drives it, counting the writes of last use. */
function counting(store: SupportSessionStore): SupportSessionStore & { touches: number } {
  const counted = {
    touches: 0,
    create: (h: string, s: Parameters<SupportSessionStore['create']>[1]) => store.create(h, s),
    find: (h: string, now: Date) => store.find(h, now),
    touch: (h: string, now: Date) => (counted.touches++, store.touch(h, now)),
    revoke: (h: string, now: Date) => store.revoke(h, now),
    purge: (before: Date) => store.purge(before),
    close: async () => undefined,
  };
  return counted;
}

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
      lastUsedAt: at('2026-12-03T09:00:00.000Z'),
      tokenFingerprint: null,
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
        touch: (hash, now) => fx.store.touch(hash, now),
        revoke: (hash, now) => fx.store.revoke(hash, now),
        purge: (before) => fx.store.purge(before),
        close: async () => undefined,
      };
      const sessions = new SupportSessions(spy, { supportToken: OLD_TOKEN });
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

    it('a use recorded at one instance is seen at another, and never moves back', async () => {
      await fx.store.create('h1', session);
      const other = await fx.another();
      await other.touch('h1', at('2026-12-03T09:40:00Z'));
      expect((await fx.store.find('h1', at('2026-12-03T09:41:00Z')))?.lastUsedAt).toEqual(at('2026-12-03T09:40:00Z'));
      await fx.store.touch('h1', at('2026-12-03T09:20:00Z'));
      expect((await other.find('h1', at('2026-12-03T09:41:00Z')))?.lastUsedAt).toEqual(at('2026-12-03T09:40:00Z'));
    });

    describe('through SupportSessions with a clock (SUPPORT_SESSION_IDLE 30 minutes)', () => {
      let clock: FakeClock;
      const opened: SupportSessions[] = [];
      const sessionsOn = (store: SupportSessionStore, supportToken = OLD_TOKEN) =>
        opened[opened.push(new SupportSessions(store, { clock, idleSeconds: 1800, supportToken })) - 1];
      beforeEach(() => {
        clock = new FakeClock();
      });
      afterEach(async () => {
        for (const s of opened.splice(0)) await s.close();
      });

      it('a session unused for the idle time is refused, one used just before is not', async () => {
        const sessions = sessionsOn(counting(fx.store));
        const idle = await sessions.start('ana@help.example', 'oidc');
        const used = await sessions.start('ana@help.example', 'oidc');
        clock.time += 30 * MINUTE - 1;
        expect(await sessions.resolve(used.id)).toMatchObject({ identity: 'ana@help.example' });
        clock.time += 1;
        expect(await sessions.resolve(idle.id)).toBeNull();
        // The refusal sticks: presenting it again does not revive it.
        expect(await sessions.resolve(idle.id)).toBeNull();
        expect(await sessions.resolve(used.id)).not.toBeNull();
      });

      it('periodic use at either instance keeps a session alive past the idle time, until its 8 hours', async () => {
        const here = sessionsOn(counting(fx.store));
        const there = sessionsOn(counting(await fx.another()));
        const started = await here.start('support token', 'token');
        // A use every 20 minutes, alternating instances, for 7 h 40: far beyond 30 minutes idle.
        for (let i = 1; i <= 23; i++) {
          clock.time += 20 * MINUTE;
          expect([i, await (i % 2 ? there : here).resolve(started.id)]).toEqual([i, expect.any(Object)]);
        }
        // 8 hours after the start: the absolute limit ends it however busy it is.
        clock.time += 20 * MINUTE;
        expect(await here.resolve(started.id)).toBeNull();
        expect(await there.resolve(started.id)).toBeNull();
      });

      it('uses within a minute write last use once, and idleness still counts from the uses', async () => {
        const store = counting(fx.store);
        const sessions = sessionsOn(store);
        const started = await sessions.start('ana@help.example', 'oidc');
        for (let i = 0; i < 10; i++) {
          clock.time += 5_000;
          expect(await sessions.resolve(started.id)).not.toBeNull();
        }
        expect(store.touches).toBe(0);
        clock.time += 20 * MINUTE;
        for (let i = 0; i < 10; i++) {
          clock.time += 5_000;
          expect(await sessions.resolve(started.id)).not.toBeNull();
        }
        expect(store.touches).toBe(1);
        // Idleness counts from the use written at 20m55s, not the unwritten ones up to 21m40s: the price
        // of writing once a minute is a refusal up to a minute early.
        clock.time += 30 * MINUTE - 45_000;
        expect(await sessions.resolve(started.id)).toBeNull();
      });

      it('a token session ends with a SUPPORT_TOKEN rotation; a company sign-in does not', async () => {
        const before = sessionsOn(fx.store);
        const token = await before.start('support token', 'token');
        const company = await before.start('ana@help.example', 'oidc');
        expect(token.tokenFingerprint).toMatch(/^[0-9a-f]{64}$/);
        expect(token.tokenFingerprint).not.toContain(OLD_TOKEN);
        expect(company.tokenFingerprint).toBeNull();
        // Keyed per session: two token sessions share no fingerprint a reader could compare.
        expect((await before.start('support token', 'token')).tokenFingerprint).not.toBe(token.tokenFingerprint);

        // Restarted with a new SUPPORT_TOKEN (the same storage, as another instance would see it).
        const after = sessionsOn(await fx.another(), NEW_TOKEN);
        clock.time += MINUTE;
        expect(await after.resolve(token.id)).toBeNull();
        expect(await after.resolve(company.id)).toMatchObject({ identity: 'ana@help.example', method: 'oidc' });
        const fresh = await after.start('support token', 'token');
        expect(await after.resolve(fresh.id)).toMatchObject({ method: 'token' });
        // An instance still on the old token (a rolling restart) refuses the new token's session too.
        expect(await before.resolve(fresh.id)).toBeNull();
        expect(await before.resolve(token.id)).not.toBeNull();
      });

      it('a token session without a fingerprint (begun before the binding existed) is refused', async () => {
        // What an instance of the previous version writes: no fingerprint (and, in PostgreSQL, no last use).
        const previousVersion = sessionsOn({
          ...counting(fx.store),
          create: (h, s) => fx.store.create(h, { ...s, tokenFingerprint: null }),
        });
        const token = await previousVersion.start('support token', 'token');
        const company = await previousVersion.start('ana@help.example', 'oidc');
        const current = sessionsOn(await fx.another());
        expect(await current.resolve(token.id)).toBeNull();
        expect(await current.resolve(company.id)).toMatchObject({ method: 'oidc' });
      });
    });
  });
}
