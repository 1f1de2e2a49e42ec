import { firstValueFrom, filter, toArray, lastValueFrom } from 'rxjs';
import { transportPair } from '../../src/testing/transportPair';
import { recordingProtocol } from '../helpers/recordingProtocol';

const encode = (text: string) => new TextEncoder().encode(text);

describe('transportPair', () => {
  it('carries bytes both ways and half-closes through the same core', async () => {
    const [client, server] = transportPair();
    server.data$.subscribe(server.sink); // echo, half-closing when the client does
    const received = lastValueFrom(client.data$.pipe(toArray()));
    client.write(encode('ping '));
    client.write(encode('pong'));
    client.writeEof();
    const chunks = await received;
    expect(Buffer.concat(chunks).toString()).toBe('ping pong');
    await lastValueFrom(server.closed$);
    expect(await lastValueFrom(client.closed$)).toBeNull();
  });

  it('backs up into the writer when the reader pauses: pauseWriting fires, writable$ goes false', async () => {
    const writer = recordingProtocol();
    const [a, b] = transportPair({
      kernelBufferSize: 1024,
      protocols: [() => writer.protocol, undefined],
    });
    await firstValueFrom(b.writable$); // let connectionMade run
    b.pauseReading();
    a.setWriteBufferLimits(4096);
    const states: boolean[] = [];
    a.writable$.subscribe((w) => states.push(w));
    for (let i = 0; i < 10; i += 1) a.write(new Uint8Array(1024));
    expect(a.getWriteBufferSize()).toBeGreaterThan(4096);
    expect(writer.events).toContain('pause');
    expect(states).toEqual([true, false]);

    const got: Uint8Array[] = [];
    b.data$.subscribe((c) => got.push(c));
    b.resumeReading();
    await firstValueFrom(a.writable$.pipe(filter(Boolean)));
    await a.drain();
    expect(writer.events).toContain('resume');
    expect(got.reduce((n, c) => n + c.byteLength, 0)).toBeGreaterThan(0);
    a.abort();
    b.abort();
  });

  it('reports a broken pipe to a writer whose peer has gone', async () => {
    const [a, b] = transportPair();
    await firstValueFrom(a.writable$);
    b.abort();
    await lastValueFrom(b.closed$);
    a.write(encode('into the void'));
    const lost = await lastValueFrom(a.closed$);
    expect(lost).toMatchObject({ name: 'BrokenPipeError', code: 'EPIPE' });
  });
});
