/**
 * Faults at any frame on every marble form: a reset (`#`) on a stream, on a drawn peer's reads
 * and on a child's pipe; an ICMP error on a datagram endpoint; a child killed by a signal.
 */
import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { marbleDatagramEndpoint, marbleSubprocess, marbleTransport } from '../../src/testing/index';

const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const reset = expect.objectContaining({ name: 'ConnectionResetError', code: 'ECONNRESET' });
const refused = expect.objectContaining({ name: 'ConnectionRefusedError', code: 'ECONNREFUSED' });
const frames = [0, 1, 2, 5];

describe('faults drawn in marbles, at any frame', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => {
      expect(actual).toEqual(expected);
    });
  });

  it.each(frames)('a reset at frame %i of incoming ends the stream transport there', (frame) => {
    scheduler.run((helpers) => {
      const conn = marbleTransport(helpers, { incoming: `${'a'.repeat(frame)}#` });
      helpers
        .expectObservable(conn.data$.pipe(map(decode)))
        .toBe(`${'a'.repeat(frame)}#`, undefined, reset);
      helpers.expectObservable(conn.closed$).toBe(`${'-'.repeat(frame)}(e|)`, { e: reset });
    });
  });

  it.each(frames)('a reset at frame %i of the peer reads drops what was not read', (frame) => {
    scheduler.run((helpers) => {
      // The peer reads a byte a frame from frame 1 (what is written at 0 leaves at its end).
      const conn = marbleTransport(helpers, {
        incoming: '-',
        peer: { reads: `-${'r'.repeat(frame)}#`, values: { r: 1 }, buffer: 100 },
      });
      conn.write(new TextEncoder().encode('0123456789'));
      helpers
        .expectObservable(conn.written$.pipe(map(decode)))
        .toBe(`-${'0123456789'.slice(0, frame)}|`);
      helpers.expectObservable(conn.closed$).toBe(`-${'-'.repeat(frame)}(e|)`, { e: reset });
      expect(conn.getWriteBufferSize()).toBe(10);
    });
  });

  it.each(frames)('an ICMP error at frame %i leaves the datagram endpoint open', (frame) => {
    scheduler.run((helpers) => {
      const udp = marbleDatagramEndpoint(helpers, { incoming: `${'-'.repeat(frame)}#` });
      helpers.expectObservable(udp.errors$).toBe(`${'-'.repeat(frame)}e`, { e: refused });
      helpers.cold(`${'-'.repeat(frame + 1)}x`).subscribe(() => {
        expect(udp.isClosing()).toBe(false);
      });
    });
  });

  it.each(frames)('a reset at frame %i of stdout loses that pipe, not the child', (frame) => {
    scheduler.run((helpers) => {
      const child = marbleSubprocess(helpers, {
        stdout: `${'-'.repeat(frame)}#`,
        exit: `${'-'.repeat(frame + 2)}0`,
      });
      helpers
        .expectObservable(child.stdout!.closed$)
        .toBe(`${'-'.repeat(frame)}(e|)`, { e: reset });
      helpers.expectObservable(child.exit$).toBe(`${'-'.repeat(frame + 2)}(z|)`, { z: 0 });
      helpers.expectObservable(child.closed$).toBe(`${'-'.repeat(frame + 2)}(n|)`, { n: null });
    });
  });

  it.each(frames)('a child killed by a signal at frame %i exits with -9', (frame) => {
    scheduler.run((helpers) => {
      const child = marbleSubprocess(helpers, {
        stdout: `${'a'.repeat(frame)}-aaa`,
        exit: `${'-'.repeat(frame)}k`,
        values: { k: -9 },
      });
      helpers.expectObservable(child.exit$).toBe(`${'-'.repeat(frame)}(k|)`, { k: -9 });
      helpers.expectObservable(child.data$.pipe(map(decode))).toBe(`${'a'.repeat(frame)}|`);
      helpers.cold(`${'-'.repeat(frame + 1)}x`).subscribe(() => {
        expect(child.getReturncode()).toBe(-9);
      });
    });
  });
});
