/**
 * connectReadPipe over real pipes: a FIFO given as an fd, a character device, Node Readable
 * streams; EOF always closing [P2], pausing, close, and the refusals [P1].
 */
import { closeSync, constants, fstatSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { lastValueFrom, toArray } from 'rxjs';
import { TransportOSError, connectReadPipe, connectWritePipe } from '../../src/index';
import type { Protocol } from '../../src/core/protocols';
import type { ReadPipeTransport, WritePipeTransport } from '../../src/core/transports';
import { recordingProtocol } from '../helpers/recordingProtocol';
import { Hasher, patternBytes, sha256, utf8 } from '../helpers/bytes';
import { KiB, MiB } from '../helpers/bytes';
import { rejectionOf } from '../helpers/outcomes';
import { useResources } from '../helpers/resources';
import { netHandleCount } from '../helpers/sockets';
import { collect } from '../helpers/streams';
import { turns, waitFor, waitForStable } from '../helpers/waits';
import { useExceptionReports } from '../helpers/exceptions';
import { makeFifo, trackPipe, valueOf, type Fifo } from '../helpers/process';
import { useLeakCheck } from '../helpers/leaks';

describe('connectReadPipe', () => {
  const resources = useResources();
  useLeakCheck(resources);
  const reports = useExceptionReports();

  /** A FIFO with a read transport on one end and a write transport on the other. */
  async function fifoPair(protocol?: () => Protocol<ReadPipeTransport>): Promise<{
    fifo: Fifo;
    reader: ReadPipeTransport;
    writer: WritePipeTransport;
    readFd: number;
  }> {
    const fifo = makeFifo(resources);
    const readFd = fifo.handOver(fifo.openRead());
    const reader = trackPipe(
      resources,
      await connectReadPipe(readFd, protocol ? { protocol } : {}),
    );
    const writer = trackPipe(resources, await connectWritePipe(fifo.handOver(fifo.openWrite())));
    return { fifo, reader, writer, readFd };
  }

  it('reads a FIFO given as an fd to its EOF, then closes', async () => {
    const payload = patternBytes(4 * MiB);
    const { reader, writer, readFd } = await fifoPair();
    expect(reader.isReading()).toBe(true);
    expect(reader.getExtraInfo('pipe')).toBe(readFd);
    const received = collect(reader.data$);
    writer.write(payload);
    writer.writeEof();
    const data = await received;
    expect(data.byteLength).toBe(payload.byteLength);
    expect(sha256(data)).toBe(sha256(payload));
    expect(await valueOf(reader.closed$, 'the read pipe to close')).toBeNull();
    expect(reader.isClosing()).toBe(true);
  });

  it('closes on EOF even when eofReceived returns true [P2]', async () => {
    const rec = recordingProtocol({
      eofReceived: () => {
        rec.events.push('eof');
        return true;
      },
    });
    const { reader, writer } = await fifoPair(() => rec.protocol);
    writer.write(utf8('last words'));
    writer.writeEof();
    expect(await valueOf(reader.closed$, 'the read pipe to close')).toBeNull();
    expect(rec.events).toEqual(['made', 'data', 'eof', 'lost']);
    expect(rec.text()).toBe('last words');
    expect(rec.lost).toEqual([null]);
    expect(reader.isClosing()).toBe(true);
  });

  it('stops reading while paused, so the writer backs up; nothing is lost on resume', async () => {
    const total = 8 * MiB;
    const { reader, writer } = await fifoPair();
    const received = new Hasher();
    const ended = new Promise<void>((resolve, reject) => {
      reader.data$.subscribe({
        next: (c) => {
          received.update(c);
        },
        complete: resolve,
        error: reject,
      });
    });
    reader.pauseReading();
    expect(reader.isReading()).toBe(false);
    const payload = patternBytes(total);
    writer.write(payload);
    writer.writeEof();
    // The kernel pipe fills up (64 KiB), and the rest stays in the writer's buffer.
    const buffered = await waitForStable(() => writer.getWriteBufferSize(), 'the writer buffer');
    expect(buffered).toBeGreaterThan(total - 2 * MiB);
    expect(received.bytes).toBeLessThan(2 * MiB);
    reader.resumeReading();
    await ended;
    expect(received.bytes).toBe(total);
    expect(received.digest()).toBe(sha256(payload));
  });

  it('reads a Node Readable stream, which getExtraInfo returns as the pipe', async () => {
    const stream = new PassThrough();
    const reader = trackPipe(resources, await connectReadPipe(stream));
    expect(reader.getExtraInfo('pipe')).toBe(stream);
    const received = collect(reader.data$);
    stream.write(utf8('from '));
    stream.end(utf8('a stream'));
    expect((await received).toString()).toBe('from a stream');
    expect(await valueOf(reader.closed$, 'the read pipe to close')).toBeNull();
    expect(stream.destroyed).toBe(true);
  });

  it('reads a Readable that produces chunks on demand', async () => {
    const chunks = Array.from({ length: 64 }, (_, i) => Buffer.alloc(16 * KiB, i));
    const reader = trackPipe(resources, await connectReadPipe(Readable.from(chunks)));
    const got = await lastValueFrom(reader.data$.pipe(toArray()));
    expect(Buffer.concat(got).equals(Buffer.concat(chunks))).toBe(true);
  });

  it('errors data$ with a typed error when the stream has an encoding set', async () => {
    const stream = new PassThrough();
    stream.setEncoding('utf8');
    const reader = trackPipe(resources, await connectReadPipe(stream));
    const ended = collect(reader.data$);
    stream.write('text');
    expect(await rejectionOf(ended)).toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    const lost = await valueOf(reader.closed$, 'the read pipe to be lost');
    expect(lost).toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    // Not an OS error: it goes to the exception handler too, as asyncio's fatal errors do.
    expect(reports.take().map((r) => r.exception)).toEqual([lost]);
  });

  it('reads a character device (/dev/null gives EOF at once)', async () => {
    const fd = openSync('/dev/null', constants.O_RDONLY);
    const reader = trackPipe(resources, await connectReadPipe(fd));
    expect(await lastValueFrom(reader.data$.pipe(toArray()))).toEqual([]);
    expect(await valueOf(reader.closed$, 'the read pipe to close')).toBeNull();
  });

  describe('close', () => {
    it('stops reading, reports connectionLost(null) once and releases the pipe', async () => {
      await turns(3);
      const handles = netHandleCount();
      const rec = recordingProtocol();
      const { reader } = await fifoPair(() => rec.protocol);
      reader.close();
      reader.close();
      expect(reader.isClosing()).toBe(true);
      expect(reader.isReading()).toBe(false);
      expect(await valueOf(reader.closed$, 'the read pipe to close')).toBeNull();
      expect(rec.lost).toEqual([null]);
      // The writer's end is still open; the reader's handle is gone.
      await waitFor(() => netHandleCount() === handles + 1, 'the read handle to be released');
    });
  });

  describe('errors', () => {
    it('refuses a regular file with TypeError ERR_INVALID_ARG_VALUE, leaving the fd open', async () => {
      const fifo = makeFifo(resources);
      const path = join(fifo.dir, 'regular');
      writeFileSync(path, 'not a pipe');
      const fd = openSync(path, 'r');
      resources.defer(() => {
        closeSync(fd);
      });
      const error = await rejectionOf(connectReadPipe(fd));
      expect(error).toBeInstanceOf(TypeError);
      expect(error).toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
      expect(fstatSync(fd).isFile()).toBe(true);
    });

    it('refuses what is neither an fd nor a Readable with ERR_INVALID_ARG_TYPE', async () => {
      for (const pipe of ['0', null, {}, [3]]) {
        const error = await rejectionOf(connectReadPipe(pipe as never));
        expect(error).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
      }
    });

    it('refuses a negative or fractional fd with ERR_INVALID_ARG_VALUE', async () => {
      for (const fd of [-1, 1.5]) {
        const error = await rejectionOf(connectReadPipe(fd));
        expect(error).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
      }
    });

    it('rejects a closed fd with TransportOSError EBADF', async () => {
      const fd = openSync('/dev/null', constants.O_RDONLY);
      closeSync(fd);
      const error = await rejectionOf(connectReadPipe(fd));
      expect(error).toBeInstanceOf(TransportOSError);
      expect(error).toMatchObject({ code: 'EBADF' });
    });

    it('refuses bad options with ERR_INVALID_ARG_TYPE', async () => {
      const stream = new PassThrough();
      for (const options of [null, { protocol: 'no' }]) {
        const error = await rejectionOf(connectReadPipe(stream, options as never));
        expect(error).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
      }
      stream.destroy();
    });

    it('rejects with what the protocol factory throws and releases the stream', async () => {
      const stream = new PassThrough();
      const failure = new Error('factory failed');
      const error = await rejectionOf(
        connectReadPipe(stream, {
          protocol: () => {
            throw failure;
          },
        }),
      );
      expect(error).toBe(failure);
      expect(stream.destroyed).toBe(true);
    });
  });
});
