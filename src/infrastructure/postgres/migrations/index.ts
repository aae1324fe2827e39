import { type Migration } from 'kysely';
import * as dataKeys from './0001-data-keys';
import * as throttlerCounters from './0002-throttler-counters';
import * as readModels from './0010-read-models';

/**
 * Every schema migration, in order, by a name that sorts in that order. Listed in code rather
 * than read from a folder, so the compiled build and `node -r @swc-node/register` find the same.
 * Append; never rename or edit one that has shipped.
 */
export const MIGRATIONS: Record<string, Migration> = {
  '0001-data-keys': dataKeys,
  '0002-throttler-counters': throttlerCounters,
  '0010-read-models': readModels,
};
