// What the run review webview is sent, built from run folders: a run's rows with its
// progress, or two runs compared. Shared by the extension's panels, `gog report RUN_DIR`
// and the tests, so all three show the same thing.
import * as path from 'node:path';
import { comparePairs, summaryDeltas } from '../data/compare';
import type { SampleResult } from '../data/results';
import { readAllResults, RESULTS_FILE } from '../data/resultsFile';
import { loadRunRows, type RunRows } from '../data/reviewRows';
import { isComplete, RunStatusReader, type RunStatus } from '../data/runIndex';
import type { RunInfo, RunsHostMessage } from '../shared/runsMessages';

/** A run not finished whose files changed this recently is taken to be running. */
export const RUNNING_WITHIN_MS = 10 * 60 * 1000;

export function isRunning(s: RunStatus, now = Date.now()): boolean {
  return !isComplete(s) && now - s.updated < RUNNING_WITHIN_MS;
}

export function runInfo(s: RunStatus, now = Date.now()): RunInfo {
  return {
    title: s.name,
    source: s.dir,
    ...(s.summary ? { dataset: path.basename(s.summary.run.dataset), started: s.summary.run.started } : {}),
    total: s.total ?? null,
    done: s.done,
    running: isRunning(s, now),
  };
}

/** A run's whole table as it is now, and the rows (with trajectory paths) behind it. */
export async function runMessage(dir: string, reader = new RunStatusReader()): Promise<{ message: Extract<RunsHostMessage, { type: 'run' }>; rows: RunRows }> {
  const [status, rows] = await Promise.all([reader.read(dir), loadRunRows(dir)]);
  return { message: { type: 'run', run: { ...runInfo(status), done: rows.rows.length }, rows: rows.rows, problems: rows.problems }, rows };
}

export interface Compared {
  message: Extract<RunsHostMessage, { type: 'compare' }>;
  /** Each pair's result in A and in B, by pair key (for opening and diverging). */
  sources: { a?: SampleResult; b?: SampleResult }[];
}

export async function compareMessage(dirA: string, dirB: string): Promise<Compared> {
  const reader = new RunStatusReader();
  const [sa, sb, ra, rb] = await Promise.all([
    reader.read(dirA),
    reader.read(dirB),
    readAllResults(path.join(dirA, RESULTS_FILE)),
    readAllResults(path.join(dirB, RESULTS_FILE)),
  ]);
  const { pairs, sources } = comparePairs(ra.results, rb.results);
  const problems = [
    ...ra.problems.map((p) => `A, results.jsonl line ${p.line}: ${p.message}`),
    ...rb.problems.map((p) => `B, results.jsonl line ${p.line}: ${p.message}`),
  ];
  return {
    message: { type: 'compare', a: runInfo(sa), b: runInfo(sb), pairs, deltas: summaryDeltas(ra.results, rb.results), problems },
    sources,
  };
}
