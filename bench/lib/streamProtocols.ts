import type { BufferedProtocol, Protocol, SocketTransport } from '../../src/index.js';
import { WritePump } from './senders.js';

/** The protocols of the one-stream workloads (W1 over TCP, W8 over TLS). */

/** Size of the BufferedProtocol reader's one reused buffer. */
export const READ_BUFFER = 256 * 1024;

export const mbps = (bytes: number, seconds: number): number => bytes / seconds / 1e6;

/**
 * A protocol that writes `total` bytes on connection, then sends EOF where the transport can
 * (TLS has no half-close).
 */
export class SenderProtocol implements Protocol<SocketTransport> {
  private pump: WritePump | null = null;

  constructor(
    private readonly chunk: Uint8Array,
    private readonly total: number,
  ) {}

  connectionMade(transport: SocketTransport): void {
    this.pump = new WritePump(
      (c) => {
        transport.write(c);
      },
      this.chunk,
      this.total,
      () => {
        if (transport.canWriteEof()) transport.writeEof();
      },
    );
    this.pump.run();
  }

  pauseWriting(): void {
    this.pump?.pause();
  }

  resumeWriting(): void {
    this.pump?.resume();
  }
}

/** Counts bytes until `total`, then calls `done`. */
export class CountingProtocol implements Protocol<SocketTransport> {
  private received = 0;

  constructor(
    private readonly total: number,
    private readonly done: () => void,
  ) {}

  dataReceived(data: Uint8Array): void {
    this.received += data.byteLength;
    if (this.received >= this.total) this.done();
  }
}

/** Counts bytes received into one reused buffer. */
export class CountingBufferedProtocol implements BufferedProtocol<SocketTransport> {
  private readonly buffer = new Uint8Array(READ_BUFFER);
  private received = 0;

  constructor(
    private readonly total: number,
    private readonly done: () => void,
  ) {}

  getBuffer(): Uint8Array {
    return this.buffer;
  }

  bufferUpdated(nbytes: number): void {
    this.received += nbytes;
    if (this.received >= this.total) this.done();
  }
}
