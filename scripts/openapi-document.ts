/**
 * Writes the OpenAPI document the service serves at /docs-json to a file (default
 * openapi.json in a temp directory, or the path given), starting the service on a scratch
 * DATA_DIR with Gmail and Microsoft "configured" so their routes appear as in production.
 *
 *   node -r @swc-node/register scripts/openapi-document.ts /tmp/openapi.json
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService } from '../src/bootstrap';

export async function writeOpenApiDocument(file: string): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mcs-openapi-'));
  const service = await startService({
    env: { NODE_ENV: 'test', LOG_LEVEL: 'warn', DATA_DIR: dataDir, PUBLIC_URL: 'http://localhost:3000' },
    port: 0,
    logStream: { write: () => true } as never,
  });
  try {
    const res = await fetch(`${service.url}/docs-json`, { signal: AbortSignal.timeout(10_000) });
    writeFileSync(file, await res.text());
  } finally {
    await service.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const file = process.argv[2] ?? join(mkdtempSync(join(tmpdir(), 'mcs-openapi-doc-')), 'openapi.json');
  writeOpenApiDocument(file).then(
    () => console.log(file),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
