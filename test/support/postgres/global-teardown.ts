import { type Coordinator } from './server';

/** Jest globalTeardown: runs after the last suite, whether it passed or not; stops the server if one started. */
export default async function globalTeardown(): Promise<void> {
  const coordinator = (globalThis as { __testPostgres?: Coordinator }).__testPostgres;
  await coordinator?.close();
}
