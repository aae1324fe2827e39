/** One runner for every tier: decider specs next to the domain, contract suites, e2e and security tests. */
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', swc] },
  maxWorkers: 2,
  testTimeout: 30000,
  setupFiles: ['reflect-metadata'],
  // A PostgreSQL server for the suites that ask for one (test/support/postgres/database.ts), started on first use.
  globalSetup: '<rootDir>/test/support/postgres/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/postgres/global-teardown.ts',
  // The security review's closing line: items of issue #18 proven by passing `item N:` tests.
  reporters: ['default', '<rootDir>/test/support/security-reporter.js'],
};
