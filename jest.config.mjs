// Plain JavaScript, not TypeScript: jest loads a jest.config.ts through ts-node, and this
// package runs its TypeScript with tsx, which jest cannot use as a config loader.
/** @type {import('jest').Config} */
const config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/spec', '<rootDir>/marbles'],
  testMatch: ['**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  moduleNameMapper: {
    // Sources import siblings with a `.js` suffix so that the ESM build runs in Node.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testTimeout: 30_000,
};

export default config;
