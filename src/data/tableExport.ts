// Writing a run's table to a file: CSV or Parquet by the file's extension, whole or not at
// all (atomicFile.ts). Never over the run's own record: a file that already exists inside the
// run folder (by real path) may be replaced only when it is a table export itself (a regular
// .csv or .parquet file), never results.jsonl, summary.json, a trajectory or anything else
// the run holds. `gog report` also refuses any existing file (checkNewFile); the extension's
// save dialog has asked the user before replacing a file elsewhere.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../core/atomicFile';
import { TABLE_COLUMNS, type TableRow } from './runTable';
import { tableCsv } from './tableCsv';
import { tableParquet } from './tableParquet';

export const TABLE_FORMATS = ['csv', 'parquet'] as const;
export type TableFormat = (typeof TABLE_FORMATS)[number];

const EXTENSIONS: Record<string, TableFormat> = { '.csv': 'csv', '.parquet': 'parquet', '.pq': 'parquet' };

export class TableRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TableRefused';
  }
}

/** The format a file name asks for (.csv, .parquet or .pq), or undefined. */
export function tableFormatOf(file: string): TableFormat | undefined {
  return EXTENSIONS[path.extname(file).toLowerCase()];
}

export function encodeTable(format: TableFormat, rows: readonly TableRow[]): string | Uint8Array {
  switch (format) {
    case 'csv':
      return tableCsv(TABLE_COLUMNS, rows);
    case 'parquet':
      return tableParquet(TABLE_COLUMNS, rows);
    default: {
      const never: never = format;
      throw new Error(`unknown table format ${String(never)}`);
    }
  }
}

const inside = (dir: string, p: string) => p === dir || p.startsWith(dir + path.sep);

/** Throws TableRefused when writing `file` would replace a file of the run in `runDir`, or write where no file can go. */
export async function checkTableTarget(runDir: string, file: string): Promise<void> {
  const stat = await fs.lstat(file).catch(() => undefined);
  if (stat?.isDirectory()) throw new TableRefused(`${file} is a folder; give the name of a file for the table`);
  if (!stat) return;
  const realRun = await fs.realpath(runDir).catch(() => path.resolve(runDir));
  const realParent = await fs.realpath(path.dirname(file)).catch(() => path.resolve(path.dirname(file)));
  if (!inside(realRun, path.join(realParent, path.basename(file)))) return;
  if (stat.isFile() && !stat.isSymbolicLink() && tableFormatOf(file)) return;
  throw new TableRefused(`${file} is one of the run's own files; the table is never written over them (choose another name)`);
}

/** Writes the rows to `file` as `format`, atomically, after checkTableTarget. */
export async function writeTable(runDir: string, file: string, format: TableFormat, rows: readonly TableRow[]): Promise<void> {
  await checkTableTarget(runDir, file);
  await writeFileAtomic(file, encodeTable(format, rows));
}
