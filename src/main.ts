import { ConfigError } from './infrastructure/config/config';
import { exitOnSignals, startService } from './bootstrap';

startService({ env: process.env }).then(exitOnSignals, (error: Error) => {
  // A bad variable: one line naming it, and no stack.
  if (error instanceof ConfigError) console.error(`configuration error: ${error.message}`);
  else console.error(`failed to start: ${error.message}`);
  process.exit(1);
});
