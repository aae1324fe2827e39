import { type INestApplicationContext } from '@nestjs/common';
import { type Command, InvalidArgumentError } from 'commander';
import { type Output } from '../output';

/**
 * Runs a command's work inside the application (see main.ts), with the output the flags asked
 * for. The work may return an exit code for a result it has already printed (a failed check).
 */
export type CommandRunner = (
  cmd: Command,
  work: (app: INestApplicationContext, out: Output) => Promise<number | void>,
) => Promise<void>;

const TENANT_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function tenantIdArgument(raw: string): string {
  if (!TENANT_ID.test(raw)) throw new InvalidArgumentError('a tenant id is 1-64 characters of A-Z, a-z, 0-9, _ or -');
  return raw;
}

export function timeOption(raw: string): Date {
  const at = new Date(raw);
  if (!/^\d{4}-\d{2}-\d{2}/.test(raw) || Number.isNaN(at.getTime()))
    throw new InvalidArgumentError('must be an ISO 8601 time, e.g. 2026-11-26T10:00:00Z');
  return at;
}

export function positiveInteger(raw: string): number {
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return Number(raw);
}
