// The records of a Parquet file, a row group at a time, with what a file may make the reader
// do bounded before anything is decoded. A Parquet footer says where every column chunk lies
// and how many rows and bytes it holds; the reader (hyparquet) believes it. So a small file
// whose footer lists 20,000 row groups over the same pages decodes those pages 20,000 times,
// and a page header may ask for any number of values or bytes. Here, first the footer: every
// column chunk inside the file, no two claiming the same bytes, the schema's nesting within
// reach. Then, before each row group is decoded, its page headers: each page inside its
// chunk, its decoded size what its compression can make of its bytes, and the bytes and
// values it decodes to within the limits below. The rows are handed out a group at a time,
// so a reader that stops (--limit) decodes no further.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parquetMetadata, parquetReadObjects, type AsyncBuffer, type FileMetaData, type PageHeader } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { readRange } from '../../core/readRange';
import { DatasetError, type RecordItem } from './records';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** What a Parquet dataset may make the reader hold or do. Real files stay far below each. */
export const PARQUET_LIMITS = {
  /** The footer (the file's metadata), read and decoded whole: real ones are a few KB to a few MB. */
  footerBytes: 8 * MiB,
  /** A row group's stored bytes, read before it is decoded. */
  groupBytes: 2 * GiB - 1,
  /** The bytes a row group's pages decode to (their declared sizes). */
  groupDecodedBytes: 2 * GiB - 1,
  /** The bytes all row groups read decode to. */
  fileDecodedBytes: 8 * GiB,
  /** The values a row group's pages declare, and its rows: each becomes an array entry or an object (InfoSeek's 934k training rows in one group are 7M). */
  groupValues: 16 * 1024 * 1024,
  /** The values and rows of all row groups read. */
  fileValues: 256 * 1024 * 1024,
  /** Nesting of the schema (lists in structs in lists…): the assembly of rows recurses through it. */
  schemaDepth: 64,
} as const;

/** Snappy makes at most 64 bytes of 3 (a copy with a 2-byte offset); a page that claims more is not Snappy's. */
const SNAPPY_MAX_RATIO = 22;
const READABLE_CODECS = new Set(['UNCOMPRESSED', 'SNAPPY']);

const size = (n: number) => (n >= GiB ? `${(n / GiB).toFixed(1)} GB` : n >= MiB ? `${Math.round(n / MiB)} MB` : `${n} bytes`);

/** A count the footer gives (a number or a BigInt), or NaN when it is not a whole number ≥ 0 that a double holds exactly. */
function count(v: unknown): number {
  const n = typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : NaN;
  return Number.isSafeInteger(n) && n >= 0 ? n : NaN;
}

interface Chunk {
  group: number;
  column: string;
  start: number;
  end: number;
  codec: string;
}

interface Group {
  index: number;
  rowStart: number;
  rows: number;
  chunks: Chunk[];
  declaredBytes: number;
}

class Refused extends DatasetError {
  constructor(file: string, message: string) {
    super(`${path.basename(file)}: ${message}; refused`);
  }
}

/** The schema's deepest nesting, walked without recursion; a count of children the list does not hold is an error. */
function schemaDepth(metadata: FileMetaData): number | string {
  const open: number[] = [];
  let deepest = 0;
  for (const [i, element] of metadata.schema.entries()) {
    if (i > 0) {
      if (!open.length) return 'the schema lists more elements than its root holds';
      open[open.length - 1]!--;
    }
    const children = element.num_children === undefined ? 0 : count(element.num_children);
    if (Number.isNaN(children)) return `schema element ${i} has a malformed number of children`;
    if (children > 0) {
      open.push(children);
      deepest = Math.max(deepest, open.length);
    }
    while (open.length && open[open.length - 1] === 0) open.pop();
  }
  if (open.length) return 'the schema ends before all its elements are listed';
  return deepest;
}

/** The row groups as the footer lays them out, checked against the file: a string says what is wrong. */
function layout(metadata: FileMetaData, dataEnd: number): Group[] | string {
  const depth = schemaDepth(metadata);
  if (typeof depth === 'string') return depth;
  if (depth > PARQUET_LIMITS.schemaDepth) return `its schema nests ${depth} levels deep, more than the ${PARQUET_LIMITS.schemaDepth} a dataset may`;
  const groups: Group[] = [];
  const all: Chunk[] = [];
  let rowStart = 0;
  for (const [g, rowGroup] of metadata.row_groups.entries()) {
    const rows = count(rowGroup.num_rows);
    if (Number.isNaN(rows)) return `row group ${g} has a malformed row count`;
    if (rows > PARQUET_LIMITS.groupValues) return `row group ${g} declares ${rows} rows, more than the ${PARQUET_LIMITS.groupValues} a row group may have`;
    const chunks: Chunk[] = [];
    let declaredBytes = 0;
    for (const chunk of rowGroup.columns) {
      const meta = chunk.meta_data;
      if (!meta || chunk.file_path) return `row group ${g} has a column chunk without its metadata, or in another file`;
      const column = Array.isArray(meta.path_in_schema) ? meta.path_in_schema.join('.') : '?';
      const start = count(meta.dictionary_page_offset || meta.data_page_offset);
      const stored = count(meta.total_compressed_size);
      const decoded = count(meta.total_uncompressed_size);
      if (Number.isNaN(start) || Number.isNaN(stored) || Number.isNaN(decoded)) return `row group ${g}, column ${column}: malformed offsets or sizes`;
      if (start < 4 || stored === 0 || start + stored > dataEnd)
        return `row group ${g}, column ${column}: its bytes (${start}…${start + stored}) are not inside the file's data (4…${dataEnd})`;
      if (!READABLE_CODECS.has(meta.codec))
        return `column ${column} is compressed with ${String(meta.codec)}, which gog cannot read; write the file with Snappy or no compression`;
      declaredBytes += decoded;
      const c = { group: g, column, start, end: start + stored, codec: meta.codec };
      chunks.push(c);
      all.push(c);
    }
    const stored = chunks.reduce((n, c) => n + (c.end - c.start), 0);
    if (stored > PARQUET_LIMITS.groupBytes) return `row group ${g} stores ${size(stored)}, more than the ${size(PARQUET_LIMITS.groupBytes)} a row group may`;
    groups.push({ index: g, rowStart, rows, chunks, declaredBytes });
    rowStart += rows;
  }
  const declaredRows = count(metadata.num_rows);
  if (declaredRows !== rowStart) return `the footer says ${String(metadata.num_rows)} rows but its row groups hold ${rowStart}`;
  // Each byte of the file belongs to one column chunk at most: a footer that points row
  // groups (or columns) at the same pages would have them decoded again and again.
  all.sort((a, b) => a.start - b.start);
  for (let i = 1; i < all.length; i++) {
    const [a, b] = [all[i - 1]!, all[i]!];
    if (b.start < a.end)
      return `row group ${a.group} (column ${a.column}) and row group ${b.group} (column ${b.column}) claim the same bytes; a Parquet file made to expand`;
  }
  return groups;
}

/** Declared values and decoded bytes of a chunk's pages, checked page by page; a string says what is wrong. */
function pagesOf(chunk: Chunk, bytes: ArrayBuffer): { values: number; decoded: number } | string {
  const view = new DataView(bytes);
  const reader = { view, offset: 0 };
  let values = 0;
  let decoded = 0;
  const where = `row group ${chunk.group}, column ${chunk.column}`;
  while (reader.offset < bytes.byteLength - 1) {
    let header: PageHeader;
    try {
      header = parquetHeader(reader);
    } catch (e) {
      return `${where}: a page header is unreadable (${(e as Error).message})`;
    }
    const stored = count(header.compressed_page_size);
    const plain = count(header.uncompressed_page_size);
    if (Number.isNaN(stored) || Number.isNaN(plain) || reader.offset + stored > bytes.byteLength) return `${where}: a page runs past its column chunk`;
    const most = chunk.codec === 'SNAPPY' ? stored * SNAPPY_MAX_RATIO + 64 : stored;
    if (plain > most) return `${where}: a page of ${size(stored)} claims to decode to ${size(plain)}, more than ${chunk.codec} can make of it`;
    const v = header.data_page_header?.num_values ?? header.data_page_header_v2?.num_values ?? header.dictionary_page_header?.num_values ?? 0;
    const n = count(v);
    if (Number.isNaN(n)) return `${where}: a page has a malformed number of values`;
    values += n;
    decoded += plain;
    if (values > PARQUET_LIMITS.groupValues) return `${where}: its pages declare more than the ${PARQUET_LIMITS.groupValues} values a row group may have`;
    reader.offset += stored;
  }
  return { values, decoded };
}

/** hyparquet fetches neighbouring column chunks together, up to 2 MB; the bytes between them are not decoded. */
const MAX_JOINED_READ = 4 * MiB;

/** An AsyncBuffer that serves the checked chunks of one row group, and nothing else. */
function groupBuffer(fileSize: number, chunks: readonly Chunk[], bytes: readonly ArrayBuffer[]): AsyncBuffer {
  return {
    byteLength: fileSize,
    slice(start: number, end = fileSize): ArrayBuffer {
      const exact = chunks.findIndex((c) => c.start === start && c.end === end);
      if (exact >= 0) return bytes[exact]!;
      const inside = chunks.findIndex((c) => c.start <= start && end <= c.end);
      if (inside >= 0) return bytes[inside]!.slice(start - chunks[inside]!.start, end - chunks[inside]!.start);
      // Several chunks fetched in one read: each copied to its place (gaps stay zero).
      if (end - start > MAX_JOINED_READ) throw new Error(`a read of bytes ${start}…${end}, outside the row group's checked column chunks`);
      const out = new Uint8Array(end - start);
      let covered = 0;
      for (const [i, c] of chunks.entries()) {
        const from = Math.max(start, c.start);
        const to = Math.min(end, c.end);
        if (from >= to) continue;
        out.set(new Uint8Array(bytes[i]!, from - c.start, to - from), from - start);
        covered += to - from;
      }
      if (!covered) throw new Error(`a read of bytes ${start}…${end}, outside the row group's checked column chunks`);
      return out.buffer;
    },
  };
}

/**
 * The rows of a Parquet file as records (`record N`, 0-based), a row group at a time: a
 * caller that stops early decodes no further. Throws DatasetError, in one line naming the
 * file, when the file is not what its footer claims or would decode past the limits.
 */
export async function* parquetRecords(file: string, fileSize: number): AsyncGenerator<RecordItem> {
  const handle = await fs.open(file, 'r');
  try {
    if (fileSize < 12) throw new Refused(file, 'too short to be a Parquet file');
    const tail = await readRange(handle, fileSize - 8, 8);
    if (tail.toString('latin1', 4) !== 'PAR1') throw new Refused(file, 'no Parquet footer (the file does not end in PAR1)');
    const footerLength = tail.readUInt32LE(0);
    if (footerLength > PARQUET_LIMITS.footerBytes)
      throw new Refused(file, `its footer is ${size(footerLength)}, more than the ${size(PARQUET_LIMITS.footerBytes)} a Parquet footer may have`);
    if (footerLength + 12 > fileSize) throw new Refused(file, 'its footer is longer than the file');
    let metadata: FileMetaData;
    try {
      metadata = parquetMetadata(await readRange(handle, fileSize - 8 - footerLength, footerLength + 8), { geoparquet: false });
    } catch (e) {
      // The footer's structs nest as deep as its bytes say, and the thrift reader recurses.
      if (e instanceof RangeError) throw new Refused(file, 'its footer nests structures too deep to be Parquet metadata');
      throw new DatasetError(`cannot read the Parquet file: ${(e as Error).message.split('\n')[0]}`);
    }
    const groups = layout(metadata, fileSize - 8 - footerLength);
    if (typeof groups === 'string') throw new Refused(file, groups);

    let decodedSoFar = 0;
    let valuesSoFar = 0;
    for (const group of groups) {
      if (group.rows === 0) continue;
      const chunks = [...group.chunks].sort((a, b) => a.start - b.start);
      const bytes: ArrayBuffer[] = [];
      let decoded = 0;
      let values = group.rows;
      for (const c of chunks) {
        const b = await readRange(handle, c.start, c.end - c.start);
        // Its own ArrayBuffer, exactly the chunk: hyparquet decodes from it without a copy.
        const own = b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? (b.buffer as ArrayBuffer) : new Uint8Array(b).buffer;
        const pages = pagesOf(c, own);
        if (typeof pages === 'string') throw new Refused(file, pages);
        decoded += pages.decoded;
        values += pages.values;
        bytes.push(own);
      }
      decoded = Math.max(decoded, group.declaredBytes);
      if (decoded > PARQUET_LIMITS.groupDecodedBytes)
        throw new Refused(
          file,
          `row group ${group.index} decodes to ${size(decoded)}, more than the ${size(PARQUET_LIMITS.groupDecodedBytes)} a row group may`,
        );
      if (values > PARQUET_LIMITS.groupValues)
        throw new Refused(file, `row group ${group.index} declares more than the ${PARQUET_LIMITS.groupValues} values and rows a row group may have`);
      decodedSoFar += decoded;
      valuesSoFar += values;
      if (decodedSoFar > PARQUET_LIMITS.fileDecodedBytes)
        throw new Refused(file, `it decodes to more than ${size(PARQUET_LIMITS.fileDecodedBytes)}; split it, or take fewer samples with --limit`);
      if (valuesSoFar > PARQUET_LIMITS.fileValues)
        throw new Refused(file, `it holds more than ${PARQUET_LIMITS.fileValues} values; split it, or take fewer samples with --limit`);
      let rows: Record<string, unknown>[];
      try {
        // utf8: false keeps unannotated binary columns (image bytes) as bytes.
        rows = await parquetReadObjects({
          file: groupBuffer(fileSize, chunks, bytes),
          metadata,
          rowStart: group.rowStart,
          rowEnd: group.rowStart + group.rows,
          utf8: false,
        });
      } catch (e) {
        throw new DatasetError(`cannot read the Parquet file: row group ${group.index}: ${(e as Error).message.split('\n')[0]}`);
      }
      for (const [i, value] of rows.entries()) yield { where: `record ${group.rowStart + i}`, value };
    }
  } finally {
    await handle.close();
  }
}
