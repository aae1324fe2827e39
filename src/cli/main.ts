import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { CredentialUnavailableError } from '../application/ports/cipher.port';
import { ConfigError } from '../infrastructure/config/config';
import { CliError, EXIT, withApplication } from './cli-context';
import { type CommandRunner } from './commands/command-runner';
import { eventsCommand } from './commands/events.command';
import { keysCommand } from './commands/keys.command';
import { projectionsCommand } from './commands/projections.command';
import { smtpCommand } from './commands/smtp.command';
import { tenantCommand } from './commands/tenant.command';
import { output } from './output';

const EXIT_CODES_HELP = `
Runs on the service's own modules and reads the same environment (DATA_DIR, EVENTSTORE_CONNECTION_STRING,
ENCRYPTION_KEY / ENCRYPTION_KEYS, …); it never generates keys or tokens.

Exit codes:
  0  done
  1  failed (an unexpected error; see stderr)
  2  usage error (unknown command or option, bad argument)
  3  not found (the tenant was never provisioned)
  4  the check ran and failed (e.g. smtp test)
  5  configuration error (a bad or missing variable)`;

/** Maps how a command ended to one stderr line and an exit code; never prints a stack or a secret. */
function exitCodeFor(error: unknown): { code: number; message: string } {
  if (error instanceof CliError) return { code: error.exitCode, message: error.message };
  if (error instanceof ConfigError) return { code: EXIT.config, message: `configuration error: ${error.message}` };
  if (error instanceof CredentialUnavailableError)
    return { code: EXIT.failed, message: `${error.message}; is the master key that wrapped it in ENCRYPTION_KEYS?` };
  return { code: EXIT.failed, message: `failed: ${(error as Error)?.message ?? String(error)}` };
}

const run: CommandRunner = async (cmd, work) => {
  const flags = cmd.optsWithGlobals<{ json?: boolean; verbose?: boolean }>();
  const out = output(!!flags.json);
  try {
    process.exitCode = (await withApplication(process.env, !!flags.verbose, (app) => work(app, out))) ?? EXIT.ok;
  } catch (error) {
    const { code, message } = exitCodeFor(error);
    process.stderr.write(`${cmd.parent?.name()} ${cmd.name()}: ${message}\n`);
    if (out.json) process.stdout.write(`${JSON.stringify({ error: message, exitCode: code })}\n`);
    process.exitCode = code;
  }
};

export function cliProgram(): Command {
  const program = new Command('mail-config')
    .description('Operator commands for the mail configuration service')
    .option('--json', 'print the result as one JSON document on stdout')
    .option('--verbose', 'also log info lines (JSON, on stderr)')
    .addHelpText('after', EXIT_CODES_HELP)
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  tenantCommand(program, run);
  projectionsCommand(program, run);
  keysCommand(program, run);
  smtpCommand(program, run);
  eventsCommand(program, run);
  return program;
}

async function main(): Promise<void> {
  // The CLI opens the same SQLite files as the service: what it creates is for the owner only too.
  process.umask(0o077);
  try {
    await cliProgram().parseAsync(process.argv);
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    // Help and version end with 0; every parse error (already printed by commander) with 2.
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  // A store client that keeps a socket open must not hold the process after the work is done.
  setTimeout(() => process.exit(), 2000).unref();
}

main().catch((error: Error) => {
  process.stderr.write(`failed: ${error.message}\n`);
  process.exit(EXIT.failed);
});
