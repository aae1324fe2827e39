import { type Command } from 'commander';
import { EVENT_STORE, type EventStore } from '../../application/ports/event-store.port';
import { READ_MODEL_STORE, type ReadModelStore } from '../../application/ports/read-model.port';
import { rebuildReadModels } from '../../application/projections/rebuild';
import { type CommandRunner } from './command-runner';

const percent = (position: bigint, head: bigint) => (head === 0n ? 100 : Number((position * 100n) / head));

/** Adds `projections …` to the program (created with .command() so it inherits exitOverride and output settings). */
export function projectionsCommand(program: Command, run: CommandRunner): Command {
  const projections = program
    .command('projections')
    .description('the read models behind the support dashboard and the audit');

  projections
    .command('rebuild')
    .description(
      'empty the read models and replay every event into them; safe while the service runs ' +
        '(its projection notices and resumes from the new checkpoint)',
    )
    .action((_opts: unknown, cmd: Command) =>
      run(cmd, async (app, out) => {
        const events = app.get<EventStore>(EVENT_STORE);
        const readModels = app.get<ReadModelStore>(READ_MODEL_STORE);
        const started = Date.now();
        out.progress('rebuilding read models…', true);
        const result = await rebuildReadModels(events, readModels, (p) =>
          out.progress(
            `rebuilding read models: ${p.events} events, position ${p.position}/${p.head} (${percent(p.position, p.head)}%)`,
          ),
        );
        const durationMs = Date.now() - started;
        out.progress(`rebuilt: ${result.events} events in ${durationMs} ms`, true);
        out.result(
          { ...result, durationMs },
          () =>
            `read models rebuilt from ${result.events} events (applied ${result.applied}, skipped ${result.skipped}, ` +
            `duplicate ${result.duplicate}); checkpoint ${result.position}, in ${durationMs} ms`,
        );
      }),
    );
  return projections;
}
