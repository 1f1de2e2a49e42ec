/**
 * `data$` and `datagrams$` hold a bounded amount for a late subscriber, then stop reading,
 * whatever protocol changes happened before: a user protocol set and then the built-in one set
 * back must not leave the hold unbounded.
 */

import type * as dgram from 'node:dgram';
import type * as net from 'node:net';
import { filter, firstValueFrom, timeout } from 'rxjs';
import { createConnection, type Datagram } from '../../src/index';
import { TransportError } from '../../src/core/errors';
import {
  HOST,
  KiB,
  MiB,
  socketOf,
  startRawServer,
  turns,
  useResources,
  waitForStable,
} from '../helpers/net';
import { useLeakCheck } from '../helpers/leaks';
import { useExceptionReports } from '../helpers/exceptions';
import { Tracker, sockname } from '../helpers/udp';

/** Bytes a subscriber is handed at once, on subscribe: what the Observable held. */
function heldOnSubscribe<T>(source$: { subscribe(next: (value: T) => void): unknown }): T[] {
  const held: T[] = [];
  source$.subscribe((value) => held.push(value));
  return held;
}

describe('the Rx hold after setProtocol(other) and setProtocol(original)', () => {
  const resources = useResources();
  useLeakCheck(resources);
  useExceptionReports();

  it('data$ still pauses reading once its hold is full (64 KiB, not the 32 MiB sent)', async () => {
    let peerWritten = 0;
    let peerDone = false;
    const raw = await startRawServer(resources, (socket: net.Socket) => {
      // The client aborts with unread bytes at the end of the test: the peer sees a reset.
      socket.on('error', () => undefined);
      const chunk = Buffer.alloc(64 * KiB, 7);
      const pump = (): void => {
        while (peerWritten < 32 * MiB) {
          peerWritten += chunk.byteLength;
          if (!socket.write(chunk)) {
            socket.once('drain', pump);
            return;
          }
        }
        peerDone = true;
      };
      pump();
    });
    const transport = resources.transport(await createConnection({ host: HOST, port: raw.port }));
    const socket = socketOf(transport);
    const stable = (): Promise<number> =>
      waitForStable(() => socket.bytesRead, 'bytes read by the client', {
        samples: 10,
        intervalMs: 30,
      });
    // The hold fills (nobody subscribes) and reading stops; then the protocol goes and comes
    // back while it is full.
    await stable();
    const original = transport.getProtocol();
    transport.setProtocol({});
    transport.setProtocol(original);

    // Reading stops again, so the peer stalls long before 32 MiB (the kernel buffers on both
    // sides hold a few MiB at most); without the bound it would finish.
    const read = await stable();
    expect(peerDone).toBe(false);
    expect(read).toBeLessThan(8 * MiB);
    const held = heldOnSubscribe<Uint8Array>(transport.data$);
    const heldBytes = held.reduce((sum, chunk) => sum + chunk.byteLength, 0);
    expect(heldBytes).toBeGreaterThanOrEqual(64 * KiB);
    expect(heldBytes).toBeLessThanOrEqual(64 * KiB + 256 * KiB);
  });
});

describe('the datagrams$ hold after setProtocol(other) and setProtocol(original)', () => {
  const tracker = new Tracker();
  useExceptionReports();
  afterEach(() => tracker.dispose());

  it('stays bounded and reports what had to be dropped', async () => {
    const endpoint = await tracker.open({ localAddr: { host: HOST, port: 0 } });
    const peer = await tracker.peer();
    const target = sockname(endpoint);
    const payload = Buffer.alloc(100, 1);
    /** `bursts` of 100 datagrams of 100 bytes, each burst small enough for the kernel's queue. */
    const send = async (bursts: number): Promise<void> => {
      for (let i = 0; i < bursts; i++) {
        for (let j = 0; j < 100; j++) peer.socket.send(payload, target.port, target.host);
        await turns(2);
      }
    };
    // 1,000 datagrams (108 KB counted) fill the 64 KiB hold; then the protocol goes and comes back.
    await send(10);
    const original = endpoint.getProtocol();
    endpoint.setProtocol({});
    endpoint.setProtocol(original);
    const dropped = firstValueFrom(
      endpoint.errors$.pipe(
        filter(
          (error) => error instanceof TransportError && error.code === 'ERR_DATAGRAMS_DROPPED',
        ),
        timeout({ first: 10_000 }),
      ),
    );
    // 5,000 more (540 KB counted): past the hold and the socket's receive buffer together.
    await send(50);
    await dropped;
    // On subscribe, the hold is handed over, then what the handle queued while reading was
    // stopped (at most the receive buffer's size): bounded, not everything sent.
    const receiveBuffer = (endpoint.getExtraInfo('socket') as dgram.Socket).getRecvBufferSize();
    const held = heldOnSubscribe<Datagram>(endpoint.datagrams$);
    expect(held.length).toBeGreaterThan(0);
    expect(held.length).toBeLessThanOrEqual(Math.ceil((64 * KiB + receiveBuffer) / 100) + 1);
  });
});
