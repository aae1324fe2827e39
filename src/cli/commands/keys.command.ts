import { CommandBus } from '@nestjs/cqrs';
import { type Command } from 'commander';
import { RotateKeysCommand, type RotateKeysResult } from '../../application/keys/commands/rotate-keys.command';
import { type CommandRunner, positiveInteger } from './command-runner';

function render(r: RotateKeysResult, stopAfter: number | undefined): string {
  if (r.remaining > 0) {
    return (
      `${r.rewrapped} data key(s) re-wrapped under "${r.activeKeyId}", ` +
      `then stopped as asked (--stop-after ${stopAfter}); ` +
      `${r.remaining} still wrapped by another master key: run keys rotate again to re-wrap the rest`
    );
  }
  return (
    `${r.rewrapped} data key(s) re-wrapped; every data key is now wrapped by "${r.activeKeyId}"` +
    (r.retirableKeyIds.length
      ? `; ${r.retirableKeyIds.map((id) => `"${id}"`).join(', ')} may be removed from the key ring`
      : '')
  );
}

/** Adds `keys …` to the program (created with .command() so it inherits exitOverride and output settings). */
export function keysCommand(program: Command, run: CommandRunner): Command {
  const keys = program.command('keys').description('the master keys that wrap the tenants’ data keys');

  keys
    .command('rotate')
    .description(
      're-wrap every tenant data key under the active master key (ENCRYPTION_ACTIVE_KEY_ID, else the last of ' +
        'ENCRYPTION_KEYS); events are untouched; an interrupted run can simply be run again',
    )
    .option('--stop-after <n>', 're-wrap at most n data keys in this run (to spread the work)', positiveInteger)
    .action((opts: { stopAfter?: number }, cmd: Command) =>
      run(cmd, async (app, out) => {
        out.progress('re-wrapping data keys under the active master key…', true);
        const result = await app.get(CommandBus).execute(
          new RotateKeysCommand({
            stopAfter: opts.stopAfter,
            onProgress: (done, total) =>
              out.progress(`re-wrapped ${done}/${total} data keys`, done === total || done === opts.stopAfter),
          }),
        );
        out.result(result, () => render(result, opts.stopAfter));
      }),
    );
  return keys;
}
