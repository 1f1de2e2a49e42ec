/**
 * Child process for the accept-EMFILE spec, run under tsx with a low fd limit (`prlimit
 * --nofile`): an rxtransport server on 127.0.0.1 that holds every connection it accepts. It
 * tells its parent over IPC its port, each accepted connection, and anything that reached the
 * exception handler; on 'free' it aborts the connections it holds.
 */
import { createServer, setExceptionHandler, type SocketTransport } from '../../src/index';

/** What the server child sends its parent. */
export type EmfileMessage =
  | { readonly type: 'listening'; readonly port: number }
  | { readonly type: 'accepted'; readonly count: number }
  | { readonly type: 'report'; readonly message: string; readonly code: string | null }
  | { readonly type: 'freed' };

function send(message: EmfileMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  setExceptionHandler((context) => {
    const code = (context.exception as { code?: unknown } | undefined)?.code;
    send({
      type: 'report',
      message: context.message,
      code: typeof code === 'string' ? code : null,
    });
  });
  const server = await createServer({ host: '127.0.0.1', port: 0 });
  const held: SocketTransport[] = [];
  let count = 0;
  server.connections$.subscribe((client) => {
    held.push(client);
    count += 1;
    send({ type: 'accepted', count });
  });
  process.on('message', (message) => {
    if (message !== 'free') return;
    for (const client of held.splice(0)) client.abort();
    send({ type: 'freed' });
  });
  const address = server.address();
  if ('path' in address) throw new Error('not a TCP server');
  send({ type: 'listening', port: address.port });
}

void main();
