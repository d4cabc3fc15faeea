// What the failures table lists: the rows that pass the filters (cause, benchmark,
// category, text, and the turns bar or heatmap cell clicked in the charts), in dataset
// order (the sample's place in its file, then the rollout) or the chosen column's, ties in
// dataset order. Pure, so it is tested without a browser; fast enough for 10,000 rows on
// every keystroke (lower-cased text is made once per row, dataset order once per batch).
import { FAILURE_CAUSES, type FailureCause } from '../../src/core/failureCauses';
import type { GazeFilter, ReviewRow, SortColumn, TurnsFilter } from '../../src/shared/runsMessages';
import { gazeCovers, rowIsRight } from './overviewModel';

/** A cause filter: a failure cause, or 'right' for the samples that are right. */
export type CauseFilter = FailureCause | 'right';

export const CAUSE_LABELS: Record<CauseFilter, string> = {
  right: 'Right',
  wrong_answer: 'Wrong answer',
  judge_disagrees: 'Judge ≠ exact match',
  parse_error: 'Parse error',
  tool_error: 'Tool error',
  max_turns: 'Out of turns',
  search_limit: 'Over a search limit',
  timeout: 'Timeout',
  error: 'Error',
  cancelled: 'Cancelled',
};

export const causeOfRow = (r: ReviewRow): CauseFilter => r.cause ?? 'right';

/** Every cause but right: what "All failures" picks. */
export const FAILURES: readonly CauseFilter[] = FAILURE_CAUSES;

export interface Filters {
  causes: ReadonlySet<CauseFilter>;
  /** '' for all. */
  benchmark: string;
  category: string;
  text: string;
  /** From the charts: a turns bar, a heatmap cell; null for all. */
  turns: TurnsFilter | null;
  gaze: GazeFilter | null;
  /** The trajectory search: the samples found so far and what was searched for; absent or null when none. */
  found?: { keys: ReadonlySet<number>; pattern: string } | null;
}

export interface Sort {
  column: SortColumn;
  descending: boolean;
}

/** Causes listed first to last when sorting by cause: right last, the plainest failure first. */
const CAUSE_ORDER: CauseFilter[] = [...FAILURE_CAUSES, 'right'];

export class TableModel {
  readonly rows: ReviewRow[] = [];
  private haystacks: string[] = [];
  /** Every key in dataset order; made again after rows are added. */
  private order: number[] | undefined;

  add(rows: readonly ReviewRow[]): void {
    for (const r of rows) {
      this.rows[r.key] = r;
      this.haystacks[r.key] = `${r.id}\n${r.question}\n${r.answer ?? ''}\n${r.gold.join('\n')}`.toLowerCase();
    }
    if (rows.length) this.order = undefined;
  }

  /** Every key in dataset order: the sample's place in its file, then the rollout (then the order written). */
  datasetOrder(): readonly number[] {
    if (!this.order) {
      const rows = this.rows;
      const keys: number[] = [];
      for (const r of rows) if (r) keys.push(r.key);
      this.order = keys.sort((a, b) => rows[a]!.index - rows[b]!.index || rows[a]!.rollout - rows[b]!.rollout || a - b);
    }
    return this.order;
  }

  /** Distinct values of a field, with how many rows have each, most first. */
  counts(field: 'benchmark' | 'category'): [string, number][] {
    const counts = new Map<string, number>();
    for (const r of this.rows) if (r) counts.set(r[field], (counts.get(r[field]) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  }

  causeCounts(rows: Iterable<ReviewRow> = this.rows): Map<CauseFilter, number> {
    const counts = new Map<CauseFilter, number>();
    for (const r of rows) if (r) counts.set(causeOfRow(r), (counts.get(causeOfRow(r)) ?? 0) + 1);
    return counts;
  }

  /** Keys of the rows that pass every filter but the causes: what the cause chips count. */
  private matchesOthers(f: Filters): (r: ReviewRow) => boolean {
    const terms = f.text.toLowerCase().split(/\s+/).filter(Boolean);
    const { turns, gaze } = f;
    const found = f.found?.keys;
    return (r) =>
      (!found || found.has(r.key)) &&
      (!f.benchmark || r.benchmark === f.benchmark) &&
      (!f.category || r.category === f.category) &&
      (!turns || (r.turns === turns.turns && (!turns.outcome || turns.outcome === (rowIsRight(r) ? 'right' : 'wrong')))) &&
      (!gaze || ((!gaze.failures || !rowIsRight(r)) && gazeCovers(r, gaze))) &&
      terms.every((t) => this.haystacks[r.key]!.includes(t));
  }

  /** The rows passing the benchmark, category and text filters (whatever their cause). */
  beforeCauses(f: Filters): ReviewRow[] {
    const ok = this.matchesOthers(f);
    return this.rows.filter((r) => r && ok(r));
  }

  /** Keys of the rows to list, in order. */
  view(f: Filters, sort: Sort): number[] {
    const ok = this.matchesOthers(f);
    const rows = this.rows;
    const keys: number[] = [];
    for (const key of this.datasetOrder()) {
      const r = rows[key]!;
      if ((!f.causes.size || f.causes.has(causeOfRow(r))) && ok(r)) keys.push(key);
    }
    return this.sorted(keys, sort);
  }

  /** `keys` (in dataset order) in the sort's order; the sort is stable, so ties stay in dataset order. */
  private sorted(keys: number[], { column, descending }: Sort): number[] {
    const rows = this.rows;
    const sign = descending ? -1 : 1;
    const text = (get: (r: ReviewRow) => string) => {
      const k = keys.map((key) => get(rows[key]!).toLowerCase());
      const order = keys.map((_, i) => i).sort((a, b) => sign * (k[a]! < k[b]! ? -1 : k[a]! > k[b]! ? 1 : 0));
      return order.map((i) => keys[i]!);
    };
    const number = (get: (r: ReviewRow) => number) => keys.sort((a, b) => sign * (get(rows[a]!) - get(rows[b]!)));
    switch (column) {
      case 'index':
        return descending ? keys.reverse() : keys;
      case 'key':
        return number((r) => r.key);
      case 'id':
        return text((r) => r.id);
      case 'benchmark':
        return text((r) => r.benchmark);
      case 'category':
        return text((r) => r.category);
      case 'question':
        return text((r) => r.question);
      case 'answer':
        return text((r) => r.answer ?? '');
      case 'gold':
        return text((r) => r.gold[0] ?? '');
      case 'cause':
        return number((r) => CAUSE_ORDER.indexOf(causeOfRow(r)));
      case 'f1':
        return number((r) => r.f1);
      case 'turns':
        return number((r) => r.turns);
      case 'searches':
        return number((r) => r.searches[0] + r.searches[1] + r.searches[2]);
      case 'ms':
        return number((r) => r.ms);
    }
  }
}

/** A turns filter in words: "3 turns", "3 turns, wrong". */
export const describeTurns = (t: TurnsFilter): string => `${t.turns} turn${t.turns === 1 ? '' : 's'}${t.outcome ? `, ${t.outcome}` : ''}`;

/** A heatmap cell in words: where on the image, in percent across and down (the cell's centre). */
export function describeGaze(g: GazeFilter): string {
  const at = (i: number) => Math.round(((i + 0.5) / g.size) * 100);
  return `gazed at ${at(g.col)}% across, ${at(g.row)}% down${g.failures ? ' (failures)' : ''}`;
}

/**
 * The filters in words, for a queue's name and the status line. `present` says which causes
 * have samples under the other filters: a cause with none chose nothing and is not named;
 * every failure cause with samples, and not right, reads "all failures".
 */
export function describeFilters(f: Filters, present: (c: CauseFilter) => boolean = () => true): string {
  const parts: string[] = [];
  const causes = [...f.causes].filter(present);
  const failures = FAILURES.filter(present);
  if (failures.length && failures.every((c) => f.causes.has(c)) && !causes.includes('right')) parts.push('all failures');
  else if (causes.length) parts.push(causes.map((c) => CAUSE_LABELS[c].toLowerCase()).join(' or '));
  if (f.benchmark) parts.push(f.benchmark);
  if (f.category) parts.push(f.category);
  if (f.turns) parts.push(describeTurns(f.turns));
  if (f.gaze) parts.push(describeGaze(f.gaze));
  if (f.text.trim()) parts.push(`"${f.text.trim()}"`);
  if (f.found) parts.push(`trajectories holding "${f.found.pattern.length > 60 ? `${f.found.pattern.slice(0, 60)}…` : f.found.pattern}"`);
  return parts.join(', ') || 'all samples';
}
