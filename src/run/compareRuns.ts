// Benchmark run folders compared for `gog compare`: the samples, summary figures and paired
// significance of compareMessage (the same the Compare view shows), and for every sample
// the runs disagree on, the first step where each run that disagrees with the baseline
// parts from the baseline's trajectory, read from disk one sample at a time, each
// trajectory only from inside its run folder.
import { oneLine } from '../core/agent';
import { readTrajectory } from '../core/trajectoryFile';
import type { TrajectoryEvent } from '../core/trajectory';
import { firstDivergence } from '../data/compare';
import type { SampleResult } from '../data/results';
import { sampleTrajectory } from '../data/sampleFiles';
import type { Change, ComparePair, Divergence, PairedFigure, RunInfo, SummaryDelta } from '../shared/runsMessages';
import { compareMessage } from './reviewMessages';

/** A trajectory read to find a divergence; a bigger one is reported, not read. */
export const MAX_COMPARE_TRAJECTORY_BYTES = 64 * 1024 * 1024;

export interface RunDivergence {
  /** The run set against the baseline. */
  run: number;
  /** Where its trajectory and the baseline's first act differently (a: the baseline, b: this run), or why that could not be read. */
  divergence: Divergence | { error: string };
}

export interface ChangedSample {
  pair: ComparePair;
  /** One for each run whose verdict differs from the baseline's. */
  divergences: RunDivergence[];
}

export interface RunComparison {
  runs: RunInfo[];
  baseline: number;
  /** Samples of each kind of change that applies to this many runs (two: both_* and only_*; more: all_* and partial). */
  counts: Partial<Record<Change, number>>;
  deltas: SummaryDelta[];
  paired: PairedFigure[];
  bootstrap: { resamples: number; seed: number; level: number };
  regressions: ChangedSample[];
  improvements: ChangedSample[];
  /** Samples some run lacks, listed apart. */
  partial: ComparePair[];
  /** Broken lines of any results.jsonl, by run and line. */
  problems: string[];
}

const KINDS_OF_TWO: Change[] = ['regression', 'improvement', 'both_right', 'both_wrong', 'only_a', 'only_b'];
const KINDS_OF_MORE: Change[] = ['regression', 'improvement', 'all_right', 'all_wrong', 'partial'];

async function eventsOf(dir: string, r: SampleResult): Promise<TrajectoryEvent[]> {
  const file = await sampleTrajectory(dir, r.trajectory);
  return (await readTrajectory(file, { maxBytes: MAX_COMPARE_TRAJECTORY_BYTES })).events;
}

async function divergencesOf(dirs: readonly string[], row: (SampleResult | undefined)[], pair: ComparePair, baseline: number): Promise<RunDivergence[]> {
  const base = pair.sides[baseline]!.right;
  const runs = pair.sides.flatMap((s, run) => (run !== baseline && s && s.right !== base ? [run] : []));
  let baseEvents: Promise<TrajectoryEvent[]> | undefined;
  const out: RunDivergence[] = [];
  for (const run of runs) {
    try {
      baseEvents ??= eventsOf(dirs[baseline]!, row[baseline]!);
      const [x, y] = await Promise.all([baseEvents, eventsOf(dirs[run]!, row[run]!)]);
      out.push({ run, divergence: firstDivergence(x, y) });
    } catch (e) {
      out.push({ run, divergence: { error: oneLine(e) } });
      // The baseline's own trajectory may be what failed: try it again for the next run, to name the same error.
      baseEvents = undefined;
    }
  }
  return out;
}

export async function compareRuns(dirs: readonly string[], o: { baseline?: number; signal?: AbortSignal } = {}): Promise<RunComparison> {
  const { message, sources } = await compareMessage(dirs, { baseline: o.baseline ?? 0 });
  const kinds = dirs.length === 2 ? KINDS_OF_TWO : KINDS_OF_MORE;
  const counts: Partial<Record<Change, number>> = Object.fromEntries(kinds.map((k) => [k, 0]));
  const regressions: ChangedSample[] = [];
  const improvements: ChangedSample[] = [];
  // Dataset order within each kind, as the view lists them.
  const ordered = [...message.pairs].sort((x, y) => x.index - y.index || x.rollout - y.rollout || x.key - y.key);
  for (const pair of ordered) {
    counts[pair.change] = (counts[pair.change] ?? 0) + 1;
    if (pair.change !== 'regression' && pair.change !== 'improvement') continue;
    o.signal?.throwIfAborted();
    const changed = { pair, divergences: await divergencesOf(dirs, sources[pair.key]!, pair, message.baseline) };
    (pair.change === 'regression' ? regressions : improvements).push(changed);
  }
  return {
    runs: message.runs,
    baseline: message.baseline,
    counts,
    deltas: message.deltas,
    paired: message.paired,
    bootstrap: message.bootstrap,
    regressions,
    improvements,
    partial: ordered.filter((p) => p.change === 'only_a' || p.change === 'only_b' || p.change === 'partial'),
    problems: message.problems,
  };
}
