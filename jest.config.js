// @ts-check
const { pathsToModuleNameMapper } = require('ts-jest');
const tsconfig = require('./tsconfig.json');

// Type checking is `npm run typecheck`'s job; the tests transpile only, which keeps them fast.
/** @type {import('jest').Config['transform']} */
const transform = {
  '^.+\\.ts$': [
    'ts-jest',
    { tsconfig: { ...tsconfig.compilerOptions, isolatedModules: true }, diagnostics: false },
  ],
};
const moduleNameMapper = pathsToModuleNameMapper(tsconfig.compilerOptions.paths, { prefix: '<rootDir>/' });

/** @type {import('jest').Config} */
const config = {
  coverageProvider: 'v8',
  collectCoverageFrom: [
    '{apps,libs}/**/*.ts',
    '!**/*.spec.ts',
    '!**/main.ts', // bootstrap only; exercised by the e2e tests that spawn the apps
    '!**/index.ts',
    '!**/testing/**',
    '!apps/order-consumer/src/database/data-source.ts', // the TypeORM CLI's entry
    '!libs/pipeline-view/src/pipeline-snapshot.ts', // types only: nothing in it runs
  ],
  coverageThreshold: { global: { lines: 80 } },
  coverageReporters: ['text-summary', 'text', 'lcov'],
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      rootDir: '.',
      testMatch: ['<rootDir>/{apps,libs,tools}/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
      transform,
      moduleNameMapper,
      setupFiles: ['reflect-metadata'],
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      rootDir: '.',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      transform,
      moduleNameMapper,
      setupFiles: ['<rootDir>/test/support/setup-e2e.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      slowTestThreshold: 60,
    },
  ],
  testTimeout: 180_000,
};

module.exports = config;
