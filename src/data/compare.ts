// Two runs of the same samples, side by side: which samples got better or worse, how the
// summaries moved, and for one sample the first step where its two trajectories take
// different actions. Pure functions of the results and the events.
import type { ActionRecord, TrajectoryEvent } from '../core/trajectory';
import type { Change, ComparePair, Divergence, SummaryDelta } from '../shared/runsMessages';
import { summarize, type GroupSummary, type SampleResult } from './results';
import { causeOf, isRight } from './verdict';

const pairKey = (r: Pick<SampleResult, 'id' | 'rollout'>) => `${r.id}\u0000${r.rollout}`;

function side(r: SampleResult): NonNullable<ComparePair['a']> {
  return { answer: r.answer, right: isRight(r), cause: causeOf(r) ?? null, turns: r.turns, f1: r.scores.f1 };
}

function change(a: SampleResult | undefined, b: SampleResult | undefined): Change {
  if (!b) return 'only_a';
  if (!a) return 'only_b';
  const [ra, rb] = [isRight(a), isRight(b)];
  if (ra && !rb) return 'regression';
  if (!ra && rb) return 'improvement';
  return ra ? 'both_right' : 'both_wrong';
}

/**
 * Every sample (and rollout) of either run, matched by id and rollout: A's order first,
 * then the samples only B has. `key` is the pair's position in that order. A sample
 * written twice in one run counts once, the last time.
 */
export function comparePairs(
  a: readonly SampleResult[],
  b: readonly SampleResult[],
): { pairs: ComparePair[]; sources: { a?: SampleResult; b?: SampleResult }[] } {
  const byKey = new Map<string, { a?: SampleResult; b?: SampleResult }>();
  for (const r of a) byKey.set(pairKey(r), { ...byKey.get(pairKey(r)), a: r });
  for (const r of b) byKey.set(pairKey(r), { ...byKey.get(pairKey(r)), b: r });
  const sources = [...byKey.values()];
  const pairs = sources.map(({ a: ra, b: rb }, key): ComparePair => {
    const any = (ra ?? rb)!;
    return {
      key,
      id: any.id,
      index: any.index,
      rollout: any.rollout,
      benchmark: any.benchmark,
      category: any.category ?? '',
      question: any.question,
      gold: any.gold,
      change: change(ra, rb),
      a: ra ? side(ra) : null,
      b: rb ? side(rb) : null,
    };
  });
  return { pairs, sources };
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

/** The summaries' figures for all samples and each benchmark, A against B; judge only where either was judged. */
export function summaryDeltas(a: readonly SampleResult[], b: readonly SampleResult[]): SummaryDelta[] {
  const groups: [string, SampleResult[], SampleResult[]][] = [['all', [...a], [...b]]];
  const benchmarks = [...new Set([...a, ...b].map((r) => r.benchmark))].sort();
  if (benchmarks.length > 1) for (const name of benchmarks) groups.push([name, a.filter((r) => r.benchmark === name), b.filter((r) => r.benchmark === name)]);
  const out: SummaryDelta[] = [];
  for (const [group, ra, rb] of groups) {
    const [sa, sb] = [ra.length ? summarize(ra) : undefined, rb.length ? summarize(rb) : undefined];
    for (const m of METRICS) {
      const [va, vb] = [sa && m.get(sa), sb && m.get(sb)];
      if (va === undefined && vb === undefined) continue;
      out.push({ group, metric: m.metric, a: va ?? null, b: vb ?? null, better: m.better, format: m.format });
    }
  }
  return out;
}

const normal = (text: string) => text.trim().toLowerCase().replace(/\s+/g, ' ');

function iou(p: readonly number[], q: readonly number[]): number {
  const w = Math.max(0, Math.min(p[2]!, q[2]!) - Math.max(p[0]!, q[0]!));
  const h = Math.max(0, Math.min(p[3]!, q[3]!) - Math.max(p[1]!, q[1]!));
  const area = (b: readonly number[]) => Math.max(0, b[2]! - b[0]!) * Math.max(0, b[3]! - b[1]!);
  const inter = w * h;
  const union = area(p) + area(q) - inter;
  return union > 0 ? inter / union : 1;
}

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
      return !x.box || !y.box || iou(x.box.original, y.box.original) >= SAME_GAZE_IOU;
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
