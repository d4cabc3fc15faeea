// Reading a run's results.jsonl as a stream, from any byte offset: the review views hold one
// small row per sample, never the file, and a run still being written is followed by
// reading only what was appended since (the file is append-only). A last line without its
// newline is taken only if it parses: otherwise it is a line still being written, left for
// the next read. A broken line is reported by number and the rest still loads.
import * as path from 'node:path';
import { FolderFileRefused, openFolderFile, readFolderFile } from '../core/folderFile';
import { describeSchemaError } from '../core/trajectory';
import type { LineProblem } from '../core/jsonl';
import { resultSchema, summarySchema, type RunSummary, type SampleResult } from './results';
import { jsonProblem, parseJson } from '../core/json';

export const RESULTS_FILE = 'results.jsonl';
export const SUMMARY_FILE = 'summary.json';
/** A results line is a few KB; one this long is not one of ours. */
export const MAX_RESULT_LINE_BYTES = 16 * 1024 * 1024;
/** A summary is a few KB. */
const MAX_SUMMARY_BYTES = 64 * 1024 * 1024;

/** Where the last read stopped: the next byte to read and its 1-based line number. */
export interface ResultsCursor {
  offset: number;
  line: number;
}

export const START: ResultsCursor = { offset: 0, line: 1 };

export interface ResultsRead {
  cursor: ResultsCursor;
  problems: LineProblem[];
}

type Parsed = { kind: 'blank' } | { kind: 'result'; result: SampleResult } | { kind: 'problem'; problem: LineProblem; json: boolean };

function parseResult(text: string, line: number): Parsed {
  if (!text.trim()) return { kind: 'blank' };
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (e) {
    return { kind: 'problem', problem: { line, message: jsonProblem(e) }, json: false };
  }
  const r = resultSchema.safeParse(value);
  return r.success
    ? { kind: 'result', result: r.data }
    : { kind: 'problem', problem: { line, message: `not a sample result: ${describeSchemaError(r.error)}` }, json: true };
}

/**
 * Reads results from `from` to the end of the file, calling `onResult` for each valid one,
 * in file order. Returns where the next read should start. A missing file reads as empty. The
 * file is read only when it is a regular file inside its run folder (folderFile.ts): one that
 * links out is one problem, numbered line 0, and nothing of it is read.
 */
export async function readResults(file: string, onResult: (result: SampleResult, line: number) => void, from: ResultsCursor = START): Promise<ResultsRead> {
  const problems: LineProblem[] = [];
  let { offset, line } = from;
  let parts: Buffer[] = [];
  let size = 0;
  let tooLong = false;
  const take = (parsed: Parsed) => {
    if (parsed.kind === 'problem') problems.push(parsed.problem);
    else if (parsed.kind === 'result') onResult(parsed.result, line);
  };
  let opened;
  try {
    opened = await openFolderFile(path.dirname(file), file);
  } catch (e) {
    if (e instanceof FolderFileRefused) return { cursor: from, problems: [{ line: 0, message: e.message }] };
    return { cursor: from, problems };
  }
  if (!opened) return { cursor: from, problems };
  const stream = opened.handle.createReadStream({ start: offset, highWaterMark: 1024 * 1024, autoClose: false });
  try {
    await readChunks();
  } finally {
    stream.destroy();
    await opened.handle.close();
  }
  // The last line, without its newline: complete if it is JSON, else still being written.
  if (size > 0 && !tooLong) {
    const parsed = parseResult(Buffer.concat(parts).toString('utf8'), line);
    if (parsed.kind !== 'problem' || parsed.json) {
      take(parsed);
      offset += size;
      if (parsed.kind !== 'blank') line++;
    }
  }
  return { cursor: { offset, line }, problems };

  async function readChunks(): Promise<void> {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let start = 0;
      for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
        const piece = chunk.subarray(start, nl);
        if (tooLong || size + piece.length > MAX_RESULT_LINE_BYTES)
          problems.push({ line, message: `longer than ${MAX_RESULT_LINE_BYTES / 1024 / 1024} MB; skipped` });
        else
          take(
            parseResult(
              Buffer.concat([...parts, piece])
                .toString('utf8')
                .replace(/\r$/, ''),
              line,
            ),
          );
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
  }
}

/** Reads every result (for `gog compare`-sized work; the views keep rows instead). */
export async function readAllResults(file: string): Promise<{ results: SampleResult[]; problems: LineProblem[] }> {
  const results: SampleResult[] = [];
  const { problems } = await readResults(file, (r) => results.push(r));
  return { results, problems };
}

export type SummaryRead = { ok: true; summary: RunSummary } | { ok: false; message: string };

/** summary.json, validated; undefined when there is none (a run that has just started). */
export async function readSummary(file: string): Promise<SummaryRead | undefined> {
  let text: string;
  try {
    const bytes = await readFolderFile(path.dirname(file), file, { maxBytes: MAX_SUMMARY_BYTES });
    if (!bytes) return undefined;
    text = bytes.toString('utf8');
  } catch (e) {
    if (e instanceof FolderFileRefused) return { ok: false, message: e.message };
    return undefined;
  }
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (e) {
    return { ok: false, message: jsonProblem(e) };
  }
  const r = summarySchema.safeParse(value);
  return r.success ? { ok: true, summary: r.data } : { ok: false, message: `not a run summary: ${describeSchemaError(r.error)}` };
}
