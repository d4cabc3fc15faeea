// results.jsonl as the benchmark runner writes it: one resultSchema line per finished sample
// (and rollout), appended as samples finish; read whole when a run resumes or shards merge.
// A last line cut short by a crash or a kill is reported apart, so resuming can cut it off and
// run that sample again. (The review views read the same file as a stream: resultsFile.ts.)
import { close as closeFd, constants, fstatSync, fsync, ftruncateSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { openFd, writeFailed } from '../core/files';
import { openFolderFile } from '../core/folderFile';
import { isProblem, parseJsonLine, type LineProblem } from '../core/jsonl';
import { describeSchemaError } from '../core/trajectory';
import { resultSchema, type SampleResult } from './results';

export { RESULTS_FILE } from './resultsFile';

/** Results files larger than this are refused rather than read into memory. */
export const MAX_RESULTS_BYTES = 1024 * 2 ** 20;

export interface ReadResults {
  results: SampleResult[];
  /** Lines that are not results (by line number); the rest load. */
  problems: LineProblem[];
  /** Bytes after the last newline: a line whose writing was cut short. */
  tail?: { offset: number; text: string };
}

/** The key a result is done under: its sample's position and its rollout. */
export function resultKey(r: Pick<SampleResult, 'index' | 'rollout'>): string {
  return `${r.index}-${r.rollout}`;
}

export function parseResults(text: string): ReadResults {
  const end = text.lastIndexOf('\n') + 1;
  const out: ReadResults = { results: [], problems: [] };
  if (end < text.length && text.slice(end).trim()) out.tail = { offset: Buffer.byteLength(text.slice(0, end)), text: text.slice(end) };
  const lines = text.slice(0, end).split('\n');
  for (let i = 0; i < lines.length; i++) {
    const parsed = parseJsonLine(lines[i]!, i + 1, (v) => {
      const r = resultSchema.safeParse(v);
      return r.success ? { ok: true, value: r.data } : { ok: false, message: `not a result: ${describeSchemaError(r.error)}` };
    });
    if (!parsed) continue;
    if (isProblem(parsed)) out.problems.push(parsed);
    else out.results.push(parsed.value);
  }
  return out;
}

/**
 * Reads a results file; an absent file has no results. Only a regular file inside its run
 * folder is read: one that links out throws a FolderFileRefused naming it.
 */
export async function readResults(file: string): Promise<ReadResults> {
  // Read whole (a results line is a few KB; 10,000 samples are tens of MB): one far larger is not ours.
  const opened = await openFolderFile(path.dirname(file), file);
  if (!opened) return { results: [], problems: [] };
  let text: string;
  try {
    if (opened.stat.size > MAX_RESULTS_BYTES)
      throw new Error(`${file} is ${Math.round(opened.stat.size / 2 ** 20)} MB; a results file of a run is at most ${MAX_RESULTS_BYTES / 2 ** 20} MB`);
    text = await opened.handle.readFile('utf8');
  } finally {
    await opened.handle.close();
  }
  return parseResults(text);
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
