/** One config, two environments: Node for server/sandbox/build, jsdom for mini program components and e2e. */
const transform = {
  // ts-jest, and the plugin's modules get a `wx` of their own (test/setup/plugin-scope-transform.js).
  '^.+\\.ts$': [
    '<rootDir>/test/setup/plugin-scope-transform.js',
    { tsconfig: '<rootDir>/tsconfig.jest.json' },
  ],
  // typebox 1.x and cookie 2.x (light-my-request) ship ES modules only; jest runs CommonJS.
  '^.+\\.m?js$': [
    '<rootDir>/test/setup/plugin-scope-transform.js',
    {
      tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022', isolatedModules: true },
    },
  ],
};
const esmPackages = ['typebox', '@fastify/type-provider-typebox', 'cookie'];
const shared = {
  transform,
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json', 'node'],
};

/** @type {import('jest').Config} */
module.exports = {
  // Rebuilds dist/ when it is older than its sources (test/setup/build.ts).
  globalSetup: '<rootDir>/test/setup/build.ts',
  // The reliability suite's table of cases tried / held, printed after the run.
  reporters: ['default', '<rootDir>/test/reliability/reporter.js'],
  projects: [
    {
      ...shared,
      displayName: 'node',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: [
        '<rootDir>/test/(plugin|miniprogram|cashier|e2e)/',
        '\\.client\\.test\\.ts$',
      ],
    },
    {
      ...shared,
      displayName: 'miniprogram',
      testEnvironment: 'jsdom',
      setupFiles: ['<rootDir>/test/setup/miniprogram.ts'],
      // *.client.test.ts: reliability cases that run the mini program side (pay-button, pages).
      testMatch: [
        '<rootDir>/test/(plugin|miniprogram|cashier|e2e)/**/*.test.ts',
        '<rootDir>/test/reliability/**/*.client.test.ts',
      ],
    },
  ],
};
