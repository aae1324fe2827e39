/**
 * The projection thread (PROJECTION_THREAD=worker, embedded SQLite shape): the same ProjectionRunner,
 * on its own connections to events.db and read-models.db, driven by messages from
 * ProjectionThread in the service's event loop. Its log lines go back to that thread, which writes
 * them where the service's own lines go.
 */
import { Logger as NestLogger } from '@nestjs/common';
import { Logger as NestPinoLogger, PinoLogger } from 'nestjs-pino';
import { parentPort, workerData } from 'node:worker_threads';
import { EventQuarantine } from '../../application/projections/event-quarantine';
import { ProjectionRunner } from '../../application/projections/projection-runner';
import { SqliteEventStore } from '../event-store/sqlite.event-store';
import { rootLogger } from '../logging/logger-options';
import { SystemClock } from '../system/system-clock';
import { InProcessProjectionLock } from './in-process.projection-lock';
import { type ProjectionThreadData, type ToThread, serialiseError } from './projection-thread.protocol';
import { SqliteProjectionStore } from './sqlite.projection-store';
import { SqliteReadModelDatabase } from './sqlite.read-model-database';

const port = parentPort!;
const data = workerData as ProjectionThreadData;

const root = rootLogger(data.logLevel, false, { write: (line: string) => port.postMessage({ log: line }) });
const params = { pinoHttp: { logger: root } };
NestLogger.overrideLogger(new NestPinoLogger(new PinoLogger(params), params));

const clock = new SystemClock();
// The service's connection checked the file at start (PRAGMA quick_check); once is enough. This
// connection never appends, so it keeps no recent commits: its subscription reads what the
// service's connection committed (woken by each commit, see ProjectionThread).
const events = new SqliteEventStore(data.eventsFile, data.pollMs, { integrityCheck: false, recentRows: 0 });
const database = new SqliteReadModelDatabase(data.readModelsFile);
const lock = new InProcessProjectionLock();
const runner = new ProjectionRunner(
  events,
  new SqliteProjectionStore(database),
  lock,
  clock,
  data.settings,
  new EventQuarantine(events, clock),
);

async function perform(message: ToThread & { id: number }): Promise<unknown> {
  switch (message.op) {
    case 'start':
      return runner.start();
    case 'stop':
      return runner.stop();
    case 'status':
      return runner.status();
    case 'readiness':
      return runner.readiness();
    case 'rebuild':
      return runner.rebuild((progress) => port.postMessage({ id: message.id, progress }));
    case 'close':
      await runner.stop();
      await events.close();
      await lock.close();
      database.close();
      return undefined;
  }
}

port.on('message', (message: ToThread) => {
  if (message.op === 'appended') return events.appendedElsewhere();
  perform(message).then(
    (value) => port.postMessage({ id: message.id, value }),
    (error: Error) => port.postMessage({ id: message.id, error: serialiseError(error) }),
  );
});
port.postMessage({ ready: true });
