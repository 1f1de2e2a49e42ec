import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { BenchContext, PythonInfo, VariantResult } from './types.js';
import { beforeRun } from './quiet.js';
import { wanted } from './variants.js';

/** Finds python3 (and whether uvloop is importable); null when there is none. */
export function findPython(command = 'python3'): PythonInfo | null {
  const probe = spawnSync(
    command,
    [
      '-c',
      'import sys, importlib.util; print(sys.version.split()[0]); ' +
        'print(importlib.util.find_spec("uvloop") is not None)',
    ],
    { encoding: 'utf8' },
  );
  if (probe.status !== 0 || typeof probe.stdout !== 'string') return null;
  const [version = '?', uvloop = 'False'] = probe.stdout.trim().split('\n');
  return { command, version, uvloop: uvloop.trim() === 'True' };
}

/**
 * Runs a peer script (a path) with `params` as JSON; resolves with the JSON of its last stdout
 * line.
 */
export function runPythonScript(
  python: PythonInfo,
  script: string,
  params: Record<string, unknown>,
  timeoutMs: number,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn(python.command, [script, JSON.stringify(params)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // No __pycache__ in bench/asyncio.
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || last === '') {
        const why = signal === 'SIGKILL' ? `timed out after ${timeoutMs / 1000} s` : `exit ${code}`;
        reject(new Error(`${script} failed (${why}): ${stderr.trim().slice(-2000)}`));
        return;
      }
      try {
        resolve(JSON.parse(last));
      } catch {
        reject(new Error(`${script} printed no JSON: ${last.slice(0, 200)}`));
      }
    });
  });
}

interface PeerOutput {
  readonly variants: readonly { readonly name: string; readonly runs: Record<string, number[]> }[];
}

/**
 * Runs the asyncio peer of a workload (it does `ctx.runs` runs of each of its variants itself,
 * on asyncio's default loop and on uvloop where installed). Empty when python3 is missing; a
 * failing peer is logged, not fatal.
 */
export async function runPythonPeer(
  ctx: BenchContext,
  id: string,
  script: string,
  params: Record<string, unknown>,
  timeoutMs: number,
): Promise<VariantResult[]> {
  if (!ctx.python || !wanted(ctx, 'asyncio')) return [];
  await beforeRun(ctx);
  try {
    const output = (await runPythonScript(
      ctx.python,
      join(ctx.benchDir, 'asyncio', script),
      { ...params, runs: ctx.runs },
      timeoutMs,
    )) as PeerOutput;
    const results = output.variants.map((v) => ({
      name: v.name,
      surface: 'asyncio' as const,
      runs: v.runs,
    }));
    for (const v of results) ctx.log(`${id} ${v.name}: ${JSON.stringify(v.runs)}`);
    return results;
  } catch (error) {
    ctx.log(`${id}: the asyncio peer failed: ${(error as Error).message}`);
    return [];
  }
}
