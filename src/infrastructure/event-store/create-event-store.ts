import { type AppConfig } from '../../application/app-config';
import { type EventStore } from '../../application/ports/event-store.port';
import { dataDirPath } from '../data-dir-layout';
import { SqliteEventStore } from './sqlite.event-store';

/** EVENTSTORE_CONNECTION_STRING selects EventStoreDB; without it, SQLite in DATA_DIR. */
export function createEventStore(config: AppConfig): EventStore {
  if (config.eventStoreConnectionString) {
    // Loaded lazily so the embedded default does not pay for the gRPC client at start.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { EventStoreDbEventStore } = require('./eventstoredb/eventstoredb.event-store');
    return new EventStoreDbEventStore(config.eventStoreConnectionString);
  }
  return new SqliteEventStore(dataDirPath(config.dataDir, 'events'));
}
