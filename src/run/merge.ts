// `gog merge`: the shard folders of one run (each from its own machine or pod) made one run
// folder, as if it had run in one place: the results of every shard (sorted), each sample's
// folder (hard links where the file system allows, else copies), one bench.json and a
// summary. Runs that are not shards of one run (another dataset, other settings), or that
// hold a sample twice with different results, are refused in one line (the same result twice,
// as two processes on one shard may leave it, is merged once). The merged run appears whole
// or not at all. A merge that lacks samples (a shard missing or unfinished, samples that
// ended in an endpoint error) says INCOMPLETE and what is missing, and its summary says
// finished: false; the command exits 1 for it unless --allow-partial.
import { constants as fsConstants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { untilAborted } from '../core/abortable';
import { writeFailed, writeNewFile } from '../core/files';
import { FolderFileRefused, isInside } from '../core/folderFile';
import { checkEmptyFolder, FolderTaken } from '../data/emptyFolder';
import { StagedFolder } from '../data/stagedFolder';
import { BENCH_FILE, buildSummary, mismatch, PROMPTS_DIR, readBenchMeta, SAMPLES_DIR, writeQueries, writeSummary, type BenchMeta } from '../data/benchRun';
import { writeFileAtomic } from '../core/atomicFile';
import { queryLevels } from '../data/levels';
import { isEndpointError, type RunSummary, type SampleResult } from '../data/results';
import { readResults, resultKey, RESULTS_FILE } from '../data/resultsLog';

export class MergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MergeError';
  }
}

/**
 * Links (or copies) a folder's regular files into `to`; links inside it are not followed, nor
 * copied. `from` itself must be a folder (not a link to one) whose real path is inside `root`
 * (the shard's run folder), so a shard from someone else cannot bring files from elsewhere.
 */
async function linkTree(root: string, from: string, to: string, signal: AbortSignal | undefined): Promise<string | undefined> {
  signal?.throwIfAborted();
  const stat = await fs.lstat(from).catch(() => undefined);
  if (!stat) return undefined;
  const real = await fs.realpath(from).catch(() => undefined);
  if (stat.isSymbolicLink() || !real || !isInside(root, real)) return `${from} is a link, not a folder of the run; its files are not merged`;
  if (!stat.isDirectory()) return undefined;
  await fs.mkdir(to, { recursive: true });
  for (const entry of await fs.readdir(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (entry.isDirectory()) await linkTree(root, src, dst, signal);
    else if (entry.isFile()) {
      try {
        await fs.link(src, dst);
      } catch {
        await fs.copyFile(src, dst, fsConstants.COPYFILE_EXCL).catch((e: unknown) => Promise.reject(writeFailed(e, dst)));
      }
    }
  }
  return undefined;
}

export interface MergeOutcome {
  runDir: string;
  summary: RunSummary;
  /** Things worth knowing that did not stop the merge (a sample merged once of two identical copies, a line skipped). */
  notes: string[];
  /** What the merged run lacks, in one line (shards missing, samples unfinished, endpoint errors); undefined when it is whole. */
  incomplete?: string;
}

/**
 * Merges the shard folders `dirs` into `out` (new or empty). The merged run appears whole or
 * not at all: it is written beside `out` and renamed into place (stagedFolder.ts), and a
 * signal or a failure leaves `out` as it was. Files of a shard are read only inside its
 * folder (folderFile.ts): a results.jsonl that links elsewhere is not read, and is noted.
 */
export async function mergeRuns(dirs: readonly string[], out: string, signal?: AbortSignal): Promise<MergeOutcome> {
  if (!dirs.length) throw new MergeError('give the shard folders to merge');
  try {
    await checkEmptyFolder(out, 'merged run');
  } catch (e) {
    if (e instanceof FolderTaken) throw new MergeError(e.message);
    throw e;
  }
  const notes: string[] = [];
  const runs: { dir: string; real: string; meta: BenchMeta; results: SampleResult[]; lines: number[] }[] = [];
  for (const dir of dirs) {
    signal?.throwIfAborted();
    let meta: BenchMeta;
    try {
      meta = await readBenchMeta(dir);
    } catch (e) {
      throw new MergeError((e as Error).message);
    }
    let results: SampleResult[] = [];
    let lines: number[] = [];
    try {
      const read = await untilAborted(readResults(path.join(dir, RESULTS_FILE)), signal);
      results = read.results;
      lines = read.lines;
      // A line that is not a result (broken, or nested too deep to handle) is named, not merged.
      for (const p of read.problems) notes.push(`${path.join(dir, RESULTS_FILE)} line ${p.line}: ${p.message}; skipped`);
    } catch (e) {
      if (!(e instanceof FolderFileRefused)) throw e;
      notes.push(`${dir}: ${e.message}; its results are left out`);
    }
    runs.push({ dir, real: await fs.realpath(dir), meta, results, lines });
  }
  const first = runs[0]!;
  for (const r of runs.slice(1)) {
    const differs = mismatch(first.meta, r.meta);
    if (differs) throw new MergeError(`cannot merge ${first.dir} and ${r.dir}: ${differs}`);
  }
  const count = first.meta.shard?.count ?? 1;
  const seenShards = new Map<number, string>();
  for (const r of runs) {
    const index = r.meta.shard?.index ?? 0;
    const other = seenShards.get(index);
    if (other !== undefined) throw new MergeError(`cannot merge: ${other} and ${r.dir} are both shard ${index} of ${count}`);
    seenShards.set(index, r.dir);
  }
  // Each sample once: a second copy that is the same result (two processes ran the shard) is merged once; one that differs is refused, naming both.
  const owner = new Map<string, { dir: string; line: number; text: string }>();
  const results: SampleResult[] = [];
  /** Each run's own results, each sample once. */
  const merged = new Map<(typeof runs)[number], SampleResult[]>();
  for (const r of runs) {
    const own: SampleResult[] = [];
    for (const [i, res] of r.results.entries()) {
      const key = resultKey(res);
      const line = r.lines[i] ?? 0;
      const text = JSON.stringify(res);
      const other = owner.get(key);
      if (other !== undefined) {
        const where = (o: { dir: string; line: number }) => `${path.join(o.dir, RESULTS_FILE)} line ${o.line}`;
        if (other.text !== text)
          throw new MergeError(
            other.dir === r.dir
              ? `cannot merge: sample ${key} is in ${path.join(r.dir, RESULTS_FILE)} twice with different results (lines ${other.line} and ${line}): two processes ran it; gog bench --resume on that shard keeps one`
              : `cannot merge: sample ${key} differs between ${r.dir} and ${other.dir}; they are two runs of it, not shards of one run (${where(other)}, ${where({ dir: r.dir, line })})`,
          );
        notes.push(`sample ${key} is in ${where(other)} and ${where({ dir: r.dir, line })}, the same result; merged once`);
        continue;
      }
      owner.set(key, { dir: r.dir, line, text });
      own.push(res);
      results.push(res);
    }
    merged.set(r, own);
  }
  // What the merged run lacks, said in one line.
  const lacking: string[] = [];
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !seenShards.has(i));
  if (missing.length) lacking.push(`shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${count} missing (no folder given)`);
  let errors = 0;
  for (const r of runs) {
    const own = merged.get(r) ?? [];
    const expected = r.meta.samples * r.meta.rollouts;
    const failed = own.filter(isEndpointError).length;
    errors += failed;
    const final = own.length - failed;
    if (final < expected)
      lacking.push(`${r.dir} has ${expected - final} of ${expected} without a final result${failed ? ` (${failed} ended in an endpoint error)` : ''}`);
  }

  const { shard: _shard, ...rest } = first.meta;
  const meta: BenchMeta = {
    ...rest,
    started: runs.map((r) => r.meta.started).sort()[0]!,
    samples: first.meta.samples === 0 && count === 1 ? 0 : runs.reduce((n, r) => n + r.meta.samples, 0),
    endpoints: [...new Set(runs.flatMap((r) => r.meta.endpoints))],
    mergedFrom: runs.map((r) => ({ dir: path.resolve(r.dir), shard: r.meta.shard ?? null })),
  };
  // Every sample of the run, not only the shards given: a missing shard leaves its samples undone.
  if (missing.length) {
    const total = Math.min(first.meta.limit ?? first.meta.dataset.samples, first.meta.dataset.samples);
    meta.samples = total;
  }
  results.sort((a, b) => a.index - b.index || a.rollout - b.rollout);

  let staged: StagedFolder;
  try {
    staged = await StagedFolder.begin(out, 'merged run');
  } catch (e) {
    if (e instanceof FolderTaken) throw new MergeError(e.message);
    throw e;
  }
  const work = staged.dir;
  let summary: RunSummary;
  try {
    await fs.mkdir(path.join(work, SAMPLES_DIR));
    await writeNewFile(path.join(work, BENCH_FILE), JSON.stringify(meta, null, 2) + '\n');
    for (const r of runs) {
      for (const res of merged.get(r) ?? []) {
        const name = `${res.index}-${res.rollout}`;
        const refused = await linkTree(r.real, path.join(r.dir, SAMPLES_DIR, name), path.join(work, SAMPLES_DIR, name), signal);
        if (refused) notes.push(refused);
      }
    }
    const refused = await linkTree(first.real, path.join(first.dir, PROMPTS_DIR), path.join(work, PROMPTS_DIR), signal);
    if (refused) notes.push(refused);
    await writeFileAtomic(path.join(work, RESULTS_FILE), results.map((r) => JSON.stringify(r) + '\n').join(''));
    const total = meta.samples * meta.rollouts;
    if (!lacking.length && results.length - errors !== total) lacking.push(`${results.length - errors} final results of the ${total} the run holds`);
    summary = buildSummary(meta, results, { finished: lacking.length === 0 });
    await writeSummary(work, summary);
    const threshold = typeof meta.settings.hardPassRate === 'number' ? meta.settings.hardPassRate : 0.5;
    await writeQueries(work, queryLevels(results, threshold));
    signal?.throwIfAborted();
    await staged.commit();
  } catch (e) {
    await staged.discard();
    if (e instanceof FolderTaken) throw new MergeError(e.message);
    throw e;
  }
  const incomplete = lacking.length
    ? `INCOMPLETE: ${lacking.join('; ')}; the merged run has ${results.length - errors} of ${meta.samples * meta.rollouts} final results (summary.json: finished false)`
    : undefined;
  return { runDir: out, summary, notes, ...(incomplete ? { incomplete } : {}) };
}
