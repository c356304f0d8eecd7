/** One jest run for every tier: *.unit.test.ts (pure), *.int.test.ts (real services), *.e2e.test.ts (whole system). */
const s3Suites = require('./jest.s3Suites');
/** Another S3 than s3rver (TEST_S3=ceph, or TEST_S3_ENDPOINT): only the suites that touch S3 run. */
const otherS3 = (process.env.TEST_S3 ?? 's3rver') !== 's3rver' || Boolean(process.env.TEST_S3_ENDPOINT);
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }];

const project = (displayName, pattern, extra = {}) => ({
  displayName,
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': swc, '^.+\\.mjs$': swc },
  // cookie@2 (under light-my-request) is ESM-only; let swc turn it into CommonJS for jest.
  // So are @tus/* and srvx (under @tus/server).
  transformIgnorePatterns: ['/node_modules/(?!(cookie|@tus|srvx)/)'],
  testMatch: otherS3 ? s3Suites.filter((file) => file.endsWith(`.${pattern}.test.ts`)).map((file) => `<rootDir>/${file}`) : [`<rootDir>/*/src/**/*.${pattern}.test.ts`],
  ...extra,
});

module.exports = {
  projects: [
    ...(otherS3 ? [] : [project('unit', 'unit')]),
    project('int', 'int', { globalSetup: '<rootDir>/testing/src/globalSetup.ts', globalTeardown: '<rootDir>/testing/src/globalTeardown.ts' }),
    project('e2e', 'e2e', { globalSetup: '<rootDir>/testing/src/globalSetup.ts', globalTeardown: '<rootDir>/testing/src/globalTeardown.ts' }),
  ],
  testTimeout: 60_000,
};
