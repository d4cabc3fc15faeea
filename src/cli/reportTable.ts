// `gog report RUN --csv FILE` and `--parquet FILE`: the run's table, one row per sample in
// dataset order (src/data/runTable.ts), for a spreadsheet or a notebook. Each is a new file,
// checked before anything is read (never written over, never through a link, so never one of
// the run's own files), and written whole or not at all.
import * as path from 'node:path';
import { oneLine } from '../core/agent';
import { checkNewFile, FolderTaken } from '../data/emptyFolder';
import { loadRunRows } from '../data/reviewRows';
import { tableRows } from '../data/runTable';
import { writeFileAtomic } from '../core/atomicFile';
import { encodeTable, type TableFormat } from '../data/tableExport';
import { relativeToCwd, UsageError, type Io } from './io';
import { stoppedExitCode } from './stopSignal';

export interface TableTarget {
  format: TableFormat;
  file: string;
}

const FLAG: Record<TableFormat, string> = { csv: '--csv', parquet: '--parquet' };
const WHAT: Record<TableFormat, string> = { csv: 'CSV table', parquet: 'Parquet table' };

/** The tables asked for, resolved against `cwd`; two flags naming one file is a usage error. */
export function tableTargets(values: { csv?: string; parquet?: string }, cwd: string): TableTarget[] {
  const targets: TableTarget[] = [];
  if (values.csv !== undefined) targets.push({ format: 'csv', file: path.resolve(cwd, values.csv) });
  if (values.parquet !== undefined) targets.push({ format: 'parquet', file: path.resolve(cwd, values.parquet) });
  for (const t of targets) if (!path.basename(t.file)) throw new UsageError(`${FLAG[t.format]} needs a file name`);
  if (targets.length === 2 && targets[0]!.file === targets[1]!.file) throw new UsageError('--csv and --parquet name the same file; give each its own');
  return targets;
}

/** Checks that every target can be a new file; returns the exit code 2 (after one line on stderr) when one cannot. */
export async function checkTableTargets(targets: readonly TableTarget[], io: Io): Promise<number | undefined> {
  for (const t of targets) {
    try {
      await checkNewFile(t.file, WHAT[t.format], FLAG[t.format]);
    } catch (e) {
      if (!(e instanceof FolderTaken)) throw e;
      io.stderr(`gog: ${e.message}`);
      return 2;
    }
  }
  return undefined;
}

/** Writes the run's table to each target; 0 when all were written. */
export async function writeReportTables(runDir: string, targets: readonly TableTarget[], io: Io, signal: AbortSignal): Promise<number> {
  let run;
  try {
    run = await loadRunRows(runDir);
  } catch (e) {
    io.stderr(`gog: ${oneLine(e)}`);
    return 1;
  }
  for (const p of run.problems) io.stderr(`gog: warning: ${p.line ? `results.jsonl line ${p.line}: ${p.message}` : p.message} (left out of the table)`);
  const rows = tableRows(run.rows, run.trajectories);
  for (const t of targets) {
    if (signal.aborted) {
      io.stderr(`gog: report cancelled; nothing was written to ${relativeToCwd(t.file)}`);
      return stoppedExitCode(signal);
    }
    try {
      await writeFileAtomic(t.file, encodeTable(t.format, rows));
    } catch (e) {
      io.stderr(`gog: ${oneLine(e)}`);
      return 1;
    }
    io.stdout(`table: ${relativeToCwd(t.file)} (${t.format === 'csv' ? 'CSV' : 'Parquet'}, ${rows.length} sample${rows.length === 1 ? '' : 's'})`);
  }
  return 0;
}
