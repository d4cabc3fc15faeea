// The one call from `Glance-or-Gaze: Run Benchmark…` into the benchmark runner.
// TODO(merge): the runner (`runBenchmark` in src/run/bench.ts) is written on the bench-core
// branch; at merge, replace this function's body with a call to it (dataset → options.dataset,
// onProgress, signal) and keep its signature. Until then it refuses with a clear message.
import type { RunSummary } from '../data/results';
import type { QuerySettings } from '../run/runQuery';

/** The settings every sample runs with: one query's settings less what each sample brings. */
export type BenchSettings = Omit<QuerySettings, 'image' | 'question' | 'gold' | 'runDir' | 'dataset' | 'sampleId' | 'note'>;

export interface BenchRunOptions {
  /** The run folder to write: results.jsonl, summary.json, the samples' trajectories. */
  out: string;
  limit?: number;
  concurrency: number;
  settings: BenchSettings;
}

export interface BenchProgress {
  done: number;
  total: number;
  correct: number;
}

export async function startBenchmark(
  dataset: string,
  options: BenchRunOptions,
  onProgress: (p: BenchProgress) => void,
  signal: AbortSignal,
): Promise<{ run: string; summary: RunSummary }> {
  void onProgress;
  signal.throwIfAborted();
  await Promise.resolve();
  throw new Error(`the benchmark runner is not part of this build yet; cannot run ${dataset} into ${options.out}`);
}
