/**
 * One Jest run for the whole repository. Unit specs live beside the code (`*.spec.ts`),
 * cross-process and integration tests under `test/` (`*.test.ts`). Every file isolates its own
 * NATS subjects and PostgreSQL schema, so files run in parallel.
 * @type {import('jest').Config}
 */
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2024',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
    },
    module: { type: 'es6' },
  },
];

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^@herald/contracts$': '<rootDir>/contracts/src/index.ts',
    '^@herald/contracts/testing$': '<rootDir>/contracts/src/testing/index.ts',
    '^@herald/plugin-storage$': '<rootDir>/contracts/storage/src/index.ts',
    '^@herald/plugin-([a-z]+)$': '<rootDir>/plugins/$1/src/index.ts',
    '^@herald/gateway$': '<rootDir>/gateway/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: ['<rootDir>/{contracts,gateway,plugins,cli}/**/src/**/*.spec.ts', '<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  // TESTCONTAINERS=1: each test file stops the containers it started (contracts/src/testing/infrastructure.ts).
  setupFilesAfterEnv: ['<rootDir>/test/support/stop-test-containers.ts'],
  maxWorkers: 2,
  testTimeout: 30_000,
};
