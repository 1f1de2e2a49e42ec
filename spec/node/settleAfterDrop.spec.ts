/**
 * `drain()` and `flushed()` promise that bytes went out: once `abort()` (or a fatal error) has
 * dropped the buffer, they reject, whether they were waiting already or are called afterwards.
 */

import type * as net from 'node:net';
import { createConnection } from '../../src/index';
import { HOST, MiB, rejectionOf, startRawServer, useResources, waitFor } from '../helpers/net';
import { useLeakCheck } from '../helpers/leaks';
import { useExceptionReports } from '../helpers/exceptions';

describe('drain() and flushed() once the buffer was dropped', () => {
  const resources = useResources();
  useLeakCheck(resources);
  useExceptionReports();

  it('reject after abort() dropped megabytes, pending or called afterwards', async () => {
    let peer: net.Socket | null = null;
    // The peer never reads: what the kernel does not take stays in the transport's buffer.
    const raw = await startRawServer(resources, (socket) => {
      peer = socket;
      socket.pause();
      socket.on('error', () => undefined);
    });
    const transport = resources.transport(await createConnection({ host: HOST, port: raw.port }));
    await waitFor(() => peer !== null, 'the peer socket');
    for (let i = 0; i < 8; i++) transport.write(Buffer.alloc(MiB, i));
    expect(transport.getWriteBufferSize()).toBeGreaterThan(0);
    const pendingDrain = rejectionOf(transport.drain());
    const pendingFlush = rejectionOf(transport.flushed());
    transport.abort();
    const laterDrain = rejectionOf(transport.drain());
    const laterFlush = rejectionOf(transport.flushed());
    for (const rejection of [pendingDrain, pendingFlush, laterDrain, laterFlush]) {
      expect(await rejection).toMatchObject({ code: 'ERR_TRANSPORT_CLOSED' });
    }
  });

  it('reject with the error of a fatal path that dropped the buffer', async () => {
    let peer: net.Socket | null = null;
    const raw = await startRawServer(resources, (socket) => {
      peer = socket;
      socket.pause();
    });
    const transport = resources.transport(await createConnection({ host: HOST, port: raw.port }));
    await waitFor(() => peer !== null, 'the peer socket');
    for (let i = 0; i < 8; i++) transport.write(Buffer.alloc(MiB, i));
    const pending = rejectionOf(transport.flushed());
    // The peer resets: the write fails, the buffer is dropped.
    peer!.resetAndDestroy();
    const error = await pending;
    expect(error).toMatchObject({ code: expect.stringMatching(/^(ECONNRESET|EPIPE)$/) });
    expect(await rejectionOf(transport.drain())).toBe(error);
  });
});
