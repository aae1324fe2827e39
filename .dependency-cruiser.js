/**
 * The hexagon's boundaries, checked on every `npm test` (and proven to fail on a violation by
 * test/architecture/architecture.spec.ts).
 */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'The domain is plain TypeScript: no framework, no library, no Node API, no outer layer.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { pathNot: '^src/domain/' },
    },
    {
      name: 'application-knows-no-adapters',
      comment: 'Use cases speak to ports; adapters and HTTP are plugged in by the composition root.',
      severity: 'error',
      from: { path: '^src/application/' },
      to: { path: '^src/(infrastructure|interfaces|modules)/' },
    },
    {
      name: 'application-knows-no-adapter-libraries',
      comment: 'Libraries that belong to adapters stay in infrastructure.',
      severity: 'error',
      from: { path: '^src/application/' },
      to: {
        path: 'node_modules/(better-sqlite3|@eventstore|nodemailer|googleapis|google-auth-library|prom-client|pino|nestjs-pino|express|smtp-server|passport|passport-jwt|passport-google-oauth20|@azure/msal-node|pg|kysely|openid-client)/',
      },
    },
    {
      name: 'interfaces-only-dispatch',
      comment:
        'Controllers and the CLI build a command or query message and hand it to the bus. Handlers (*.handler.ts, beside ' +
        'their *.command.ts / *.query.ts message), the read-decide-append machinery and the event store stay behind it.',
      severity: 'error',
      from: { path: '^src/(interfaces|cli)/' },
      to: {
        path: [
          '\\.handler\\.ts$',
          '^src/application/ports/event-store\\.port\\.ts$',
          '^src/application/mail-config/(decide-and-append|state-reader)\\.ts$',
          '^src/infrastructure/event-store/',
        ],
      },
    },
    {
      name: 'infrastructure-knows-no-http',
      comment: 'Adapters do not reach up into controllers, guards or DTOs.',
      severity: 'error',
      from: { path: '^src/infrastructure/' },
      to: { path: '^src/(interfaces|modules)/' },
    },
    {
      name: 'no-async-context-on-the-request-path',
      comment:
        'On Node 20 one AsyncLocalStorage run (nestjs-pino/storage is one) turns promise hooks on for the whole ' +
        'process: every command paid ~10 % more CPU (issue 19). A line is tied to its request explicitly ' +
        '(logContext of the CommandContext, requestLogContext), never through an async context.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: ['^(node:)?async_hooks$', '(^|node_modules/)nestjs-pino/storage(\\.js)?$'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    exclude: { path: '\\.spec\\.ts$' },
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
