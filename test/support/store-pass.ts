/**
 * `npm test` runs test/e2e twice: on the embedded SQLite store, then with E2E_STORE=esdb on the
 * EventStoreDB adapter (see store-under-test.ts). A suite that cannot mean anything in the second
 * pass opts out here, explicitly and with its reason, instead of quietly forcing SQLite (which
 * would run it twice on the same store) or failing.
 */

export const inEsdbPass = process.env.E2E_STORE === 'esdb';

/**
 * For suites that are about the embedded store itself: they inspect DATA_DIR's events.db, spawn
 * processes (the service, scripts) that must find the history in DATA_DIR, or restart on the
 * same DATA_DIR with other keys. In the EventStoreDB pass they are skipped and say why.
 */
export function describeEmbeddedOnly(name: string, why: string, suite: () => void): void {
  describeUnlessEsdbPass(name, `embedded store only: ${why}`, suite);
}

/**
 * For suites that choose their store themselves (e.g. their own EventStoreDB test server), so
 * the EventStoreDB pass would only repeat them unchanged.
 */
export function describeOncePerRun(name: string, why: string, suite: () => void): void {
  describeUnlessEsdbPass(name, `runs in the first pass only: ${why}`, suite);
}

function describeUnlessEsdbPass(name: string, reason: string, suite: () => void): void {
  if (!inEsdbPass) return describe(name, suite);
  describe.skip(`${name} [skipped with E2E_STORE=esdb — ${reason}]`, suite);
  console.log(`E2E_STORE=esdb: skipping "${name}" — ${reason}`);
}
