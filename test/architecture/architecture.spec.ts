import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = resolve(__dirname, '../..');
const depcruise = join(root, 'node_modules/.bin/depcruise');
const config = join(root, '.dependency-cruiser.js');

// CI=true makes the reporter colour its output; the assertions read plain text.
const noColor = { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' };
const plain = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

/** Runs the project's architecture check over a small tree; returns its exit code and output. */
async function check(files: Record<string, string>): Promise<{ code: number; out: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'arch-'));
  try {
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), content);
    }
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'commonjs' } }));
    const { stdout } = await run(depcruise, ['src', '--config', config], { cwd: dir, env: noColor });
    return { code: 0, out: plain(stdout) };
  } catch (error: any) {
    return { code: error.code, out: plain(`${error.stdout}${error.stderr}`) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('architecture check', () => {
  it('passes on the real source tree', async () => {
    const { stdout } = await run(depcruise, ['src', '--config', config], { cwd: root, env: noColor });
    expect(plain(stdout)).toMatch(/no dependency violations found/);
  });

  it('passes a tree that respects the layers', async () => {
    const result = await check({
      'src/domain/a.ts': 'export const a = 1;\n',
      'src/application/b.ts': "import { a } from '../domain/a';\nexport const b = a;\n",
      'src/infrastructure/c.ts': "import { b } from '../application/b';\nexport const c = b;\n",
    });
    expect(result).toMatchObject({ code: 0 });
  });

  it('fails when the domain imports anything outside itself', async () => {
    const result = await check({
      'src/application/port.ts': 'export const port = 1;\n',
      'src/domain/bad.ts':
        "import { port } from '../application/port';\nimport { readFileSync } from 'node:fs';\nexport const x = [port, readFileSync];\n",
    });
    expect(result.code).not.toBe(0);
    expect(result.out).toContain('domain-is-pure');
    expect(result.out).toContain('src/domain/bad.ts');
  });

  it('fails when the application imports an adapter or the HTTP layer', async () => {
    const result = await check({
      'src/infrastructure/adapter.ts': 'export const adapter = 1;\n',
      'src/interfaces/http/controller.ts': 'export const controller = 1;\n',
      'src/application/use-case.ts':
        "import { adapter } from '../infrastructure/adapter';\nimport { controller } from '../interfaces/http/controller';\nexport const u = [adapter, controller];\n",
    });
    expect(result.code).not.toBe(0);
    expect(result.out).toContain('application-knows-no-adapters');
    expect(result.out).toMatch(/src\/application\/use-case\.ts → src\/infrastructure\/adapter\.ts/);
    expect(result.out).toMatch(/src\/application\/use-case\.ts → src\/interfaces\/http\/controller\.ts/);
  });

  it('fails when src reaches for an async context (AsyncLocalStorage, nestjs-pino/storage)', async () => {
    const result = await check({
      'src/infrastructure/scope.ts':
        "import { AsyncLocalStorage } from 'node:async_hooks';\nimport { storage } from 'nestjs-pino/storage';\n" +
        'export const s = [AsyncLocalStorage, storage];\n',
    });
    expect(result.code).not.toBe(0);
    expect(result.out).toMatch(/no-async-context-on-the-request-path: src\/infrastructure\/scope\.ts → async_hooks/);
    expect(result.out).toMatch(
      /no-async-context-on-the-request-path: src\/infrastructure\/scope\.ts → nestjs-pino\/storage/,
    );
  });

  describe('controllers only dispatch', () => {
    const application = {
      'src/application/ports/event-store.port.ts': 'export const EVENT_STORE = Symbol();\n',
      'src/application/x/commands/do-it.command.ts': 'export class DoItCommand {}\n',
      'src/application/x/commands/do-it.handler.ts':
        "import { DoItCommand } from './do-it.command';\nimport { EVENT_STORE } from '../../ports/event-store.port';\n" +
        'export class DoItHandler { message = DoItCommand; store = EVENT_STORE; }\n',
    };

    it('passes a controller that imports the message only', async () => {
      const result = await check({
        ...application,
        'src/interfaces/http/x.controller.ts':
          "import { DoItCommand } from '../../application/x/commands/do-it.command';\nexport const c = DoItCommand;\n",
      });
      expect(result).toMatchObject({ code: 0 });
    });

    it('fails when a controller imports a handler or the event store', async () => {
      const result = await check({
        ...application,
        'src/interfaces/http/x.controller.ts':
          "import { DoItHandler } from '../../application/x/commands/do-it.handler';\n" +
          "import { EVENT_STORE } from '../../application/ports/event-store.port';\nexport const c = [DoItHandler, EVENT_STORE];\n",
      });
      expect(result.code).not.toBe(0);
      expect(result.out).toContain('interfaces-only-dispatch');
      expect(result.out).toMatch(
        /src\/interfaces\/http\/x\.controller\.ts → src\/application\/x\/commands\/do-it\.handler\.ts/,
      );
      expect(result.out).toMatch(
        /src\/interfaces\/http\/x\.controller\.ts → src\/application\/ports\/event-store\.port\.ts/,
      );
    });
  });
});
