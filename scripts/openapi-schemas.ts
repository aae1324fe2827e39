/**
 * Writes src/interfaces/http/openapi/generated-schemas.json: JSON Schemas of the answers the routes
 * give, generated from the TypeScript types the handlers return, so the OpenAPI document cannot
 * drift from the code (test/interfaces/openapi-schemas.spec.ts regenerates and compares).
 *
 *   npm run openapi:schemas
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGenerator, type Definition } from 'ts-json-schema-generator';

/** Exported type → the file that exports it. Add a row when a route answers with a new type. */
export const RESPONSE_TYPES: Record<string, string> = {
  MailConfigView: 'src/application/mail-config/mail-config.view.ts',
  HistoryPage: 'src/application/mail-config/history.ts',
  SendResult: 'src/application/sending/send-message.types.ts',
  SmtpTestReport: 'src/application/ports/mail-transport.port.ts',
  GmailAuthorizationStarted: 'src/application/gmail/commands/start-gmail-authorization.command.ts',
  MicrosoftAuthorizationStarted: 'src/application/microsoft/commands/start-microsoft-authorization.command.ts',
  DashboardSummary: 'src/application/projections/queries/get-dashboard-summary.query.ts',
  TenantPage: 'src/application/projections/queries/get-dashboard-tenants.query.ts',
  SettingsLinkCreated: 'src/application/settings/commands/create-settings-session.command.ts',
  DeliveryLogAnswer: 'src/application/delivery-log/queries/get-delivery-log.query.ts',
  MicrosoftRevocationAnswer: 'src/application/microsoft/commands/revoke-microsoft-authorization.command.ts',
  Capabilities: 'src/application/capabilities/queries/get-capabilities.query.ts',
  WebhookDeliveryView: 'src/application/webhooks/webhook-delivery.view.ts',
  WebhookDeliveryPageView: 'src/application/webhooks/webhook-delivery.view.ts',
  TenantPanelRecord: 'src/application/ports/tenant-directory.port.ts',
  DescribedHistoryPage: 'src/application/projections/queries/get-dashboard-history.query.ts',
  TestMessageOutcome: 'src/application/support/commands/send-test-message.command.ts',
};

const ROOT = join(__dirname, '..');
export const SCHEMAS_FILE = join(ROOT, 'src/interfaces/http/openapi/generated-schemas.json');

export function generateResponseSchemas(): Record<string, Definition> {
  const all: Record<string, Definition> = {};
  // One program for every type: building it is most of the cost.
  const generator = createGenerator({
    path: join(ROOT, `{${[...new Set(Object.values(RESPONSE_TYPES))].join(',')}}`),
    tsconfig: join(ROOT, 'tsconfig.json'),
    skipTypeCheck: true,
    expose: 'export',
    jsDoc: 'basic',
    additionalProperties: false,
  });
  for (const type of Object.keys(RESPONSE_TYPES)) {
    const schema = generator.createSchema(type);
    for (const [name, definition] of Object.entries(schema.definitions ?? {})) all[name] = definition as Definition;
  }
  // References pointing into components.schemas, and OpenAPI 3.0's dialect (the document is 3.0).
  const text = JSON.stringify(all).replace(/#\/definitions\//g, '#/components/schemas/');
  const schemas = toOpenApi30(JSON.parse(text)) as Record<string, Definition>;
  return withTypedNullableRefs(schemas, schemas) as Record<string, Definition>;
}

/**
 * OpenAPI 3.0 wants a `type` beside `nullable`: a nullable reference to a scalar (an enum) is
 * inlined; one to an object says `type: object` beside its allOf.
 */
function withTypedNullableRefs(node: unknown, schemas: Record<string, Definition>): unknown {
  if (Array.isArray(node)) return node.map((n) => withTypedNullableRefs(n, schemas));
  if (node === null || typeof node !== 'object') return node;
  const out = Object.fromEntries(
    Object.entries(node).map(([k, v]) => [k, withTypedNullableRefs(v, schemas)]),
  ) as Record<string, unknown>;
  const allOf = out.allOf as Array<{ $ref?: string }> | undefined;
  if (out.nullable && !('type' in out) && allOf?.length === 1 && allOf[0].$ref) {
    const target = schemas[allOf[0].$ref.replace('#/components/schemas/', '')] as { type?: string } | undefined;
    if (target?.type && target.type !== 'object') return { ...target, nullable: true };
    return { ...out, type: 'object' };
  }
  return out;
}

/**
 * JSON Schema 2019+ → OpenAPI 3.0 schema objects: `type: [T, "null"]` and `anyOf: [.., {type: "null"}]`
 * become `nullable: true`, `const` becomes a one-value `enum`.
 */
export function toOpenApi30(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toOpenApi30);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = toOpenApi30(value);
  if (Array.isArray(out.type)) {
    const types = (out.type as string[]).filter((t) => t !== 'null');
    if (types.length < (out.type as string[]).length) out.nullable = true;
    if (types.length === 1) out.type = types[0];
    else {
      delete out.type;
      out.anyOf = types.map((type) => ({ type }));
    }
  }
  for (const combinator of ['anyOf', 'oneOf'] as const) {
    const options = out[combinator] as Array<Record<string, unknown>> | undefined;
    if (!options) continue;
    const rest = options.filter((o) => !(o.type === 'null' && Object.keys(o).length === 1));
    if (rest.length === options.length) continue;
    out.nullable = true;
    if (rest.length === 1 && !('$ref' in rest[0])) {
      delete out[combinator];
      Object.assign(out, rest[0]);
    } else if (rest.length === 1) {
      // A $ref cannot carry siblings in 3.0: keep it inside allOf.
      delete out[combinator];
      out.allOf = rest;
    } else out[combinator] = rest;
  }
  if ('const' in out) {
    out.enum = [out.const];
    delete out.const;
  }
  return out;
}

export function serialise(schemas: Record<string, Definition>): string {
  const sorted = Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b)));
  return `${JSON.stringify(sorted, null, 2)}\n`;
}

if (require.main === module) {
  writeFileSync(SCHEMAS_FILE, serialise(generateResponseSchemas()));
  console.log(`wrote ${SCHEMAS_FILE}`);
}
