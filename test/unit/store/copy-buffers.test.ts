import { describe, expect, it } from 'vitest';
import { from as copyFrom } from 'pg-copy-streams';
import { BufferPool, releaseWhenWritten, releaseWritten } from '../../../src/store/copy-buffers.js';
import { CsvWriter } from '../../../src/store/bulk-insert.js';

describe('COPY chunk buffers', () => {
  it('go back to their pool only once the whole chunk, as registered, is written', () => {
    const pool = new BufferPool(1024, 4);
    const buf = pool.acquire();
    const chunk = buf.subarray(0, 300);
    releaseWhenWritten(chunk, () => pool.release(buf));
    // A write of part of the chunk (were it ever sent in pieces) leaves the buffer alone.
    releaseWritten(chunk.subarray(0, 100));
    releaseWritten(chunk.subarray(100, 300));
    expect(pool.available).toBe(0);
    // The same bytes seen through another view of the whole chunk count (a Writable makes one).
    releaseWritten(Buffer.from(chunk.buffer, 0, 300));
    expect(pool.available).toBe(1);
    // Once only.
    releaseWritten(chunk);
    expect(pool.available).toBe(1);
    expect(pool.acquire()).toBe(buf);
    expect(pool.allocated).toBe(1);
  });

  it('keeps only whole buffers of its size, and at most its maximum', () => {
    const pool = new BufferPool(1024, 2);
    pool.release(Buffer.allocUnsafeSlow(2048));
    pool.release(Buffer.allocUnsafeSlow(2048).subarray(0, 1024));
    expect(pool.available).toBe(0);
    for (let i = 0; i < 3; i++) pool.release(Buffer.allocUnsafeSlow(1024));
    expect(pool.available).toBe(2);
  });

  it('a writer that is done gives its unused buffer back', () => {
    const csv = new CsvWriter(64 * 1024);
    csv.row(['a', 1], { table: 't', columns: ['x', 'y'] }, 1);
    const chunk = csv.take();
    expect(chunk.toString()).toBe('"a",1\n');
    const before = (csv as unknown as { pool: BufferPool }).pool.available;
    csv.done();
    expect((csv as unknown as { pool: BufferPool }).pool.available).toBe(before + 1);
  });

  it('the COPY stream still has the chunk write that hands buffers back', () => {
    // src/store/bulk-insert.ts replaces pg-copy-streams' flushChunk: a version without it would
    // load as before but never hand a buffer back.
    const stream = copyFrom('COPY t FROM STDIN') as unknown as { flushChunk?: unknown };
    expect(typeof stream.flushChunk).toBe('function');
  });
});
