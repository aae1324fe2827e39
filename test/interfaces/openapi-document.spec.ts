import { readFileSync } from 'node:fs';
import { generateResponseSchemas, SCHEMAS_FILE, serialise } from '../../scripts/openapi-schemas';
import { OPERATIONS } from '../../src/interfaces/http/openapi/operations';
import { startTestService, type TestService } from '../support/app';

interface Operation {
  summary?: string;
  security?: unknown[];
  parameters?: Array<{ name: string; in: string }>;
  responses: Record<string, { content?: Record<string, unknown> }>;
}

describe('the OpenAPI document', () => {
  let svc: TestService;
  let operations: Array<[string, Operation]>;
  beforeAll(async () => {
    svc = await startTestService();
    const res = await svc.anonymous.get('/docs-json');
    expect(res.status).toBe(200);
    const paths = res.body.paths as Record<string, Record<string, Operation>>;
    operations = Object.entries(paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => [`${method.toUpperCase()} ${path}`, op] as [string, Operation]),
    );
  });
  afterAll(() => svc?.close());

  it('documents every operation the service has, and operations.ts names no operation it lacks', () => {
    const served = operations.map(([name]) => name).sort();
    expect(served).toEqual(Object.keys(OPERATIONS).sort());
  });

  it('gives every operation a summary, a success, its problems as problem+json and the request id header', () => {
    for (const [name, op] of operations) {
      const statuses = Object.keys(op.responses);
      expect({ name, summary: Boolean(op.summary) }).toEqual({ name, summary: true });
      expect({ name, success: statuses.some((s) => /^[23]/.test(s)) }).toEqual({ name, success: true });
      for (const status of statuses.filter((s) => /^[45]/.test(s))) {
        expect({ name, status, types: Object.keys(op.responses[status].content ?? {}) }).toEqual({
          name,
          status,
          types: ['application/problem+json'],
        });
      }
      expect(op.parameters?.some((p) => p.name === 'X-Request-Id' && p.in === 'header')).toBe(true);
      const authenticated = (op.security ?? []).length > 0;
      if (authenticated)
        expect({ name, s: statuses.filter((s) => ['401', '403'].includes(s)) }).toEqual({ name, s: ['401', '403'] });
    }
  });

  it('its answer schemas are generated from the code as it is (run `npm run openapi:schemas` after changing a type)', () => {
    expect(serialise(generateResponseSchemas())).toBe(readFileSync(SCHEMAS_FILE, 'utf8'));
  }, 120_000);
});
