import { ErrorType, WrongExpectedVersionError, isCommandError } from '@eventstore/db-client';
import {
  ConcurrencyError,
  EventStoreUnavailableError,
  type ExpectedVersion,
} from '../../../application/ports/event-store.port';

/** The client's errors in the port's terms; anything unrecognised is passed on unchanged. */

const UNREACHABLE = new Set<string>([
  ErrorType.UNAVAILABLE,
  // The server cancels calls when it shuts down (24.4+ answers a terminating node this way).
  ErrorType.CANCELLED,
  ErrorType.DEADLINE_EXCEEDED,
  ErrorType.TIMEOUT,
  // Single-node connections have no leader to move to; for us it means "try later".
  ErrorType.NOT_LEADER,
]);

// gRPC status codes, for errors raised before the client wraps them (e.g. while connecting).
const GRPC_CANCELLED = 1;
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;

export function isUnreachable(error: unknown): boolean {
  if (error instanceof EventStoreUnavailableError) return true;
  if (isCommandError(error as Error)) return UNREACHABLE.has((error as { type: string }).type);
  const code = (error as { code?: unknown } | null)?.code;
  return code === GRPC_UNAVAILABLE || code === GRPC_DEADLINE_EXCEEDED || code === GRPC_CANCELLED;
}

export function translateError(
  error: unknown,
  context: { streamId?: string; expectedVersion?: ExpectedVersion } = {},
): Error {
  if (error instanceof WrongExpectedVersionError && context.streamId !== undefined) {
    const actual = error.actualVersion;
    const actualVersion = typeof actual === 'bigint' ? Number(actual) + 1 : null;
    return new ConcurrencyError(context.streamId, context.expectedVersion ?? 'any', actualVersion);
  }
  if (isUnreachable(error)) {
    if (error instanceof EventStoreUnavailableError) return error;
    return new EventStoreUnavailableError(`EventStoreDB is unreachable: ${(error as Error).message}`, error);
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** Rejects with EventStoreUnavailableError when the work takes longer than `ms`. */
export async function withDeadline<T>(ms: number, what: string, work: Promise<T>, onTimeout?: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new EventStoreUnavailableError(`EventStoreDB did not answer ${what} within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
