import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, spawnService } from '../support/service-process';

const read = (file: string) => readFileSync(join(REPO_ROOT, file), 'utf8');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory()
      ? sourceFiles(path)
      : path.endsWith('.ts') && !path.endsWith('.spec.ts')
        ? [path]
        : [];
  });
}

/** Every environment variable the service reads: `env.X`, `helper(env, 'X')`, and the names listed in config/. */
function variablesReadBySource(): string[] {
  const names = new Set<string>();
  for (const file of sourceFiles(join(REPO_ROOT, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\benv\.([A-Z][A-Z0-9_]{2,})\b/g)) names.add(m[1]);
    for (const m of text.matchAll(/\(\s*env\s*,\s*'([A-Z][A-Z0-9_]{2,})'/g)) names.add(m[1]);
    if (file.includes(join('infrastructure', 'config'))) {
      for (const m of text.matchAll(/['\s]([A-Z][A-Z0-9]*_[A-Z0-9_]+)['\s]*:/g)) names.add(m[1]);
      for (const m of text.matchAll(/'([A-Z][A-Z0-9]*_[A-Z0-9_]+)'/g)) names.add(m[1]);
    }
  }
  return [...names].sort();
}

/** KEY=value lines of a dotenv file. */
function dotenv(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((l) => /^[A-Z][A-Z0-9_]*=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

describe('configuration reference', () => {
  const variables = variablesReadBySource();

  it('finds the variables the code reads (the scan itself works)', () => {
    expect(variables).toEqual(
      expect.arrayContaining([
        'PORT',
        'DATA_DIR',
        'ENCRYPTION_KEYS',
        'GOOGLE_TOKEN_URL',
        'SHUTDOWN_TIMEOUT_MS',
        'NODE_ENV',
      ]),
    );
  });

  it('lists every variable in .env.example and in the README configuration table', () => {
    const example = dotenv(read('.env.example'));
    const guide = read('README.md');
    const missing = variables.filter((v) => !(v in example) || !guide.includes(`\`${v}\``));
    expect(missing).toEqual([]);
  });

  it('starts with every value of .env.example as given (the example is a valid configuration)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mcs-envexample-'));
    try {
      const service = await spawnService({
        ...dotenv(read('.env.example')),
        DATA_DIR: dataDir,
        PORT: '0',
        NODE_ENV: 'production',
      });
      const live = await fetch(`${service.url}/health/live`);
      expect(live.status).toBe(200);
      service.child.kill('SIGTERM');
      expect((await service.exited).code).toBe(0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
