// The one call from `Glance-or-Gaze: Run Benchmark…` into the benchmark runner
// (`runBenchmark` in src/run/bench.ts, the same runner as `gog bench`): one run, one rollout a
// sample, no judge; a cancelled run keeps what finished and can be taken up with `gog bench --resume`.
import type { RunSummary } from '../data/results';
import { runBenchmark, type BenchOptions } from '../run/bench';
import type { RunSettings } from '../run/settingsSpec';
import { describeIndexing } from '../search/localCorpus';

/** The settings every sample runs with: the gog.* settings and the keys and folders of this window. */
export type BenchSettings = RunSettings & Pick<BenchOptions, 'apiKey' | 'searchKeys' | 'uploadEnv' | 'cacheDir' | 'indexDir'>;

export interface BenchRunOptions {
  /** The run folder to write: results.jsonl, summary.json, the samples' trajectories. */
  out: string;
  limit?: number;
  concurrency: number;
  settings: BenchSettings;
  /** The workspace folder, whose git commit the run records. */
  workspace?: string;
}

export interface BenchProgress {
  done: number;
  total: number;
  correct: number;
  /** Long work before samples can go on: the local corpus's image index being built. */
  note?: string;
}

export async function startBenchmark(
  dataset: string,
  options: BenchRunOptions,
  onProgress: (p: BenchProgress) => void,
  signal: AbortSignal,
): Promise<{ run: string; summary: RunSummary }> {
  let last: BenchProgress = { done: 0, total: 0, correct: 0 };
  const outcome = await runBenchmark(
    {
      ...options.settings,
      dataset,
      ...(options.workspace ? { workspace: options.workspace } : {}),
      ...(options.limit ? { limit: options.limit } : {}),
      concurrency: options.concurrency,
      resume: false,
      rollouts: 1,
      runDir: options.out,
    },
    {
      signal,
      onProgress: ({ done, total, correct }) => onProgress((last = { done, total, correct })),
      onIndexing: (p) => onProgress({ ...last, note: describeIndexing(p) }),
    },
  );
  return { run: outcome.runDir, summary: outcome.summary };
}
