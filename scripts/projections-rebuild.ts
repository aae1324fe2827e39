/**
 * npm run projections:rebuild — empties the read models in DATA_DIR and replays every event of
 * the configured store (the same environment as the service). Safe while the service runs: its
 * projection runner notices the reset and continues from the rebuilt checkpoint.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type RebuildProgress, rebuildReadModels } from '../src/application/projections/rebuild';
import { ConfigError, parseConfig } from '../src/infrastructure/config/config';
import { createEventStore } from '../src/infrastructure/event-store/create-event-store';
import { READ_MODELS_FILE, SqliteReadModelStore } from '../src/infrastructure/read-models/sqlite.read-model-store';

function progressLine(p: RebuildProgress, startedAt: number): string {
  const percent = p.head > 0n ? Math.min(100, Number((p.position * 100n) / p.head)) : 100;
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  return `projections:rebuild ${String(percent).padStart(3)}%  ${p.events} events  position ${p.position}/${p.head}  ${seconds}s`;
}

async function main(): Promise<void> {
  const config = parseConfig(process.env);
  mkdirSync(config.dataDir, { recursive: true });
  const events = createEventStore(config);
  const readModels = new SqliteReadModelStore(join(config.dataDir, READ_MODELS_FILE));
  const startedAt = Date.now();
  const tty = process.stdout.isTTY === true;
  let printedAt = 0;
  try {
    const result = await rebuildReadModels(events, readModels, (p) => {
      // On a terminal the line updates in place; in CI logs, one line a second at most.
      if (tty) process.stdout.write(`\r${progressLine(p, startedAt)}`);
      else if (Date.now() - printedAt >= 1000) {
        printedAt = Date.now();
        console.log(progressLine(p, startedAt));
      }
    });
    if (tty) process.stdout.write('\n');
    console.log(
      `projections:rebuild done: ${result.events} events (${result.applied} applied, ${result.skipped} of unknown type skipped)` +
        ` in ${((Date.now() - startedAt) / 1000).toFixed(1)}s, checkpoint ${result.position}`,
    );
  } finally {
    readModels.close();
    await events.close();
  }
}

main().catch((error: Error) => {
  console.error(
    error instanceof ConfigError
      ? `configuration error: ${error.message}`
      : `projections:rebuild failed: ${error.message}`,
  );
  process.exit(1);
});
