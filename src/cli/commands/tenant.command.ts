import { type Command, InvalidArgumentError } from 'commander';
import { type HistoryEntry } from '../../application/mail-config/history';
import {
  type DuplicateUsername,
  FindDuplicateUsernamesQuery,
} from '../../application/mail-config/queries/find-duplicate-usernames.query';
import { type TenantStatus } from '../../application/ports/read-model.port';
import {
  GetDashboardTenantsQuery,
  type TenantPage,
} from '../../application/projections/queries/get-dashboard-tenants.query';
import { type Mode, MODES } from '../../domain/mail-config/mail-config.types';
import { GetMailConfigHistoryQuery } from '../../application/mail-config/queries/get-mail-config-history.query';
import { QueryBus } from '@nestjs/cqrs';
import { GetMailConfigQuery } from '../../application/mail-config/queries/get-mail-config.query';
import { type MailConfigView } from '../../application/mail-config/mail-config.view';
import { MailConfigError } from '../../domain/mail-config/mail-config.errors';
import { CliError, EXIT } from '../cli-context';
import { table } from '../output';
import { type CommandRunner, positiveInteger, tenantIdArgument, timeOption } from './command-runner';

const HISTORY_PAGE = 500;
const LIST_DEFAULT = 100;
const LIST_MAX = 500;
const STATUSES: readonly TenantStatus[] = ['ok', 'needs_attention', 'erased'];

function listLimit(raw: string): number {
  const n = positiveInteger(raw);
  if (n > LIST_MAX) throw new InvalidArgumentError(`must be at most ${LIST_MAX}; page on with --cursor`);
  return n;
}

const oneOf =
  <T extends string>(values: readonly T[]) =>
  (raw: string): T => {
    if (!values.includes(raw as T)) throw new InvalidArgumentError(`must be one of ${values.join(', ')}`);
    return raw as T;
  };

function notFound<T>(tenantId: string): (error: unknown) => T {
  return (error) => {
    if (error instanceof MailConfigError && error.code === 'NOT_PROVISIONED') {
      throw new CliError(EXIT.notFound, `tenant ${tenantId}: ${error.message}`);
    }
    throw error;
  };
}

function lastTestOf(t: NonNullable<NonNullable<MailConfigView['smtp']>['lastTest']>): string {
  return `${t.ok ? 'ok' : `failed at ${t.stage}: ${t.message}`} (${t.at})`;
}

function renderView(v: MailConfigView): string {
  const smtp = v.smtp
    ? `${v.smtp.host}:${v.smtp.port} (${v.smtp.security}) as ${v.smtp.username}, from ${v.smtp.address}` +
      (v.smtp.lastTest ? `; last test ${lastTestOf(v.smtp.lastTest)}` : '; never tested')
    : 'not configured';
  const gmail = v.gmail.account ? `${v.gmail.status} (${v.gmail.account})` : v.gmail.status;
  return table([
    ['tenant', v.tenantId],
    ['status', v.status],
    ['mode', v.mode],
    ['sender', v.sender ?? '-'],
    ['default', v.default.address ?? '-'],
    ['gmail', gmail + (v.gmail.revokedReason ? `, revoked: ${v.gmail.revokedReason} at ${v.gmail.revokedAt}` : '')],
    ['smtp', smtp],
    [
      'delivery',
      v.delivery.failing ? `failing since ${v.delivery.since} at ${v.delivery.stage}: ${v.delivery.message}` : 'ok',
    ],
    ['version', `${v.version}, updated ${v.updatedAt}`],
  ]);
}

function renderHistory(events: HistoryEntry[]): string {
  if (events.length === 0) return 'no events match';
  return events
    .map(
      (e) => `${String(e.version).padStart(4)}  ${e.at}  ${e.type.padEnd(22)}  ${e.actor}  ${JSON.stringify(e.data)}`,
    )
    .join('\n');
}

function renderList(page: TenantPage): string {
  if (page.tenants.length === 0) return 'no tenants';
  const rows = [
    ['TENANT', 'USERNAME', 'MODE', 'STATUS', 'SENDER'],
    ...page.tenants.map((t) => [
      t.tenantId,
      (t.username ?? '-') + (t.duplicateUsername ? ' (shared!)' : ''),
      t.mode,
      t.status + (t.attention ? ` (${t.attention})` : ''),
      t.sender ?? '-',
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function renderDuplicates(found: DuplicateUsername[]): string {
  if (found.length === 0) return 'no username is shared by two tenants';
  return found
    .map(
      (d) =>
        `${d.username}: ` +
        d.tenants
          .map((t) => `${t.tenantId} (${t.defaultAddress}, since ${t.provisionedAt}${t.erased ? ', erased' : ''})`)
          .join(', '),
    )
    .join('\n');
}

/** Adds `tenant …` to the program (created with .command() so it inherits exitOverride and output settings). */
export function tenantCommand(program: Command, run: CommandRunner): Command {
  const tenant = program.command('tenant').description("a tenant's mail configuration, read from the event store");

  tenant
    .command('show')
    .description('the current configuration (or as it was at --at), as GET …/mail-config shows it')
    .argument('<tenantId>', 'tenant id', tenantIdArgument)
    .option('--at <time>', 'ISO 8601 time: the configuration as it was then', timeOption)
    .action((tenantId: string, opts: { at?: Date }, cmd: Command) =>
      run(cmd, async (app, out) => {
        const view = await app
          .get(QueryBus)
          .execute(new GetMailConfigQuery(tenantId, opts.at))
          .catch(notFound<MailConfigView>(tenantId));
        out.result(view, () => renderView(view));
      }),
    );

  tenant
    .command('history')
    .description('the events of the tenant, oldest first, secrets shown as [encrypted]')
    .argument('<tenantId>', 'tenant id', tenantIdArgument)
    .option('--type <type...>', 'only these event types')
    .option('--since <time>', 'only events at or after this ISO 8601 time', timeOption)
    .option('--until <time>', 'only events at or before this ISO 8601 time', timeOption)
    .option('--limit <n>', 'at most n events', positiveInteger)
    .action((tenantId: string, opts: { type?: string[]; since?: Date; until?: Date; limit?: number }, cmd: Command) =>
      run(cmd, async (app, out) => {
        const queries = app.get(QueryBus);
        const events: HistoryEntry[] = [];
        let cursor: string | undefined;
        do {
          const want = Math.min(HISTORY_PAGE, (opts.limit ?? Infinity) - events.length);
          const filter = { types: opts.type, since: opts.since, until: opts.until, limit: want, cursor };
          const page = await queries
            .execute(new GetMailConfigHistoryQuery(tenantId, filter))
            .catch(notFound<never>(tenantId));
          events.push(...page.events);
          cursor = page.nextCursor ?? undefined;
          if (cursor) out.progress(`read ${events.length} events…`);
        } while (cursor && events.length < (opts.limit ?? Infinity));
        out.result({ tenantId, events }, () => renderHistory(events));
      }),
    );
  tenant
    .command('list')
    .description('the tenants as the support dashboard lists them (the projections), ordered by tenant id')
    .option('--mode <mode>', `only this mode (${MODES.join(', ')})`, oneOf(MODES))
    .option('--status <status>', `only this status (${STATUSES.join(', ')})`, oneOf(STATUSES))
    .option('--search <text>', 'only tenants whose id, username or sender contains the text (any case)')
    .option('--limit <n>', `at most n tenants (default ${LIST_DEFAULT}, at most ${LIST_MAX})`, listLimit)
    .option('--cursor <cursor>', 'the next page, as the previous one printed it')
    .action(
      (opts: { mode?: Mode; status?: TenantStatus; search?: string; limit?: number; cursor?: string }, cmd: Command) =>
        run(cmd, async (app, out) => {
          const { mode, status, search: q, cursor } = opts;
          const page = await app
            .get(QueryBus)
            .execute(new GetDashboardTenantsQuery({ mode, status, q, cursor, limit: opts.limit ?? LIST_DEFAULT }));
          out.result(page, () => renderList(page));
          if (page.nextCursor) out.progress(`more tenants: add --cursor ${page.nextCursor}`, true);
        }),
    );

  tenant
    .command('duplicates')
    .description(
      'usernames (support addresses) more than one tenant was provisioned with, read from the event store; ' +
        'exits 4 when there are any',
    )
    .action((_opts: unknown, cmd: Command) =>
      run(cmd, async (app, out) => {
        out.progress('reading every tenant stream…', true);
        const found = await app.get(QueryBus).execute(new FindDuplicateUsernamesQuery());
        out.result({ duplicates: found }, () => renderDuplicates(found));
        return found.length > 0 ? EXIT.checkFailed : EXIT.ok;
      }),
    );
  return tenant;
}
