import { randomUUID } from 'node:crypto';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { type Command, InvalidArgumentError } from 'commander';
import { QuarantineEventCommand } from '../../application/projections/commands/quarantine-event.command';
import { ListQuarantinedEventsQuery } from '../../application/projections/queries/list-quarantined-events.query';
import { CliError, EXIT } from '../cli-context';
import { type CommandRunner, positiveInteger } from './command-runner';

function streamId(raw: string): string {
  if (!/^[A-Za-z0-9_.:$-]{1,200}$/.test(raw)) throw new InvalidArgumentError('a stream id, e.g. mailConfig-t-alpha');
  return raw;
}

/** Adds `events …`: stored events that cannot be read back, and setting them aside. */
export function eventsCommand(program: Command, run: CommandRunner): Command {
  const events = program.command('events').description('stored events the projections cannot read');

  events
    .command('quarantine')
    .description(
      'set one stored event aside: the projections skip it (with a log line) and go on for every other ' +
        'tenant; recorded in the event store, the event itself is kept. The projection log names the ' +
        'stream and version of an event it cannot read.',
    )
    .requiredOption('--stream <id>', 'the event’s stream, e.g. mailConfig-t-alpha', streamId)
    .requiredOption('--version <n>', 'the event’s version in its stream', positiveInteger)
    .option('--reason <text>', 'why (default: what decoding it found)')
    .option('--actor <name>', 'who quarantines it, recorded with it', 'operator-cli')
    .action((opts: { stream: string; version: number; reason?: string; actor: string }, cmd: Command) =>
      run(cmd, async (app, out) => {
        const ctx = { actor: opts.actor.slice(0, 200), correlationId: randomUUID() };
        const result = await app
          .get(CommandBus)
          .execute(new QuarantineEventCommand(opts.stream, opts.version, opts.reason?.slice(0, 500), ctx));
        if (result.outcome === 'not_found') {
          throw new CliError(EXIT.notFound, `no event ${opts.stream} version ${opts.version}`);
        }
        const { event } = result;
        out.result(
          result,
          () =>
            `${result.outcome === 'quarantined' ? 'quarantined' : 'already quarantined'}: ${event.streamId} ` +
            `version ${event.version} (position ${event.position}): ${event.reason}`,
        );
      }),
    );

  events
    .command('quarantined')
    .description('list the events set aside, oldest first')
    .action((_opts: unknown, cmd: Command) =>
      run(cmd, async (app, out) => {
        const list = await app.get(QueryBus).execute(new ListQuarantinedEventsQuery());
        out.result(list, () =>
          list.length === 0
            ? 'no quarantined events'
            : list
                .map(
                  (q) =>
                    `${q.streamId} version ${q.version} (position ${q.position})  ${q.quarantinedAt}  ` +
                    `${q.actor}  ${q.reason}`,
                )
                .join('\n'),
        );
      }),
    );
  return events;
}
