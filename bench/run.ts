/**
 * `npm run bench` (full, 8 to 10 minutes on 2 cores) or `npm run bench -- --quick` (about 20 s,
 * for CI: no timing thresholds). Other options:
 * - `--runs=N`: runs per variant (default 5, quick 3); `--only=W1,W3,micro`;
 * - `--variants='Rx$,^raw Node$'`: regular expressions matching the variants' names;
 * - `--no-python`; `--no-wait`: full runs otherwise wait, up to 2 minutes per run, for other
 *   processes to go quiet;
 * - `--profile[=DIR]`: a V8 CPU profile of the run, with the bundle it names, in DIR (by default
 *   $TMPDIR/rxtransport-profiles); summarise it with
 *   `npx tsx bench/profileSummary.ts DIR/*.cpuprofile`;
 * - `--from-json`: reprints the tables and redraws the chart from bench/results.json;
 * - `--in-process`: runs under tsx, for debugging (slower and noisier).
 *
 * This file only launches: it bundles bench/main.ts with esbuild and runs it with plain `node`
 * (see lib/bundle.ts for why), with this process's arguments.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleBench } from './lib/bundle.js';
import { runBench } from './main.js';

const benchDir = __dirname;
const argv = process.argv.slice(2);

function launch(): void {
  if (argv.includes('--in-process')) {
    const reader = [process.execPath, '--expose-gc', '--require', 'tsx/cjs'];
    runBench(argv, { benchDir, w6Reader: [...reader, join(benchDir, 'workloads', 'w6Reader.ts')] })
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        console.error(error);
        process.exit(1);
      });
    return;
  }
  const profileArg = argv.find((arg) => arg === '--profile' || arg.startsWith('--profile='));
  const profile = profileArg !== undefined;
  const profiles = profileArg?.slice('--profile='.length) || join(tmpdir(), 'rxtransport-profiles');
  // Profiles name the bundle's functions and lines: keep the bundle beside them.
  const outdir = profile ? join(profiles, 'bundle') : undefined;
  if (outdir) mkdirSync(outdir, { recursive: true });
  const bundle = bundleBench(benchDir, outdir);
  const flags = ['--expose-gc'];
  if (profile) flags.push('--cpu-prof', `--cpu-prof-dir=${profiles}`);
  const child = spawn(process.execPath, [...flags, join(bundle, 'main.js'), ...argv], {
    stdio: 'inherit',
    env: { ...process.env, RXTRANSPORT_BENCH_DIR: benchDir },
  });
  if (profile) process.stderr.write(`CPU profile and bundle: ${profiles}\n`);
  child.on('close', (code, signal) => {
    if (!profile) rmSync(bundle, { recursive: true, force: true });
    process.exit(code ?? (signal ? 1 : 0));
  });
}

launch();
