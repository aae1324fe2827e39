/**
 * The second pass of `npm test`: the whole HTTP e2e suite once more, with the service on the
 * EventStoreDB adapter through the gRPC test server (E2E_STORE=esdb, see
 * test/support/store-under-test.ts). Suites that cannot mean anything different here are left
 * out by name, each with its reason, rather than registered and skipped.
 */
const base = require('./jest.config');

const FIRST_PASS_ONLY = {
  // About the embedded store itself: they inspect DATA_DIR's SQLite files or restart on the same
  // DATA_DIR with other keys, so they pin the embedded store.
  'rotation.e2e': 'restarts on the same DATA_DIR with other master keys (embedded store)',
  'erasure.e2e': 'inspects keys.db on disk after shredding (embedded store)',
  'crash.e2e': 'SIGKILLs a real process whose history lives in DATA_DIR/events.db',
  'shutdown.e2e': 'checks that the SQLite WAL files are closed cleanly',
  'sending-out-of-the-box.e2e': 'proves the zero-configuration start, which is the embedded store',
  'projection-thread.e2e': 'the projection thread exists on the embedded SQLite shape only (elsewhere: the event loop)',
  // They choose their store themselves or do not depend on it: a second pass repeats them unchanged.
  'eventstoredb-outage.e2e': 'starts and stops its own EventStoreDB test server',
  'replicated-data-keys.e2e': 'chooses its own stores: an EventStoreDB test server and a PostgreSQL database',
  'replicated-instances.e2e': 'chooses its own stores: an EventStoreDB test server and a PostgreSQL database',
  'replicated-secrets.e2e': 'chooses its own stores: an EventStoreDB test server and a PostgreSQL database',
  'replicated-webhooks.e2e': 'chooses its own stores: an EventStoreDB test server and a PostgreSQL database',
  'webhooks-restart.e2e': 'SIGKILLs a real process whose webhook queue and events live in DATA_DIR',
  'logging.e2e': 'log format and redaction do not depend on the store',
  'metrics.e2e': 'metric series do not depend on the store',
};

module.exports = {
  ...base,
  roots: ['<rootDir>/test/e2e'],
  testPathIgnorePatterns: [
    '/node_modules/',
    ...Object.keys(FIRST_PASS_ONLY).map((name) => `/${name.replace('.', '\\.')}\\.spec\\.ts$`),
  ],
};
