/** Jest: ts-jest compiles our TypeScript and agenda's ESM (agenda 6 is ESM-only) to CommonJS. */

// Run every test in a zone that is neither Asia/Shanghai nor UTC: all wall-clock reasoning must
// go through luxon's Asia/Shanghai, whatever TZ the machine has. (Workers inherit it.)
process.env.TZ = 'America/Los_Angeles';
module.exports = {
  testEnvironment: 'node',
  // nock installs its interceptor on the global scope; Jest's soft cleanup warns about it.
  testEnvironmentOptions: { globalsCleanup: 'off' },
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.[tj]s$': ['ts-jest', { tsconfig: { allowJs: true }, diagnostics: false }] },
  transformIgnorePatterns: ['/node_modules/(?!(agenda|@agendajs)/)'],
  globalSetup: '<rootDir>/tests/support/global-setup.ts',
  globalTeardown: '<rootDir>/tests/support/global-teardown.ts',
  testTimeout: 20000,
  // Two workers on a 2-core machine (Jest's default, cores − 1, runs everything in one process,
  // whose heap grew past 3 GB over the suite); a worker past 1 GB is replaced between files.
  maxWorkers: 2,
  workerIdleMemoryLimit: '1GB',
};
