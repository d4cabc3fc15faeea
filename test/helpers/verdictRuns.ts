// Runs of the same samples whose verdicts are chosen sample by sample, for the comparison of
// several runs: each sample right or wrong (or absent) in each run, so the discordant counts
// behind the significance figures are known by construction and worked out by hand.
import { failureCause, type SampleResult } from '../../src/data/results';
import { syntheticResults, writeBenchRun } from './benchRuns';

/** A kind of sample: its benchmark and category, and in each run right (true), wrong (false) or not run (null). */
export interface VerdictPattern {
  benchmark: string;
  category: string;
  verdicts: (boolean | null)[];
  count: number;
}

/** One result list per run, sample q00000… in pattern order; a right answer is the gold, a wrong one names another thing. */
export function verdictResults(patterns: readonly VerdictPattern[]): SampleResult[][] {
  const runs = patterns[0]!.verdicts.length;
  const total = patterns.reduce((n, p) => n + p.count, 0);
  const base = syntheticResults(total, { seed: 5 });
  const out: SampleResult[][] = Array.from({ length: runs }, () => []);
  let i = 0;
  for (const p of patterns)
    for (let k = 0; k < p.count; k++, i++) {
      const b = base[i]!;
      p.verdicts.forEach((v, run) => {
        if (v === null) return;
        const answer = v ? b.gold[0]! : `not ${b.gold[0]} (run ${run})`;
        // Turns differ by run, so the trajectories part somewhere.
        const turns = 1 + ((i + run) % 3);
        const r: SampleResult = {
          ...b,
          benchmark: p.benchmark,
          category: p.category,
          answer,
          stopReason: 'answered',
          turns,
          gazes: b.gazes.slice(0, turns - 1),
          searches: { ...b.searches, gaze: Math.min(b.gazes.length, turns - 1) },
          parseErrors: 0,
          toolErrors: 0,
          scores: { exactMatch: v ? 1 : 0, f1: v ? 1 : 0, format: 1, reward: v ? 1 : 0.1 },
        };
        delete r.error;
        delete r.timedOut;
        r.cause = failureCause(r);
        out[run]!.push(r);
      });
    }
  return out;
}

/**
 * Three runs of 40 samples (and one that B lacks), with these discordant counts, the
 * baseline first (b: right only in the baseline, c: right only in the other run):
 *   A vs B: all b=12 c=3; fvqa b=3 c=0; infoseek b=9 c=3
 *   A vs C: all b=5 c=1 (n=41 with the sample B lacks); fvqa b=4 c=1; infoseek b=1 c=0
 *   B vs C (baseline B): all b=5 c=10
 * Right: A 27 of 40 (+1 of the one B lacks), B 18 of 40, C 23 of 40 (+1).
 */
export const THREE_RUNS: VerdictPattern[] = [
  { benchmark: 'fvqa', category: 'vehicle', verdicts: [true, false, false], count: 3 },
  { benchmark: 'fvqa', category: 'landmark', verdicts: [true, true, true], count: 10 },
  { benchmark: 'fvqa', category: 'animal', verdicts: [false, false, false], count: 5 },
  { benchmark: 'fvqa', category: 'animal', verdicts: [false, false, true], count: 1 },
  { benchmark: 'fvqa', category: 'vehicle', verdicts: [true, true, false], count: 1 },
  { benchmark: 'infoseek', category: 'person', verdicts: [true, false, true], count: 9 },
  { benchmark: 'infoseek', category: 'person', verdicts: [false, true, false], count: 3 },
  { benchmark: 'infoseek', category: 'food', verdicts: [true, true, true], count: 3 },
  { benchmark: 'infoseek', category: 'food', verdicts: [true, true, false], count: 1 },
  { benchmark: 'infoseek', category: 'food', verdicts: [false, false, false], count: 4 },
  { benchmark: 'fvqa', category: 'landmark', verdicts: [true, null, true], count: 1 },
];

/** THREE_RUNS written as run folders (results, summaries, small trajectories over a real photo). */
export async function writeThreeRuns(dirs: readonly [string, string, string]): Promise<SampleResult[][]> {
  const runs = verdictResults(THREE_RUNS);
  await Promise.all(dirs.map((d, i) => writeBenchRun(d, runs[i]!)));
  return runs;
}
