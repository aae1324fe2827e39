import * as generated from './generated-schemas.json';

/**
 * JSON Schemas (OpenAPI 3.0 dialect) of the routes' answers, generated from the handlers' result
 * types by `npm run openapi:schemas` (scripts/openapi-schemas.ts); a test keeps them current.
 */
export type ResponseSchemaName = Exclude<keyof typeof generated, 'default'>;

// A namespace import of JSON may carry a synthetic `default` (the whole object again): not a schema.
export const RESPONSE_SCHEMAS: Record<string, object> = Object.fromEntries(
  Object.entries(generated).filter(([name]) => name !== 'default'),
);
