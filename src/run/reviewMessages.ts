// What the run review webview is sent, built from run folders: a run's rows with its
// progress, or runs compared. Shared by the extension's panels, `gog report RUN_DIR`
// and the tests, so all three show the same thing.
import * as path from 'node:path';
import { compareSamples, MAX_COMPARED_RUNS, pairedFigures, runLabel, summaryDeltas } from '../data/compare';
import { BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, CONFIDENCE } from '../data/significance';
import type { SampleResult } from '../data/results';
import { readAllResults, RESULTS_FILE } from '../data/resultsFile';
import { loadRunRows, type RunRows } from '../data/reviewRows';
import { isComplete, RunStatusReader, type RunStatus } from '../data/runIndex';
import type { ReviewRow, RunInfo, RunsHostMessage } from '../shared/runsMessages';

/** A run not finished whose files changed this recently is taken to be running. */
export const RUNNING_WITHIN_MS = 10 * 60 * 1000;

export function isRunning(s: RunStatus, now = Date.now()): boolean {
  return !isComplete(s) && now - s.updated < RUNNING_WITHIN_MS;
}

export function runInfo(s: RunStatus, now = Date.now()): RunInfo {
  return {
    title: s.name,
    ...(s.notes?.name ? { name: s.notes.name } : {}),
    ...(s.notes?.notes ? { notes: s.notes.notes } : {}),
    ...(s.identity?.length ? { identity: s.identity } : {}),
    source: s.dir,
    ...(s.summary ? { dataset: path.basename(s.summary.run.dataset), started: s.summary.run.started } : {}),
    total: s.total ?? null,
    done: s.done,
    running: isRunning(s, now),
  };
}

/** Rows in the first message of a run: the table paints from these while the rest follow. */
export const FIRST_ROWS = 500;
/** Rows in each message after the first. */
export const MORE_ROWS = 2500;

/**
 * A run's table as the messages the panel posts: 'run' with the first rows, then 'rows'
 * with the rest, so the first paint does not wait for a big run's every row to be cloned
 * and checked. Every message says how many rows there are in all (`run.done`).
 */
export function runMessages(info: RunInfo, rows: readonly ReviewRow[], problems: RunMessage['problems']): RunsHostMessage[] {
  const run = { ...info, done: rows.length };
  const out: RunsHostMessage[] = [{ type: 'run', run, rows: rows.slice(0, FIRST_ROWS), problems }];
  for (let i = FIRST_ROWS; i < rows.length; i += MORE_ROWS) out.push({ type: 'rows', run, rows: rows.slice(i, i + MORE_ROWS), problems: [] });
  return out;
}

type RunMessage = Extract<RunsHostMessage, { type: 'run' }>;

/** A run's whole table as it is now (one message, for a report), and the rows (with trajectory paths) behind it. */
export async function runMessage(
  dir: string,
  reader = new RunStatusReader(),
): Promise<{ message: Extract<RunsHostMessage, { type: 'run' }>; rows: RunRows; status: RunStatus }> {
  const [status, rows] = await Promise.all([reader.read(dir), loadRunRows(dir)]);
  return { message: { type: 'run', run: { ...runInfo(status), done: rows.rows.length }, rows: rows.rows, problems: rows.problems }, rows, status };
}

export interface Compared {
  message: Extract<RunsHostMessage, { type: 'compare' }>;
  /** Each sample's result in every run, by pair key (for opening and diverging). */
  sources: (SampleResult | undefined)[][];
}

/**
 * Runs compared against the baseline (the first unless told): every sample's verdicts, the
 * summaries' figures, and each run's accuracy against the baseline's with its significance.
 */
export async function compareMessage(dirs: readonly string[], o: { baseline?: number } = {}): Promise<Compared> {
  const baseline = o.baseline ?? 0;
  if (dirs.length < 2 || dirs.length > MAX_COMPARED_RUNS) throw new Error(`compare two to ${MAX_COMPARED_RUNS} runs, not ${dirs.length}`);
  if (baseline < 0 || baseline >= dirs.length) throw new Error(`there is no run ${runLabel(baseline)} to be the baseline`);
  const reader = new RunStatusReader();
  const [statuses, results] = await Promise.all([
    Promise.all(dirs.map((d) => reader.read(d))),
    Promise.all(dirs.map((d) => readAllResults(path.join(d, RESULTS_FILE)))),
  ]);
  const { pairs, sources } = compareSamples(
    results.map((r) => r.results),
    baseline,
  );
  // Line 0 is the whole file, refused (a link out of the run folder): its message names it.
  const problems = results.flatMap((r, i) =>
    r.problems.map((p) => (p.line ? `${runLabel(i)}, results.jsonl line ${p.line}: ${p.message}` : `${runLabel(i)}, ${p.message}`)),
  );
  return {
    message: {
      type: 'compare',
      runs: statuses.map((s) => runInfo(s)),
      baseline,
      pairs,
      deltas: summaryDeltas(...results.map((r) => r.results)),
      paired: pairedFigures(pairs, dirs.length, baseline),
      bootstrap: { resamples: BOOTSTRAP_RESAMPLES, seed: BOOTSTRAP_SEED, level: CONFIDENCE },
      problems,
    },
    sources,
  };
}
