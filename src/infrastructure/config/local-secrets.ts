import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface LocalSecret {
  value: string;
  /** Where it lives when it was generated; null when it came from the environment. */
  file: string | null;
  generated: boolean;
}

/**
 * A secret from the environment, or else one generated once into DATA_DIR with mode 0600 and
 * read back on every later start. Only the file's path is ever logged, never its content.
 */
export function environmentOrFile(
  envValue: string | undefined,
  dataDir: string,
  fileName: string,
  generate: () => string,
): LocalSecret {
  if (envValue !== undefined && envValue.trim() !== '') return { value: envValue.trim(), file: null, generated: false };
  mkdirSync(dataDir, { recursive: true });
  const file = resolve(join(dataDir, fileName));
  if (existsSync(file)) {
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    return { value: readFileSync(file, 'utf8').trim(), file, generated: false };
  }
  const value = generate();
  try {
    writeFileSync(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
    return { value, file, generated: true };
  } catch (error) {
    // Another process created it first: use theirs, so both agree.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      return { value: readFileSync(file, 'utf8').trim(), file, generated: false };
    throw error;
  }
}

export const randomToken = () => randomBytes(32).toString('base64url');
export const randomKey = () => randomBytes(32).toString('base64');
