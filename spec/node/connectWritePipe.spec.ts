/**
 * connectWritePipe over real pipes: a FIFO given as an fd, a character device, Node Writable
 * streams; writeEof closing after the flush [P8], a vanished reader [P7], flow control, abort,
 * and the refusals [P1].
 */
import { closeSync, constants, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGzip, gunzipSync } from 'node:zlib';
import { PassThrough, Writable } from 'node:stream';
import { from } from 'rxjs';
import {
  BrokenPipeError,
  TransportClosedError,
  WriteAfterEofError,
  connectReadPipe,
  connectWritePipe,
} from '../../src/index';
import type { Protocol } from '../../src/core/protocols';
import type { ReadPipeTransport, WritePipeTransport } from '../../src/core/transports';
import { patternBytes, sha256, utf8 } from '../helpers/bytes';
import { KiB, MiB } from '../helpers/bytes';
import { rejectionOf, thrownBy } from '../helpers/outcomes';
import { useResources } from '../helpers/resources';
import { collect } from '../helpers/streams';
import { settlesSoon, turns, waitFor, waitForStable } from '../helpers/waits';
import { recordingProtocol } from '../helpers/recordingProtocol';
import { useExceptionReports } from '../helpers/exceptions';
import { makeFifo, trackPipe, valueOf, type Fifo } from '../helpers/process';
import { useLeakCheck } from '../helpers/leaks';

describe('connectWritePipe', () => {
  const resources = useResources();
  useExceptionReports();
  useLeakCheck(resources);

  /** A FIFO with a write transport on one end and a read transport on the other. */
  async function fifoPair(protocol?: () => Protocol<WritePipeTransport>): Promise<{
    fifo: Fifo;
    reader: ReadPipeTransport;
    writer: WritePipeTransport;
    writeFd: number;
  }> {
    const fifo = makeFifo(resources);
    const reader = trackPipe(resources, await connectReadPipe(fifo.handOver(fifo.openRead())));
    const writeFd = fifo.handOver(fifo.openWrite());
    const writer = trackPipe(
      resources,
      await connectWritePipe(writeFd, protocol ? { protocol } : {}),
    );
    return { fifo, reader, writer, writeFd };
  }

  /** A FIFO whose read end is a raw fd the test closes to make the reader go away. */
  async function fifoWithRawReader(): Promise<{
    writer: WritePipeTransport;
    dropReader: () => void;
  }> {
    const fifo = makeFifo(resources);
    const readFd = fifo.openRead();
    const writer = trackPipe(resources, await connectWritePipe(fifo.handOver(fifo.openWrite())));
    return {
      writer,
      dropReader: () => {
        fifo.closeFd(readFd);
      },
    };
  }

  it('writes to a FIFO given as an fd; the reader gets every byte', async () => {
    const payload = patternBytes(4 * MiB);
    const { reader, writer, writeFd } = await fifoPair();
    expect(writer.getExtraInfo('pipe')).toBe(writeFd);
    expect(writer.canWriteEof()).toBe(true);
    expect(writer.getWriteBufferLimits()).toEqual([16 * KiB, 64 * KiB]);
    const received = collect(reader.data$);
    writer.writelines([payload.subarray(0, MiB), payload.subarray(MiB)]);
    writer.writeEof();
    const data = await received;
    expect(data.byteLength).toBe(payload.byteLength);
    expect(sha256(data)).toBe(sha256(payload));
  });

  describe('writeEof', () => {
    it('closes after flushing the buffer, then reports connectionLost(null) [P8]', async () => {
      const rec = recordingProtocol();
      const { reader, writer } = await fifoPair(() => rec.protocol);
      reader.pauseReading();
      const payload = patternBytes(2 * MiB);
      writer.write(payload);
      writer.writeEof();
      writer.writeEof();
      expect(writer.isClosing()).toBe(true);
      expect(writer.getWriteBufferSize()).toBeGreaterThan(0);
      expect(
        thrownBy(() => {
          writer.write(utf8('late'));
        }),
      ).toBeInstanceOf(WriteAfterEofError);
      await turns(5);
      // Still flushing: the reader is paused.
      expect(rec.lost).toEqual([]);
      const received = collect(reader.data$);
      reader.resumeReading();
      expect(sha256(await received)).toBe(sha256(payload));
      expect(await valueOf(writer.closed$, 'the write pipe to close')).toBeNull();
      expect(rec.events).toEqual(['made', 'pause', 'resume', 'lost']);
      expect(rec.lost).toEqual([null]);
      expect(await valueOf(reader.closed$, 'the reader to see EOF and close')).toBeNull();
    });

    it('is what sink.complete() calls', async () => {
      const { reader, writer } = await fifoPair();
      const received = collect(reader.data$);
      writer.sink.next(utf8('via sink'));
      writer.sink.complete();
      expect((await received).toString()).toBe('via sink');
      expect(await valueOf(writer.closed$, 'the write pipe to close')).toBeNull();
    });
  });

  describe('a reader that goes away', () => {
    it('reports BrokenPipeError on closed$ at the next write [P7]', async () => {
      const { writer, dropReader } = await fifoWithRawReader();
      writer.write(utf8('read by nobody, but accepted by the kernel'));
      await Promise.resolve(); // the end of the turn, when small writes leave
      expect(writer.getWriteBufferSize()).toBe(0);
      dropReader();
      await turns(5);
      expect(writer.isClosing()).toBe(false);
      writer.write(utf8('this one breaks the pipe'));
      const error = await valueOf(writer.closed$, 'the write pipe to be lost');
      expect(error).toBeInstanceOf(BrokenPipeError);
      expect(error).toMatchObject({ name: 'BrokenPipeError', code: 'EPIPE', syscall: 'write' });
      expect(
        thrownBy(() => {
          writer.write(utf8('after the loss'));
        }),
      ).toBeInstanceOf(TransportClosedError);
    });

    it('reports BrokenPipeError when data was waiting, without another write', async () => {
      const { writer, dropReader } = await fifoWithRawReader();
      const drained = writer.drain();
      writer.write(patternBytes(MiB));
      expect(writer.getWriteBufferSize()).toBeGreaterThan(0);
      await waitForStable(() => writer.getWriteBufferSize(), 'the stalled buffer');
      dropReader();
      const error = await valueOf(writer.closed$, 'the write pipe to be lost');
      expect(error).toBeInstanceOf(BrokenPipeError);
      expect(writer.getWriteBufferSize()).toBe(0);
      // The pending drain() settles: the buffer is gone with the pipe.
      expect(await settlesSoon(drained)).toBe(true);
    });
  });

  describe('flow control', () => {
    it('turns writable$ false above the high water mark and resolves drain() at the low', async () => {
      const { reader, writer } = await fifoPair();
      reader.pauseReading();
      const states: boolean[] = [];
      writer.writable$.subscribe((s) => states.push(s));
      writer.setWriteBufferLimits(256 * KiB);
      writer.write(patternBytes(MiB));
      expect(states).toEqual([true, false]);
      const drained = writer.drain();
      expect(await settlesSoon(drained)).toBe(false);
      const received = collect(reader.data$);
      reader.resumeReading();
      await drained;
      expect(writer.getWriteBufferSize()).toBeLessThanOrEqual(64 * KiB);
      expect(states).toEqual([true, false, true]);
      writer.writeEof();
      expect((await received).byteLength).toBe(MiB);
    });
  });

  describe('abort', () => {
    it('drops the buffer and reports connectionLost(null)', async () => {
      const rec = recordingProtocol();
      const { reader, writer } = await fifoPair(() => rec.protocol);
      reader.pauseReading();
      writer.write(patternBytes(MiB));
      expect(writer.getWriteBufferSize()).toBeGreaterThan(0);
      writer.abort();
      expect(writer.getWriteBufferSize()).toBe(0);
      expect(await valueOf(writer.closed$, 'the write pipe to be lost')).toBeNull();
      expect(rec.lost).toEqual([null]);
      // The reader sees what the kernel held, then EOF.
      const received = collect(reader.data$);
      reader.resumeReading();
      expect((await received).byteLength).toBeLessThan(MiB);
    });
  });

  describe('Node streams', () => {
    it('writes to a Writable, which getExtraInfo returns as the pipe', async () => {
      const stream = new PassThrough();
      const received = collect(from(stream as AsyncIterable<Buffer>));
      const writer = trackPipe(resources, await connectWritePipe(stream));
      expect(writer.getExtraInfo('pipe')).toBe(stream);
      writer.write(utf8('to a '));
      writer.write(utf8('stream'));
      writer.writeEof();
      expect(await valueOf(writer.closed$, 'the write pipe to close')).toBeNull();
      expect((await received).toString()).toBe('to a stream');
    });

    it('ends a Writable on writeEof, so that a gzip stream writes its trailer', async () => {
      const gzip = createGzip();
      const compressed = collect(from(gzip as AsyncIterable<Buffer>));
      const writer = trackPipe(resources, await connectWritePipe(gzip));
      const payload = patternBytes(256 * KiB);
      writer.write(payload);
      writer.writeEof();
      expect(await valueOf(writer.closed$, 'the write pipe to close')).toBeNull();
      expect(sha256(gunzipSync(await compressed))).toBe(sha256(payload));
    });

    it('holds what a slow Writable has not taken yet, and flushes it in order', async () => {
      const chunks: Buffer[] = [];
      let release: (() => void) | null = null;
      const slow = new Writable({
        highWaterMark: 1024,
        write(chunk: Buffer, _encoding, callback) {
          chunks.push(chunk);
          release = () => {
            callback();
          };
        },
      });
      const writer = trackPipe(resources, await connectWritePipe(slow));
      const payload = patternBytes(256 * KiB);
      for (let i = 0; i < 4; i++) writer.write(payload.subarray(i * 64 * KiB, (i + 1) * 64 * KiB));
      expect(writer.getWriteBufferSize()).toBe(256 * KiB);
      const states: boolean[] = [];
      writer.writable$.subscribe((s) => states.push(s));
      expect(states).toEqual([false]);
      writer.writeEof();
      while (writer.getWriteBufferSize() > 0) {
        await waitFor(() => release !== null, 'the Writable to take a chunk');
        const go = release as unknown as () => void;
        release = null;
        go();
        await turns(1);
      }
      expect(await valueOf(writer.closed$, 'the write pipe to close')).toBeNull();
      expect(sha256(Buffer.concat(chunks))).toBe(sha256(payload));
      expect(states).toEqual([false, true]);
    });

    it('reports a Writable error carrying an errno code as a typed OS error', async () => {
      const stream = new Writable({
        write(_chunk, _encoding, callback) {
          callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE', syscall: 'write' }));
        },
      });
      const writer = trackPipe(resources, await connectWritePipe(stream));
      writer.write(utf8('x'));
      const error = await valueOf(writer.closed$, 'the write pipe to be lost');
      expect(error).toBeInstanceOf(BrokenPipeError);
    });
  });

  it('writes to a character device (/dev/null)', async () => {
    const fd = openSync('/dev/null', constants.O_WRONLY);
    const writer = trackPipe(resources, await connectWritePipe(fd));
    writer.write(patternBytes(MiB));
    writer.writeEof();
    expect(await valueOf(writer.closed$, 'the write pipe to close')).toBeNull();
  });

  describe('write', () => {
    it('refuses a string with TypeError ERR_INVALID_ARG_TYPE', async () => {
      const writer = trackPipe(resources, await connectWritePipe(new PassThrough()));
      expect(
        thrownBy(() => {
          writer.write('text' as never);
        }),
      ).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
    });
  });

  describe('errors', () => {
    it('refuses a regular file with TypeError ERR_INVALID_ARG_VALUE', async () => {
      const fifo = makeFifo(resources);
      const path = join(fifo.dir, 'regular');
      writeFileSync(path, '');
      const fd = openSync(path, 'w');
      resources.defer(() => {
        closeSync(fd);
      });
      const error = await rejectionOf(connectWritePipe(fd));
      expect(error).toBeInstanceOf(TypeError);
      expect(error).toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
    });

    it('refuses what is neither an fd nor a Writable with ERR_INVALID_ARG_TYPE', async () => {
      for (const pipe of ['1', undefined, {}, PassThrough]) {
        const error = await rejectionOf(connectWritePipe(pipe as never));
        expect(error).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
      }
    });

    it('refuses bad options with ERR_INVALID_ARG_TYPE', async () => {
      const stream = new PassThrough();
      const error = await rejectionOf(connectWritePipe(stream, { protocol: 1 } as never));
      expect(error).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
      stream.destroy();
    });
  });
});
