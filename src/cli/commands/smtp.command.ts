import { CommandBus } from '@nestjs/cqrs';
import { type Command, InvalidArgumentError } from 'commander';
import { randomUUID } from 'node:crypto';
import { type SmtpTestReport } from '../../application/ports/mail-transport.port';
import { TestSmtpCommand } from '../../application/smtp-test/commands/test-smtp.command';
import { MailConfigError } from '../../domain/mail-config/mail-config.errors';
import { CliError, EXIT } from '../cli-context';
import { type CommandRunner, tenantIdArgument } from './command-runner';

/** Nothing to test is "not found": the tenant, or its saved SMTP settings, do not exist (any more). */
const NOTHING_TO_TEST = new Set(['NOT_PROVISIONED', 'SMTP_NOT_CONFIGURED', 'TENANT_ERASED']);

function email(raw: string): string {
  if (!/^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/.test(raw) || raw.length > 254)
    throw new InvalidArgumentError('must be an email address');
  return raw;
}

export function smtpCommand(program: Command, run: CommandRunner): Command {
  const smtp = program.command('smtp').description('a tenant’s own SMTP server (mode 3)');

  smtp
    .command('test')
    .description(
      'run the Test button on the saved SMTP settings (policy → dns → connect → tls → auth → send) and ' +
        'record the result (SmtpConnectionTested); exits 4 when the test fails',
    )
    .argument('<tenantId>', 'tenant id', tenantIdArgument)
    .option('--send-to <email>', 'also deliver a short test message to this address', email)
    .option('--actor <name>', 'who runs the test, recorded in the event', 'operator-cli')
    .action((tenantId: string, opts: { sendTo?: string; actor: string }, cmd: Command) =>
      run(cmd, async (app, out) => {
        out.progress(`testing the saved SMTP settings of ${tenantId}…`, true);
        const ctx = { actor: opts.actor.slice(0, 200), correlationId: randomUUID() };
        const report: SmtpTestReport = await app
          .get(CommandBus)
          .execute(new TestSmtpCommand(tenantId, null, opts.sendTo ?? null, ctx))
          .catch((error: unknown) => {
            if (error instanceof MailConfigError && NOTHING_TO_TEST.has(error.code)) {
              throw new CliError(EXIT.notFound, `tenant ${tenantId}: ${error.message}`);
            }
            throw error;
          });
        const delivered = opts.sendTo ? `; test message sent to ${opts.sendTo}` : '';
        out.result({ tenantId, ...report }, () =>
          report.ok
            ? `SMTP test of ${tenantId} passed in ${report.durationMs} ms${delivered}`
            : `SMTP test of ${tenantId} failed at ${report.stage} after ${report.durationMs} ms: ${report.message}`,
        );
        return report.ok ? EXIT.ok : EXIT.checkFailed;
      }),
    );
  return smtp;
}
