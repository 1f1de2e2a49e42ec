/**
 * StreamTransport.handOver() (what startTls builds on): writes refused and reading stopped at
 * once, the buffer flushed first, bytes held for the new owner, an end without closing the
 * handle or calling connectionLost, and a resumed transport that skips connectionMade.
 */
import { StreamTransport } from '../../src/core/StreamTransport';
import { TransportClosedError } from '../../src/core/errors';
import { FakeStreamHandle, bytes, turn } from '../helpers/FakeStreamHandle';
import { rejectionOf, thrownBy } from '../helpers/outcomes';
import { recordingProtocol } from '../helpers/recordingProtocol';
import { useExceptionReports } from '../helpers/exceptions';

const accept = (): void => undefined;
const text = (chunks: readonly Uint8Array[]): string =>
  chunks.map((chunk) => Buffer.from(chunk).toString()).join('');

describe('StreamTransport.handOver', () => {
  useExceptionReports();

  async function open(protocol = recordingProtocol()) {
    const handle = new FakeStreamHandle();
    const transport = new StreamTransport(handle, { protocol: protocol.protocol });
    await turn();
    return { handle, transport, rec: protocol };
  }

  it('flushes what was written first, then gives the handle without closing it', async () => {
    const { handle, transport, rec } = await open();
    transport.write(bytes('before'));
    let done = false;
    const handed = transport.handOver(accept).then((result) => {
      done = true;
      return result;
    });
    expect(transport.state).toBe('handingOver');
    expect(handle.reading).toBe(false);
    expect(
      thrownBy(() => {
        transport.write(bytes('after'));
      }),
    ).toBeInstanceOf(TransportClosedError);
    await turn();
    expect(done).toBe(false);
    handle.completeWrite();
    const result = await handed;
    expect(text(handle.written)).toBe('before');
    expect(result.handle).toBe(handle);
    expect(result.protocol).toBe(rec.protocol);
    expect(handle.closes).toBe(0);
    expect(transport.state).toBe('closed');
    await turn();
    expect(rec.events).toEqual(['made']);
  });

  it('holds bytes read while paused for the new owner, oldest first', async () => {
    const { handle, transport, rec } = await open();
    transport.pauseReading();
    handle.receive('one');
    handle.receive('two');
    const result = await transport.handOver(accept);
    expect(text(result.held)).toBe('onetwo');
    expect(rec.text()).toBe('');
  });

  it('ends the Rx surfaces and closed$ with null; no protocol when it was the built-in one', async () => {
    const handle = new FakeStreamHandle();
    const transport = new StreamTransport(handle);
    await turn();
    let ended = false;
    transport.data$.subscribe({ complete: () => (ended = true) });
    const closed: (Error | null)[] = [];
    transport.closed$.subscribe((exc) => closed.push(exc));
    const result = await transport.handOver(accept);
    expect(result.protocol).toBeUndefined();
    expect(ended).toBe(true);
    expect(closed).toEqual([null]);
    expect(handle.closes).toBe(0);
  });

  it('refuses with check() before changing anything, and when not open', async () => {
    const { transport } = await open();
    const refusal = new TypeError('no');
    const check = (): void => {
      throw refusal;
    };
    expect(await rejectionOf(transport.handOver(check))).toBe(refusal);
    expect(transport.state).toBe('open');
    transport.close();
    expect(await rejectionOf(transport.handOver(accept))).toBeInstanceOf(TransportClosedError);
  });

  it('rejects when the transport is lost while flushing', async () => {
    const { handle, transport } = await open();
    transport.write(bytes('x'));
    const handed = transport.handOver(accept);
    handle.fail(Object.assign(new Error('reset'), { code: 'ECONNRESET' }));
    expect(await rejectionOf(handed)).toBeInstanceOf(Error);
    expect(handle.closes).toBe(1);
  });

  it('a resumed transport does not call connectionMade again', async () => {
    const rec = recordingProtocol();
    const handle = new FakeStreamHandle();
    new StreamTransport(handle, { protocol: rec.protocol, resumed: true });
    await turn();
    expect(rec.events).toEqual([]);
    expect(handle.reading).toBe(true);
    handle.receive('tls');
    expect(rec.text()).toBe('tls');
  });
});
