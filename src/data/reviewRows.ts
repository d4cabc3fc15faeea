// A run's results as the review views hold them: one small row per sample, made while the
// file streams past, and the sample's trajectory path kept apart (the webview never sees a
// path; it names a sample by its row key). Trajectories themselves are never read here.
import * as path from 'node:path';
import type { LineProblem } from '../core/jsonl';
import type { ReviewRow } from '../shared/runsMessages';
import type { SampleResult } from './results';
import { readResults, RESULTS_FILE, START, type ResultsCursor } from './resultsFile';
import { causeOf } from './verdict';

export function toReviewRow(r: SampleResult, key: number): ReviewRow {
  return {
    key,
    id: r.id,
    index: r.index,
    rollout: r.rollout,
    benchmark: r.benchmark,
    category: r.category ?? '',
    question: r.question,
    answer: r.answer,
    gold: r.gold,
    cause: causeOf(r) ?? null,
    em: r.scores.exactMatch,
    f1: r.scores.f1,
    judge: r.scores.judge ? r.scores.judge.correct : null,
    official: r.scores.official ?? null,
    officialMetric: r.scores.officialMetric ?? null,
    stop: r.stopReason,
    turns: r.turns,
    searches: [r.searches.text, r.searches.glance, r.searches.gaze],
    gazes: r.gazes,
    ms: r.ms,
    tokens: [r.tokens.prompt, r.tokens.completion],
  };
}

/** The rows of a run read so far, and where to go on from. */
export interface RunRows {
  rows: ReviewRow[];
  /** Each row's trajectory as results.jsonl names it (relative to the run folder), by key. */
  trajectories: string[];
  cursor: ResultsCursor;
  problems: LineProblem[];
}

export function emptyRunRows(): RunRows {
  return { rows: [], trajectories: [], cursor: START, problems: [] };
}

/**
 * Reads what results.jsonl gained since `into.cursor` into `into` (keys go on from its
 * rows); returns the new rows and problems only.
 */
export async function readMoreRows(runDir: string, into: RunRows): Promise<{ rows: ReviewRow[]; problems: LineProblem[] }> {
  const added: ReviewRow[] = [];
  const read = await readResults(
    path.join(runDir, RESULTS_FILE),
    (r) => {
      const row = toReviewRow(r, into.rows.length);
      into.rows.push(row);
      into.trajectories.push(r.trajectory);
      added.push(row);
    },
    into.cursor,
  );
  into.cursor = read.cursor;
  into.problems.push(...read.problems);
  return { rows: added, problems: read.problems };
}

export async function loadRunRows(runDir: string): Promise<RunRows> {
  const rows = emptyRunRows();
  await readMoreRows(runDir, rows);
  return rows;
}
