// A benchmark run folder as the runner writes it and the review views, `gog merge`,
// `gog compare` and `gog export-rl` read it:
//   bench.json      what was run: the dataset (path, hash, layout, the records that did not
//                   load), limit, shard, rollouts, the settings that decide results, the
//                   judge, the prompts (written once)
//   results.jsonl   one line per finished sample and rollout (results.ts)
//   summary.json    the figures, rewritten atomically as results come in
//   samples/<index>-<rollout>/   each sample's run folder (trajectory.jsonl, images…)
//   prompts/        a copy of the prompt files used, when there were any
//   aside/          what a resume set aside: unfinished sample folders, a cut last line,
//                   result lines it dropped (duplicates, endpoint errors: results-dropped-*.jsonl)
//   bench.lock/     the process running the run now (benchLock.ts)
// A sharded run is a folder of shard folders, shard-I-of-N/, each one the above, beside its
// plan, shards.json (shardPlan.ts).
import * as path from 'node:path';
import { z } from 'zod';
import { FolderFileRefused, readFolderFile } from '../core/folderFile';
import { writeFileAtomic } from '../core/atomicFile';
import { queryLevels, type QueryLevel } from './levels';
import { groupSummarySchema, isEndpointError, isSampleError, summarize, summarySchema, type RunSummary, type SampleResult } from './results';
import { readResults, RESULTS_FILE } from './resultsLog';
import { jsonProblem, parseJson } from '../core/json';

export const BENCH_FILE = 'bench.json';
/** bench.json and summary.json are read whole: a few KB to a few MB (bench.json lists up to 1,000 problems). */
const MAX_RUN_JSON_BYTES = 64 * 1024 * 1024;
export const SUMMARY_FILE = 'summary.json';
export const SAMPLES_DIR = 'samples';
export const ASIDE_DIR = 'aside';
export const PROMPTS_DIR = 'prompts';
export const QUERIES_FILE = 'queries.jsonl';

const shardSchema = z.looseObject({ index: z.number().int().min(0), count: z.number().int().min(1) });
export type Shard = z.infer<typeof shardSchema>;

export const benchMetaSchema = z.looseObject({
  kind: z.literal('gog-bench'),
  schema: z.literal(1),
  started: z.string(),
  dataset: z.looseObject({
    file: z.string(),
    sha256: z.string(),
    format: z.string(),
    layout: z.string(),
    map: z.record(z.string(), z.string()).optional(),
    /** Records read, and samples they yielded (before the shard): the whole file's, or up to the limit's need. */
    records: z.number().int().min(0),
    samples: z.number().int().min(0),
    /** Reading stopped at the limit (the file may hold more). */
    partial: z.boolean().optional(),
    /** Records that yielded no sample: where, and why (the first 1,000). */
    problems: z.array(z.looseObject({ where: z.string(), message: z.string() })),
    problemCount: z.number().int().min(0),
    /**
     * Of those, by benchmark, the records its own measure scores 0 though no agent can run
     * them (MMSearch's text-only queries): its headline counts them.
     */
    notRun: z.record(z.string(), z.number().int().min(0)).optional(),
    /** The measure `--scorer` chose instead of the layout's. */
    scorer: z.string().optional(),
    /** The other folder images were looked for in (`--images`). */
    images: z.string().optional(),
  }),
  limit: z.number().int().min(1).nullable(),
  shard: shardSchema.optional(),
  rollouts: z.number().int().min(1),
  /** Samples this run holds (after limit and shard). */
  samples: z.number().int().min(0),
  /** The settings that decide results: runs compared, merged or resumed must agree on them. */
  settings: z.record(z.string(), z.unknown()),
  /** Where the model was asked (no credentials); shards may differ. */
  endpoints: z.array(z.string()),
  judge: z.looseObject({ endpoint: z.string(), model: z.string() }).optional(),
  prompts: z.looseObject({ source: z.string(), sha256: z.string().optional() }),
  tools: z.record(z.string(), z.string()),
  /** The commit of the workspace the run was started from (gitHead.ts), when it is a git repository. */
  workspace: z.looseObject({ commit: z.string(), branch: z.string().optional() }).optional(),
});
export type BenchMeta = z.infer<typeof benchMetaSchema>;

export class BenchRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchRunError';
  }
}

export async function readBenchMeta(dir: string): Promise<BenchMeta> {
  const file = path.join(dir, BENCH_FILE);
  let text: string;
  try {
    const bytes = await readFolderFile(dir, file, { maxBytes: MAX_RUN_JSON_BYTES });
    if (!bytes) throw new BenchRunError(`${dir} is not a benchmark run (no ${BENCH_FILE})`);
    text = bytes.toString('utf8');
  } catch (e) {
    if (e instanceof BenchRunError) throw e;
    if (e instanceof FolderFileRefused) throw new BenchRunError(`${dir}: ${e.message}`);
    throw new BenchRunError(`${dir} is not a benchmark run (no readable ${BENCH_FILE}: ${(e as Error).message})`);
  }
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (e) {
    throw new BenchRunError(`${file} is ${jsonProblem(e)}`);
  }
  const r = benchMetaSchema.safeParse(value);
  if (!r.success) throw new BenchRunError(`${file} is not a benchmark run's record: ${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message}`);
  return r.data;
}

/**
 * What differs between two runs that should agree (a resume and its run, the shards of one
 * run), in one line, or undefined when they agree. Shard indices are left to the caller.
 */
export function mismatch(a: BenchMeta, b: BenchMeta): string | undefined {
  if (a.dataset.sha256 !== b.dataset.sha256)
    return `the datasets differ (${path.basename(a.dataset.file)} ${a.dataset.sha256.slice(0, 12)} vs ${path.basename(b.dataset.file)} ${b.dataset.sha256.slice(0, 12)})`;
  if (a.dataset.layout !== b.dataset.layout || JSON.stringify(a.dataset.map ?? {}) !== JSON.stringify(b.dataset.map ?? {}))
    return 'the datasets were read in different layouts';
  if ((a.dataset.scorer ?? '') !== (b.dataset.scorer ?? ''))
    return `the scorers differ (${a.dataset.scorer ?? 'the layout’s'} vs ${b.dataset.scorer ?? 'the layout’s'})`;
  if (a.limit !== b.limit) return `the limits differ (${a.limit ?? 'none'} vs ${b.limit ?? 'none'})`;
  if (a.rollouts !== b.rollouts) return `the rollouts differ (${a.rollouts} vs ${b.rollouts})`;
  if ((a.shard?.count ?? 1) !== (b.shard?.count ?? 1)) return `the shard counts differ (${a.shard?.count ?? 1} vs ${b.shard?.count ?? 1})`;
  for (const key of new Set([...Object.keys(a.settings), ...Object.keys(b.settings)])) {
    if (JSON.stringify(a.settings[key]) !== JSON.stringify(b.settings[key]))
      return `the setting ${key} differs (${JSON.stringify(a.settings[key])} vs ${JSON.stringify(b.settings[key])})`;
  }
  if (a.judge?.model !== b.judge?.model) return `the judges differ (${a.judge?.model ?? 'none'} vs ${b.judge?.model ?? 'none'})`;
  if (a.prompts.sha256 !== b.prompts.sha256) return 'the prompts differ';
  return undefined;
}

/** The summary of a run's results: all, by benchmark, by category, with pass-rate levels when there are rollouts. */
export function buildSummary(meta: BenchMeta, results: readonly SampleResult[], extra: { finished: boolean }): RunSummary {
  // The whole file's unrunnable records count in a whole run (or a merged one), not in a shard's own summary.
  const notRun = (benchmark: string) => (meta.shard ? 0 : (meta.dataset.notRun?.[benchmark] ?? 0));
  const group = (key: (r: SampleResult) => string | undefined, unrun: (k: string) => number = () => 0) => {
    const groups = new Map<string, SampleResult[]>();
    for (const r of results) {
      const k = key(r);
      if (k === undefined) continue;
      let list = groups.get(k);
      if (!list) groups.set(k, (list = []));
      list.push(r);
    }
    return Object.fromEntries([...groups].sort(([a], [b]) => a.localeCompare(b)).map(([k, rs]) => [k, summarize(rs, unrun(k))]));
  };
  const byBenchmark = group((r) => r.benchmark, notRun);
  const benchmarks = Object.keys(byBenchmark);
  const headlines = Object.values(byBenchmark).flatMap((g) => (g.official ? [g.official.score] : []));
  const threshold = typeof meta.settings.hardPassRate === 'number' ? meta.settings.hardPassRate : 0.5;
  const levels = queryLevels(results, threshold);
  return {
    run: {
      dataset: meta.dataset.file,
      started: meta.started,
      ...(meta.shard ? { shard: meta.shard } : {}),
      rollouts: meta.rollouts,
      ...(meta.judge ? { judge: meta.judge.model } : {}),
    },
    samples: meta.samples,
    done: results.length,
    finished: extra.finished,
    errors: results.filter(isEndpointError).length,
    sampleErrors: results.filter(isSampleError).length,
    problems: meta.dataset.problemCount,
    all: summarize(results, benchmarks.length === 1 ? notRun(benchmarks[0]!) : 0),
    byBenchmark,
    // The papers' "Avg" column: the mean of the benchmarks' own headlines.
    ...(headlines.length > 1 && headlines.length === benchmarks.length
      ? { officialAverage: { score: headlines.reduce((a, b) => a + b, 0) / headlines.length, benchmarks: headlines.length } }
      : {}),
    byCategory: group((r) => r.category),
    levels: {
      threshold,
      queries: levels.length,
      level1: levels.filter((l) => l.level === 1).length,
      level2: levels.filter((l) => l.level === 2).length,
    },
  };
}

export async function writeSummary(dir: string, summary: RunSummary): Promise<void> {
  await writeFileAtomic(path.join(dir, SUMMARY_FILE), JSON.stringify(summary, null, 2) + '\n');
}

export async function writeQueries(dir: string, levels: readonly QueryLevel[]): Promise<void> {
  await writeFileAtomic(path.join(dir, QUERIES_FILE), levels.map((l) => JSON.stringify(l)).join('\n') + (levels.length ? '\n' : ''));
}

/** summary.json when it is there and reads; a link out of the folder is not read (undefined). */
export async function readSummary(dir: string): Promise<RunSummary | undefined> {
  try {
    const bytes = await readFolderFile(dir, path.join(dir, SUMMARY_FILE), { maxBytes: MAX_RUN_JSON_BYTES });
    if (!bytes) return undefined;
    const r = summarySchema.safeParse(parseJson(bytes.toString('utf8')));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

/** Everything a review view needs of a run: what was run, its results (and lines that did not read), its summary. */
export async function readBenchRun(
  dir: string,
): Promise<{ meta: BenchMeta; results: SampleResult[]; problems: { line: number; message: string }[]; summary: RunSummary }> {
  const meta = await readBenchMeta(dir);
  const read = await readResults(path.join(dir, RESULTS_FILE));
  const problems = [...read.problems, ...(read.tail ? [{ line: -1, message: 'the last line was cut short (the run was stopped while writing it)' }] : [])];
  const summary = (await readSummary(dir)) ?? buildSummary(meta, read.results, { finished: false });
  return { meta, results: read.results, problems, summary };
}

export { groupSummarySchema };
