/**
 * Protocol callbacks that throw anything (`fc.anything()`): what they throw is reported through
 * `setExceptionHandler` and never becomes an uncaught exception, and the transport stays
 * consistent. The data callbacks (`dataReceived`, `eofReceived`, `getBuffer`, `bufferUpdated`)
 * take asyncio's fatal-error path: the transport is lost with that error, once. Every other
 * callback's exception is only reported: the transport goes on working.
 */
import fc from 'fast-check';
import * as net from 'node:net';
import {
  TransportOSError,
  createConnection,
  createDatagramEndpoint,
  subprocessExec,
  type BufferedProtocol,
  type DatagramProtocol,
  type DatagramTransport,
  type InetAddress,
  type Protocol,
  type SocketTransport,
  type SubprocessProtocol,
} from '../../src/index';
import type { SubprocessTransport } from '../../src/core/transports';
import { patternBytes, utf8 } from '../helpers/bytes';
import { useLeakCheck } from '../helpers/leaks';
import { MiB } from '../helpers/bytes';
import { startRawServer } from '../helpers/rawPeers';
import { useResources } from '../helpers/resources';
import { HOST, unusedPort } from '../helpers/sockets';
import { closedValue } from '../helpers/streams';
import { turns, waitFor } from '../helpers/waits';
import { trackProcess, valueOf, within } from '../helpers/process';
import { anything, collectExceptionReports } from './badInput';

type StreamCallback =
  | 'connectionMade'
  | 'dataReceived'
  | 'eofReceived'
  | 'getBuffer'
  | 'bufferUpdated'
  | 'pauseWriting'
  | 'resumeWriting'
  | 'connectionLost';

/** The callbacks whose exception is fatal [E3]. */
const FATAL: ReadonlySet<StreamCallback> = new Set([
  'dataReceived',
  'eofReceived',
  'getBuffer',
  'bufferUpdated',
]);

const CALLBACKS: readonly StreamCallback[] = [
  'connectionMade',
  'dataReceived',
  'eofReceived',
  'getBuffer',
  'bufferUpdated',
  'pauseWriting',
  'resumeWriting',
  'connectionLost',
];

/** Values to throw: anything, plus Errors, look-alikes and errno-like objects. */
const thrownValues = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 3, arbitrary: anything() },
    {
      weight: 1,
      arbitrary: fc.constantFrom<unknown>(
        new Error('plain'),
        new TypeError('type'),
        Object.assign(new Error('errno-like'), { code: 'ECONNRESET' }),
        { name: 'Fake', message: 'error-like' },
        { code: 'EPIPE', message: 'errno-like object' },
        undefined,
        null,
        'a string',
        Symbol('thrown'),
      ),
    },
  );

const RUNS_PER_CALLBACK = 12;

describe('protocol callbacks that throw', () => {
  const resources = useResources();
  useLeakCheck(resources, { timeoutMs: 3_000 });
  const exceptions = collectExceptionReports();

  describe('on a TCP transport', () => {
    it.each(CALLBACKS)('%s: reported, and the transport stays consistent', async (callback) => {
      // The raw peer: echoes (for the data callbacks), ends after a greeting for eofReceived,
      // and holds its reading for the flow-control ones until told to resume.
      const peers: net.Socket[] = [];
      const raw = await startRawServer(resources, (socket) => {
        peers.push(socket);
        socket.on('error', () => undefined);
        if (callback === 'pauseWriting' || callback === 'resumeWriting') {
          socket.pause();
          return;
        }
        socket.on('data', (chunk: Buffer) => socket.write(chunk));
        if (callback === 'eofReceived') socket.end(utf8('bye'));
      });

      await fc.assert(
        fc.asyncProperty(thrownValues(), async (thrown) => {
          exceptions.reports.length = 0;
          const lost: (Error | null)[] = [];
          const received: Uint8Array[] = [];
          let threw = 0;
          const buffer = new Uint8Array(64);
          const explode = (): never => {
            threw += 1;

            throw thrown;
          };
          const base: Protocol<SocketTransport> & Partial<BufferedProtocol<SocketTransport>> = {
            connectionLost: (exc) => {
              lost.push(exc);
            },
          };
          const useBuffered = callback === 'getBuffer' || callback === 'bufferUpdated';
          if (useBuffered) {
            base.getBuffer = () => buffer;
            base.bufferUpdated = (n) => {
              received.push(buffer.slice(0, n));
            };
          } else {
            base.dataReceived = (data) => {
              received.push(data);
            };
          }
          const own = base as Record<string, ((...a: unknown[]) => unknown) | undefined>;
          const protocol = {
            ...base,
            [callback]: (...args: unknown[]) => {
              // The callback does its work (connectionLost is recorded), then throws, once.
              const result = own[callback]?.(...args);
              if (threw === 0) explode();
              return result;
            },
          } as Protocol<SocketTransport>;
          const client = await createConnection({
            host: HOST,
            port: raw.port,
            protocol: () => protocol,
          });
          resources.transport(client);
          const peer = await within(
            waitFor(() => peers.length > 0, 'the peer').then(() => peers.shift()!),
            'the peer',
          );

          switch (callback) {
            case 'connectionMade':
            case 'connectionLost':
              client.write(utf8('ping'));
              await waitFor(() => Buffer.concat(received).toString() === 'ping', 'the echo');
              client.close();
              break;
            case 'dataReceived':
            case 'getBuffer':
            case 'bufferUpdated':
              client.write(utf8('ping'));
              break;
            case 'eofReceived':
              break;
            case 'pauseWriting':
            case 'resumeWriting': {
              // Written until the buffer passes the high water mark, rather than one 4 MiB write:
              // loopback took about 3.9 MB of that at once here (send buffer, the paused peer's
              // receive buffer), close enough to 4 MiB that it sometimes all went, and then
              // pauseWriting never came.
              const [, high] = client.getWriteBufferLimits();
              const chunk = patternBytes(MiB);
              for (let i = 0; i < 64 && client.getWriteBufferSize() <= high; i++) {
                client.write(chunk);
              }
              expect(client.getWriteBufferSize()).toBeGreaterThan(high);
              peer.resume();
              await client.drain();
              expect(client.isClosing()).toBe(false);
              client.close();
              break;
            }
          }

          const exc = await within(closedValue(client), `closed$ after ${callback} threw`, 3_000);
          await turns(3);
          expect(threw).toBe(1);
          expect(lost).toEqual([exc]);

          if (FATAL.has(callback)) {
            // Lost with what was thrown (wrapped when it is not an Error), once.
            expect(exc).not.toBeNull();
            const err = exc as Error & { cause?: unknown };
            expect(err === thrown || err.cause === thrown).toBe(true);
            if (!(err instanceof TransportOSError)) {
              expect(exceptions.reports.map((r) => r.exception)).toContain(err);
            }
          } else {
            // Only reported: the transport went on and closed cleanly when asked.
            expect(exc).toBeNull();
            expect(exceptions.reports.map((r) => r.exception)).toContain(thrown);
          }
          peer.destroy();
        }),
        {
          numRuns: RUNS_PER_CALLBACK,
          examples: [[Object.create(null) as unknown]],
        },
      );
    });
  });

  describe('on a UDP endpoint', () => {
    it.each(['connectionMade', 'datagramReceived', 'errorReceived', 'connectionLost'] as const)(
      '%s: reported, and the endpoint stays open',
      async (callback) => {
        const sink = await createDatagramEndpoint({ localAddr: { host: HOST, port: 0 } });
        resources.defer(async () => {
          sink.abort();
          await valueOf(sink.closed$, 'the sink');
        });
        const closedPort = await unusedPort();
        await fc.assert(
          fc.asyncProperty(thrownValues(), async (thrown) => {
            exceptions.reports.length = 0;
            let threw = 0;
            const got: string[] = [];
            const lost: (Error | null)[] = [];
            const protocol: DatagramProtocol<DatagramTransport> = {
              [callback]: () => {
                threw += 1;

                throw thrown;
              },
            };
            const base: DatagramProtocol<DatagramTransport> = {
              datagramReceived: (data) => got.push(Buffer.from(data).toString()),
              connectionLost: (exc) => lost.push(exc),
            };
            const endpoint = await createDatagramEndpoint({
              localAddr: { host: HOST, port: 0 },
              // errorReceived: a connected endpoint whose peer is gone gets ECONNREFUSED.
              ...(callback === 'errorReceived'
                ? { remoteAddr: { host: HOST, port: closedPort } }
                : {}),
              protocol: () => ({
                ...base,
                ...protocol,
                connectionLost: (exc) => {
                  lost.push(exc);
                  protocol.connectionLost?.(exc);
                },
              }),
            });
            const addr = endpoint.getExtraInfo('sockname') as InetAddress;
            if (callback === 'datagramReceived') {
              sink.sendto(utf8('one'), addr);
              await waitFor(() => threw === 1, 'datagramReceived');
            }
            if (callback === 'errorReceived') {
              for (let i = 0; i < 50 && threw === 0; i++) {
                endpoint.sendto(utf8('anyone?'));
                await turns(2);
              }
              // Still open after the report: more datagrams are accepted.
              endpoint.sendto(utf8('still open'));
            } else {
              // Still open: a datagram goes out.
              endpoint.sendto(utf8('still open'), sink.getExtraInfo('sockname') as InetAddress);
            }
            endpoint.close();
            expect(await within(valueOf(endpoint.closed$, 'closed$'), 'closed$')).toBeNull();
            await turns(2);
            expect(lost).toEqual([null]);
            expect(threw).toBe(1);
            expect(exceptions.reports.map((r) => r.exception)).toContain(thrown);
          }),
          { numRuns: RUNS_PER_CALLBACK },
        );
      },
    );
  });

  describe('on a subprocess transport', () => {
    it.each([
      'connectionMade',
      'pipeDataReceived',
      'pipeConnectionLost',
      'processExited',
      'connectionLost',
    ] as const)('%s: reported, and connectionLost still comes once', async (callback) => {
      await fc.assert(
        fc.asyncProperty(thrownValues(), async (thrown) => {
          exceptions.reports.length = 0;
          let threw = 0;
          const lost: (Error | null)[] = [];
          const protocol: SubprocessProtocol<SubprocessTransport> = {
            [callback]: () => {
              threw += 1;

              throw thrown;
            },
          };
          const child = trackProcess(
            resources,
            await subprocessExec('/bin/sh', ['-c', 'echo out; exit 3'], {
              protocol: () => ({
                ...protocol,
                connectionLost: (exc) => {
                  lost.push(exc);
                  protocol.connectionLost?.(exc);
                },
              }),
            }),
          );
          expect(await valueOf(child.closed$, 'the child to end')).toBeNull();
          await turns(2);
          expect(child.getReturncode()).toBe(3);
          expect(lost).toEqual([null]);
          expect(threw).toBeGreaterThanOrEqual(1);
          expect(exceptions.reports.map((r) => r.exception)).toContain(thrown);
        }),
        { numRuns: 6 },
      );
    });
  });
});
