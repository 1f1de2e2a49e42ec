// Tree-shaking check: a consumer that imports only `fromConnection` from the built ES module
// entry (dist/esm) must not pull in the subprocess, pipe or datagram code when bundled.
// Run after `npm run build`. Prints one summary line; exits non-zero on failure.
//   node scripts/treeshake-check.mjs [packageDir]
// packageDir (default: the repo) is the package as installed, e.g. an unpacked `npm pack` tarball.
import { build } from 'esbuild';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
const name = 'tree-shaking';

// What only the subprocess, pipe and datagram modules contain (module specifiers and class names).
const forbidden = [
  'child_process',
  'node:dgram',
  'ProcessTransport',
  'ChildProcessHandle',
  'subprocessExec',
  'subprocessShell',
  'connectReadPipe',
  'connectWritePipe',
  'DatagramEndpoint',
  'DgramHandle',
];

function fail(message) {
  console.error(`${name}: FAILED: ${message}`);
  process.exit(1);
}

if (!existsSync(join(root, 'dist/esm/index.js')))
  fail(`${join(root, 'dist/esm/index.js')} is missing; run npm run build`);

// The consumer lives outside the repo and reaches the package the way users do: by its name,
// through node_modules and the exports map (the `import` condition, so dist/esm).
const tmp = mkdtempSync(join(tmpdir(), 'rxtransport-treeshake-'));
try {
  mkdirSync(join(tmp, 'node_modules'));
  symlinkSync(root, join(tmp, 'node_modules', 'rxtransport'), 'dir');
  const entry = join(tmp, 'consumer.mjs');
  writeFileSync(
    entry,
    [
      "import { fromConnection } from 'rxtransport';",
      "fromConnection({ host: 'localhost', port: 7 }).subscribe(() => {});",
      '',
    ].join('\n'),
  );

  const result = await build({
    entryPoints: [entry],
    absWorkingDir: tmp,
    bundle: true,
    platform: 'node',
    format: 'esm',
    treeShaking: true,
    minify: false,
    write: false,
    metafile: true,
    logLevel: 'silent',
    // rxjs is a peer dependency; the package root (the symlink target) has its own copy.
    external: ['rxjs', 'rxjs/*', 'node:*'],
  });

  const output = result.outputFiles[0].text;
  const inputs = Object.keys(result.metafile.inputs);
  const fromDist = inputs.filter((input) => input.includes('dist/esm/'));
  if (fromDist.length === 0)
    fail(`the bundle did not read dist/esm (inputs: ${inputs.join(', ')})`);

  const found = forbidden.filter((word) => output.includes(word));
  if (found.length > 0) {
    // Name the modules that ended up in the bundle, to point at what blocks tree-shaking.
    const bundled = Object.entries(result.metafile.outputs)[0][1].inputs;
    const kept = Object.entries(bundled)
      .filter(([, info]) => info.bytesInOutput > 0)
      .map(([input]) => input.replace(/^.*dist\/esm\//, ''))
      .sort();
    fail(
      `the bundle of \`import { fromConnection }\` contains ${found.map((w) => `'${w}'`).join(', ')}; ` +
        `modules kept: ${kept.join(', ')}`,
    );
  }

  const kb = (output.length / 1024).toFixed(1);
  console.log(
    `${name}: ok (fromConnection alone bundles to ${kb} KiB from ${fromDist.length} modules; ` +
      `no subprocess, pipe or datagram code)`,
  );
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
