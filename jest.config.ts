/** @jest-config-loader esbuild-register */
// jest reads a TypeScript config through a loader: esbuild-register (this package already builds
// with esbuild), since ts-node is unmaintained and warns on Node 24.
import type { Config } from 'jest';

const config: Config = {
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
