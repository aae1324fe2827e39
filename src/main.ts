import { ConfigError } from './infrastructure/config/config';
import { startService } from './bootstrap';

startService({ env: process.env }).catch((error: Error) => {
  // A bad variable: one line naming it, and no stack.
  if (error instanceof ConfigError) console.error(`configuration error: ${error.message}`);
  else console.error(`failed to start: ${error.message}`);
  process.exit(1);
});
