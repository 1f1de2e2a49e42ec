/**
 * A line protocol with a maximum line length: each line the client sends is answered with one
 * line. This is the server of `npm run demo` and of `marbles/lineProtocol.marbles.spec.ts`: the
 * tested code is the shown code.
 */
import { map, type Subscription } from 'rxjs';
import { FrameTooLargeError, type SocketTransport } from '../../src/index.js';
import { lines, utf8Encode } from '../../src/operators/index.js';

/** Options of {@link serveLines}. */
export interface LineServerOptions {
  /**
   * Longest line accepted, in bytes, without its `\n` or `\r\n`.
   * @defaultValue 1024
   */
  readonly maxLength?: number;
}

/** Answers one line: what the server sends back for it, without the `\n`. */
export type LineHandler = (line: string) => string;

/** The demo's handler: the line, upper-cased. */
export const upperCase: LineHandler = (line) => line.toUpperCase();

/**
 * A small command language: `PING`, `ECHO <text>`, `ADD <n> <n>...`; anything else is an
 * `ERR` line (the conversation goes on).
 */
export const commands: LineHandler = (line) => {
  const [command = '', ...args] = line.trim().split(/\s+/);
  switch (command.toUpperCase()) {
    case 'PING':
      return 'PONG';
    case 'ECHO':
      return args.join(' ');
    case 'ADD': {
      const numbers = args.map(Number);
      if (numbers.length === 0 || numbers.some((n) => !Number.isFinite(n)))
        return 'ERR ADD takes numbers';
      return String(numbers.reduce((sum, n) => sum + n, 0));
    }
    default:
      return `ERR unknown command ${JSON.stringify(command)}`;
  }
};

/** The reply a line over `maxLength` gets, just before the server closes the connection. */
export const lineTooLongReply = (maxLength: number): string =>
  `ERR line longer than ${maxLength} bytes`;

const encoder = new TextEncoder();

/**
 * Serves the line protocol on one connection: bytes, then lines of at most `maxLength` bytes,
 * then one reply line each, written back in order.
 *
 * - The client's EOF ends the conversation politely: once every reply is written, the server
 *   sends its own EOF (the `sink`'s `complete`), and the transport closes when both sides have.
 * - A line over `maxLength` makes `lines` error with `FrameTooLargeError` before the line is
 *   buffered: the server answers with an `ERR` line, then closes the connection (`close()`
 *   flushes that reply first). Whatever the client sends after it is never read.
 * - A lost connection (a reset) errors `data$`: passing it to the `sink` aborts the transport,
 *   which is already lost, so nothing more happens. A `handle` that throws aborts it too.
 *
 * @param conn - The server's end of the connection, without a protocol (it reads `data$`).
 * @param handle - What to answer to each line.
 * @param options - `maxLength`: longest line in bytes (default 1024).
 * @returns The subscription; unsubscribing stops answering (it does not close `conn`).
 */
export function serveLines(
  conn: SocketTransport,
  handle: LineHandler,
  options: LineServerOptions = {},
): Subscription {
  const maxLength = options.maxLength ?? 1024;
  return conn.data$
    .pipe(
      lines({ maxLength }),
      map((line) => `${handle(line)}\n`),
      utf8Encode(),
    )
    .subscribe({
      next: (reply) => {
        conn.sink.next(reply);
      },
      complete: () => {
        conn.sink.complete();
      },
      error: (error: unknown) => {
        if (!(error instanceof FrameTooLargeError)) {
          conn.sink.error(error);
          return;
        }
        conn.write(encoder.encode(`${lineTooLongReply(maxLength)}\n`));
        conn.close();
      },
    });
}
