/**
 * Buffers for COPY's CSV chunks, used again once PostgreSQL's socket has taken them.
 *
 * A chunk lives from its first row until the COPY that sends it gets to it: across many
 * scavenges, so it is promoted, and its memory (outside V8's heap) is given back only by a full
 * collection. V8 starts one whenever some 64 MB of such memory has been allocated since the last:
 * at a million records the load stage sends about 1.9 GB of CSV, and the main thread marked its
 * heap of ~560 MB live some twenty times for it (one run's `--trace-gc`: 5.6 s of the load's main
 * thread in full collections, most of them freeing 10–15 MB). Used again, the same few dozen
 * buffers carry all of it.
 *
 * A buffer goes back to its pool only when the socket's write of it has completed (see
 * {@link releaseWritten}, called from the COPY stream's writes in bulk-insert.ts): never while a
 * byte of it may still be read. A chunk that never reaches a socket (PGlite's blobs, a COPY that
 * failed) is collected as any buffer is.
 */

/** What to do with a chunk's buffer once its bytes are written, by the chunk's ArrayBuffer, and the chunk's length. */
const onWritten = new WeakMap<ArrayBufferLike, { length: number; release: () => void }>();

/** Calls `release` once `chunk` (a view of a whole buffer's start) has been written to a socket. */
export function releaseWhenWritten(chunk: Uint8Array, release: () => void): void {
  if (chunk.byteOffset === 0) onWritten.set(chunk.buffer, { length: chunk.length, release });
}

/**
 * To be called when a socket has completed its write of `chunk`: its buffer goes where it was
 * told. Only the whole chunk as registered counts: a write of part of it (were a chunk ever sent
 * in pieces) leaves the buffer alone, the rest of it perhaps still queued.
 */
export function releaseWritten(chunk: Uint8Array): void {
  const entry = onWritten.get(chunk.buffer);
  if (!entry || chunk.byteOffset !== 0 || chunk.length !== entry.length) return;
  onWritten.delete(chunk.buffer);
  entry.release();
}

/** Buffers of one size, kept for use again (up to `max` of them). */
export class BufferPool {
  private readonly free: Buffer[] = [];
  /** Buffers this pool has allocated (not given again). */
  allocated = 0;

  constructor(
    readonly size: number,
    private readonly max: number,
  ) {}

  /** A buffer of {@link size} bytes, not zeroed. */
  acquire(): Buffer {
    const b = this.free.pop();
    if (b) return b;
    this.allocated++;
    // A buffer of its own (allocUnsafe hands out slices of a shared slab below 4 KB).
    return Buffer.allocUnsafeSlow(this.size);
  }

  /** `buf` back, if it is one of this pool's size (a whole ArrayBuffer of it) and the pool is not full. */
  release(buf: Buffer): void {
    if (buf.byteOffset === 0 && buf.length === this.size && buf.buffer.byteLength === this.size && this.free.length < this.max) this.free.push(buf);
  }

  /** Buffers waiting to be used again. */
  get available(): number {
    return this.free.length;
  }
}

const pools = new Map<number, BufferPool>();

/**
 * This thread's pool of buffers of `size` bytes. Up to 64 are kept: the load's rounds and the
 * match index have some 40 chunks of 256 KB in flight at a time.
 */
export function bufferPool(size: number): BufferPool {
  let p = pools.get(size);
  if (!p) pools.set(size, (p = new BufferPool(size, 64)));
  return p;
}
