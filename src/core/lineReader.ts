// Lines of a text file, read as a stream: memory is bounded by the longest line kept, not by
// the file, so a trajectory of any size can be read, and a line too long to keep is skipped
// and reported by number instead of ending the reader with "Invalid string length".
import { createReadStream, type promises as fs } from 'node:fs';

export type FileLine = { line: number; text: string } | { line: number; tooLong: number };

/** Longest line kept by default: far above any real event (a capped model reply is ~1 MB). */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

/** `source`: a path, or a file already opened (read from its start; the caller closes it). */
export async function* readLines(source: string | fs.FileHandle, maxLineBytes = DEFAULT_MAX_LINE_BYTES): AsyncGenerator<FileLine> {
  let parts: Buffer[] = [];
  let size = 0;
  let skipping = false;
  let line = 1;
  const finish = (): FileLine => {
    const out: FileLine = skipping ? { line, tooLong: size } : { line, text: Buffer.concat(parts, size).toString('utf8').replace(/\r$/, '') };
    parts = [];
    size = 0;
    skipping = false;
    line++;
    return out;
  };
  const stream =
    typeof source === 'string'
      ? createReadStream(source, { highWaterMark: 1024 * 1024 })
      : source.createReadStream({ highWaterMark: 1024 * 1024, start: 0, autoClose: false });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let start = 0;
    for (let nl = chunk.indexOf(0x0a, start); ; nl = chunk.indexOf(0x0a, start)) {
      const end = nl === -1 ? chunk.length : nl;
      const piece = end - start;
      if (skipping || size + piece > maxLineBytes) {
        if (!skipping) parts = [];
        skipping = true;
      } else if (piece > 0) parts.push(chunk.subarray(start, end));
      size += piece;
      if (nl === -1) break;
      yield finish();
      start = nl + 1;
    }
  }
  if (size > 0 || skipping) yield finish();
}
