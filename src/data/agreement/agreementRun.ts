// `gog agreement PATH`'s work: the samples PATH names (a run folder, a folder of
// trajectories, a queue file, or one trajectory), read a few at a time into the tally. Each
// sample's benchmark and category come from its benchmark run's results.jsonl when it lies
// in one (RUN/samples/<i-r>/trajectory.jsonl), else the header's dataset; its checkpoint is
// the model named in its header.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { oneLine } from '../../core/agent';
import { readQueueFile } from '../../review/queueFile';
import { trajectoryFiles, type FoundFile } from '../export/findTrajectories';
import { SAMPLES_DIR } from '../benchRun';
import { readResults, RESULTS_FILE } from '../resultsLog';
import { AgreementTally, type AgreementReport, type SampleContext } from './annotatorAgreement';
import { readSampleRecord } from './readSample';

/** PATH names nothing agreement can read: a usage error (exit 2). */
export class AgreementInputError extends Error {}

export interface AgreementRun {
  report: AgreementReport;
  /** Files and lines that could not be read, one line each. */
  notes: string[];
}

const NONE = '(none)';
const READERS = 16;

/** The files PATH names, each with the folder it must stay inside. */
async function samplesOf(target: string, cwd: string, notes: string[]): Promise<FoundFile[]> {
  const given = path.resolve(cwd, target);
  const stat = await fs.stat(given).catch(() => undefined);
  if (!stat) throw new AgreementInputError(`${target}: no such file or folder`);
  if (stat.isFile() && given.endsWith('.json')) {
    let list;
    try {
      list = await readQueueFile(given);
    } catch (e) {
      throw new AgreementInputError(oneLine(e));
    }
    return list.files.map((rel) => ({ file: path.join(list.root, rel), root: list.root }));
  }
  if (stat.isFile() && !given.endsWith('.jsonl'))
    throw new AgreementInputError(`${target} is neither a trajectory (.jsonl), a queue file (.json) nor a folder`);
  if (!stat.isFile() && !stat.isDirectory()) throw new AgreementInputError(`${target} is not a file or a folder`);
  const found: FoundFile[] = [];
  for await (const f of trajectoryFiles([given], cwd, (line) => notes.push(line))) found.push(f);
  return found;
}

/** Benchmark and category of each sample of a benchmark run, by its trajectory's path; read once per run. */
class RunResults {
  private readonly runs = new Map<string, Promise<Map<string, { benchmark: string; category?: string }>>>();

  constructor(private readonly notes: string[]) {}

  async of(file: string): Promise<{ benchmark: string; category?: string } | undefined> {
    const sampleDir = path.dirname(file);
    if (path.basename(path.dirname(sampleDir)) !== SAMPLES_DIR) return undefined;
    const run = path.dirname(path.dirname(sampleDir));
    let results = this.runs.get(run);
    if (!results) this.runs.set(run, (results = this.read(run)));
    return (await results).get(path.relative(run, file).split(path.sep).join('/'));
  }

  private async read(run: string): Promise<Map<string, { benchmark: string; category?: string }>> {
    const out = new Map<string, { benchmark: string; category?: string }>();
    try {
      const read = await readResults(path.join(run, RESULTS_FILE));
      for (const r of read.results)
        out.set(r.trajectory.split(path.sep).join('/'), { benchmark: r.benchmark, ...(r.category ? { category: r.category } : {}) });
    } catch (e) {
      this.notes.push(`${path.join(run, RESULTS_FILE)}: not read (${oneLine(e)}); its samples are grouped by their headers`);
    }
    return out;
  }
}

function shown(cwd: string, file: string): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : file;
}

export async function agreementOf(target: string, cwd: string, signal?: AbortSignal): Promise<AgreementRun> {
  const notes: string[] = [];
  const files = await samplesOf(target, cwd, notes);
  if (!files.length) throw new AgreementInputError(`no trajectory files (trajectory.jsonl, *.trajectory.jsonl) under ${target}`);
  const results = new RunResults(notes);
  const tally = new AgreementTally();
  // Read a few at a time, taken into the tally in path order, so the figures and the conflicts' order never depend on timing.
  const order = [...files].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  for (let at = 0; at < order.length; at += READERS) {
    signal?.throwIfAborted();
    const batch = await Promise.all(
      order.slice(at, at + READERS).map(async (found) => {
        try {
          const record = await readSampleRecord(found);
          const where = await results.of(found.file);
          const context: SampleContext = {
            path: shown(cwd, found.file),
            benchmark: where?.benchmark ?? record.header?.dataset ?? NONE,
            category: where?.category ?? NONE,
            checkpoint: record.header?.model.name ?? NONE,
          };
          return { record, context };
        } catch (e) {
          notes.push(`${shown(cwd, found.file)}: not read (${oneLine(e)})`);
          return undefined;
        }
      }),
    );
    for (const item of batch) {
      if (!item) continue;
      if (item.record.problems.length)
        notes.push(
          `${item.context.path}: line${item.record.problems.length > 1 ? 's' : ''} ${item.record.problems.slice(0, 5).join(', ')}${item.record.problems.length > 5 ? ', …' : ''} could not be read; left out`,
        );
      tally.add(item.record, item.context);
    }
  }
  return { report: tally.report(), notes };
}
