import { DatabaseUnavailableError } from '../../application/ports/database-unavailable.error';

// Connection exceptions (08), operator intervention (57: shutdown, cannot connect now, statement
// timeout), insufficient resources (53: too many connections).
const UNAVAILABLE_SQLSTATE = /^(08|57|53)/;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);
// node-postgres raises these as plain Errors without a code.
const DRIVER_MESSAGES = /^(Connection terminated|timeout exceeded when trying to connect|Query read timeout)/;

/** Whether a driver error means "the database is not there right now" rather than "this statement is wrong". */
export function isUnavailable(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  if (typeof e?.code === 'string' && (NETWORK_CODES.has(e.code) || UNAVAILABLE_SQLSTATE.test(e.code))) return true;
  return typeof e?.message === 'string' && DRIVER_MESSAGES.test(e.message);
}

/** Runs a database call, turning unavailability into DatabaseUnavailableError (other errors pass unchanged). */
export async function unavailableAs<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isUnavailable(error)) throw new DatabaseUnavailableError(`PostgreSQL unavailable (${what})`, error);
    throw error;
  }
}
