import { type Command } from 'commander';
import { CIPHER } from '../../application/ports/cipher.port';
import { type EnvelopeCipher } from '../../infrastructure/crypto/envelope.cipher';
import { MasterKeyRing } from '../../infrastructure/crypto/key-ring';
import { type CommandRunner } from './command-runner';

/** Adds `keys …` to the program (created with .command() so it inherits exitOverride and output settings). */
export function keysCommand(program: Command, run: CommandRunner): Command {
  const keys = program.command('keys').description('the master keys that wrap the tenants’ data keys');

  keys
    .command('rotate')
    .description(
      're-wrap every tenant data key under the active master key (ENCRYPTION_ACTIVE_KEY_ID, else the last of ' +
        'ENCRYPTION_KEYS); events are untouched; an interrupted run can simply be run again',
    )
    .action((_opts: unknown, cmd: Command) =>
      run(cmd, async (app, out) => {
        const ring = app.get(MasterKeyRing);
        const cipher = app.get<EnvelopeCipher>(CIPHER);
        out.progress(`re-wrapping data keys under master key "${ring.activeId}"…`, true);
        const rewrapped = await cipher.rotate((done, total) =>
          out.progress(`re-wrapped ${done}/${total} data keys`, done === total),
        );
        const retirable = ring.ids().filter((id) => id !== ring.activeId);
        out.result(
          { activeKeyId: ring.activeId, rewrapped, retirableKeyIds: retirable },
          () =>
            `${rewrapped} data key(s) re-wrapped; every data key is now wrapped by "${ring.activeId}"` +
            (retirable.length
              ? `; ${retirable.map((id) => `"${id}"`).join(', ')} may be removed from the key ring`
              : ''),
        );
      }),
    );
  return keys;
}
