// results.jsonl as the benchmark runner writes it: one resultSchema line per finished sample
// (and rollout), appended as samples finish; read (as a stream) when a run resumes or shards merge.
// A last line cut short by a crash or a kill is reported apart, so resuming can cut it off and
// run that sample again. (The review views read the same file as a stream: resultsFile.ts.)
import { randomBytes } from 'node:crypto';
import { close as closeFd, constants, fstatSync, fsync, ftruncateSync, promises as fs, writeSync } from 'node:fs';
import * as path from 'node:path';
import { closeChecked, inFolder, openFd, openNew, writeAll, writeFailed } from '../core/files';
import { openFolderFile } from '../core/folderFile';
import { isProblem, parseJsonLine, type LineProblem } from '../core/jsonl';
import { describeSchemaError } from '../core/trajectory';
import { resultSchema, type SampleResult } from './results';
import { MAX_RESULT_LINE_BYTES } from './resultsFile';

export { RESULTS_FILE } from './resultsFile';

/** Results files larger than this are refused: every result read is kept in memory. */
export const MAX_RESULTS_BYTES = 1024 * 2 ** 20;

export interface ReadResults {
  results: SampleResult[];
  /** The line (1-based) each result was read from, in the order of `results`. */
  lines: number[];
  /** Lines that are not results (by line number); the rest load. */
  problems: LineProblem[];
  /** Bytes after the last newline, from this offset to the end: a line whose writing was cut short. */
  tail?: { offset: number };
}

/** The key a result is done under: its sample's position and its rollout. */
export function resultKey(r: Pick<SampleResult, 'index' | 'rollout'>): string {
  return `${r.index}-${r.rollout}`;
}

function parseLine(out: ReadResults, text: string, line: number): void {
  const parsed = parseJsonLine(text.replace(/\r$/, ''), line, (v) => {
    const r = resultSchema.safeParse(v);
    return r.success ? { ok: true, value: r.data } : { ok: false, message: `not a result: ${describeSchemaError(r.error)}` };
  });
  if (!parsed) return;
  if (isProblem(parsed)) out.problems.push(parsed);
  else {
    out.results.push(parsed.value);
    out.lines.push(line);
  }
}

/**
 * Reads a results file as a stream (a string of the whole file would stop at V8's 512 MB),
 * a line at a time, each up to MAX_RESULT_LINE_BYTES; an absent file has no results. Only a
 * regular file inside its run folder is read: one that links out throws a FolderFileRefused
 * naming it.
 */
export async function readResults(file: string): Promise<ReadResults> {
  const out: ReadResults = { results: [], lines: [], problems: [] };
  const opened = await openFolderFile(path.dirname(file), file);
  if (!opened) return out;
  if (opened.stat.size > MAX_RESULTS_BYTES) {
    await opened.handle.close();
    throw new Error(`${file} is ${Math.round(opened.stat.size / 2 ** 20)} MB; a results file of a run is at most ${MAX_RESULTS_BYTES / 2 ** 20} MB`);
  }
  let parts: Buffer[] = [];
  let size = 0;
  let tooLong = false;
  let line = 1;
  let offset = 0;
  // The stream reads the file opened and checked above (and closes it), not the name again.
  for await (const chunk of opened.handle.createReadStream({ highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      const piece = chunk.subarray(start, nl);
      if (tooLong || size + piece.length > MAX_RESULT_LINE_BYTES)
        out.problems.push({ line, message: `longer than the ${MAX_RESULT_LINE_BYTES / 2 ** 20} MB a results line may have` });
      else parseLine(out, Buffer.concat([...parts, piece]).toString('utf8'), line);
      offset += size + piece.length + 1;
      line++;
      parts = [];
      size = 0;
      tooLong = false;
      start = nl + 1;
    }
    const rest = chunk.subarray(start);
    if (tooLong || size + rest.length > MAX_RESULT_LINE_BYTES) {
      tooLong = true;
      parts = [];
    } else parts.push(rest);
    size += rest.length;
  }
  if (size > 0 && (tooLong || Buffer.concat(parts).toString('utf8').trim())) out.tail = { offset };
  return out;
}

/**
 * Appends result lines one whole line at a time, in the order they are given: one write(2)
 * per line on a file opened for appending. Synchronous on purpose, as the trajectory writer's
 * lines are: a line is a few hundred bytes, and appends queued on the thread pool behind
 * other samples' file work held each finished sample's worker back from starting the next.
 * A line that cannot be written whole (a full disk) is cut off again, so the file ends on a
 * whole line, and the append fails with a WriteFailed naming the file.
 */
export class ResultsWriter {
  private fd: number | undefined;

  private constructor(
    readonly file: string,
    fd: number,
    /** Bytes in the file: where the next line starts. */
    private size: number,
  ) {
    this.fd = fd;
  }

  static async open(file: string): Promise<ResultsWriter> {
    // Never through a link: the run folder's own file, or a new one.
    const fd = await openFd(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0));
    return new ResultsWriter(file, fd, fstatSync(fd).size);
  }

  append(result: SampleResult): Promise<void> {
    if (this.fd === undefined) return Promise.reject(new Error('the results file is closed'));
    const line = Buffer.from(JSON.stringify(result) + '\n');
    let at = 0;
    try {
      // O_APPEND: each write lands whole at the end; a short write (a full disk) is finished or fails.
      while (at < line.length) {
        const n = writeSync(this.fd, line, at);
        if (n <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        at += n;
      }
      this.size += line.length;
      return Promise.resolve();
    } catch (e) {
      if (at > 0) {
        try {
          ftruncateSync(this.fd, this.size);
        } catch {
          // a resume cuts a torn last line off (and keeps it in aside/)
        }
      }
      return Promise.reject(writeFailed(e, this.file));
    }
  }

  /** Flushes the file to disk (off the main thread) and closes it; a flush that fails is a failed write. */
  async close(): Promise<void> {
    const fd = this.fd;
    if (fd === undefined) return;
    this.fd = undefined;
    try {
      await new Promise<void>((resolve, reject) => fsync(fd, (e) => (e ? reject(writeFailed(e, this.file)) : resolve())));
    } finally {
      await new Promise<void>((resolve) => closeFd(fd, () => resolve()));
    }
  }
}

/**
 * Rewrites a results file keeping only the lines numbered in `keep` (as readResults numbers
 * them), in their order, reading it up to `end` (the start of a cut last line: the caller
 * keeps that): written beside it, flushed, and renamed over it, so the file is the old one or
 * the new one, never half of either. Every other line goes, as it was, to `aside` (a new
 * file, flushed before the rename): nothing is lost. Returns how many lines went aside.
 */
export async function rewriteResults(file: string, keep: ReadonlySet<number>, aside: string, end?: number): Promise<number> {
  const dir = path.dirname(file);
  const opened = await openFolderFile(dir, file);
  if (!opened) return 0;
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let kept: fs.FileHandle | undefined;
  let dropped: fs.FileHandle | undefined;
  let moved = 0;
  try {
    const keptHandle: fs.FileHandle = await openNew(tmp).catch((e: unknown) => Promise.reject(writeFailed(e, file)));
    kept = keptHandle;
    let line = 1;
    // Where the current line's bytes go: the new file, or aside.
    let out: { handle: fs.FileHandle; name: string } | undefined;
    const destination = async (): Promise<{ handle: fs.FileHandle; name: string }> => {
      if (keep.has(line)) return { handle: keptHandle, name: file };
      moved++;
      const handle: fs.FileHandle = dropped ?? (await inFolder(aside, () => openNew(aside)).catch((e: unknown) => Promise.reject(writeFailed(e, aside))));
      dropped = handle;
      return { handle, name: aside };
    };
    const length = end ?? opened.stat.size;
    if (length > 0) {
      // The stream reads the file opened and checked above, not the name again.
      for await (const chunk of opened.handle.createReadStream({
        start: 0,
        end: length - 1,
        highWaterMark: 1024 * 1024,
        autoClose: false,
      }) as AsyncIterable<Buffer>) {
        let start = 0;
        while (start < chunk.length) {
          const nl = chunk.indexOf(0x0a, start);
          const stop = nl === -1 ? chunk.length : nl + 1;
          const to: { handle: fs.FileHandle; name: string } = out ?? (await destination());
          out = to;
          await writeAll(to.handle, chunk.subarray(start, stop), to.name);
          if (nl !== -1) {
            out = undefined;
            line++;
          }
          start = stop;
        }
      }
    }
    if (dropped) {
      await dropped.sync().catch((e: unknown) => Promise.reject(writeFailed(e, aside)));
      const d = dropped;
      dropped = undefined;
      await closeChecked(d, aside);
    }
    await keptHandle.sync().catch((e: unknown) => Promise.reject(writeFailed(e, file)));
    kept = undefined;
    await closeChecked(keptHandle, file);
    await fs.rename(tmp, file).catch((e: unknown) => Promise.reject(writeFailed(e, file)));
    return moved;
  } catch (e) {
    await kept?.close().catch(() => undefined);
    await dropped?.close().catch(() => undefined);
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  } finally {
    await opened.handle.close().catch(() => undefined);
  }
}
