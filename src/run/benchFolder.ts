// A benchmark run's folder on disk (src/data/benchRun.ts describes what it holds): made new
// (absent or empty, never over other files), or taken up again by a resume. Resuming keeps
// every final result and nothing else: a results line cut short by a kill is cut off (its
// text kept in aside/), results that ended in an endpoint error and second copies of a
// sample are dropped (results.jsonl rewritten whole, the lines kept in aside/), and the
// folder of a sample with no result kept (it was running when the run stopped) is moved to
// aside/, never written over, so the sample runs afresh. A resume first reads and decides
// (inspectResume), then, once nothing refused it, changes the folder (applyResume).
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import * as path from 'node:path';
import { FolderFileRefused, readFolderFile } from '../core/folderFile';
import { ASIDE_DIR, BENCH_FILE, readBenchMeta, SAMPLES_DIR, type BenchMeta } from '../data/benchRun';
import { checkCreatable, FolderTaken } from '../data/emptyFolder';
import type { SampleResult } from '../data/results';
import { readResults, resultKey, RESULTS_FILE, rewriteResults } from '../data/resultsLog';
import { isEndpointError } from '../data/results';
import { parseTrajectoryBytes } from '../core/trajectoryFile';

export class BenchFolderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchFolderError';
  }
}

/**
 * What a folder holds, for deciding between a new run and a resume. A folder the run cannot
 * use (a link, a file, one it may not write, a path under a file) is a BenchFolderError.
 */
export async function folderState(dir: string): Promise<'absent' | 'empty' | 'run' | 'other'> {
  let entries: string[];
  try {
    const link = await fs.lstat(dir).catch(() => undefined);
    if (link?.isSymbolicLink()) {
      const to = await fs.stat(dir).catch(() => undefined);
      throw new BenchFolderError(`--out ${dir} is a symbolic link${to ? '' : ' to nothing'}; give the run's folder itself, not a link`);
    }
    const stat = await fs.stat(dir);
    if (!stat.isDirectory()) throw new BenchFolderError(`${dir} is a file, not a folder; give a new or empty folder for the run`);
    entries = await fs.readdir(dir);
  } catch (e) {
    if (e instanceof BenchFolderError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new BenchFolderError(`cannot use ${dir}: ${(e as Error).message}`);
    await writable(dir);
    return 'absent';
  }
  if (entries.length && !entries.includes(BENCH_FILE)) return 'other';
  await writable(dir);
  return !entries.length ? 'empty' : 'run';
}

/** The folder (or where it would be made) can be written; one line saying why not. */
async function writable(dir: string): Promise<void> {
  try {
    await checkCreatable(path.join(dir, BENCH_FILE));
  } catch (e) {
    throw e instanceof FolderTaken ? new BenchFolderError(e.message) : e;
  }
}

function stamp(): string {
  return new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/** What a resume will do to a run folder, decided by reading it only (inspectResume). */
export interface ResumePlan {
  meta: BenchMeta;
  /** Final results, one per sample and rollout, in file order: what the resume keeps. */
  results: SampleResult[];
  /** Lines of results.jsonl to keep when the file must be rewritten (lines dropped), else undefined. */
  keep?: Set<number>;
  /** Bytes after the last newline, from this offset: a line cut short by a kill. */
  tail?: { offset: number };
  /** Sample folders (names in samples/) with no result kept: moved to aside/, their samples run again. */
  unfinished: string[];
  /** Results dropped because they ended in an endpoint error: their samples run again. */
  retried: number;
  /** What was found and what will be done about it, for the user. */
  notes: string[];
}

/** The final event of a sample's trajectory, or undefined when it has none (or it cannot be read inside the run). */
async function finalOf(dir: string, trajectory: string): Promise<{ answer: unknown; stopReason: unknown; turns: unknown } | undefined> {
  if (!trajectory) return undefined;
  try {
    const bytes = await readFolderFile(dir, path.join(dir, trajectory), { maxBytes: 256 * 1024 * 1024 });
    if (!bytes) return undefined;
    const final = parseTrajectoryBytes(bytes, trajectory).events.find((e) => e.type === 'final');
    return final?.type === 'final' ? final : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads a run folder to take it up again, and changes nothing: its record, its final results
 * (checked against the dataset's samples by id), and what the resume must set right: a cut
 * last line, lines that are not results, results that ended in an endpoint error (they run
 * again), a sample written twice (two processes ran it: identical copies are one; of copies
 * that differ, the one its trajectory agrees with is kept, or none), unfinished sample
 * folders. Refusals are BenchFolderErrors, before anything on disk has changed.
 */
export async function inspectResume(dir: string, idOf: (index: number) => string | undefined): Promise<ResumePlan> {
  const meta = await readBenchMeta(dir).catch((e: Error) => {
    throw new BenchFolderError(e.message);
  });
  const file = path.join(dir, RESULTS_FILE);
  const read = await readResults(file).catch((e: unknown) => {
    throw e instanceof FolderFileRefused ? new BenchFolderError(`cannot resume ${dir}: ${e.message}`) : e;
  });
  // What a resume writes into and moves between must be the run's own folders, never links elsewhere.
  for (const sub of [ASIDE_DIR, SAMPLES_DIR]) {
    const st = await fs.lstat(path.join(dir, sub)).catch(() => undefined);
    if (st && !st.isDirectory())
      throw new BenchFolderError(
        `cannot resume ${dir}: ${sub} is ${st.isSymbolicLink() ? 'a symbolic link' : 'not a folder'}; it must be the run's own folder`,
      );
  }
  const notes: string[] = [];
  if (read.tail) notes.push(`the last line of ${RESULTS_FILE} was cut short; it was cut off (kept in ${ASIDE_DIR}/) and its sample runs again`);
  for (const p of read.problems) notes.push(`${RESULTS_FILE}:${p.line}: ${p.message} (set aside; that sample runs again)`);
  const byKey = new Map<string, { r: SampleResult; line: number }[]>();
  let retried = 0;
  let dropped = read.problems.length;
  for (const [i, r] of read.results.entries()) {
    const expected = idOf(r.index);
    if (expected === undefined || expected !== r.id)
      throw new BenchFolderError(
        `${RESULTS_FILE} has sample ${r.index} as "${r.id}" but the dataset's sample ${r.index} is ${expected === undefined ? 'not in this run' : `"${expected}"`}; the dataset changed since the run started`,
      );
    if (isEndpointError(r)) {
      retried++;
      dropped++;
      continue;
    }
    const key = resultKey(r);
    let list = byKey.get(key);
    if (!list) byKey.set(key, (list = []));
    list.push({ r, line: read.lines[i]! });
  }
  if (retried)
    notes.push(
      `${retried} result${retried === 1 ? '' : 's'} ended in an endpoint error; set aside, ${retried === 1 ? 'its sample runs' : 'their samples run'} again`,
    );
  const kept: { r: SampleResult; line: number }[] = [];
  for (const [key, list] of byKey) {
    if (list.length === 1) {
      kept.push(list[0]!);
      continue;
    }
    dropped += list.length - 1;
    const lines = list.map((c) => c.line).join(', ');
    const text = JSON.stringify(list[0]!.r);
    if (list.every((c) => JSON.stringify(c.r) === text)) {
      kept.push(list[0]!);
      notes.push(`${RESULTS_FILE} has sample ${key} ${list.length} times, identical (lines ${lines}); the first is kept`);
      continue;
    }
    // Two processes ran the sample: its folder holds the trajectory of the one that wrote it last.
    const final = await finalOf(dir, list[0]!.r.trajectory);
    const agreeing = final ? list.filter((c) => c.r.answer === final.answer && c.r.stopReason === final.stopReason && c.r.turns === final.turns) : [];
    const chosen = agreeing[agreeing.length - 1];
    if (chosen) {
      kept.push(chosen);
      notes.push(
        `${RESULTS_FILE} has sample ${key} ${list.length} times, differing (lines ${lines}); line ${chosen.line} is kept: it agrees with ${chosen.r.trajectory}`,
      );
    } else {
      dropped++;
      notes.push(
        `${RESULTS_FILE} has sample ${key} ${list.length} times, differing (lines ${lines}), and none agrees with its sample folder; all set aside, the sample runs again`,
      );
    }
  }
  kept.sort((a, b) => a.line - b.line);
  const done = new Set(kept.map((c) => resultKey(c.r)));
  const entries = await fs.readdir(path.join(dir, SAMPLES_DIR)).catch(() => [] as string[]);
  const unfinished = entries.filter((name) => !done.has(name));
  if (unfinished.length)
    notes.push(
      `${unfinished.length} unfinished sample folder${unfinished.length === 1 ? '' : 's'} moved to ${ASIDE_DIR}/; ${unfinished.length === 1 ? 'it runs' : 'they run'} again`,
    );
  return {
    meta,
    results: kept.map((c) => c.r),
    ...(dropped ? { keep: new Set(kept.map((c) => c.line)) } : {}),
    ...(read.tail ? { tail: read.tail } : {}),
    unfinished,
    retried,
    notes,
  };
}

/**
 * Does what inspectResume decided, under the run's lock: the cut line kept in aside/ and cut
 * off, results.jsonl rewritten whole without the lines dropped (they go to
 * aside/results-dropped-*.jsonl), unfinished sample folders moved to aside/.
 */
export async function applyResume(dir: string, plan: ResumePlan): Promise<void> {
  const file = path.join(dir, RESULTS_FILE);
  const aside = path.join(dir, ASIDE_DIR);
  const when = stamp();
  if (plan.tail) {
    await fs.mkdir(aside, { recursive: true });
    // The cut line's bytes are kept as they are, however long, before the file is cut.
    await pipeline(createReadStream(file, { start: plan.tail.offset }), createWriteStream(path.join(aside, `results-cut-${when}.txt`), { flags: 'wx' }));
  }
  if (plan.keep) await rewriteResults(file, plan.keep, path.join(aside, `results-dropped-${when}.jsonl`), plan.tail?.offset);
  else if (plan.tail) await fs.truncate(file, plan.tail.offset);
  for (const name of plan.unfinished) await setSampleFolderAside(dir, name, when);
}

/**
 * Moves the sample folder `name` of the run in `dir` to aside/, whole, as `<name>-<when>`
 * (numbered when that is taken): kept, never deleted, and out of the way of the sample's
 * next run. Called under the run's lock, so nothing else moves folders meanwhile.
 */
export async function setSampleFolderAside(dir: string, name: string, when = stamp()): Promise<string> {
  const aside = path.join(dir, ASIDE_DIR);
  await fs.mkdir(aside, { recursive: true });
  for (let n = 0; ; n++) {
    const to = path.join(aside, n ? `${name}-${when}-${n}` : `${name}-${when}`);
    const taken = await fs.lstat(to).then(
      () => true,
      () => false,
    );
    if (taken) continue;
    await fs.rename(path.join(dir, SAMPLES_DIR, name), to);
    return to;
  }
}
