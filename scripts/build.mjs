// Builds dist/cjs (CommonJS) and dist/esm (ES modules), each with its own .d.ts files,
// and marks each folder's module kind so Node and type checkers read them correctly.
// Each folder's package.json also repeats `"sideEffects": false`: bundlers (esbuild, webpack)
// read that flag from the nearest package.json, which for dist/** is the folder's own, not the
// package root's, so without it a consumer of one export would bundle every module.
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';

const tsc = (...args) =>
  execFileSync(
    process.execPath,
    ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json', ...args],
    {
      stdio: 'inherit',
    },
  );

rmSync('dist', { recursive: true, force: true });
tsc('--outDir', 'dist/cjs', '--module', 'CommonJS', '--moduleResolution', 'Node10');
const folderPackage = (type) => `${JSON.stringify({ type, sideEffects: false })}\n`;
writeFileSync('dist/cjs/package.json', folderPackage('commonjs'));
tsc('--outDir', 'dist/esm', '--module', 'ES2022', '--moduleResolution', 'Bundler');
writeFileSync('dist/esm/package.json', folderPackage('module'));
