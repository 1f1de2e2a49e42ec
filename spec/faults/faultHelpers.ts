/**
 * Assertions shared by the fault specs: typed OS errors, byte-exact prefixes, and protocols that
 * count their callbacks.
 */
import type { Socket } from 'node:net';
import {
  BrokenPipeError,
  ConnectionResetError,
  TransportError,
  TransportOSError,
  type Protocol,
  type SocketTransport,
} from '../../src/index';
import { sha256 } from '../helpers/bytes';

/** The asyncio-named subclass each errno code must come as. */
const SUBCLASS: Readonly<Record<string, typeof TransportOSError>> = {
  ECONNRESET: ConnectionResetError,
  EPIPE: BrokenPipeError,
};

/**
 * Expects a `TransportOSError` (a `TransportError`) with one of `codes`, of the asyncio-named
 * subclass for that code, carrying the platform's error (with the same code) as `cause` unless
 * rxtransport raised it itself (`{ fromPlatform: false }`: a signal to a finished child, ...).
 */
export function expectOSError(
  error: unknown,
  codes: readonly string[],
  { fromPlatform = true }: { fromPlatform?: boolean } = {},
): TransportOSError {
  expect(error).toBeInstanceOf(TransportError);
  expect(error).toBeInstanceOf(TransportOSError);
  const os = error as TransportOSError;
  expect(codes).toContain(os.code);
  const subclass = SUBCLASS[os.code];
  if (subclass) {
    expect(os).toBeInstanceOf(subclass);
    expect(os.name).toBe(subclass.name);
  }
  if (fromPlatform) expect(os.cause).toHaveProperty('code', os.code);
  return os;
}

/** Expects `received` to be exactly the first `received.byteLength` bytes of `payload`. */
export function expectPrefix(received: Uint8Array, payload: Uint8Array): void {
  expect(received.byteLength).toBeLessThanOrEqual(payload.byteLength);
  // Digests, not a byte-by-byte diff: a failure on megabytes must stay readable.
  expect(sha256(received)).toBe(sha256(payload.subarray(0, received.byteLength)));
}

/** Expects `received` to be exactly `payload`. */
export function expectSameBytes(received: Uint8Array, payload: Uint8Array): void {
  expect(received.byteLength).toBe(payload.byteLength);
  expect(sha256(received)).toBe(sha256(payload));
}

/** A Protocol that records its callbacks and the transport it was given. */
export interface CountingProtocol {
  readonly protocol: Protocol<SocketTransport>;
  readonly events: string[];
  readonly lost: (Error | null)[];
  readonly received: Uint8Array[];
  transport: SocketTransport | null;
  /** Resolves at the first `connectionLost`. */
  readonly done: Promise<Error | null>;
}

/** A recording Protocol; `overrides` run after the recording of the same callback. */
export function countingProtocol(
  overrides: Partial<Protocol<SocketTransport>> = {},
): CountingProtocol {
  let finish!: (exc: Error | null) => void;
  const done = new Promise<Error | null>((resolve) => (finish = resolve));
  const counting: CountingProtocol = {
    events: [],
    lost: [],
    received: [],
    transport: null,
    done,
    protocol: {
      connectionMade: (transport) => {
        counting.transport = transport;
        counting.events.push('made');
        overrides.connectionMade?.(transport);
      },
      dataReceived: (data) => {
        counting.events.push('data');
        counting.received.push(data);
        overrides.dataReceived?.(data);
      },
      eofReceived: () => {
        counting.events.push('eof');
        return overrides.eofReceived?.();
      },
      pauseWriting: () => {
        counting.events.push('pause');
        overrides.pauseWriting?.();
      },
      resumeWriting: () => {
        counting.events.push('resume');
        overrides.resumeWriting?.();
      },
      connectionLost: (exc) => {
        counting.events.push('lost');
        counting.lost.push(exc);
        finish(exc);
        overrides.connectionLost?.(exc);
      },
    },
  };
  return counting;
}

/** Everything a raw socket receives, as it arrives, with how it ended. */
export interface RawCollector {
  readonly chunks: Buffer[];
  bytes(): Buffer;
  /** 'end' (clean EOF), 'close', or the error code. */
  ending: string | null;
  /** Resolves with `ending` once the socket ended. */
  readonly ended: Promise<string>;
}

/** Collects what a raw socket receives until it ends. */
export function rawCollect(socket: Socket): RawCollector {
  let finish!: (ending: string) => void;
  const collector: RawCollector = {
    chunks: [],
    bytes: () => Buffer.concat(collector.chunks),
    ending: null,
    ended: new Promise<string>((resolve) => (finish = resolve)),
  };
  const end = (ending: string): void => {
    if (collector.ending !== null) return;
    collector.ending = ending;
    finish(ending);
  };
  socket.on('data', (chunk: Buffer) => collector.chunks.push(chunk));
  socket.on('end', () => {
    end('end');
  });
  socket.on('error', (error: NodeJS.ErrnoException) => {
    end(error.code ?? error.message);
  });
  socket.on('close', () => {
    end('close');
  });
  return collector;
}
