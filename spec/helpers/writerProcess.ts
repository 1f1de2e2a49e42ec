/**
 * Child process for the backpressure spec (started by `startWriterPeer` in writerPeer.ts, under
 * tsx): an rxtransport server on 127.0.0.1 that writes `argv[2]` bytes of the pattern payload
 * to its first connection as fast as `write()` takes them, then `writeEof()`. Running the writer
 * in its own process keeps its (large) write buffer out of the reader's memory figures.
 *
 * Messages to the parent: `{ type: 'listening', port }`, `{ type: 'written', ...status }` once
 * every byte was handed to `write()`, `{ type: 'status', ...status }` in answer to
 * `{ type: 'status' }`, and `{ type: 'closed', error }` when the connection is lost.
 */
import { createServer, type SocketTransport } from '../../src/index';
import { patternChunk } from './bytes';

/** The writer's flow-control state, as reported to the parent. */
export interface WriterStatus {
  /** `getWriteBufferSize()` now. */
  readonly bufferSize: number;
  /** The last value `writable$` emitted. */
  readonly writable: boolean;
  /** Whether `writable$` ever emitted false. */
  readonly sawUnwritable: boolean;
  /** The largest `getWriteBufferSize()` seen after a write. */
  readonly maxBufferSize: number;
}

export type WriterMessage =
  | { readonly type: 'listening'; readonly port: number }
  | ({ readonly type: 'written' | 'status' } & WriterStatus)
  | { readonly type: 'closed'; readonly error: string | null };

const CHUNK = 1024 * 1024;

function send(message: WriterMessage): void {
  process.send?.(message);
}

function serve(transport: SocketTransport, total: number): void {
  let writable = true;
  let sawUnwritable = false;
  let maxBufferSize = 0;
  transport.writable$.subscribe((value) => {
    writable = value;
    if (!value) sawUnwritable = true;
  });
  const status = (): WriterStatus => ({
    bufferSize: transport.getWriteBufferSize(),
    writable,
    sawUnwritable,
    maxBufferSize,
  });
  process.on('message', (message: { type?: unknown }) => {
    if (message.type === 'status') send({ type: 'status', ...status() });
  });
  transport.closed$.subscribe((error) => {
    send({ type: 'closed', error: error === null ? null : `${error.name}: ${error.message}` });
  });
  // The parent sends nothing; subscribing lets its EOF close the connection.
  transport.data$.subscribe();
  for (let offset = 0; offset < total; offset += CHUNK) {
    transport.write(patternChunk(offset, Math.min(CHUNK, total - offset)));
    maxBufferSize = Math.max(maxBufferSize, transport.getWriteBufferSize());
  }
  transport.writeEof();
  send({ type: 'written', ...status() });
}

async function main(): Promise<void> {
  const total = Number(process.argv[2]);
  // Never outlive a parent that went away without stopping us.
  setTimeout(() => process.exit(3), 60_000).unref();
  process.on('disconnect', () => process.exit(0));
  const server = await createServer({ host: '127.0.0.1', port: 0 });
  server.connections$.subscribe((transport) => {
    server.close();
    serve(transport, total);
  });
  const address = server.address();
  send({ type: 'listening', port: 'port' in address ? address.port : 0 });
  await server.waitClosed();
  process.disconnect();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
