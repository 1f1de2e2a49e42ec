/**
 * What `eofReceived()` returns decides whether a connection stays half-open: any truthy value
 * keeps it open, as asyncio tests the return value for truth [R5]; a falsy one closes it.
 */

import type * as net from 'node:net';
import { createConnection, type Protocol, type SocketTransport } from '../../src/index';
import { utf8 } from '../helpers/bytes';
import { HOST, readAll, startRawServer, turns, useResources, waitFor } from '../helpers/net';
import { useLeakCheck } from '../helpers/leaks';
import { useExceptionReports } from '../helpers/exceptions';

/** A protocol whose `eofReceived` returns `value` (whatever a JavaScript caller returns). */
function returning(value: unknown): Protocol<SocketTransport> & { eof: boolean } {
  const protocol = {
    eof: false,
    eofReceived(): boolean {
      protocol.eof = true;
      return value as boolean;
    },
  };
  return protocol;
}

describe('eofReceived() return values', () => {
  const resources = useResources();
  useLeakCheck(resources);
  useExceptionReports();

  /** Connects to a peer that sends EOF at once and reads until our EOF. */
  async function afterPeerEof(value: unknown) {
    let received: Promise<{ data: Buffer; ending: string }> | null = null;
    const raw = await startRawServer(resources, (socket: net.Socket) => {
      received = readAll(socket);
      socket.end();
    });
    const protocol = returning(value);
    const transport = resources.transport(
      await createConnection({ host: HOST, port: raw.port, protocol: () => protocol }),
    );
    await waitFor(() => protocol.eof, 'EOF from the peer');
    await turns(3);
    return { transport, received: () => received! };
  }

  it.each([true, 1, 'yes', {}, []])('keeps the connection half-open for %p', async (value) => {
    const { transport, received } = await afterPeerEof(value);
    expect(transport.isClosing()).toBe(false);
    transport.write(utf8('still here'));
    transport.close();
    const receipt = await received();
    expect(receipt.data.toString()).toBe('still here');
    expect(receipt.ending).toBe('end');
  });

  it.each([false, undefined, null, 0, ''])('closes the connection for %p', async (value) => {
    const { transport } = await afterPeerEof(value);
    expect(transport.isClosing()).toBe(true);
  });
});
