import { ConfigError } from './infrastructure/config/config';
import { exitOnSignals, startService } from './bootstrap';

// Whatever the service creates (SQLite files and their WAL, the outbox, keys) is for its own user only.
process.umask(0o077);
startService({ env: process.env }).then(exitOnSignals, (error: Error) => {
  // A bad variable: one line naming it, and no stack.
  if (error instanceof ConfigError) console.error(`configuration error: ${error.message}`);
  else console.error(`failed to start: ${error.message}`);
  process.exit(1);
});
