/**
 * `setProtocol()` called from inside a callback: the new protocol gets everything after the
 * call, the rest of the read being delivered included (a BufferedProtocol takes one read in
 * several buffers, so the switch can come in the middle of one).
 */

import {
  createConnection,
  type BufferedProtocol,
  type Protocol,
  type SocketTransport,
} from '../../src/index';
import { patternBytes, sha256 } from '../helpers/bytes';
import { useExceptionReports } from '../helpers/exceptions';
import { useLeakCheck } from '../helpers/leaks';
import { HOST, KiB, startRawServer, useResources, waitFor } from '../helpers/net';

describe('setProtocol() inside bufferUpdated()', () => {
  const resources = useResources();
  useLeakCheck(resources);
  useExceptionReports();

  it('hands the rest of the read to the new protocol, not the old one', async () => {
    const payload = patternBytes(256 * KiB);
    const raw = await startRawServer(resources, (socket) => {
      socket.end(payload);
    });
    const after: Uint8Array[] = [];
    let eof = false;
    const next: Protocol<SocketTransport> = {
      dataReceived: (data) => after.push(data.slice()),
      eofReceived: () => {
        eof = true;
      },
    };
    const before: Uint8Array[] = [];
    let updatesAfterSwitch = 0;
    let switched = false;
    let buffer = new Uint8Array(16);
    let transport: SocketTransport | null = null;
    const first: BufferedProtocol<SocketTransport> = {
      connectionMade: (t) => {
        transport = t;
      },
      getBuffer: () => (buffer = new Uint8Array(16)),
      bufferUpdated: (n) => {
        if (switched) updatesAfterSwitch += 1;
        before.push(buffer.slice(0, n));
        switched = true;
        transport!.setProtocol(next);
      },
    };
    resources.transport(
      await createConnection({ host: HOST, port: raw.port, protocol: () => first }),
    );
    await waitFor(() => eof, 'EOF at the new protocol');
    expect(updatesAfterSwitch).toBe(0);
    expect(before).toHaveLength(1);
    expect(sha256(...before, ...after)).toBe(sha256(payload));
  });
});
