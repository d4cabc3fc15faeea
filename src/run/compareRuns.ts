// Two benchmark run folders compared for `gog compare`: the pairs and summary deltas of
// compareMessage (the same the Compare view shows), and for every sample that changed
// (a regression or an improvement) the first step where its two trajectories diverge,
// read from disk one pair at a time, each trajectory only from inside its run folder.
import { oneLine } from '../core/agent';
import { readTrajectory } from '../core/trajectoryFile';
import { firstDivergence } from '../data/compare';
import { sampleTrajectory } from '../data/sampleFiles';
import type { ComparePair, Divergence, RunInfo, SummaryDelta } from '../shared/runsMessages';
import { compareMessage } from './reviewMessages';

/** A trajectory read to find a divergence; a bigger one is reported, not read. */
export const MAX_COMPARE_TRAJECTORY_BYTES = 64 * 1024 * 1024;

export interface ChangedSample {
  pair: ComparePair;
  /** Where the two trajectories first act differently, or why that could not be read. */
  divergence: Divergence | { error: string };
}

export interface RunComparison {
  a: RunInfo;
  b: RunInfo;
  counts: Record<ComparePair['change'], number>;
  deltas: SummaryDelta[];
  regressions: ChangedSample[];
  improvements: ChangedSample[];
  onlyA: ComparePair[];
  onlyB: ComparePair[];
  /** Broken lines of either results.jsonl, by run and line. */
  problems: string[];
}

async function divergenceOf(dirA: string, dirB: string, relA: string, relB: string): Promise<ChangedSample['divergence']> {
  try {
    const [fa, fb] = await Promise.all([sampleTrajectory(dirA, relA), sampleTrajectory(dirB, relB)]);
    const [ta, tb] = await Promise.all([
      readTrajectory(fa, { maxBytes: MAX_COMPARE_TRAJECTORY_BYTES }),
      readTrajectory(fb, { maxBytes: MAX_COMPARE_TRAJECTORY_BYTES }),
    ]);
    return firstDivergence(ta.events, tb.events);
  } catch (e) {
    return { error: oneLine(e) };
  }
}

export async function compareRuns(dirA: string, dirB: string, signal?: AbortSignal): Promise<RunComparison> {
  const { message, sources } = await compareMessage(dirA, dirB);
  const counts = { regression: 0, improvement: 0, both_right: 0, both_wrong: 0, only_a: 0, only_b: 0 };
  const regressions: ChangedSample[] = [];
  const improvements: ChangedSample[] = [];
  for (const pair of message.pairs) {
    counts[pair.change]++;
    if (pair.change !== 'regression' && pair.change !== 'improvement') continue;
    signal?.throwIfAborted();
    const { a, b } = sources[pair.key]!;
    const changed = { pair, divergence: await divergenceOf(dirA, dirB, a!.trajectory, b!.trajectory) };
    (pair.change === 'regression' ? regressions : improvements).push(changed);
  }
  return {
    a: message.a,
    b: message.b,
    counts,
    deltas: message.deltas,
    regressions,
    improvements,
    onlyA: message.pairs.filter((p) => p.change === 'only_a'),
    onlyB: message.pairs.filter((p) => p.change === 'only_b'),
    problems: message.problems,
  };
}
