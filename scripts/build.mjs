// Builds dist/cjs (CommonJS) and dist/esm (ES modules), each with its own .d.ts files,
// and marks each folder's module kind so Node and type checkers read them correctly.
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
writeFileSync('dist/cjs/package.json', '{ "type": "commonjs" }\n');
tsc('--outDir', 'dist/esm', '--module', 'ES2022', '--moduleResolution', 'Bundler');
writeFileSync('dist/esm/package.json', '{ "type": "module" }\n');
