/**
 * A handle that finishes a clean close itself (`finishClose`, the TLS handle's close_notify
 * exchange): the loss waits for it and carries what it reports; a stream without half-close
 * closes on EOF whatever the protocol returns [T13].
 */
import { firstValueFrom } from 'rxjs';
import { StreamTransport } from '../../src/core/StreamTransport';
import { TransportTimeoutError } from '../../src/core/errors';
import { FakeStreamHandle, bytes, turn } from '../helpers/FakeStreamHandle';
import { useExceptionReports } from '../helpers/exceptions';
import { recordingProtocol } from '../helpers/recordingProtocol';

class FinishingHandle extends FakeStreamHandle {
  finishes: ((exc: Error | null) => void)[] = [];
  finishClose(done: (exc: Error | null) => void): void {
    this.finishes.push(done);
  }
}

describe('StreamTransport over a handle with finishClose', () => {
  useExceptionReports();

  async function open(): Promise<{ handle: FinishingHandle; transport: StreamTransport }> {
    const handle = new FinishingHandle();
    handle.acceptAtOnce = true;
    const transport = new StreamTransport(handle);
    await transport.ready;
    return { handle, transport };
  }

  it('delivers the loss only once the handle finished the close, after the writes', async () => {
    const { handle, transport } = await open();
    let lost: Error | null | undefined;
    transport.closed$.subscribe((exc) => (lost = exc));
    transport.write(bytes('last words'));
    transport.close();
    await turn();
    expect(handle.text()).toBe('last words');
    expect(handle.finishes).toHaveLength(1);
    expect(transport.isClosing()).toBe(true);
    expect(lost).toBeUndefined();
    transport.close();
    expect(handle.finishes).toHaveLength(1);
    handle.finishes[0]?.(null);
    await turn();
    expect(lost).toBeNull();
  });

  it('loses the connection with the error the handle reports', async () => {
    const { handle, transport } = await open();
    transport.close();
    await turn();
    handle.finishes[0]?.(new TransportTimeoutError('SSL shutdown timed out'));
    expect(await firstValueFrom(transport.closed$)).toBeInstanceOf(TransportTimeoutError);
  });

  it('lets abort() end a close that is still finishing', async () => {
    const { handle, transport } = await open();
    transport.close();
    await turn();
    transport.abort();
    expect(await firstValueFrom(transport.closed$)).toBeNull();
    handle.finishes[0]?.(new TransportTimeoutError('late'));
    expect(handle.closes).toBeGreaterThan(0);
  });

  it('closes on EOF when the stream cannot half-close, even if eofReceived returns true', async () => {
    const handle = new FakeStreamHandle();
    handle.canShutdown = false;
    const rec = recordingProtocol({ eofReceived: () => true });
    const transport = new StreamTransport(handle, { protocol: rec.protocol });
    await transport.ready;
    handle.receiveEof();
    expect(transport.isClosing()).toBe(true);
    expect(await firstValueFrom(transport.closed$)).toBeNull();
  });
});
