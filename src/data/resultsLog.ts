// results.jsonl as the benchmark runner writes it: one resultSchema line per finished sample
// (and rollout), appended as samples finish; read whole when a run resumes or shards merge.
// A last line cut short by a crash or a kill is reported apart, so resuming can cut it off and
// run that sample again. (The review views read the same file as a stream: resultsFile.ts.)
import { promises as fs } from 'node:fs';
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

/** Reads a results file; an absent file has no results. */
export async function readResults(file: string): Promise<ReadResults> {
  let text: string;
  try {
    // Read whole (a results line is a few KB; 10,000 samples are tens of MB): one far larger is not ours.
    const { size } = await fs.stat(file);
    if (size > MAX_RESULTS_BYTES)
      throw new Error(`${file} is ${Math.round(size / 2 ** 20)} MB; a results file of a run is at most ${MAX_RESULTS_BYTES / 2 ** 20} MB`);
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { results: [], problems: [] };
    throw e;
  }
  return parseResults(text);
}

/** Appends result lines one whole line at a time, in the order they are given. */
export class ResultsWriter {
  private queue: Promise<void> = Promise.resolve();

  private constructor(private readonly handle: fs.FileHandle) {}

  static async open(file: string): Promise<ResultsWriter> {
    return new ResultsWriter(await fs.open(file, 'a'));
  }

  append(result: SampleResult): Promise<void> {
    const line = JSON.stringify(result) + '\n';
    this.queue = this.queue.then(() => this.handle.appendFile(line));
    return this.queue;
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    await this.handle.sync().catch(() => undefined);
    await this.handle.close();
  }
}
