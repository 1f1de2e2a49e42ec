import { SizeFifo } from '../../src/node/SizeFifo';

describe('SizeFifo', () => {
  it('gives back values oldest first, then undefined', () => {
    const fifo = new SizeFifo();
    fifo.push(3);
    fifo.push(-1);
    fifo.push(0);
    expect([fifo.shift(), fifo.shift(), fifo.shift(), fifo.shift()]).toEqual([3, -1, 0, undefined]);
    expect(fifo.length).toBe(0);
  });

  it('keeps the order while it grows around the end of its ring', () => {
    const fifo = new SizeFifo();
    const expected: number[] = [];
    let next = 0;
    // Interleaved pushes and shifts wrap the ring before it has to grow, several times.
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 50 * (round + 1); i++) {
        fifo.push(next);
        expected.push(next);
        next += 1;
      }
      for (let i = 0; i < 40 * (round + 1); i++) expect(fifo.shift()).toBe(expected.shift());
    }
    expect(fifo.length).toBe(expected.length);
    while (expected.length > 0) expect(fifo.shift()).toBe(expected.shift());
  });

  it('empties on clear', () => {
    const fifo = new SizeFifo();
    fifo.push(1);
    fifo.clear();
    expect(fifo.length).toBe(0);
    expect(fifo.shift()).toBeUndefined();
  });
});
