/**
 * The shared database (PostgreSQL in the replicated shape) cannot be reached or did not answer
 * in time. Adapters raise it instead of a driver's error, so callers answer 503 and retry
 * rather than 500; the service recovers by itself once the database is back.
 */
export class DatabaseUnavailableError extends Error {
  readonly code = 'DATABASE_UNREACHABLE';

  constructor(
    message: string,
    readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'DatabaseUnavailableError';
  }
}
