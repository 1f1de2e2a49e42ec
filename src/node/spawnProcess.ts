import { checkProtocol } from '../core/validate.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { ProcessTransport } from '../core/ProcessTransport.js';
import { toTransportError } from '../core/osErrors.js';
import type { SubprocessTransport } from '../core/transports.js';
import { ChildProcessHandle } from './ChildProcessHandle.js';
import type { SpawnPlan } from './spawnOptions.js';

/**
 * Spawns `file` with `args` and resolves with its transport once the child runs and the
 * protocol's `connectionMade` has run; a spawn failure (`ENOENT`, `EACCES`, ...) rejects
 * with a `TransportOSError`, as asyncio raises from the awaited call.
 * @internal
 */
export async function spawnProcess(
  file: string,
  args: readonly string[],
  plan: SpawnPlan,
): Promise<SubprocessTransport> {
  let child: ChildProcess;
  try {
    child = spawn(file, args, {
      stdio: plan.stdio,
      ...(plan.cwd === undefined ? {} : { cwd: plan.cwd }),
      ...(plan.env === undefined ? {} : { env: plan.env }),
    });
  } catch (error) {
    // Some failures (a stdio fd that is not open: EBADF) are thrown, not emitted.
    throw toTransportError(error);
  }
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => {
      child.off('spawn', onSpawn);
      reject(toTransportError(error));
    };
    const onSpawn = (): void => {
      child.off('error', onError);
      resolve();
    };
    child.once('error', onError);
    child.once('spawn', onSpawn);
  });
  // Later 'error' events (a failed kill, say) come with a thrown error at the call site too.
  child.on('error', () => undefined);
  const handle = new ChildProcessHandle(child);
  let protocol;
  try {
    protocol = plan.protocol === undefined ? undefined : checkProtocol(plan.protocol());
  } catch (error) {
    child.kill('SIGKILL');
    for (const pipe of handle.stdio) pipe?.close();
    throw error;
  }
  const transport = new ProcessTransport(handle, { protocol });
  await transport.ready;
  return transport;
}
