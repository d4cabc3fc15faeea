// A benchmark run's folder on disk (src/data/benchRun.ts describes what it holds): made new
// (absent or empty, never over other files), or taken up again by a resume. Resuming keeps
// every finished result and nothing else: a results line cut short by a kill is cut off
// (its text kept in aside/), and the folder of a sample with no result line (it was running
// when the run stopped) is moved to aside/, never written over, so the sample runs afresh.
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeNewFile } from '../core/files';
import { FolderFileRefused, readFolderFile } from '../core/folderFile';
import { ASIDE_DIR, BENCH_FILE, readBenchMeta, SAMPLES_DIR, type BenchMeta } from '../data/benchRun';
import { checkCreatable, FolderTaken } from '../data/emptyFolder';
import type { SampleResult } from '../data/results';
import { readResults, resultKey, RESULTS_FILE } from '../data/resultsLog';
import { parseJson } from '../core/json';

const LOCK_FILE = 'bench.lock';

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

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Claims the folder for this process. A lock left by a process of this machine that still
 * runs refuses; one left by a process that died (a kill), or by another machine (a
 * rescheduled pod), is taken over.
 */
export async function lockFolder(dir: string): Promise<() => Promise<void>> {
  const file = path.join(dir, LOCK_FILE);
  try {
    const bytes = await readFolderFile(dir, file, { maxBytes: 64 * 1024 });
    const held = (bytes ? parseJson(bytes.toString('utf8')) : {}) as { host?: unknown; pid?: unknown };
    if (held.host === os.hostname() && typeof held.pid === 'number' && held.pid !== process.pid && alive(held.pid))
      throw new BenchFolderError(`${dir} is being run by process ${held.pid} on this machine; wait for it or stop it first`);
  } catch (e) {
    if (e instanceof BenchFolderError) throw e;
    // no lock, or an unreadable one (a link out of the folder included): take it
  }
  // Removed first (a link is removed, never followed), then made anew: the lock is our own file.
  await fs.rm(file, { force: true });
  await writeNewFile(file, JSON.stringify({ host: os.hostname(), pid: process.pid, started: new Date().toISOString() }) + '\n');
  return () => fs.rm(file, { force: true });
}

function stamp(): string {
  return new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

export interface Resumed {
  meta: BenchMeta;
  /** Finished results, one per sample and rollout, in file order. */
  results: SampleResult[];
  /** What was set aside, for the user to hear of. */
  notes: string[];
}

/**
 * Takes up a run again: its record, its finished results (checked against the dataset's
 * samples by id), with cut lines and unfinished sample folders set aside.
 */
export async function resumeFolder(dir: string, idOf: (index: number) => string | undefined): Promise<Resumed> {
  const meta = await readBenchMeta(dir).catch((e: Error) => {
    throw new BenchFolderError(e.message);
  });
  const file = path.join(dir, RESULTS_FILE);
  const read = await readResults(file).catch((e: unknown) => {
    throw e instanceof FolderFileRefused ? new BenchFolderError(`cannot resume ${dir}: ${e.message}`) : e;
  });
  const notes: string[] = [];
  const aside = path.join(dir, ASIDE_DIR);
  // What a resume writes into and moves between must be the run's own folders, never links elsewhere.
  for (const sub of [ASIDE_DIR, SAMPLES_DIR]) {
    const st = await fs.lstat(path.join(dir, sub)).catch(() => undefined);
    if (st && !st.isDirectory())
      throw new BenchFolderError(
        `cannot resume ${dir}: ${sub} is ${st.isSymbolicLink() ? 'a symbolic link' : 'not a folder'}; it must be the run's own folder`,
      );
  }
  const when = stamp();
  if (read.tail) {
    await fs.mkdir(aside, { recursive: true });
    // The cut line's bytes are kept as they are, however long, before the file is cut.
    await pipeline(createReadStream(file, { start: read.tail.offset }), createWriteStream(path.join(aside, `results-cut-${when}.txt`), { flags: 'wx' }));
    await fs.truncate(file, read.tail.offset);
    notes.push(`the last line of ${RESULTS_FILE} was cut short; it was cut off (kept in ${ASIDE_DIR}/) and its sample runs again`);
  }
  for (const p of read.problems) notes.push(`${RESULTS_FILE}:${p.line}: ${p.message} (ignored; that sample runs again)`);
  const done = new Map<string, SampleResult>();
  for (const r of read.results) {
    const expected = idOf(r.index);
    if (expected === undefined || expected !== r.id)
      throw new BenchFolderError(
        `${RESULTS_FILE} has sample ${r.index} as "${r.id}" but the dataset's sample ${r.index} is ${expected === undefined ? 'not in this run' : `"${expected}"`}; the dataset changed since the run started`,
      );
    const key = resultKey(r);
    if (done.has(key)) notes.push(`${RESULTS_FILE} has sample ${key} twice; the first is kept`);
    else done.set(key, r);
  }
  const samplesDir = path.join(dir, SAMPLES_DIR);
  const entries = await fs.readdir(samplesDir).catch(() => [] as string[]);
  let moved = 0;
  for (const name of entries) {
    if (done.has(name)) continue;
    await fs.mkdir(aside, { recursive: true });
    await fs.rename(path.join(samplesDir, name), path.join(aside, `${name}-${when}`));
    moved++;
  }
  if (moved) notes.push(`${moved} unfinished sample folder${moved === 1 ? '' : 's'} moved to ${ASIDE_DIR}/; ${moved === 1 ? 'it runs' : 'they run'} again`);
  return { meta, results: [...done.values()], notes };
}
