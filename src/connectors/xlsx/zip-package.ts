/**
 * Just enough of the zip format to open an .xlsx package by its central directory: list the
 * parts, read a small part whole, stream a big one inflated.
 *
 * Why not read the package front to back as streaming unzippers do: parts come in any order
 * (Excel writes the sheets before the shared strings and styles they need), so a sequential
 * reader has to park whole sheets in temporary files. With the directory, each part is read
 * when it is needed, and sheets not asked for are never inflated.
 */
import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';

export interface ZipEntry {
  name: string;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX32 = 0xffffffff;

export class ZipFormatError extends Error {
  override name = 'ZipFormatError';
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

export class ZipPackage {
  private constructor(
    readonly path: string,
    /** By lower-cased name: package part names are case-insensitive. */
    private readonly entries: Map<string, ZipEntry>,
  ) {}

  /** Opens a zip by its central directory; throws ZipFormatError when the file is not a zip. */
  static async open(path: string): Promise<ZipPackage> {
    const fh = await open(path, 'r');
    try {
      const { size } = await fh.stat();
      const tailLen = Math.min(size, 22 + 0xffff + 20);
      const tail = await readAt(fh, size - tailLen, tailLen);
      let eocd = -1;
      for (let i = tail.length - 22; i >= 0; i--) {
        if (tail.readUInt32LE(i) === EOCD) {
          eocd = i;
          break;
        }
      }
      if (eocd < 0) throw new ZipFormatError('no zip end-of-directory record');
      let count = tail.readUInt16LE(eocd + 10);
      let cdSize = tail.readUInt32LE(eocd + 12);
      let cdOffset = tail.readUInt32LE(eocd + 16);
      if ((cdOffset === MAX32 || count === 0xffff) && eocd >= 20 && tail.readUInt32LE(eocd - 20) === ZIP64_LOCATOR) {
        const rec = await readAt(fh, Number(tail.readBigUInt64LE(eocd - 20 + 8)), 56);
        if (rec.readUInt32LE(0) !== ZIP64_EOCD) throw new ZipFormatError('bad zip64 end-of-directory record');
        count = Number(rec.readBigUInt64LE(32));
        cdSize = Number(rec.readBigUInt64LE(40));
        cdOffset = Number(rec.readBigUInt64LE(48));
      }
      const cd = await readAt(fh, cdOffset, cdSize);
      const entries = new Map<string, ZipEntry>();
      let p = 0;
      for (let i = 0; i < count && p + 46 <= cd.length; i++) {
        if (cd.readUInt32LE(p) !== CENTRAL) throw new ZipFormatError('bad central directory entry');
        const method = cd.readUInt16LE(p + 10);
        const crc32 = cd.readUInt32LE(p + 16);
        let compressedSize = cd.readUInt32LE(p + 20);
        let uncompressedSize = cd.readUInt32LE(p + 24);
        const nameLen = cd.readUInt16LE(p + 28);
        const extraLen = cd.readUInt16LE(p + 30);
        const commentLen = cd.readUInt16LE(p + 32);
        let localOffset = cd.readUInt32LE(p + 42);
        const name = cd.toString('utf8', p + 46, p + 46 + nameLen);
        // Zip64 sizes live in extra field 0x0001, only for the fields set to 0xFFFFFFFF.
        let e = p + 46 + nameLen;
        const extraEnd = e + extraLen;
        while (e + 4 <= extraEnd) {
          const id = cd.readUInt16LE(e);
          const len = cd.readUInt16LE(e + 2);
          if (id === 1) {
            let q = e + 4;
            if (uncompressedSize === MAX32) {
              uncompressedSize = Number(cd.readBigUInt64LE(q));
              q += 8;
            }
            if (compressedSize === MAX32) {
              compressedSize = Number(cd.readBigUInt64LE(q));
              q += 8;
            }
            if (localOffset === MAX32) localOffset = Number(cd.readBigUInt64LE(q));
          }
          e += 4 + len;
        }
        entries.set(name.toLowerCase(), { name, method, crc32, compressedSize, uncompressedSize, localOffset });
        p = extraEnd + commentLen;
      }
      return new ZipPackage(path, entries);
    } finally {
      await fh.close();
    }
  }

  get(name: string): ZipEntry | undefined {
    return this.entries.get(name.toLowerCase());
  }

  /** Where an entry's compressed bytes start (the local header's own lengths may differ). */
  private async dataOffset(entry: ZipEntry): Promise<number> {
    const fh = await open(this.path, 'r');
    try {
      const h = await readAt(fh, entry.localOffset, 30);
      if (h.length < 30 || h.readUInt32LE(0) !== LOCAL) throw new ZipFormatError(`bad local header for ${entry.name}`);
      return entry.localOffset + 30 + h.readUInt16LE(26) + h.readUInt16LE(28);
    } finally {
      await fh.close();
    }
  }

  private async rawStream(entry: ZipEntry): Promise<Readable> {
    const start = await this.dataOffset(entry);
    if (entry.compressedSize === 0) return Readable.from([]);
    return createReadStream(this.path, { start, end: start + entry.compressedSize - 1, highWaterMark: 256 * 1024 });
  }

  /** An entry's content, inflated, as a stream. */
  async stream(name: string): Promise<Readable> {
    const entry = this.get(name);
    if (!entry) throw new ZipFormatError(`no part ${name}`);
    const raw = await this.rawStream(entry);
    if (entry.method === 0) return raw;
    if (entry.method !== 8) throw new ZipFormatError(`part ${entry.name} uses unsupported compression method ${entry.method}`);
    // Large chunks: fewer callbacks, and zlib inflates ahead (on the thread pool) while the
    // caller scans the previous chunk.
    // (zlib passes stream options on to its Transform; the typings do not list them.)
    const inflate = zlib.createInflateRaw({ chunkSize: 256 * 1024, highWaterMark: 1024 * 1024 } as zlib.ZlibOptions);
    raw.on('error', (err) => inflate.destroy(err));
    return raw.pipe(inflate);
  }

  /** A small entry's content as text (workbook.xml, relationships); undefined when absent. */
  async text(name: string): Promise<string | undefined> {
    if (!this.get(name)) return undefined;
    const chunks: Buffer[] = [];
    for await (const c of await this.stream(name)) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
}
