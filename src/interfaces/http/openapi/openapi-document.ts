import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type {
  OperationObject,
  ParameterObject,
  ResponseObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ERROR_PROBLEMS } from '../common/error-problems';
import { HTTP_LIMITS } from '../common/limits';
import { OPERATIONS, type OperationDoc, type ProblemName } from './operations';
import { RESPONSE_SCHEMAS } from './response-schemas';

const PROBLEM_TYPE_BASE = 'https://smemetrics-email.com/problems/';

/** The problems the HTTP layer raises itself (not through a use case's error code). */
const HTTP_PROBLEMS: Record<string, { status: number; slug: string; title: string; detail: string }> = {
  VALIDATION: {
    status: 400,
    slug: 'validation',
    title: 'Invalid request',
    detail: 'Some fields are invalid: username',
  },
  UNAUTHENTICATED: {
    status: 401,
    slug: 'unauthenticated',
    title: 'Unauthenticated',
    detail: 'A valid bearer token is required',
  },
  FORBIDDEN: { status: 403, slug: 'forbidden', title: 'Forbidden', detail: 'This token is not valid for that tenant' },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    slug: 'payload-too-large',
    title: 'Payload too large',
    detail: `The request body exceeds the limit of ${HTTP_LIMITS.bodyBytes} bytes`,
  },
  RATE_LIMITED: {
    status: 429,
    slug: 'rate-limited',
    title: 'Too many requests',
    detail: 'Too many requests; retry after the Retry-After delay',
  },
};

const ALWAYS_AUTHENTICATED: ProblemName[] = ['UNAUTHENTICATED', 'FORBIDDEN', 'RATE_LIMITED', 'EVENT_STORE_UNREACHABLE'];

const X_REQUEST_ID: ParameterObject = {
  name: 'X-Request-Id',
  in: 'header',
  required: false,
  description: 'Correlation id (1-128 visible characters); echoed in the answer and recorded on events',
  schema: { type: 'string', maxLength: 128 },
};
const X_ACTOR: ParameterObject = {
  name: 'X-Actor',
  in: 'header',
  required: false,
  description: 'Who acts, as the main application knows them (recorded on events beside the authenticated caller)',
  schema: { type: 'string', maxLength: 200 },
};

function problemExample(name: ProblemName): { status: number; value: object; title: string } {
  const http = HTTP_PROBLEMS[name];
  if (http) {
    return {
      status: http.status,
      title: http.title,
      value: { type: PROBLEM_TYPE_BASE + http.slug, title: http.title, status: http.status, detail: http.detail },
    };
  }
  const row = ERROR_PROBLEMS[name];
  if (!row) throw new Error(`operations.ts names the unknown problem ${name}`);
  const value = { type: PROBLEM_TYPE_BASE + row.slug, title: row.title, status: row.status, detail: row.title };
  return { status: row.status, title: row.title, value };
}

function responsesOf(doc: OperationDoc, authenticated: boolean, takesInput: boolean): Record<string, ResponseObject> {
  const responses: Record<string, ResponseObject> = {};
  for (const [status, answer] of Object.entries(doc.answers)) {
    responses[status] = answer.schema
      ? {
          description: answer.description,
          content: { 'application/json': { schema: { $ref: `#/components/schemas/${answer.schema}` } } },
        }
      : { description: answer.description };
  }
  const names = new Set<ProblemName>([
    ...(takesInput ? (['VALIDATION'] as ProblemName[]) : []),
    ...(authenticated ? ALWAYS_AUTHENTICATED : []),
    ...doc.problems,
  ]);
  const byStatus = new Map<number, Array<{ name: ProblemName; title: string; value: object }>>();
  for (const name of names) {
    const { status, title, value } = problemExample(name);
    byStatus.set(status, [...(byStatus.get(status) ?? []), { name, title, value }]);
  }
  for (const [status, problems] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[String(status)] = {
      description: [...new Set(problems.map((p) => p.title))].join('; '),
      content: {
        'application/problem+json': {
          schema: { $ref: '#/components/schemas/Problem' },
          examples: Object.fromEntries(problems.map((p) => [p.name, { summary: p.title, value: p.value }])),
        },
      },
    };
  }
  return responses;
}

/** The operation's request example, in the document, from its first runnable example. */
function applyExamples(operation: OperationObject, doc: OperationDoc): void {
  if ('notRunnable' in doc.examples) return;
  const json = (operation.requestBody as { content?: Record<string, { examples?: object }> } | undefined)?.content?.[
    'application/json'
  ];
  if (json) {
    const withBody = Object.entries(doc.examples).filter(([, e]) => e.body !== undefined);
    if (withBody.length > 0) {
      json.examples = Object.fromEntries(withBody.map(([name, e]) => [name, { value: e.body }]));
    }
  }
  for (const parameter of (operation.parameters ?? []) as ParameterObject[]) {
    const value = Object.values(doc.examples).find((e) => e.query?.[parameter.name] !== undefined)?.query?.[
      parameter.name
    ];
    if (parameter.in === 'query' && value !== undefined) {
      const type = (parameter.schema as { type?: string } | undefined)?.type;
      parameter.example = type === 'number' || type === 'integer' ? Number(value) : value;
    }
    if (parameter.in === 'path' && parameter.name === 'tenantId') {
      parameter.example = 't-1';
      parameter.description ??= 'The tenant: 1-64 characters of A-Z, a-z, 0-9, _ or -';
    }
  }
}

/**
 * The OpenAPI 3.0 document served at /docs-json: Nest's scan of the controllers, finished with
 * operations.ts (summaries, answer schemas, every problem, examples) and the headers every route
 * takes. An operation missing from operations.ts keeps what the decorators gave it (and fails
 * test/interfaces/openapi-document.spec.ts).
 */
export function buildOpenApiDocument(app: INestApplication, publicUrl: string): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Mail configuration service')
      .setDescription(
        'How each tenant of the help-desk platform sends email: the default support address, Gmail, Microsoft ' +
          '365 or its own SMTP server; sending; the delivery log; audit and the support dashboard. Every error is ' +
          'RFC 9457 problem+json. The contract: docs/contract/http-api.md and docs/contract/extensions.md.',
      )
      .setVersion('1')
      .setLicense('Proprietary', `${publicUrl}/docs`)
      .addServer(publicUrl)
      .addBearerAuth()
      .build(),
  );
  document.components = {
    ...document.components,
    schemas: {
      ...document.components?.schemas,
      ...(RESPONSE_SCHEMAS as Record<string, object>),
      Problem: {
        type: 'object',
        description: 'RFC 9457 problem details',
        required: ['type', 'title', 'status', 'detail'],
        properties: {
          type: { type: 'string', format: 'uri' },
          title: { type: 'string' },
          status: { type: 'integer' },
          detail: { type: 'string', description: 'In words, never with a secret' },
          errors: {
            type: 'array',
            description: 'For 400: each invalid field and why',
            items: {
              type: 'object',
              required: ['field', 'message'],
              properties: { field: { type: 'string' }, message: { type: 'string' } },
            },
          },
        },
        additionalProperties: true,
      },
    },
  };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item) as Array<[string, OperationObject]>) {
      const doc = OPERATIONS[`${method.toUpperCase()} ${path}`];
      const authenticated = Array.isArray(operation.security) && operation.security.length > 0;
      if (!authenticated) operation.security = [];
      const declared = new Set(((operation.parameters ?? []) as ParameterObject[]).map((p) => `${p.in}:${p.name}`));
      const common = [X_REQUEST_ID, ...(authenticated && method !== 'get' ? [X_ACTOR] : [])];
      operation.parameters = [
        ...(operation.parameters ?? []),
        ...common.filter((p) => !declared.has(`${p.in}:${p.name}`)),
      ];
      if (!doc) continue;
      operation.summary ??= doc.summary;
      if (doc.description) operation.description ??= doc.description;
      const takesInput = operation.requestBody !== undefined || (operation.parameters ?? []).length > 1;
      operation.responses = responsesOf(doc, authenticated, takesInput);
      applyExamples(operation, doc);
    }
  }
  dropUnreferencedSchemas(document);
  return document;
}

/** Request/response classes whose place the generated schemas took would otherwise linger as noise. */
function dropUnreferencedSchemas(document: OpenAPIObject): void {
  const schemas = document.components?.schemas ?? {};
  for (;;) {
    const { schemas: _all, ...rest } = document.components ?? {};
    const text = JSON.stringify({ paths: document.paths, rest, schemas: Object.values(schemas) });
    const unused = Object.keys(schemas).filter((name) => !text.includes(`"#/components/schemas/${name}"`));
    if (unused.length === 0) return;
    for (const name of unused) delete schemas[name];
  }
}
