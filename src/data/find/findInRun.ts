// The trajectory search of a run review panel: the run folder searched as `gog find`
// searches it (findInTrajectories: the same matcher, threads, budgets and folder checks),
// each match turned into the sample (row) whose trajectory it is in, and each sample handed
// on once, at its first match, in batches as they are found. Files in the folder that no
// row names (a rerun's branch, say) are searched but not samples of the table: passed over.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { FindHit } from '../../shared/runsMessages';
import { findInTrajectories, type FindStop } from './findInTrajectories';
import { FindQueryError, type FindQuery } from './findQuery';
import { fieldLabel } from './trajectoryMatcher';

/** Hits are gathered this long, or to this many, before they are handed on. */
const BATCH_MS = 50;
const BATCH = 200;

export interface RunFindOptions {
  runDir: string;
  /** The trajectory of each row, by row key, as results.jsonl names it (relative to the run folder). */
  trajectories: readonly string[];
  query: FindQuery;
  signal: AbortSignal;
  onHits: (hits: FindHit[]) => void;
  fileTimeoutMs?: number;
  /** Search threads (default: as `gog find`). */
  threads?: number;
}

export interface RunFindOutcome {
  searched: number;
  /** Why the search could not run or stopped before the end, in one sentence; absent when it searched everything (or was cancelled). */
  error?: string;
}

function stopText(stop: FindStop | undefined): string | undefined {
  switch (stop?.why) {
    case undefined:
    case 'cancelled':
    case 'limit':
      return undefined;
    case 'file-timeout':
      return `${path.basename(path.dirname(stop.file))}/${path.basename(stop.file)} took more than ${stop.ms / 1000} s; a pattern that backtracks without end, like (a+)+$, does that: simplify it`;
    case 'timeout':
      return `the search took more than ${stop.ms / 1000} s and stopped before the end`;
    default: {
      const never: never = stop;
      return never;
    }
  }
}

/** The row keys of each trajectory file, by the path as named and by its real path (the walk gives either). */
async function keysByFile(runDir: string, trajectories: readonly string[]): Promise<Map<string, number[]>> {
  const byFile = new Map<string, number[]>();
  const add = (file: string, key: number) => {
    const keys = byFile.get(file) ?? [];
    if (!keys.includes(key)) keys.push(key);
    byFile.set(file, keys);
  };
  const real = await fs.realpath(runDir).catch(() => runDir);
  await Promise.all(
    trajectories.map(async (rel, key) => {
      if (!rel || path.isAbsolute(rel)) return;
      const named = path.resolve(runDir, rel);
      add(named, key);
      add(path.resolve(real, rel), key);
      const resolved = await fs.realpath(named).catch(() => undefined);
      if (resolved) add(resolved, key);
    }),
  );
  return byFile;
}

export async function findInRun(o: RunFindOptions): Promise<RunFindOutcome> {
  const keys = await keysByFile(o.runDir, o.trajectories);
  const seen = new Set<number>();
  let batch: FindHit[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (batch.length && !o.signal.aborted) o.onHits(batch);
    batch = [];
  };
  try {
    const summary = await findInTrajectories({
      paths: [o.runDir],
      cwd: o.runDir,
      query: o.query,
      signal: o.signal,
      ...(o.fileTimeoutMs ? { fileTimeoutMs: o.fileTimeoutMs } : {}),
      ...(o.threads ? { threads: o.threads } : {}),
      onMatch: (m) => {
        for (const key of keys.get(m.file) ?? []) {
          if (seen.has(key)) continue;
          seen.add(key);
          batch.push({ key, step: m.step, field: m.field, label: fieldLabel(m), before: m.before, match: m.match, after: m.after });
        }
        if (batch.length >= BATCH) flush();
        else if (batch.length) timer ??= setTimeout(flush, BATCH_MS);
      },
    });
    flush();
    const error = stopText(summary.stopped);
    return { searched: summary.searched, ...(error ? { error } : {}) };
  } catch (e) {
    clearTimeout(timer);
    if (e instanceof FindQueryError) return { searched: 0, error: e.message };
    throw e;
  }
}
