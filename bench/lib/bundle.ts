import { buildSync } from 'esbuild';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The bench's programs that run as plain JavaScript. */
export const ENTRIES = ['main', 'w6Reader'] as const;

/**
 * Bundles bench/main.ts and the W6 reader, with rxtransport's src and rxjs, into plain
 * JavaScript in a fresh temporary folder, and returns the folder.
 *
 * Why: under ts-node the TypeScript compiler stays in the heap (about 20 MB), and with it every
 * mark-compact that the 64 KiB read buffers trigger costs several milliseconds: W1 ran at half
 * speed and twice as noisy. Bundled, the workloads run with an application's heap, as the
 * library's users run it (dist/ is built by esbuild too).
 */
export function bundleBench(benchDir: string, into?: string): string {
  const outdir = into ?? mkdtempSync(join(tmpdir(), 'rxtransport-bench-'));
  buildSync({
    entryPoints: {
      main: join(benchDir, 'main.ts'),
      w6Reader: join(benchDir, 'workloads', 'w6Reader.ts'),
    },
    outdir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  return outdir;
}
