import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Files under `dir` whose bytes contain `needle` (for "no plaintext secret on disk" checks). */
export function dataDirContains(dir: string, needle: string): string[] {
  return filesUnder(dir).filter((f) => readFileSync(f).includes(Buffer.from(needle, 'utf8')));
}
