/** One config, two environments: Node for server/sandbox/e2e, jsdom for mini program components. */
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }] };

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      displayName: 'node',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['<rootDir>/test/(plugin|miniprogram|e2e)/'],
    },
    {
      displayName: 'miniprogram',
      testEnvironment: 'jsdom',
      transform,
      setupFiles: ['<rootDir>/test/setup/miniprogram.ts'],
      testMatch: ['<rootDir>/test/(plugin|miniprogram|e2e)/**/*.test.ts'],
    },
  ],
};
