import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';

/**
 * Makes a SQLite database file readable by the service's user only, before it is opened: SQLite
 * creates the -wal and -shm files with the database file's mode, so they follow. Files left by an
 * older version with wider modes are narrowed too. Whatever the process umask is.
 */
export function ownerOnlySqliteFile(file: string): void {
  if (file === '' || file === ':memory:' || file.startsWith('file:')) return;
  closeSync(openSync(file, 'a', 0o600));
  for (const path of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(path)) chmodSync(path, 0o600);
}
