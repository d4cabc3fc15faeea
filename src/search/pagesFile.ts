// pages.jsonl read as bytes, one line at a time: every page keeps its line number and the
// byte offset and length of its line (so a search hit's page can be read back alone), a
// line that is not valid UTF-8 is reported by number instead of turning into U+FFFD, and
// the whole file is hashed on the way (its content names the corpus and its indexes).
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { LineProblem } from '../core/jsonl';
import { describeSchemaError } from '../core/trajectory';
import { openChecked, type CorpusFolder } from './corpusFiles';
import { crc32 } from './crc32';
import { jsonProblem, parseJson } from '../core/json';

export const pageSchema = z.object({
  id: z.string().min(1),
  title: z.string(),
  url: z.string(),
  text: z.string(),
  image: z.string().min(1).optional(),
});

export type PageRecord = z.infer<typeof pageSchema>;

export interface PageLine {
  /** 1-based line number in pages.jsonl. */
  line: number;
  /** Byte offset and length of the line's JSON (no line break, no BOM). */
  offset: number;
  length: number;
  /** CRC-32 of the line's bytes: a later read of the line knows it is the same line. */
  crc: number;
  page: PageRecord;
}

export interface PagesRead {
  sha256: string;
  bytes: number;
  problems: LineProblem[];
}

const CHUNK = 1 << 20;
const BOM = [0xef, 0xbb, 0xbf];

/** Where a line stops being UTF-8, for the message: the first bad byte and the few after it. */
export function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length;) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    const n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (!n || i + n > b.length - 1) return i; // not a lead byte, or the sequence is cut short
    const second = b[i + 1]!;
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80; // no overlong forms
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf; // no surrogates, nothing past U+10FFFF
    if (second < lo || second > hi) return i;
    for (let k = 2; k <= n; k++) if ((b[i + k]! & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return -1;
}

function utf8Problem(bytes: Uint8Array): string {
  const at = Math.max(0, firstInvalidUtf8(bytes));
  let end = at + 1;
  while (end < bytes.length && end < at + 4 && bytes[end]! >= 0x80) end++;
  const shown = [...bytes.subarray(at, end)].map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(' ');
  return `not valid UTF-8 (bytes ${shown} at byte ${at + 1} of the line)`;
}

/** The longest line of pages.jsonl that is read (a page's text is a few hundred KB at most); a longer one is a problem. */
export const MAX_PAGE_LINE_BYTES = 64 * 1024 * 1024;

/**
 * Reads the file once, start to end, hashing it and handing out each line's bytes (without
 * its line break) and offset, or, for a line longer than MAX_PAGE_LINE_BYTES, its length
 * only: the parts of a line are gathered once (not copied again with each chunk), and never
 * past that length.
 */
async function eachLine(
  folder: Pick<CorpusFolder, 'pagesFile' | 'pagesStat'>,
  take: (bytes: Buffer | { tooLong: number }, offset: number) => void,
): Promise<{ sha256: string; bytes: number }> {
  const handle = await openChecked(folder.pagesFile, folder.pagesStat);
  const hash = createHash('sha256');
  let parts: Buffer[] = [];
  let size = 0;
  let tooLong = false;
  let carryOffset = 0;
  let position = 0;
  try {
    const chunk = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, CHUNK, position);
      if (bytesRead === 0) break;
      const data = chunk.subarray(0, bytesRead);
      hash.update(data);
      let from = 0;
      for (let nl = data.indexOf(0x0a); nl !== -1; nl = data.indexOf(0x0a, from)) {
        const piece = data.subarray(from, nl);
        if (!size && !tooLong)
          take(piece, position + from); // take() keeps nothing: no copy
        else if (tooLong || size + piece.length > MAX_PAGE_LINE_BYTES) take({ tooLong: size + piece.length }, carryOffset);
        else take(Buffer.concat([...parts, piece]), carryOffset);
        parts = [];
        size = 0;
        tooLong = false;
        from = nl + 1;
      }
      if (from < data.length) {
        if (!size && !tooLong) carryOffset = position + from;
        size += data.length - from;
        if (tooLong || size > MAX_PAGE_LINE_BYTES) {
          tooLong = true;
          parts = [];
        } else parts.push(Buffer.from(data.subarray(from))); // the chunk is read into again
      }
      position += bytesRead;
    }
    if (tooLong) take({ tooLong: size }, carryOffset);
    else if (size) take(Buffer.concat(parts), carryOffset);
  } finally {
    await handle.close();
  }
  return { sha256: hash.digest('hex'), bytes: position };
}

/**
 * Reads pages.jsonl once from start to end, handing each valid page to `onPage` in file
 * order. Blank lines are skipped; a broken line (bad UTF-8, bad JSON, not a page, a
 * repeated id) is a problem with its line number, and the rest still loads.
 */
export async function readPages(folder: Pick<CorpusFolder, 'pagesFile' | 'pagesStat'>, onPage: (page: PageLine) => void): Promise<PagesRead> {
  const problems: LineProblem[] = [];
  const seen = new Set<string>();
  let line = 0;
  const { sha256, bytes } = await eachLine(folder, (raw, offset) => {
    line++;
    if (!Buffer.isBuffer(raw)) {
      problems.push({
        line,
        message: `a line of ${Math.round(raw.tooLong / 1024 / 1024)} MB, longer than the ${MAX_PAGE_LINE_BYTES / 1024 / 1024} MB a page may have`,
      });
      return;
    }
    let start = 0;
    let end = raw.length;
    if (end > 0 && raw[end - 1] === 0x0d) end--;
    if (line === 1 && end >= 3 && BOM.every((b, i) => raw[i] === b)) start = 3;
    const body = raw.subarray(start, end);
    if (!isUtf8(body)) {
      problems.push({ line, message: utf8Problem(body) });
      return;
    }
    const text = body.toString('utf8');
    if (text.trim() === '') return;
    let value: unknown;
    try {
      value = parseJson(text);
    } catch (e) {
      problems.push({ line, message: jsonProblem(e) });
      return;
    }
    const r = pageSchema.safeParse(value);
    if (!r.success) {
      problems.push({ line, message: `not a page: ${describeSchemaError(r.error)}` });
      return;
    }
    if (seen.has(r.data.id)) {
      problems.push({ line, message: `duplicate page id ${JSON.stringify(r.data.id)}` });
      return;
    }
    seen.add(r.data.id);
    onPage({ line, offset: offset + start, length: end - start, crc: crc32(body), page: r.data });
  });
  return { sha256, bytes, problems };
}

const IMAGE_KEY = Buffer.from('"image"');

/**
 * The file's hash and the images its lines name, without reading pages: only lines that
 * contain "image" are parsed. (A key spelt with \u escapes is not seen; the index built
 * later still finds its image, only the corpus id would not change with that image.)
 */
export async function hashPages(folder: Pick<CorpusFolder, 'pagesFile' | 'pagesStat'>): Promise<{ sha256: string; images: string[] }> {
  const images: string[] = [];
  const { sha256 } = await eachLine(folder, (raw) => {
    if (!Buffer.isBuffer(raw) || raw.indexOf(IMAGE_KEY) === -1) return;
    try {
      const value = parseJson(raw.toString('utf8')) as { image?: unknown };
      if (typeof value.image === 'string' && value.image) images.push(value.image);
    } catch {
      // a broken line names no image; the index reports it
    }
  });
  return { sha256, images };
}

/** One page read back from its line, for a search hit; undefined when the line no longer holds it. */
export async function readPageAt(
  folder: Pick<CorpusFolder, 'pagesFile' | 'pagesStat'>,
  offset: number,
  length: number,
  crc: number,
): Promise<PageRecord | undefined> {
  // The index says where the line is; an index that says more than a page line holds is not believed.
  if (!Number.isSafeInteger(length) || length < 0 || length > MAX_PAGE_LINE_BYTES) return undefined;
  let handle;
  try {
    handle = await openChecked(folder.pagesFile, folder.pagesStat);
  } catch {
    return undefined;
  }
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buf, 0, length, offset);
    if (bytesRead !== length || crc32(buf) !== crc) return undefined;
    const r = pageSchema.safeParse(parseJson(buf.toString('utf8')));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}
