/**
 * Shared by the re-entrant close fault specs (reentrantClose.*.spec.ts): the two actions, and for
 * TCP transports the shape of a case (which callback acts, how the raw peer behaves, what makes
 * the callback run) and the run of one case with its checks: `connectionLost` (and `closed$`)
 * exactly once, nothing thrown, and after `close()` every byte written before it at the peer,
 * then a clean EOF (after `abort()`, an exact prefix of them).
 */
import type * as net from 'node:net';
import {
  TransportClosedError,
  createConnection,
  type BufferedProtocol,
  type Protocol,
  type SocketTransport,
} from '../../src/index';
import { concatBytes } from '../../src/core/bytes';
import { patternBytes, utf8 } from '../helpers/bytes';
import { MiB } from '../helpers/bytes';
import { thrownBy } from '../helpers/outcomes';
import { startRawServer } from '../helpers/rawPeers';
import type { Resources } from '../helpers/resources';
import { HOST } from '../helpers/sockets';
import { closedValue } from '../helpers/streams';
import { turns, waitFor } from '../helpers/waits';
import { within } from '../helpers/process';
import {
  countingProtocol,
  expectPrefix,
  expectSameBytes,
  rawCollect,
  type RawCollector,
} from './faultHelpers';

export type Action = 'close' | 'abort';
export const ACTIONS: readonly Action[] = ['close', 'abort'];

/** What a case gets to drive the transport. */
export interface CaseContext {
  /** Writes and remembers the bytes (they are what the peer must receive after close()). */
  readonly write: (transport: SocketTransport, data: Uint8Array) => void;
  /** Writes a 1 MiB tail (if the transport still takes writes), then closes or aborts. */
  readonly act: (transport: SocketTransport) => void;
  /** Whether `act` ran. */
  readonly acted: () => boolean;
  /** The raw peer's socket. */
  readonly peer: () => net.Socket;
}

export interface StreamCase {
  readonly name: string;
  /** How the raw peer behaves once connected (it always collects what it reads). */
  readonly peer?: (socket: net.Socket) => void;
  /** A protocol (plain or buffered), or null for the Rx surfaces. */
  readonly protocol:
    | ((
        ctx: CaseContext,
      ) => Partial<Protocol<SocketTransport>> & Partial<BufferedProtocol<SocketTransport>>)
    | null;
  /** Rx subscriptions made right after connecting (Rx cases). */
  readonly subscribe?: (transport: SocketTransport, ctx: CaseContext) => void;
  /** What to do after connecting to make the callback run. */
  readonly trigger?: (transport: SocketTransport, ctx: CaseContext) => Promise<void>;
}

/** The peer holds its reading until `act` ran, so that our write buffer fills. */
export const holdingPeer = (socket: net.Socket): void => {
  socket.pause();
};

export async function resumePeerAfterAct(ctx: CaseContext): Promise<void> {
  await waitFor(ctx.acted, 'the callback to act');
  ctx.peer().resume();
}

/** The `it.each` table of `cases`: each case with each action, named `<case> calling <action>()`. */
export function streamCaseTable(
  cases: readonly StreamCase[],
): (readonly [string, Action, StreamCase])[] {
  return cases.flatMap((c) => ACTIONS.map((action) => [c.name, action, c] as const));
}

/**
 * Runs case `c` with `action` over a real loopback connection to a raw peer, tracked in
 * `resources`, and checks the outcome.
 */
export async function runStreamCase(
  resources: Resources,
  action: Action,
  c: StreamCase,
): Promise<void> {
  let peerSocket!: net.Socket;
  let collector!: RawCollector;
  const raw = await startRawServer(resources, (socket) => {
    socket.on('error', () => undefined);
    peerSocket = socket;
    collector = rawCollect(socket);
    c.peer?.(socket);
  });
  const written: Uint8Array[] = [];
  const thrown: unknown[] = [];
  let acted = false;
  const ctx: CaseContext = {
    write: (t, data) => {
      // Recorded first: a callback run from inside write() may write too, after `data`.
      const index = written.push(data) - 1;
      try {
        t.write(data);
      } catch (error) {
        written.splice(index, 1);
        throw error;
      }
    },
    act: (t) => {
      if (acted) return;
      acted = true;
      if (!t.isClosing()) {
        try {
          ctx.write(t, patternBytes(MiB));
        } catch (error) {
          thrown.push(error);
        }
      }
      try {
        t[action]();
        // Repeated (a no-op), and close() after abort() (a no-op too). Not abort() after
        // close(): that drops what close() was still flushing, as asyncio's does [W10].
        t[action]();
        if (action === 'abort') t.close();
      } catch (error) {
        thrown.push(error);
      }
    },
    acted: () => acted,
    peer: () => peerSocket,
  };
  const own = c.protocol ? c.protocol(ctx) : {};
  const counting = countingProtocol(own);
  const { getBuffer, bufferUpdated } = own;
  const protocol =
    getBuffer && bufferUpdated
      ? { ...counting.protocol, getBuffer, bufferUpdated }
      : counting.protocol;
  const transport = resources.transport(
    await createConnection({
      host: HOST,
      port: raw.port,
      ...(c.protocol ? { protocol: () => protocol } : {}),
    }),
  );
  let closedEmissions = 0;
  transport.closed$.subscribe(() => (closedEmissions += 1));
  c.subscribe?.(transport, ctx);
  await c.trigger?.(transport, ctx);

  await waitFor(() => acted, 'the callback to act');
  const exc = await within(closedValue(transport), 'closed$');
  await turns(10);
  expect(thrown).toEqual([]);
  expect(exc).toBeNull();
  expect(closedEmissions).toBe(1);
  if (c.protocol) expect(counting.lost).toEqual([null]);
  expect(transport.isClosing()).toBe(true);
  expect(
    thrownBy(() => {
      transport.write(utf8('late'));
    }),
  ).toBeInstanceOf(TransportClosedError);

  const ending = await within(collector.ended, 'the peer to see the end');
  const sent = concatBytes(written);
  if (action === 'close' || c.name === 'connectionLost' || c.name === 'a closed$ subscriber') {
    // close() flushed: the peer got every byte written before it, then EOF.
    expect({ ending, received: collector.bytes().byteLength }).toEqual({
      ending: 'end',
      received: sent.byteLength,
    });
    expectSameBytes(collector.bytes(), sent);
  } else {
    expectPrefix(collector.bytes(), sent);
    expect(['end', 'ECONNRESET', 'close']).toContain(ending);
  }
}
