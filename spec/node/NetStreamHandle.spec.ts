/**
 * NetStreamHandle: the StreamHandle contract (src/core/handle.ts) over a real net.Socket, driven
 * directly, without a transport.
 */
import * as net from 'node:net';
import type { StreamHandleEvents } from '../../src/core/handle';
import { BrokenPipeError, ConnectionResetError, TransportOSError } from '../../src/index';
import { NetStreamHandle } from '../../src/node/NetStreamHandle';
import { patternBytes, sha256, utf8 } from '../helpers/bytes';
import { MiB } from '../helpers/bytes';
import { readAll, startRawServer, type RawServer } from '../helpers/rawPeers';
import { useResources } from '../helpers/resources';
import { HOST } from '../helpers/sockets';
import { delay, turns, waitFor } from '../helpers/waits';
import { useLeakCheck } from '../helpers/leaks';

/** Records the events a handle reports. */
function recorder() {
  const chunks: Uint8Array[] = [];
  const events: string[] = [];
  const errors: Error[] = [];
  const sink: StreamHandleEvents = {
    onData: (chunk) => {
      chunks.push(chunk);
      events.push('data');
    },
    onEof: () => events.push('eof'),
    onError: (error) => {
      errors.push(error);
      events.push('error');
    },
    onBorrowedData: () => {
      throw new Error('a server socket reads into its own chunks');
    },
  };
  return { sink, chunks, events, errors, text: () => Buffer.concat(chunks).toString() };
}

describe('NetStreamHandle', () => {
  const resources = useResources();
  useLeakCheck(resources);
  let raw: RawServer;

  /** A connected pair: our handle over a client socket, and the raw server's socket. */
  async function connectedPair(
    extraInfo: Record<string, unknown> = {},
  ): Promise<{ handle: NetStreamHandle; peer: net.Socket; socket: net.Socket }> {
    raw = await startRawServer(resources);
    const socket = resources.rawSocket(
      net.connect({ host: HOST, port: raw.port, allowHalfOpen: true }),
    );
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    const peer = await raw.firstSocket;
    const handle = new NetStreamHandle(socket, extraInfo);
    resources.defer(() => {
      handle.close();
    });
    return { handle, peer, socket };
  }

  it('exposes the extraInfo it was given and can shut down by default', async () => {
    const info = { peername: { host: HOST, port: 1 } };
    const { handle, socket } = await connectedPair(info);
    expect(handle.extraInfo).toBe(info);
    expect(handle.canShutdown).toBe(true);
    expect(new NetStreamHandle(socket, {}, { canShutdown: false }).canShutdown).toBe(false);
  });

  describe('readStart', () => {
    it('delivers nothing before readStart, even once bound', async () => {
      const { handle, peer, socket } = await connectedPair();
      const seen = recorder();
      handle.bind(seen.sink);
      peer.write('early');
      await waitFor(() => socket.readableLength === 5 || socket.bytesRead === 5, 'bytes in');
      await delay(20);
      expect(seen.events).toEqual([]);
      handle.readStart();
      handle.readStart();
      await waitFor(() => seen.text() === 'early', 'the data');
    });
  });

  describe('readStop', () => {
    it('stops onData until readStart, and holds EOF back too', async () => {
      const { handle, peer } = await connectedPair();
      const seen = recorder();
      handle.bind(seen.sink);
      handle.readStart();
      peer.write('one');
      await waitFor(() => seen.text() === 'one', 'the first chunk');
      handle.readStop();
      handle.readStop();
      peer.end('two');
      await delay(30);
      expect(seen.text()).toBe('one');
      expect(seen.events).not.toContain('eof');
      handle.readStart();
      await waitFor(() => seen.events.includes('eof'), 'EOF');
      expect(seen.text()).toBe('onetwo');
      expect(seen.events[seen.events.length - 1]).toBe('eof');
    });
  });

  describe('onEof', () => {
    it('reports the peer EOF once and leaves the socket writable', async () => {
      const { handle, peer } = await connectedPair();
      const seen = recorder();
      handle.bind(seen.sink);
      handle.readStart();
      const receipt = readAll(peer);
      peer.end();
      await waitFor(() => seen.events.includes('eof'), 'EOF');
      handle.write([utf8('reply')], () => undefined);
      handle.shutdown();
      const { data, ending } = await receipt;
      expect(data.toString()).toBe('reply');
      expect(ending).toBe('end');
      expect(seen.events).toEqual(['eof']);
    });
  });

  describe('write', () => {
    it('returns true when the kernel takes every byte at once, and never calls done', async () => {
      const { handle, peer } = await connectedPair();
      handle.bind(recorder().sink);
      const receipt = readAll(peer);
      const done = jest.fn();
      expect(handle.write([utf8('small')], done)).toBe(true);
      handle.shutdown();
      expect((await receipt).data.toString()).toBe('small');
      await turns(3);
      expect(done).not.toHaveBeenCalled();
    });

    it('returns false for more than the kernel takes, then calls done once', async () => {
      const { handle, peer, socket } = await connectedPair();
      handle.bind(recorder().sink);
      const receipt = readAll(peer);
      const payload = patternBytes(16 * MiB);
      const done = jest.fn();
      expect(handle.write([payload], done)).toBe(false);
      expect(socket.writableLength).toBeGreaterThan(0);
      await waitFor(() => done.mock.calls.length > 0, 'done');
      expect(socket.writableLength).toBe(0);
      handle.shutdown();
      const { data } = await receipt;
      expect(sha256(data)).toBe(sha256(payload));
      expect(done).toHaveBeenCalledTimes(1);
    });

    it('writes several chunks in order (corked), reporting done once', async () => {
      const { handle, peer } = await connectedPair();
      handle.bind(recorder().sink);
      const receipt = readAll(peer);
      const big = patternBytes(8 * MiB);
      const done = jest.fn();
      const sync = handle.write([utf8('<'), big, utf8('>')], done);
      if (!sync) await waitFor(() => done.mock.calls.length > 0, 'done');
      handle.shutdown();
      const { data } = await receipt;
      expect(data.byteLength).toBe(big.byteLength + 2);
      expect(data.subarray(0, 1).toString()).toBe('<');
      expect(data.subarray(-1).toString()).toBe('>');
      expect(sha256(data.subarray(1, -1))).toBe(sha256(big));
      await turns(3);
      expect(done).toHaveBeenCalledTimes(sync ? 0 : 1);
    });

    it('reports a peer reset to onError as a TransportOSError, never to done', async () => {
      const { handle, peer } = await connectedPair();
      const seen = recorder();
      handle.bind(seen.sink);
      handle.readStart();
      peer.resetAndDestroy();
      const done = jest.fn();
      const chunk = patternBytes(256 * 1024);
      // Keep writing until the socket reports the reset (on read or on write).
      for (let i = 0; seen.errors.length === 0; i++) {
        if (i > 10_000) throw new Error('the reset was never reported');
        handle.write([chunk], done);
        await turns(1);
      }
      const [error] = seen.errors;
      expect(error).toBeInstanceOf(TransportOSError);
      expect([ConnectionResetError, BrokenPipeError]).toContain(error?.constructor);
      expect(seen.errors).toHaveLength(1);
      expect(done).not.toHaveBeenCalled();
    });
  });

  describe('shutdown', () => {
    it('sends EOF after everything written, and reading goes on', async () => {
      const { handle, peer } = await connectedPair();
      const seen = recorder();
      handle.bind(seen.sink);
      handle.readStart();
      const receipt = readAll(peer);
      const payload = patternBytes(4 * MiB);
      handle.write([payload], () => undefined);
      handle.shutdown();
      const { data, ending } = await receipt;
      expect(ending).toBe('end');
      expect(sha256(data)).toBe(sha256(payload));
      peer.end('after our EOF');
      await waitFor(() => seen.events.includes('eof'), 'EOF');
      expect(seen.text()).toBe('after our EOF');
    });
  });

  describe('close', () => {
    it('destroys the socket at once, dropping unsent data, with no event after', async () => {
      const { handle, peer, socket } = await connectedPair();
      const seen = recorder();
      handle.bind(seen.sink);
      handle.readStart();
      const receipt = readAll(peer);
      const total = 32 * MiB;
      const done = jest.fn();
      expect(handle.write([patternBytes(total)], done)).toBe(false);
      handle.close();
      handle.close();
      expect(socket.destroyed).toBe(true);
      // Calls after close are ignored.
      handle.readStart();
      handle.readStop();
      handle.shutdown();
      const { data } = await receipt;
      expect(data.byteLength).toBeLessThan(total);
      await turns(3);
      expect(seen.events).toEqual([]);
      expect(done).not.toHaveBeenCalled();
    });
  });
});
