import { transformFileSync } from '@swc/core';
import { cpSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { progress } from './progress';

/**
 * Where this harness's transpiled copy of src/ goes: under node_modules, so its requires resolve,
 * and per harness process, so two quick runs at once do not overwrite each other.
 */
export const quickBuildRoot = (repoRoot: string) =>
  join(repoRoot, 'node_modules', '.cache', 'mcs-bench', String(process.pid));
export const quickBuildDir = (repoRoot: string) => join(quickBuildRoot(repoRoot), 'src');

export function removeQuickBuild(repoRoot: string): void {
  rmSync(quickBuildRoot(repoRoot), { recursive: true, force: true });
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/**
 * Transpiles src/ with swc (no type check: `npm test` type-checks) so the quick run starts the
 * service as plain JavaScript — a second per start instead of compiling on the fly each time.
 * The full run always measures `npm run build` output.
 */
export function quickBuild(repoRoot: string): string {
  const t0 = Date.now();
  const out = quickBuildDir(repoRoot);
  rmSync(out, { recursive: true, force: true });
  const files = sources(join(repoRoot, 'src'));
  for (const file of files) {
    const { code } = transformFileSync(file, {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
      module: { type: 'commonjs' },
      sourceMaps: false,
      swcrc: false,
    });
    const target = join(out, relative(join(repoRoot, 'src'), file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, code);
  }
  // The pages' static files are served from beside the code, as `npm run build` copies them.
  cpSync(join(repoRoot, 'src', 'interfaces', 'web'), join(out, 'interfaces', 'web'), { recursive: true });
  // JSON modules the code imports (tsc emits them beside the code too).
  for (const json of jsonModules(join(repoRoot, 'src'))) {
    cpSync(json, join(out, relative(join(repoRoot, 'src'), json)));
  }
  progress(`transpiled ${files.length} source files for the quick run in ${Date.now() - t0} ms`);
  return join(out, 'main.js');
}

function jsonModules(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'web' ? [] : jsonModules(path);
    return name.endsWith('.json') ? [path] : [];
  });
}
