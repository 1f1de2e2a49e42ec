/**
 * Faults: `close()` and `abort()` called from inside every protocol callback and every Rx
 * subscriber, over real loopback sockets, UDP endpoints and children. Whatever the callback,
 * `connectionLost` (and `closed$`) comes exactly once, nothing thrown escapes or reaches the
 * exception handler, and after `close()` every byte written before it reaches the peer, then a
 * clean EOF (after `abort()`, an exact prefix of them).
 */
import * as net from 'node:net';
import { firstValueFrom } from 'rxjs';
import {
  TransportClosedError,
  createConnection,
  createDatagramEndpoint,
  subprocessExec,
  type DatagramProtocol,
  type DatagramTransport,
  type BufferedProtocol,
  type InetAddress,
  type Protocol,
  type SocketTransport,
  type SubprocessProtocol,
} from '../../src/index';
import type { SubprocessTransport } from '../../src/core/transports';
import { concatBytes } from '../../src/core/bytes';
import { patternBytes, utf8 } from '../helpers/bytes';
import { useLeakCheck } from '../helpers/leaks';
import {
  HOST,
  KiB,
  MiB,
  closedValue,
  startRawServer,
  thrownBy,
  turns,
  unusedPort,
  useResources,
  waitFor,
} from '../helpers/net';
import { isAlive, trackProcess, useExceptionReports, valueOf, within } from '../helpers/process';
import {
  countingProtocol,
  expectPrefix,
  expectSameBytes,
  rawCollect,
  type RawCollector,
} from './faultHelpers';

type Action = 'close' | 'abort';
const ACTIONS: readonly Action[] = ['close', 'abort'];

/** What a case gets to drive the transport. */
interface CaseContext {
  /** Writes and remembers the bytes (they are what the peer must receive after close()). */
  readonly write: (transport: SocketTransport, data: Uint8Array) => void;
  /** Writes a 1 MiB tail (if the transport still takes writes), then closes or aborts. */
  readonly act: (transport: SocketTransport) => void;
  /** Whether `act` ran. */
  readonly acted: () => boolean;
  /** The raw peer's socket. */
  readonly peer: () => net.Socket;
}

interface StreamCase {
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
const holdingPeer = (socket: net.Socket): void => {
  socket.pause();
};

async function resumePeerAfterAct(ctx: CaseContext): Promise<void> {
  await waitFor(ctx.acted, 'the callback to act');
  ctx.peer().resume();
}

const STREAM_CASES: readonly StreamCase[] = [
  {
    name: 'connectionMade',
    protocol: (ctx) => ({
      connectionMade: (t) => {
        ctx.act(t);
      },
    }),
  },
  {
    name: 'dataReceived',
    peer: (socket) => socket.write(utf8('ping')),
    protocol: (ctx) => {
      let transport: SocketTransport;
      return {
        connectionMade: (t) => (transport = t),
        dataReceived: () => {
          ctx.act(transport);
        },
      };
    },
  },
  {
    name: 'getBuffer (BufferedProtocol)',
    peer: (socket) => socket.write(utf8('ping')),
    protocol: (ctx) => {
      let transport: SocketTransport;
      const buffer = new Uint8Array(16);
      return {
        connectionMade: (t) => (transport = t),
        getBuffer: () => {
          ctx.act(transport);
          return buffer;
        },
        bufferUpdated: () => undefined,
      };
    },
  },
  {
    name: 'bufferUpdated (BufferedProtocol)',
    peer: (socket) => socket.write(utf8('ping')),
    protocol: (ctx) => {
      let transport: SocketTransport;
      const buffer = new Uint8Array(16);
      return {
        connectionMade: (t) => (transport = t),
        getBuffer: () => buffer,
        bufferUpdated: () => {
          ctx.act(transport);
        },
      };
    },
  },
  {
    name: 'eofReceived',
    peer: (socket) => socket.end(utf8('bye')),
    protocol: (ctx) => {
      let transport: SocketTransport;
      return {
        connectionMade: (t) => (transport = t),
        eofReceived: () => {
          ctx.act(transport);
          return true;
        },
      };
    },
  },
  {
    name: 'pauseWriting (from write())',
    peer: holdingPeer,
    protocol: (ctx) => {
      let transport: SocketTransport;
      return {
        connectionMade: (t) => (transport = t),
        pauseWriting: () => {
          ctx.act(transport);
        },
      };
    },
    trigger: async (t, ctx) => {
      ctx.write(t, patternBytes(16 * MiB));
      await resumePeerAfterAct(ctx);
    },
  },
  {
    name: 'pauseWriting (from setWriteBufferLimits())',
    peer: holdingPeer,
    protocol: (ctx) => {
      let transport: SocketTransport;
      return {
        connectionMade: (t) => (transport = t),
        pauseWriting: () => {
          ctx.act(transport);
        },
      };
    },
    trigger: async (t, ctx) => {
      t.setWriteBufferLimits(64 * MiB);
      ctx.write(t, patternBytes(16 * MiB));
      expect(ctx.acted()).toBe(false);
      t.setWriteBufferLimits(0);
      expect(ctx.acted()).toBe(true);
      await resumePeerAfterAct(ctx);
    },
  },
  {
    name: 'resumeWriting',
    protocol: (ctx) => {
      let transport: SocketTransport;
      return {
        connectionMade: (t) => (transport = t),
        resumeWriting: () => {
          ctx.act(transport);
        },
      };
    },
    trigger: async (t, ctx) => {
      ctx.write(t, patternBytes(16 * MiB));
      await waitFor(ctx.acted, 'resumeWriting');
    },
  },
  {
    name: 'connectionLost',
    protocol: (ctx) => {
      let transport: SocketTransport;
      return {
        connectionMade: (t) => (transport = t),
        connectionLost: () => {
          ctx.act(transport);
        },
      };
    },
    trigger: async (t, ctx) => {
      ctx.write(t, patternBytes(MiB));
      t.close();
      await waitFor(ctx.acted, 'connectionLost');
    },
  },
  {
    name: 'a data$ subscriber (next)',
    peer: (socket) => socket.write(utf8('ping')),
    protocol: null,
    subscribe: (t, ctx) =>
      t.data$.subscribe(() => {
        ctx.act(t);
      }),
  },
  {
    name: 'a data$ subscriber (complete)',
    peer: (socket) => socket.end(utf8('bye')),
    protocol: null,
    subscribe: (t, ctx) =>
      t.data$.subscribe({
        complete: () => {
          ctx.act(t);
        },
      }),
  },
  {
    name: 'a writable$ subscriber (false)',
    peer: holdingPeer,
    protocol: null,
    subscribe: (t, ctx) =>
      t.writable$.subscribe((writable) => {
        if (!writable) ctx.act(t);
      }),
    trigger: async (t, ctx) => {
      ctx.write(t, patternBytes(16 * MiB));
      await resumePeerAfterAct(ctx);
    },
  },
  {
    name: 'a writable$ subscriber (true again)',
    protocol: null,
    subscribe: (t, ctx) => {
      let wasFalse = false;
      t.writable$.subscribe((writable) => {
        if (!writable) wasFalse = true;
        else if (wasFalse) ctx.act(t);
      });
    },
    trigger: async (t, ctx) => {
      ctx.write(t, patternBytes(16 * MiB));
      await waitFor(ctx.acted, 'writable$ to turn true again');
    },
  },
  {
    name: 'a drain() continuation',
    protocol: null,
    trigger: async (t, ctx) => {
      ctx.write(t, patternBytes(16 * MiB));
      await t.drain();
      ctx.act(t);
    },
  },
  {
    name: 'a closed$ subscriber',
    protocol: null,
    subscribe: (t, ctx) =>
      t.closed$.subscribe(() => {
        ctx.act(t);
      }),
    trigger: async (t, ctx) => {
      ctx.write(t, patternBytes(MiB));
      t.close();
      await waitFor(ctx.acted, 'closed$');
    },
  },
];

describe('close() and abort() from inside callbacks', () => {
  const resources = useResources();
  useLeakCheck(resources);
  useExceptionReports();

  describe('of a TCP transport', () => {
    const table = STREAM_CASES.flatMap((c) =>
      ACTIONS.map((action) => [c.name, action, c] as const),
    );

    it.each(table)('%s calling %s()', async (_name, action, c) => {
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
    });
  });

  describe('of a UDP endpoint', () => {
    interface DatagramCase {
      readonly name: string;
      readonly protocol: ((act: (t: DatagramTransport) => void) => DatagramProtocol) | null;
      readonly subscribe?: (t: DatagramTransport, act: (t: DatagramTransport) => void) => void;
      /** Makes the callback run; `peer` is bound and listening. */
      readonly trigger: (t: DatagramTransport, peer: DatagramTransport) => Promise<void>;
      /** Connect the endpoint to a closed port instead of the peer (for errorReceived). */
      readonly toClosedPort?: boolean;
    }
    const poke = async (t: DatagramTransport, peer: DatagramTransport): Promise<void> => {
      const addr = t.getExtraInfo('sockname') as InetAddress;
      peer.sendto(utf8('poke'), addr);
      await turns(1);
    };
    const provokeError = async (t: DatagramTransport): Promise<void> => {
      for (let i = 0; i < 50 && !t.isClosing(); i++) {
        try {
          t.sendto(utf8('anyone?'));
        } catch {
          break;
        }
        await turns(2);
      }
    };
    const cases: readonly DatagramCase[] = [
      {
        name: 'connectionMade',
        protocol: (act) => ({
          connectionMade: (t) => {
            act(t as DatagramTransport);
          },
        }),
        trigger: () => Promise.resolve(),
      },
      {
        name: 'datagramReceived',
        protocol: (act) => {
          let transport: DatagramTransport;
          return {
            connectionMade: (t) => (transport = t as DatagramTransport),
            datagramReceived: () => {
              act(transport);
            },
          };
        },
        trigger: poke,
      },
      {
        name: 'errorReceived',
        toClosedPort: true,
        protocol: (act) => {
          let transport: DatagramTransport;
          return {
            connectionMade: (t) => (transport = t as DatagramTransport),
            errorReceived: () => {
              act(transport);
            },
          };
        },
        trigger: provokeError,
      },
      {
        name: 'connectionLost',
        protocol: (act) => {
          let transport: DatagramTransport;
          return {
            connectionMade: (t) => (transport = t as DatagramTransport),
            connectionLost: () => {
              act(transport);
            },
          };
        },
        trigger: (t) => {
          t.close();
          return Promise.resolve();
        },
      },
      {
        name: 'a datagrams$ subscriber',
        protocol: null,
        subscribe: (t, act) =>
          t.datagrams$.subscribe(() => {
            act(t);
          }),
        trigger: poke,
      },
      {
        name: 'an errors$ subscriber',
        toClosedPort: true,
        protocol: null,
        subscribe: (t, act) =>
          t.errors$.subscribe(() => {
            act(t);
          }),
        trigger: provokeError,
      },
      {
        name: 'a closed$ subscriber',
        protocol: null,
        subscribe: (t, act) =>
          t.closed$.subscribe(() => {
            act(t);
          }),
        trigger: (t) => {
          t.close();
          return Promise.resolve();
        },
      },
    ];
    const table = cases.flatMap((c) => ACTIONS.map((action) => [c.name, action, c] as const));

    it.each(table)('%s calling %s()', async (_name, action, c) => {
      const peer = await createDatagramEndpoint({ localAddr: { host: HOST, port: 0 } });
      resources.defer(async () => {
        peer.abort();
        await firstValueFrom(peer.closed$);
      });
      const got: string[] = [];
      peer.datagrams$.subscribe(({ data }) => got.push(Buffer.from(data).toString()));
      const remoteAddr: InetAddress = c.toClosedPort
        ? { host: HOST, port: await unusedPort() }
        : (peer.getExtraInfo('sockname') as InetAddress);
      const thrown: unknown[] = [];
      let acted = false;
      let lastWords = false;
      const act = (t: DatagramTransport): void => {
        if (acted) return;
        acted = true;
        if (!t.isClosing() && !c.toClosedPort) {
          t.sendto(utf8('last words'));
          lastWords = true;
        }
        try {
          t[action]();
          t[action]();
          if (action === 'abort') t.close();
        } catch (error) {
          thrown.push(error);
        }
      };
      const lost: (Error | null)[] = [];
      const protocol = c.protocol?.(act);
      const endpoint = await createDatagramEndpoint({
        localAddr: { host: HOST, port: 0 },
        remoteAddr,
        ...(protocol
          ? {
              protocol: () => ({
                ...protocol,
                connectionLost: (exc: Error | null) => {
                  lost.push(exc);
                  protocol.connectionLost?.(exc);
                },
              }),
            }
          : {}),
      });
      resources.defer(async () => {
        endpoint.abort();
        await firstValueFrom(endpoint.closed$);
      });
      let closedEmissions = 0;
      endpoint.closed$.subscribe(() => (closedEmissions += 1));
      c.subscribe?.(endpoint, act);
      await c.trigger(endpoint, peer);
      await waitFor(() => acted, 'the callback to act');
      expect(await valueOf(endpoint.closed$, 'closed$')).toBeNull();
      await turns(10);
      expect(thrown).toEqual([]);
      expect(closedEmissions).toBe(1);
      if (protocol) expect(lost).toEqual([null]);
      expect(endpoint.isClosing()).toBe(true);
      expect(
        thrownBy(() => {
          endpoint.sendto(utf8('late'));
        }),
      ).toBeInstanceOf(TransportClosedError);
      if (lastWords && action === 'close') {
        // close() lets the queued datagram go first [D7].
        await waitFor(() => got.includes('last words'), 'the last datagram');
      }
    });
  });

  describe('of a subprocess transport', () => {
    type ProcessAction = 'close' | 'kill';
    interface ProcessCase {
      readonly name: string;
      readonly args: readonly string[];
      readonly protocol: (act: () => void) => SubprocessProtocol<SubprocessTransport>;
    }
    const cases: readonly ProcessCase[] = [
      { name: 'connectionMade', args: ['-c', 'cat'], protocol: (act) => ({ connectionMade: act }) },
      {
        name: 'pipeDataReceived',
        args: ['-c', 'echo hello; exec cat'],
        protocol: (act) => ({ pipeDataReceived: act }),
      },
      {
        name: 'pipeConnectionLost',
        args: ['-c', 'exec >&-; exec sleep 30'],
        protocol: (act) => ({ pipeConnectionLost: act }),
      },
      {
        name: 'processExited',
        args: ['-c', 'exit 3'],
        protocol: (act) => ({ processExited: act }),
      },
      {
        name: 'connectionLost',
        args: ['-c', 'exit 0'],
        protocol: (act) => ({ connectionLost: act }),
      },
      {
        name: 'pauseWriting',
        args: ['-c', 'exec sleep 30'],
        protocol: (act) => ({ pauseWriting: act }),
      },
    ];
    const actions: readonly ProcessAction[] = ['close', 'kill'];
    const table = cases.flatMap((c) => actions.map((action) => [c.name, action, c] as const));

    it.each(table)('%s calling %s()', async (_name, action, c) => {
      let child!: SubprocessTransport;
      const thrown: unknown[] = [];
      let acted = false;
      const act = (): void => {
        if (acted) return;
        acted = true;
        try {
          if (action === 'close') {
            child.close();
            child.close();
          } else if (child.getReturncode() === null) {
            child.kill();
          }
        } catch (error) {
          thrown.push(error);
        }
      };
      const lost: (Error | null)[] = [];
      const own = c.protocol(act);
      child = trackProcess(
        resources,
        await subprocessExec('/bin/sh', [...c.args], {
          protocol: () => ({
            ...own,
            connectionMade: (t) => {
              child = t;
              own.connectionMade?.(t);
            },
            connectionLost: (exc) => {
              lost.push(exc);
              own.connectionLost?.(exc);
            },
          }),
        }),
      );
      if (c.name === 'pauseWriting') {
        for (let i = 0; i < 64 && !acted; i++) child.stdin!.write(patternBytes(256 * KiB));
      }
      await waitFor(() => acted, 'the callback to act');
      expect(await valueOf(child.closed$, 'the transport to be lost')).toBeNull();
      await turns(10);
      expect(thrown).toEqual([]);
      expect(lost).toEqual([null]);
      expect(isAlive(child.getPid())).toBe(false);
      const code = child.getReturncode();
      expect(code === -9 || code === 0 || code === 3).toBe(true);
    });
  });
});
