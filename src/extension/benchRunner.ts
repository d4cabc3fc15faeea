// The one call from `Glance-or-Gaze: Run Benchmark…` into the benchmark runner
// (`runBenchmark` in src/run/bench.ts, the same runner as `gog bench`) with the choices made
// (src/run/benchChoices.ts): concurrency, limit, shard, rollouts, judge, map, a run to take up.
// A cancelled run keeps what finished and can be taken up again (Resume in Run Benchmark…).
import type { RunSummary } from '../data/results';
import { runBenchmark, type BenchOptions } from '../run/bench';
import { benchOptionsOf, type BenchChoices } from '../run/benchChoices';
import type { RunSettings } from '../run/settingsSpec';
import { describeIndexing } from '../search/localCorpus';

/** The settings every sample runs with: the gog.* settings and the keys and folders of this window. */
export type BenchSettings = RunSettings & Pick<BenchOptions, 'apiKey' | 'searchKeys' | 'uploadEnv' | 'cacheDir' | 'indexDir'>;

export interface BenchRunOptions {
  /** A new run's folder (results.jsonl, summary.json, the samples' trajectories); a resume writes the run it takes up. */
  out: string;
  choices: BenchChoices;
  /** The judge's own key (SecretStorage, else GOG_JUDGE_API_KEY): sent to the judge only. */
  judgeKey?: string;
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
      ...benchOptionsOf(options.choices, options.out, options.judgeKey),
    },
    {
      signal,
      onProgress: ({ done, total, correct }) => onProgress((last = { done, total, correct })),
      onIndexing: (p) => onProgress({ ...last, note: describeIndexing(p) }),
    },
  );
  return { run: outcome.runDir, summary: outcome.summary };
}
