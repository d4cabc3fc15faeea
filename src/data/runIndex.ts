// Which folders are benchmark runs, and how far along each is: what the Runs view lists.
// A benchmark run is a folder with results.jsonl or summary.json (a single query's folder
// has trajectory.jsonl and run.json instead). Progress comes from summary.json (the
// samples that loaded) and results.jsonl (the results written so far), tallied
// incrementally so a run being written is re-read only from where the last look stopped.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { LineProblem } from '../core/jsonl';
import { readBenchMeta, BENCH_FILE } from './benchRun';
import type { RunSummary } from './results';
import { runIdentity, type RunIdentity } from './runIdentity';
import { NOTES_FILE, readRunNotes, type RunNotes } from './runNotes';
import { readResults, readSummary, RESULTS_FILE, START, SUMMARY_FILE, type ResultsCursor } from './resultsFile';
import { isRight } from './verdict';

export async function isBenchmarkRun(dir: string): Promise<boolean> {
  for (const f of [RESULTS_FILE, SUMMARY_FILE]) {
    const stat = await fs.stat(path.join(dir, f)).catch(() => undefined);
    if (stat?.isFile()) return true;
  }
  return false;
}

/** The runs in `root`: the folder itself if it is a run, else its sub-folders that are; newest name first. */
export async function findRuns(root: string): Promise<string[]> {
  if (await isBenchmarkRun(root)) return [root];
  const entries = await fs.readdir(root, { withFileTypes: true }).catch(() => []);
  const found: string[] = [];
  await Promise.all(
    entries
      .filter((e) => e.isDirectory())
      .map(async (e) => {
        const dir = path.join(root, e.name);
        if (await isBenchmarkRun(dir)) found.push(dir);
      }),
  );
  return found.sort((a, b) => path.basename(b).localeCompare(path.basename(a)));
}

export interface RunStatus {
  dir: string;
  name: string;
  summary?: RunSummary;
  /** What was wrong with summary.json, when it is there but unreadable. */
  summaryProblem?: string;
  /** Results expected (samples × rollouts), when summary.json says. */
  total?: number;
  /** Results written. */
  done: number;
  /** Of those, right (by the benchmark's own measure; for older results the judge's verdict, else exact match). */
  correct: number;
  /** Of those, judged, and judged right. */
  judged: number;
  judgedCorrect: number;
  /** Malformed lines of results.jsonl. */
  problems: LineProblem[];
  /** When results.jsonl or summary.json last changed (ms since the epoch). */
  updated: number;
  /** What bench.json says of how the run was made (runIdentity.ts); absent when it cannot be read. */
  identity?: RunIdentity;
  /** The name and notes a person gave the run (notes.json). */
  notes?: RunNotes;
  /** What was wrong with notes.json, when it is there but unreadable. */
  notesProblem?: string;
}

export function isComplete(s: RunStatus): boolean {
  return s.total !== undefined && s.done >= s.total;
}

function totalOf(summary: RunSummary): number {
  const rollouts = (summary.run as { rollouts?: unknown }).rollouts;
  return summary.samples * (typeof rollouts === 'number' && rollouts > 1 ? Math.floor(rollouts) : 1);
}

interface Tally {
  size: number;
  cursor: ResultsCursor;
  done: number;
  correct: number;
  judged: number;
  judgedCorrect: number;
  problems: LineProblem[];
}

/** Keeps a tally per run; each look reads only what results.jsonl gained since the last one. */
export class RunStatusReader {
  private readonly tallies = new Map<string, Tally>();
  private readonly abouts = new Map<string, { key: string; value: Pick<RunStatus, 'identity' | 'notes' | 'notesProblem'> }>();

  async read(dir: string): Promise<RunStatus> {
    const file = path.join(dir, RESULTS_FILE);
    const stat = await fs.stat(file).catch(() => undefined);
    let tally = this.tallies.get(dir);
    // A smaller file is another run written in the same place: start again.
    if (!tally || !stat || stat.size < tally.size) tally = { size: 0, cursor: START, done: 0, correct: 0, judged: 0, judgedCorrect: 0, problems: [] };
    if (stat && stat.size > tally.size) {
      const t = tally;
      const read = await readResults(
        file,
        (r) => {
          t.done++;
          if (isRight(r)) t.correct++;
          if (r.scores.judge) {
            t.judged++;
            if (r.scores.judge.correct) t.judgedCorrect++;
          }
        },
        t.cursor,
      );
      t.cursor = read.cursor;
      // A file that was refused whole (line 0: a link out of the folder) is not looked at again until it changes.
      t.size = read.problems.some((p) => p.line === 0) ? stat.size : read.cursor.offset;
      t.problems.push(...read.problems);
    }
    this.tallies.set(dir, tally);
    const summaryFile = path.join(dir, SUMMARY_FILE);
    const [summary, summaryStat, about] = await Promise.all([readSummary(summaryFile), fs.stat(summaryFile).catch(() => undefined), this.about(dir)]);
    return {
      dir,
      name: path.basename(dir),
      ...(summary?.ok ? { summary: summary.summary, total: totalOf(summary.summary) } : {}),
      ...(summary && !summary.ok ? { summaryProblem: summary.message } : {}),
      done: tally.done,
      correct: tally.correct,
      judged: tally.judged,
      judgedCorrect: tally.judgedCorrect,
      problems: tally.problems,
      updated: Math.max(stat?.mtimeMs ?? 0, summaryStat?.mtimeMs ?? 0),
      ...about,
    };
  }

  /** bench.json's identity and notes.json, read again only when either file changed. */
  private async about(dir: string): Promise<Pick<RunStatus, 'identity' | 'notes' | 'notesProblem'>> {
    const stamp = async (f: string) => {
      const st = await fs.stat(path.join(dir, f)).catch(() => undefined);
      return st ? `${st.mtimeMs}:${st.size}` : '-';
    };
    const key = `${await stamp(BENCH_FILE)}|${await stamp(NOTES_FILE)}`;
    const cached = this.abouts.get(dir);
    if (cached?.key === key) return cached.value;
    const [identity, notes] = await Promise.all([
      readBenchMeta(dir).then(runIdentity, () => undefined),
      readRunNotes(dir).then(
        (n) => ({ notes: n }),
        (e: unknown) => ({ notesProblem: (e as Error).message }),
      ),
    ]);
    const value = { ...(identity ? { identity } : {}), ...notes };
    this.abouts.set(dir, { key, value });
    return value;
  }

  forget(dir: string): void {
    this.tallies.delete(dir);
    this.abouts.delete(dir);
  }
}
