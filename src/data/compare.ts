// Runs of the same samples side by side (two to eight): each sample's verdict in every run,
// which samples the runs disagree on, how the summaries moved against a baseline run, and
// whether a run's accuracy differs from the baseline's by more than noise (significance.ts);
// for one sample, the first step where two trajectories take different actions. Pure
// functions of the results and the events.
import { boxIou } from '../core/geometry';
import type { ActionRecord, TrajectoryEvent } from '../core/trajectory';
import type { Change, ComparePair, Divergence, PairedFigure, SummaryDelta } from '../shared/runsMessages';
import { summarize, type GroupSummary, type SampleResult } from './results';
import { mcnemarExactP, pairedBootstrapCi, type BootstrapOptions } from './significance';
import { causeOf, isRight } from './verdict';

/** Runs one comparison holds: a column each in the view, and eight letters to name them by. */
export const MAX_COMPARED_RUNS = 8;

/** The letter a run goes by in a comparison: A for the first given, B for the second, … */
export const runLabel = (i: number): string => String.fromCharCode(65 + i);

const pairKey = (r: Pick<SampleResult, 'id' | 'rollout'>) => `${r.id}\u0000${r.rollout}`;

function side(r: SampleResult): NonNullable<ComparePair['sides'][number]> {
  return { answer: r.answer, right: isRight(r), cause: causeOf(r) ?? null, turns: r.turns, f1: r.scores.f1 };
}

/**
 * How a sample's verdicts differ, read against the baseline run: a regression when the
 * baseline is right and another run wrong, an improvement when the baseline is wrong and
 * another run right (with two runs, exactly "right in A, wrong in B" and the reverse), else
 * the same in every run. A sample some run lacks is set apart: with two runs, which one has it.
 */
export function changeOf(sides: readonly (SampleResult | undefined)[], baseline: number): Change {
  const two = sides.length === 2;
  if (sides.some((s) => !s)) {
    if (two) return sides[0] ? 'only_a' : 'only_b';
    return 'partial';
  }
  const right = sides.map((s) => isRight(s!));
  const base = right[baseline]!;
  if (right.some((r) => r !== base)) return base ? 'regression' : 'improvement';
  if (two) return base ? 'both_right' : 'both_wrong';
  return base ? 'all_right' : 'all_wrong';
}

/**
 * Every sample (and rollout) of any run, matched by id and rollout: the first run's order,
 * then the samples only later runs have. `key` is the sample's position in that order. A
 * sample written twice in one run counts once, the last time.
 */
export function compareSamples(runs: readonly (readonly SampleResult[])[], baseline = 0): { pairs: ComparePair[]; sources: (SampleResult | undefined)[][] } {
  const byKey = new Map<string, (SampleResult | undefined)[]>();
  runs.forEach((results, i) => {
    for (const r of results) {
      let row = byKey.get(pairKey(r));
      if (!row) byKey.set(pairKey(r), (row = Array.from({ length: runs.length }, () => undefined)));
      row[i] = r;
    }
  });
  const sources = [...byKey.values()];
  const pairs = sources.map((row, key): ComparePair => {
    const any = row.find((r) => r)!;
    // The baseline's reading of the sample where it has one.
    const own = row[baseline] ?? any;
    return {
      key,
      id: own.id,
      index: own.index,
      rollout: own.rollout,
      benchmark: own.benchmark,
      category: own.category ?? '',
      question: own.question,
      gold: own.gold,
      change: changeOf(row, baseline),
      sides: row.map((r) => (r ? side(r) : null)),
    };
  });
  return { pairs, sources };
}

/** Two runs: comparePairs(a, b) is compareSamples([a, b]). */
export function comparePairs(a: readonly SampleResult[], b: readonly SampleResult[]): ReturnType<typeof compareSamples> {
  return compareSamples([a, b]);
}

type Metric = { metric: string; get: (s: GroupSummary) => number | undefined; better: SummaryDelta['better']; format: SummaryDelta['format'] };

const METRICS: Metric[] = [
  { metric: 'samples', get: (s) => s.samples, better: 'neither', format: 'number' },
  { metric: 'exact match', get: (s) => s.accuracy, better: 'higher', format: 'percent' },
  { metric: 'judge', get: (s) => s.judge, better: 'higher', format: 'percent' },
  { metric: 'F1', get: (s) => s.f1, better: 'higher', format: 'percent' },
  { metric: 'searched', get: (s) => s.searchRatio, better: 'neither', format: 'percent' },
  { metric: 'gazed', get: (s) => s.gazeRatio, better: 'neither', format: 'percent' },
  { metric: 'average turns', get: (s) => s.avgTurns, better: 'lower', format: 'number' },
  { metric: 'median time', get: (s) => s.latencyMs, better: 'lower', format: 'ms' },
  { metric: 'tokens per sample', get: (s) => s.tokens.prompt + s.tokens.completion, better: 'lower', format: 'number' },
];

/**
 * The summaries' figures for all samples and each benchmark, one value per run (each run's
 * own results, as its summary.json reads them); judge only where some run was judged.
 */
export function summaryDeltas(...runs: (readonly SampleResult[])[]): SummaryDelta[] {
  const groups: [string, SampleResult[][]][] = [['all', runs.map((r) => [...r])]];
  const benchmarks = [...new Set(runs.flatMap((rs) => rs.map((r) => r.benchmark)))].sort();
  if (benchmarks.length > 1) for (const name of benchmarks) groups.push([name, runs.map((rs) => rs.filter((r) => r.benchmark === name))]);
  const out: SummaryDelta[] = [];
  for (const [group, results] of groups) {
    const summaries = results.map((rs) => (rs.length ? summarize(rs) : undefined));
    for (const m of METRICS) {
      const values = summaries.map((s) => (s ? m.get(s) : undefined) ?? null);
      if (values.every((v) => v === null)) continue;
      out.push({ group, metric: m.metric, values, better: m.better, format: m.format });
    }
  }
  return out;
}

/**
 * Each run's share of right answers against the baseline's on the samples both have, for
 * all samples, each benchmark (when there are several) and each category, with McNemar's
 * exact p and the paired bootstrap interval of the difference (significance.ts). Pairs with
 * no sample in common are left out.
 */
export function pairedFigures(pairs: readonly ComparePair[], runs: number, baseline: number, o: BootstrapOptions = {}): PairedFigure[] {
  const groups: { group: string; kind: PairedFigure['kind']; pairs: readonly ComparePair[] }[] = [{ group: 'all', kind: 'all', pairs }];
  const by = (field: 'benchmark' | 'category') => {
    const m = new Map<string, ComparePair[]>();
    for (const p of pairs) if (p[field]) (m.get(p[field]) ?? m.set(p[field], []).get(p[field])!).push(p);
    return [...m.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
  };
  const benchmarks = by('benchmark');
  if (benchmarks.length > 1) for (const [group, ps] of benchmarks) groups.push({ group, kind: 'benchmark', pairs: ps });
  for (const [group, ps] of by('category')) groups.push({ group, kind: 'category', pairs: ps });
  const out: PairedFigure[] = [];
  for (let run = 0; run < runs; run++) {
    if (run === baseline) continue;
    for (const g of groups) {
      let [n, both, b, c] = [0, 0, 0, 0];
      for (const p of g.pairs) {
        const [x, y] = [p.sides[baseline], p.sides[run]];
        if (!x || !y) continue;
        n++;
        if (x.right && y.right) both++;
        else if (x.right) b++;
        else if (y.right) c++;
      }
      if (!n) continue;
      out.push({
        group: g.group,
        kind: g.kind,
        run,
        n,
        b,
        c,
        baseline: (both + b) / n,
        other: (both + c) / n,
        p: mcnemarExactP(b, c),
        ci: pairedBootstrapCi({ n, b, c }, o)!,
      });
    }
  }
  return out;
}

const normal = (text: string) => text.trim().toLowerCase().replace(/\s+/g, ' ');

/** Boxes this close (intersection over union, in original pixels) are the same gaze. */
export const SAME_GAZE_IOU = 0.9;

/** Whether two actions are the same decision: same kind, same text (case and spacing aside), near-identical box. */
export function sameAction(x: ActionRecord, y: ActionRecord): boolean {
  switch (x.kind) {
    case 'answer':
      return y.kind === 'answer' && normal(x.text) === normal(y.text);
    case 'text_search':
      return y.kind === 'text_search' && normal(x.query) === normal(y.query);
    case 'image_search':
      if (y.kind !== 'image_search' || x.scope !== y.scope) return false;
      return !x.box || !y.box || boxIou(x.box.original, y.box.original) >= SAME_GAZE_IOU;
    case 'parse_error':
      return y.kind === 'parse_error';
  }
}

export function describeAction(a: ActionRecord): string {
  switch (a.kind) {
    case 'answer':
      return `answer "${a.text}"`;
    case 'text_search':
      return `text search "${a.query}"`;
    case 'image_search':
      return a.scope === 'full' || !a.box ? 'glance (image search with the whole image)' : `gaze at [${a.box.original.map((v) => Math.round(v)).join(', ')}]`;
    case 'parse_error':
      return `unreadable turn (${a.message})`;
  }
}

/**
 * The first step where two trajectories of a sample act differently, comparing their
 * actions in order (annotations aside: the runs as recorded). A trajectory that ends first
 * diverges where the other goes on.
 */
export function firstDivergence(a: readonly TrajectoryEvent[], b: readonly TrajectoryEvent[]): Divergence {
  const actions = (events: readonly TrajectoryEvent[]) => events.flatMap((e) => (e.type === 'action' ? [{ step: e.step, action: e.action }] : []));
  const [xa, xb] = [actions(a), actions(b)];
  const steps = (events: readonly TrajectoryEvent[], acts: { step: number }[]) => {
    const final = events.find((e) => e.type === 'final');
    return final?.type === 'final' ? final.turns : (acts.at(-1)?.step ?? 0);
  };
  const [aSteps, bSteps] = [steps(a, xa), steps(b, xb)];
  for (let i = 0; i < Math.max(xa.length, xb.length); i++) {
    const [p, q] = [xa[i], xb[i]];
    if (p && q && sameAction(p.action, q.action)) continue;
    return { step: (p ?? q)!.step, a: p ? describeAction(p.action) : null, b: q ? describeAction(q.action) : null, aSteps, bSteps };
  }
  return { step: null, a: null, b: null, aSteps, bSteps };
}
