// TODO(merge): replaced by the bench-core runner. This stub only declares the signature
// `GoG: Run Benchmark…` (src/extension/benchCommand.ts) is written against, so the command
// compiles on this branch; keep the runner's own module when merging, whole.
import type { RunSummary } from '../data/results';
import type { QuerySettings } from './runQuery';

/** The run settings of every sample: one query's settings less what each sample brings. */
export type BenchSettings = Omit<QuerySettings, 'image' | 'question' | 'gold' | 'runDir' | 'dataset' | 'sampleId' | 'note'>;

export interface BenchProgress {
  done: number;
  total: number;
  correct: number;
}

export interface BenchOptions {
  /** The dataset file (JSON, JSONL or Parquet). */
  dataset: string;
  /** The run folder to write: results.jsonl, summary.json, the samples' trajectories. */
  out: string;
  limit?: number;
  concurrency?: number;
  settings: BenchSettings;
  signal: AbortSignal;
  onProgress?: (p: BenchProgress) => void;
}

export async function runBenchmark(options: BenchOptions): Promise<{ run: string; summary: RunSummary }> {
  throw new Error(`the benchmark runner is not part of this build yet; cannot run ${options.dataset}`);
}
