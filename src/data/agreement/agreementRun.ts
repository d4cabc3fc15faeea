// `gog agreement PATH`'s work: the samples PATH names (a run folder, a folder of
// trajectories, a queue file, or one trajectory), read one by one into the tally. Each
// sample's benchmark and category come from its benchmark run's results.jsonl when it lies
// in one (RUN/samples/<i-r>/trajectory.jsonl), else the header's dataset; its checkpoint is
// the model named in its header.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { oneLine } from '../../core/agent';
import { readQueueFile } from '../../review/queueFile';
import { FolderFileRefused } from '../../core/folderFile';
import { findTrajectories } from '../../review/queueIndex';
import type { FoundFile } from '../export/findTrajectories';
import { SAMPLES_DIR } from '../benchRun';
import { readResults, RESULTS_FILE } from '../resultsLog';
import { AgreementTally, type AgreementReport } from './annotatorAgreement';
import { readSampleRecord } from './readSample';

/** PATH names nothing agreement can read: a usage error (exit 2). */
export class AgreementInputError extends Error {}

export interface AgreementRun {
  report: AgreementReport;
  /** Files and lines that could not be read, one line each. */
  notes: string[];
}

const NONE = '(none)';

/** The files PATH names, each with the folder it must stay inside. */
async function samplesOf(target: string, cwd: string): Promise<FoundFile[]> {
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
  if (stat.isFile()) return [{ file: given, root: path.dirname(given) }];
  if (!stat.isDirectory()) throw new AgreementInputError(`${target} is not a file or a folder`);
  // The review queue's files (queueIndex.ts): a link inside the folder is not followed.
  return (await findTrajectories(given)).map((rel) => ({ file: path.join(given, rel), root: given }));
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

/** `progress`: samples read of all, now and then (the extension's progress notification). */
export async function agreementOf(target: string, cwd: string, signal?: AbortSignal, progress?: (done: number, total: number) => void): Promise<AgreementRun> {
  const notes: string[] = [];
  const files = await samplesOf(target, cwd);
  if (!files.length) throw new AgreementInputError(`no trajectory files (trajectory.jsonl, *.trajectory.jsonl) under ${target}`);
  const results = new RunResults(notes);
  const tally = new AgreementTally();
  // Read one by one (each read is a few system calls), in path order, so the figures and the conflicts' order never depend on timing.
  const order = [...files].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  for (const [i, found] of order.entries()) {
    if (i % 256 === 0) {
      // The reads are synchronous: let a Ctrl+C in now and then.
      await new Promise((resolve) => setImmediate(resolve));
      signal?.throwIfAborted();
      progress?.(i, order.length);
    }
    const shownPath = shown(cwd, found.file);
    let record;
    try {
      record = await readSampleRecord(found);
    } catch (e) {
      notes.push(`${shownPath}: not read (${e instanceof FolderFileRefused ? e.reason : oneLine(e)})`);
      continue;
    }
    const where = await results.of(found.file);
    if (record.problems.length)
      notes.push(
        `${shownPath}: line${record.problems.length > 1 ? 's' : ''} ${record.problems.slice(0, 5).join(', ')}${record.problems.length > 5 ? ', …' : ''} could not be read; left out`,
      );
    for (const problem of record.annotatorProblems.slice(0, 5)) notes.push(`${shownPath}: ${problem}`);
    tally.add(record, {
      path: shownPath,
      benchmark: where?.benchmark ?? record.header?.dataset ?? NONE,
      category: where?.category ?? NONE,
      checkpoint: record.header?.model.name ?? NONE,
    });
  }
  return { report: tally.report(), notes };
}
