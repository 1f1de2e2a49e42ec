/** The pool of recycled write blocks: what it keeps, and how it gives memory back. */

type Pool = typeof import('../../src/core/writeBlocks');

/** A fresh copy of the module (its pool is module state), under fake timers. */
function freshPool(): Pool {
  let pool: Pool | undefined;
  jest.isolateModules(() => {
    pool = jest.requireActual<Pool>('../../src/core/writeBlocks');
  });
  return pool as Pool;
}

describe('write blocks', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('hands back a released block before allocating a new one', () => {
    const pool = freshPool();
    const block = pool.takeWriteBlock();
    expect(block.byteLength).toBe(pool.WRITE_BLOCK_SIZE);
    pool.releaseWriteBlocks([block]);
    expect(pool.takeWriteBlock()).toBe(block);
    expect(pool.takeWriteBlock()).not.toBe(block);
  });

  it('keeps at most 1024 blocks', () => {
    const pool = freshPool();
    const blocks = Array.from({ length: 1100 }, () => pool.takeWriteBlock());
    pool.releaseWriteBlocks(blocks);
    expect(pool.keptWriteBlocks()).toBe(1024);
  });

  it('gives back half of what the last second did not use, down to 16 blocks', () => {
    const pool = freshPool();
    pool.releaseWriteBlocks(Array.from({ length: 200 }, () => pool.takeWriteBlock()));
    // 200 blocks were taken in the first second: nothing is given back yet.
    jest.advanceTimersByTime(1000);
    expect(pool.keptWriteBlocks()).toBe(200);
    jest.advanceTimersByTime(1000);
    expect(pool.keptWriteBlocks()).toBe(100);
    // 80 in use again this second: they are kept, not 50.
    pool.releaseWriteBlocks(Array.from({ length: 80 }, () => pool.takeWriteBlock()));
    jest.advanceTimersByTime(1000);
    expect(pool.keptWriteBlocks()).toBe(80);
    // Light traffic (one block a second) does not keep the rest.
    pool.releaseWriteBlocks([pool.takeWriteBlock()]);
    jest.advanceTimersByTime(1000);
    expect(pool.keptWriteBlocks()).toBe(40);
    jest.advanceTimersByTime(5000);
    expect(pool.keptWriteBlocks()).toBe(16);
    jest.advanceTimersByTime(5000);
    expect(pool.keptWriteBlocks()).toBe(16);
    expect(jest.getTimerCount()).toBe(0);
  });
});
