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
 * Why: a TypeScript runner adds its own machinery to the heap, and with it every mark-compact
 * that the 64 KiB read buffers trigger costs more. Under ts-node (used before tsx) the compiler
 * stayed in the heap, about 20 MB, and W1 ran at half speed and twice as noisy; tsx keeps less
 * (its loader hooks and source maps, with esbuild in a process of its own) but still some.
 * Bundled, the workloads run with an application's heap, as the library's users run it (dist/
 * is built by esbuild too).
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
