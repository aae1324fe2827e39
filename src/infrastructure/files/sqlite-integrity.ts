import type Database from 'better-sqlite3';
import { basename } from 'node:path';

/**
 * `PRAGMA quick_check` on a freshly opened SQLite file: page-level corruption (a damaged b-tree
 * page, a bad freelist) found at start, not at the first read that happens to touch it. Null when
 * the file is sound; otherwise one line naming the file and SQLite's first findings.
 */
export function quickCheck(db: Database.Database, file: string): string | null {
  let rows: { quick_check: string }[];
  try {
    rows = db.pragma('quick_check(5)') as { quick_check: string }[];
  } catch (error) {
    return `${basename(file)} failed PRAGMA quick_check: ${(error as Error).message}`;
  }
  const found = rows.map((r) => r.quick_check).filter((line) => line !== 'ok');
  return found.length === 0 ? null : `${basename(file)} failed PRAGMA quick_check: ${found.join('; ').slice(0, 500)}`;
}
