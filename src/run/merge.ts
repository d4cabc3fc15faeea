// `gog merge`: the shard folders of one run (each from its own machine or pod) made one run
// folder, as if it had run in one place: the results of every shard (sorted), each sample's
// folder (hard links where the file system allows, else copies), one bench.json and a
// summary. Runs that are not shards of one run (another dataset, other settings), or that
// hold a sample twice, are refused in one line.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { BENCH_FILE, buildSummary, mismatch, PROMPTS_DIR, readBenchMeta, SAMPLES_DIR, writeQueries, writeSummary, type BenchMeta } from '../data/benchRun';
import { writeFileAtomic } from '../data/atomicFile';
import { queryLevels } from '../data/levels';
import type { RunSummary, SampleResult } from '../data/results';
import { readResults, resultKey, RESULTS_FILE } from '../data/resultsLog';
import { folderState } from './benchFolder';

export class MergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MergeError';
  }
}

/** Links (or copies) a folder's regular files into `to`; links inside it are not followed, nor copied. */
async function linkTree(from: string, to: string): Promise<void> {
  await fs.mkdir(to, { recursive: true });
  for (const entry of await fs.readdir(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (entry.isDirectory()) await linkTree(src, dst);
    else if (entry.isFile()) {
      try {
        await fs.link(src, dst);
      } catch {
        await fs.copyFile(src, dst);
      }
    }
  }
}

export interface MergeOutcome {
  runDir: string;
  summary: RunSummary;
  /** Things worth knowing that did not stop the merge (a shard missing, a shard unfinished). */
  notes: string[];
}

export async function mergeRuns(dirs: readonly string[], out: string): Promise<MergeOutcome> {
  if (!dirs.length) throw new MergeError('give the shard folders to merge');
  const runs: { dir: string; meta: BenchMeta; results: SampleResult[]; problems: string[] }[] = [];
  for (const dir of dirs) {
    let meta: BenchMeta;
    try {
      meta = await readBenchMeta(dir);
    } catch (e) {
      throw new MergeError((e as Error).message);
    }
    const read = await readResults(path.join(dir, RESULTS_FILE));
    runs.push({
      dir,
      meta,
      results: read.results,
      problems: read.problems.map((p) => `${path.join(dir, RESULTS_FILE)} line ${p.line}: ${p.message}; skipped`),
    });
  }
  const first = runs[0]!;
  for (const r of runs.slice(1)) {
    const differs = mismatch(first.meta, r.meta);
    if (differs) throw new MergeError(`cannot merge ${first.dir} and ${r.dir}: ${differs}`);
  }
  // A line that is not a result (broken, or nested too deep to handle) is named, not merged.
  const notes: string[] = runs.flatMap((r) => r.problems);
  const count = first.meta.shard?.count ?? 1;
  const seenShards = new Map<number, string>();
  for (const r of runs) {
    const index = r.meta.shard?.index ?? 0;
    const other = seenShards.get(index);
    if (other !== undefined) throw new MergeError(`cannot merge: ${other} and ${r.dir} are both shard ${index} of ${count}`);
    seenShards.set(index, r.dir);
  }
  const owner = new Map<string, string>();
  const results: SampleResult[] = [];
  for (const r of runs) {
    for (const res of r.results) {
      const key = resultKey(res);
      const other = owner.get(key);
      if (other !== undefined) throw new MergeError(`cannot merge: sample ${key} is in both ${other} and ${r.dir}`);
      owner.set(key, r.dir);
      results.push(res);
    }
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !seenShards.has(i));
  if (missing.length)
    notes.push(
      `shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${count} ${missing.length > 1 ? 'are' : 'is'} not among the folders: the merged run lacks their samples`,
    );
  for (const r of runs) {
    const expected = r.meta.samples * r.meta.rollouts;
    if (r.results.length < expected)
      notes.push(`${r.dir} is unfinished (${r.results.length} of ${expected} done); run it again with --resume, then merge again`);
  }

  const state = await folderState(out).catch((e: Error) => {
    throw new MergeError(e.message);
  });
  if (state === 'run' || state === 'other') throw new MergeError(`${out} is not empty; the merged run goes into a new or empty folder`);
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
  // Everything that could fail on the records themselves happens before the folder is made.
  const metaText = JSON.stringify(meta, null, 2) + '\n';
  const resultsText = results.map((r) => JSON.stringify(r) + '\n').join('');
  const summary = buildSummary(meta, results, { finished: results.length === meta.samples * meta.rollouts });
  const threshold = typeof meta.settings.hardPassRate === 'number' ? meta.settings.hardPassRate : 0.5;
  const levels = queryLevels(results, threshold);

  let made: string | undefined;
  try {
    made = await fs.mkdir(path.join(out, SAMPLES_DIR), { recursive: true });
    await writeMerged(runs, out, first.dir, metaText, resultsText, summary, levels);
  } catch (e) {
    // No half-made merged run is left behind: what this merge made goes (the folder was new or empty).
    if (made) await removeMade(out, made);
    throw e;
  }
  return { runDir: out, summary, notes };
}

/** Removes what a failed merge made: the folders mkdir made, or, when `out` was there (empty), what it now holds. */
async function removeMade(out: string, made: string): Promise<void> {
  if (made !== path.join(out, SAMPLES_DIR)) return fs.rm(made, { recursive: true, force: true });
  for (const name of await fs.readdir(out).catch(() => [])) await fs.rm(path.join(out, name), { recursive: true, force: true });
}

async function writeMerged(
  runs: readonly { dir: string; results: SampleResult[] }[],
  out: string,
  firstDir: string,
  metaText: string,
  resultsText: string,
  summary: RunSummary,
  levels: ReturnType<typeof queryLevels>,
): Promise<void> {
  await fs.writeFile(path.join(out, BENCH_FILE), metaText, { flag: 'wx' });
  for (const r of runs) {
    for (const res of r.results) {
      const name = `${res.index}-${res.rollout}`;
      const from = path.join(r.dir, SAMPLES_DIR, name);
      if (
        await fs.stat(from).then(
          (s) => s.isDirectory(),
          () => false,
        )
      )
        await linkTree(from, path.join(out, SAMPLES_DIR, name));
    }
  }
  const prompts = path.join(firstDir, PROMPTS_DIR);
  if (
    await fs.stat(prompts).then(
      (s) => s.isDirectory(),
      () => false,
    )
  )
    await linkTree(prompts, path.join(out, PROMPTS_DIR));
  await writeFileAtomic(path.join(out, RESULTS_FILE), resultsText);
  await writeSummary(out, summary);
  await writeQueries(out, levels);
}
