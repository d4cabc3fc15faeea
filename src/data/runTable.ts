// A run's samples as a flat table to take elsewhere (a spreadsheet, pandas, DuckDB): one row
// per sample (and rollout), the columns the failures table shows plus what it folds away
// (tokens, the trajectory's path). Made from the review rows, so `gog report --csv/--parquet`
// and the Runs view's Export Table… write the same thing. Each column has one type, which the
// Parquet file keeps and the CSV writes as text.
import type { ReviewRow } from '../shared/runsMessages';
import { officiallyRight } from './scoring/metrics';

export type ColumnType = 'string' | 'double' | 'int64' | 'boolean';

/** A cell: null where the run has no value (no answer, no official measure, right so no cause). */
export type Cell = string | number | boolean | null;

export interface TableColumn {
  name: string;
  type: ColumnType;
  /** Null cells are possible. */
  nullable: boolean;
  /** Text that came from the dataset, the model or the web: a spreadsheet must not read it as a formula. */
  untrusted: boolean;
}

const col = (name: string, type: ColumnType, nullable = false, untrusted = false): TableColumn => ({ name, type, nullable, untrusted });

export const TABLE_COLUMNS: readonly TableColumn[] = [
  col('id', 'string', false, true),
  col('index', 'int64'),
  col('rollout', 'int64'),
  col('benchmark', 'string', false, true),
  col('category', 'string', true, true),
  col('question', 'string', false, true),
  col('answer', 'string', true, true),
  /** The gold answers, aliases joined by " | " as the table shows them. */
  col('gold', 'string', false, true),
  col('right', 'boolean'),
  col('official_score', 'double', true),
  col('official_metric', 'string', true),
  col('exact_match', 'double'),
  col('f1', 'double'),
  col('judge', 'boolean', true),
  col('cause', 'string', true),
  col('stop_reason', 'string'),
  col('turns', 'int64'),
  col('glances', 'int64'),
  col('gazes', 'int64'),
  col('text_searches', 'int64'),
  col('prompt_tokens', 'int64'),
  col('completion_tokens', 'int64'),
  col('time_ms', 'double'),
  /** Relative to the run folder, as results.jsonl names it. */
  col('trajectory', 'string', false, true),
];

export type TableRow = Cell[];

/** Right as the review views read it: the benchmark's own measure, else the judge's verdict, else exact match (results.ts isRight). */
export function reviewRowRight(r: ReviewRow): boolean {
  if (r.official !== null) return officiallyRight(r.official);
  return r.judge ?? r.em > 0;
}

/** One sample's row, in TABLE_COLUMNS' order. */
export function tableRow(r: ReviewRow, trajectory: string): TableRow {
  return [
    r.id,
    r.index,
    r.rollout,
    r.benchmark,
    r.category === '' ? null : r.category,
    r.question,
    r.answer,
    r.gold.join(' | '),
    reviewRowRight(r),
    r.official,
    r.officialMetric,
    r.em,
    r.f1,
    r.judge,
    r.cause,
    r.stop,
    r.turns,
    r.searches[1],
    r.searches[2],
    r.searches[0],
    r.tokens[0],
    r.tokens[1],
    r.ms,
    trajectory,
  ];
}

/**
 * The rows of `keys` (review-row keys, in the order given: the view's filter and sort), or of
 * every row in dataset order when no keys are given. A key the run does not hold is an error.
 */
export function tableRows(rows: readonly ReviewRow[], trajectories: readonly string[], keys?: readonly number[]): TableRow[] {
  const chosen = keys
    ? keys.map((k) => {
        const r = rows[k];
        if (!r) throw new Error(`there is no sample ${k} in this run`);
        return r;
      })
    : [...rows].sort((a, b) => a.index - b.index || a.rollout - b.rollout || a.key - b.key);
  return chosen.map((r) => tableRow(r, trajectories[r.key] ?? ''));
}
