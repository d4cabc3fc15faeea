// The file an index is stored in: written whole and atomically, named by the content it
// indexes, and never trusted blindly. Its header (zod-checked) says what it holds and where
// each section lies; sections read when the index loads carry a CRC-32 each, sections read
// piecemeal during searches (postings, thumbnails) a CRC-32 per 64 KiB chunk, checked as
// they are read. A missing, truncated or corrupt file is reported as such, and the caller
// rebuilds the index; nothing here throws on bad bytes.
//
//   "GOGINDEX" | header length (u32 LE) | header JSON | padding to 8 | sections, each 8-aligned
import { randomBytes } from 'node:crypto';
import { constants as fsConstants, promises as fs } from 'node:fs';
import { endianness } from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../core/atomicFile';
import { writeFailed } from '../core/files';
import { crc32 } from './crc32';
import { parseJson } from '../core/json';
import { readInto } from '../core/readRange';

const MAGIC = Buffer.from('GOGINDEX', 'latin1');
const FORMAT = 1;
export const CHUNK_BYTES = 64 * 1024;
const MAX_HEADER_BYTES = 16 * 1024 * 1024;

const sectionSchema = z.object({
  offset: z.number().int().nonnegative(),
  length: z.number().int().nonnegative(),
  /** CRC of the whole section (eager sections), or absent when chunk CRCs are in the section `<name>.crc`. */
  crc: z.number().int().nonnegative().optional(),
});

const headerSchema = z.object({
  format: z.literal(FORMAT),
  kind: z.string(),
  key: z.string(),
  endianness: z.enum(['LE', 'BE']),
  fileLength: z.number().int().positive(),
  sections: z.record(z.string(), sectionSchema),
  meta: z.unknown(),
});

export interface SectionInput {
  name: string;
  data: ArrayBufferView;
  /** Read piecemeal later: checked per chunk instead of as a whole. */
  chunked?: boolean;
}

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

const align8 = (n: number) => (n + 7) & ~7;

/** The file's bytes: header first, then each section at an 8-byte boundary (typed arrays can view them in place). */
export function encodeIndexFile(kind: string, key: string, meta: unknown, inputs: SectionInput[]): Buffer {
  const parts: { name: string; bytes: Uint8Array; crc?: number }[] = [];
  for (const input of inputs) {
    const bytes = bytesOf(input.data);
    if (!input.chunked) {
      parts.push({ name: input.name, bytes, crc: crc32(bytes) });
      continue;
    }
    const chunks = new Uint32Array(Math.ceil(bytes.length / CHUNK_BYTES));
    for (let c = 0; c < chunks.length; c++) chunks[c] = crc32(bytes.subarray(c * CHUNK_BYTES, (c + 1) * CHUNK_BYTES));
    parts.push({ name: input.name, bytes });
    const table = bytesOf(chunks);
    parts.push({ name: `${input.name}.crc`, bytes: table, crc: crc32(table) });
  }
  // The header holds the offsets, which depend on its own length: lay out twice, with room to spare.
  const layout = (headerRoom: number) => {
    let at = align8(MAGIC.length + 4 + headerRoom);
    const sections: Record<string, z.infer<typeof sectionSchema>> = {};
    for (const p of parts) {
      sections[p.name] = { offset: at, length: p.bytes.length, ...(p.crc !== undefined ? { crc: p.crc } : {}) };
      at = align8(at + p.bytes.length);
    }
    return { sections, fileLength: at };
  };
  const draft = layout(0);
  const room = Buffer.byteLength(JSON.stringify({ format: FORMAT, kind, key, endianness: endianness(), ...draft, meta })) + 64;
  const { sections, fileLength } = layout(room);
  const header = Buffer.from(JSON.stringify({ format: FORMAT, kind, key, endianness: endianness(), fileLength, sections, meta }));
  if (header.length > room) throw new Error('index header outgrew its room');
  const out = Buffer.alloc(fileLength);
  MAGIC.copy(out, 0);
  out.writeUInt32LE(room, MAGIC.length);
  header.copy(out, MAGIC.length + 4);
  out.fill(0x20, MAGIC.length + 4 + header.length, MAGIC.length + 4 + room);
  for (const p of parts) out.set(p.bytes, sections[p.name]!.offset);
  return out;
}

const READ_FLAGS = fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0) | (fsConstants.O_NONBLOCK ?? 0);

/** Whether `file` holds exactly `bytes` (read a piece at a time, never through a link). */
async function holds(file: string, bytes: Uint8Array): Promise<boolean> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, READ_FLAGS);
  } catch {
    return false;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile() || st.size !== bytes.length) return false;
    const piece = Buffer.alloc(Math.min(1024 * 1024, bytes.length));
    for (let at = 0; at < bytes.length;) {
      const { bytesRead } = await handle.read(piece, 0, Math.min(piece.length, bytes.length - at), at);
      if (bytesRead <= 0 || !piece.subarray(0, bytesRead).equals(bytes.subarray(at, at + bytesRead))) return false;
      at += bytesRead;
    }
    return true;
  } finally {
    await handle.close();
  }
}

/**
 * Stores an index whole. Another process sharing the cache (the shards of a run on shared
 * storage) may have stored the same index a moment before and be reading it: a file that
 * already holds exactly these bytes is kept, never replaced, since a file replaced under a
 * reader is one it must throw away. Otherwise the new file is written aside and hard-linked
 * into place (link(2) fails when the name exists); one that holds something else (damaged,
 * stale) is replaced.
 */
export async function writeIndexFile(file: string, kind: string, key: string, meta: unknown, sections: SectionInput[]): Promise<void> {
  const bytes = encodeIndexFile(kind, key, meta, sections);
  if (await holds(file, bytes)) return;
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  await writeFileAtomic(tmp, bytes);
  try {
    await fs.link(tmp, file);
  } catch (e) {
    // Another process stored the same first: theirs stays. (Something else there, or a file system without hard links: replaced.)
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || !(await holds(file, bytes)))
      await fs.rename(tmp, file).catch((err: unknown) => Promise.reject(writeFailed(err, file)));
  } finally {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
  }
}

/** Something wrong with an index file (`file`, when known): it is ignored and rebuilt. */
export class IndexFileError extends Error {
  constructor(
    message: string,
    readonly file?: string,
  ) {
    super(message);
    this.name = 'IndexFileError';
  }
}

/** An opened index file: its header is checked; sections are read (and checked) on demand. */
export class IndexFile<M> {
  private constructor(
    readonly file: string,
    readonly meta: M,
    private readonly sections: Record<string, z.infer<typeof sectionSchema>>,
    private readonly identity: { dev: number; ino: number; size: number },
  ) {}

  /**
   * Opens `file` if it is an index of this kind and key, else undefined (missing, of another
   * version, truncated, or with a header that does not check out).
   */
  static async open<M>(file: string, kind: string, key: string, metaSchema: z.ZodType<M>): Promise<IndexFile<M> | undefined> {
    let handle: fs.FileHandle;
    try {
      // Never through a link (the index folder may come with a cloned workspace), never blocked by a pipe.
      handle = await fs.open(file, READ_FLAGS);
    } catch {
      return undefined;
    }
    try {
      const st = await handle.stat();
      if (!st.isFile()) return undefined;
      const head = Buffer.alloc(MAGIC.length + 4);
      if ((await handle.read(head, 0, head.length, 0)).bytesRead !== head.length || !head.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
      const headerLength = head.readUInt32LE(MAGIC.length);
      if (headerLength > MAX_HEADER_BYTES || headerLength > st.size) return undefined;
      const headerBytes = Buffer.alloc(headerLength);
      if ((await handle.read(headerBytes, 0, headerLength, head.length)).bytesRead !== headerLength) return undefined;
      let json: unknown;
      try {
        json = parseJson(headerBytes.toString('utf8'));
      } catch {
        return undefined;
      }
      const header = headerSchema.safeParse(json);
      if (!header.success) return undefined;
      const h = header.data;
      if (h.kind !== kind || h.key !== key || h.endianness !== endianness() || h.fileLength !== st.size) return undefined;
      if (Object.values(h.sections).some((s) => s.offset < head.length + headerLength || s.offset + s.length > st.size)) return undefined;
      const meta = metaSchema.safeParse(h.meta);
      if (!meta.success) return undefined;
      return new IndexFile(file, meta.data, h.sections, { dev: st.dev, ino: st.ino, size: st.size });
    } catch {
      return undefined;
    } finally {
      await handle.close();
    }
  }

  has(name: string): boolean {
    return name in this.sections;
  }

  /**
   * The file, opened for the reads in flight and closed when the last one is done (reads
   * a search makes at once share one descriptor; none is left open between searches).
   */
  private handle?: Promise<fs.FileHandle>;
  private reading = 0;

  private async acquire(): Promise<fs.FileHandle> {
    this.reading++;
    this.handle ??= (async () => {
      // Gone (another process sharing the cache dropped it as damaged): rebuilt, as a damaged one is.
      const handle = await fs.open(this.file, READ_FLAGS).catch((e: unknown) => {
        throw (e as NodeJS.ErrnoException).code === 'ENOENT' ? new IndexFileError(`${this.file} is gone`, this.file) : e;
      });
      const st = await handle.stat().catch(async (e: unknown) => {
        await handle.close();
        throw e;
      });
      if (st.dev !== this.identity.dev || st.ino !== this.identity.ino || st.size !== this.identity.size) {
        await handle.close();
        throw new IndexFileError(`${this.file} was replaced while in use`, this.file);
      }
      return handle;
    })();
    try {
      return await this.handle;
    } catch (e) {
      this.release();
      throw e;
    }
  }

  private release(): void {
    if (--this.reading > 0) return;
    const handle = this.handle;
    this.handle = undefined;
    void handle?.then((h) => h.close()).catch(() => undefined);
  }

  private async readAt(offset: number, length: number): Promise<Uint8Array> {
    // A fresh, unpooled buffer: offset 0 of its own memory, so typed arrays can view it.
    const out = new Uint8Array(new ArrayBuffer(length));
    const handle = await this.acquire();
    try {
      // In pieces: a section of 2 GB or more in one read(2) would abort Node (readRange.ts).
      const read = await readInto(handle, Buffer.from(out.buffer, 0, length), offset, length);
      if (read.length !== length) throw new IndexFileError(`${this.file} is truncated`, this.file);
      return out;
    } finally {
      this.release();
    }
  }

  private entry(name: string): z.infer<typeof sectionSchema> {
    const s = this.sections[name];
    if (!s) throw new IndexFileError(`${this.file} has no section ${name}`, this.file);
    return s;
  }

  /** A whole section, checked against its CRC. */
  async section(name: string): Promise<Uint8Array> {
    const s = this.entry(name);
    const bytes = await this.readAt(s.offset, s.length);
    if (s.crc === undefined || crc32(bytes) !== s.crc) throw new IndexFileError(`${this.file}: section ${name} is corrupt`, this.file);
    return bytes;
  }

  async uint32(name: string): Promise<Uint32Array> {
    const bytes = await this.section(name);
    if (bytes.length % 4) throw new IndexFileError(`${this.file}: section ${name} is not a list of 32-bit numbers`, this.file);
    return new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  }

  async json(name: string): Promise<unknown> {
    try {
      return parseJson(Buffer.from(await this.section(name)).toString('utf8'));
    } catch (e) {
      if (e instanceof IndexFileError) throw e;
      throw new IndexFileError(`${this.file}: section ${name} is not JSON`, this.file);
    }
  }

  /** A reader for bytes of a chunked section, each read checked chunk by chunk. */
  async chunked(name: string): Promise<(offset: number, length: number) => Promise<Uint8Array>> {
    const s = this.entry(name);
    const crcs = await this.uint32(`${name}.crc`);
    if (crcs.length !== Math.ceil(s.length / CHUNK_BYTES)) throw new IndexFileError(`${this.file}: section ${name} has a wrong chunk table`, this.file);
    return async (offset, length) => {
      if (offset < 0 || length < 0 || offset + length > s.length) throw new IndexFileError(`${this.file}: read past section ${name}`, this.file);
      if (!length) return new Uint8Array(0);
      const first = Math.floor(offset / CHUNK_BYTES);
      const last = Math.floor((offset + length - 1) / CHUNK_BYTES);
      const from = first * CHUNK_BYTES;
      const to = Math.min(s.length, (last + 1) * CHUNK_BYTES);
      const bytes = await this.readAt(s.offset + from, to - from);
      for (let c = first; c <= last; c++) {
        const chunk = bytes.subarray((c - first) * CHUNK_BYTES, (c - first + 1) * CHUNK_BYTES);
        if (crc32(chunk) !== crcs[c]) throw new IndexFileError(`${this.file}: section ${name} is corrupt`, this.file);
      }
      return bytes.subarray(offset - from, offset - from + length);
    };
  }
}
