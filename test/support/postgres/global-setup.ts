import { COORDINATOR_VARIABLE, startCoordinator } from './server';

/** Jest globalSetup: runs in the parent before any worker starts, so workers inherit the variable. */
export default async function globalSetup(): Promise<void> {
  const coordinator = await startCoordinator();
  (globalThis as { __testPostgres?: unknown }).__testPostgres = coordinator;
  process.env[COORDINATOR_VARIABLE] = coordinator.url;
}
