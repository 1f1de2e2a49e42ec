/**
 * External TLS peers for the interop specs: python3 asyncio with `ssl=` (the fixture
 * spec/fixtures/asyncio_tls_peer.py) and OpenSSL's `s_server` / `s_client`. Every process is
 * reaped before `stop()` (or `run`) settles, so nothing is left open behind a test.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Resources } from './resources';

export const TLS_PEER_SCRIPT = join(__dirname, '..', 'fixtures', 'asyncio_tls_peer.py');

/** Whether python3's ssl module is there; the python interop tests skip (saying so) without. */
export const HAVE_PYTHON_SSL = spawnSync('python3', ['-c', 'import ssl']).status === 0;

export interface Peer {
  readonly child: ChildProcess;
  /** Everything the peer printed on stdout so far. */
  output(): string;
  /** Resolves with the first match of `pattern` in stdout; rejects if the peer exits first. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  /** Ends stdin, then SIGTERM if needed, and resolves once the process and pipes are gone. */
  stop(): Promise<void>;
}

/** Spawns a peer, tracked by `resources` (stopped after the test). */
export function startPeer(resources: Resources, command: string, args: string[]): Peer {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: (() => void)[] = [];
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk;
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-16_384);
  });
  child.stdin.on('error', () => undefined);
  const exited = new Promise<void>((resolve) => {
    child.once('close', () => {
      setImmediate(() => setImmediate(resolve));
      for (const wake of waiters.splice(0)) wake();
    });
    child.once('error', () => {
      resolve();
    });
  });
  let exitedFlag = false;
  void exited.then(() => (exitedFlag = true));
  const peer: Peer = {
    child,
    output: () => stdout,
    waitFor: async (pattern) => {
      for (;;) {
        const match = stdout.match(pattern);
        if (match) return match;
        if (exitedFlag || child.exitCode !== null) {
          throw new Error(`${command} exited before printing ${String(pattern)}: ${stderr}`);
        }
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
    stop: async () => {
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGTERM'), 2_000);
      await exited;
      clearTimeout(timer);
    },
  };
  resources.defer(() => peer.stop());
  return peer;
}

/** Runs a peer to its end and resolves with its stdout (rejects on a non-zero exit). */
export async function runPeer(resources: Resources, command: string, args: string[]) {
  const peer = startPeer(resources, command, args);
  const code = await new Promise<number | null>((resolve) => peer.child.once('exit', resolve));
  await peer.stop();
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${String(code)}`);
  return peer.output();
}
