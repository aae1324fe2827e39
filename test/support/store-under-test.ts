/**
 * Which event store the e2e suite runs on. `npm test` runs the suite twice: on the embedded
 * SQLite default, and with E2E_STORE=esdb on the EventStoreDB adapter through the gRPC test
 * server in test/support/esdb (one server per service instance).
 */
export async function testEventStoreEnv(): Promise<{ env: Record<string, string>; release: () => Promise<void> }> {
  if (process.env.E2E_STORE !== 'esdb') return { env: {}, release: async () => {} };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startFakeEventStoreForE2e } = require('./esdb/e2e');
  return startFakeEventStoreForE2e();
}
