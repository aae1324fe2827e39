import { CommandBus } from '@nestjs/cqrs';
import { type Command } from 'commander';
import { RebuildProjectionsCommand } from '../../application/projections/commands/rebuild-projections.command';
import { type CommandRunner } from './command-runner';

const percent = (position: bigint, head: bigint) =>
  head === 0n ? 100 : Math.min(100, Number((position * 100n) / head));

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
        out.progress('rebuilding read models…', true);
        const result = await app
          .get(CommandBus)
          .execute(
            new RebuildProjectionsCommand((p) =>
              out.progress(
                `rebuilding read models: ${p.events} events, position ${p.position}/${p.head} ` +
                  `(${percent(p.position, p.head)}%)`,
              ),
            ),
          );
        out.progress(`rebuilt: ${result.events} events in ${result.durationMs} ms`, true);
        out.result(
          result,
          () =>
            `read models rebuilt from ${result.events} events (applied ${result.applied}, skipped ${result.skipped}, ` +
            `duplicate ${result.duplicate}); checkpoint ${result.position}, in ${result.durationMs} ms`,
        );
      }),
    );
  return projections;
}
