// The records of a dataset file: JSON (a list, or an object holding one), JSON Lines, or
// Parquet (hyparquet; nested columns such as `images: list<struct<bytes>>` come back as
// lists of objects, binary columns as bytes). Records come one at a time, so a reader that
// has what it needs (--limit) stops reading: JSON Lines is read as a stream a line at a
// time and Parquet a row group at a time (parquetRecords.ts). Only a JSON file, one value,
// is read whole, and only up to MAX_JSON_DATASET_BYTES.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { jsonProblem, parsePythonJson } from '../../core/json';
import { readLines } from '../../core/lineReader';
import { readInto } from '../../core/readRange';
import { parquetRecords } from './parquetRecords';
import { DatasetError, type RecordItem } from './records';

export type DatasetFormat = 'json' | 'jsonl' | 'parquet';

const MiB = 1024 * 1024;
/** The largest JSON (not JSON Lines) dataset: one value, parsed whole (and a string of it stays below V8's 2^29 characters). */
export const MAX_JSON_DATASET_BYTES = 500 * MiB;
/** The longest line of a JSON Lines dataset (a record with its image inlined is a few MB). */
export const MAX_DATASET_LINE_BYTES = 64 * MiB;

export interface RecordSource {
  format: DatasetFormat;
  /** In file order; stop pulling and nothing more is read. */
  records: AsyncGenerator<RecordItem>;
}

const PARQUET_MAGIC = 'PAR1';

export function formatOf(file: string, head: Uint8Array): DatasetFormat {
  if (Buffer.from(head.subarray(0, 4)).toString('latin1') === PARQUET_MAGIC) return 'parquet';
  if (/\.(jsonl|ndjson)$/i.test(file)) return 'jsonl';
  if (/\.json$/i.test(file)) return 'json';
  const first = Buffer.from(head.subarray(0, 64))
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  return first.startsWith('[') ? 'json' : 'jsonl';
}

/** Keys under which a JSON object holds its list of records. */
const LIST_KEYS = ['data', 'items', 'samples', 'questions', 'rows', 'records'];

async function* fromJson(file: string, size: number): AsyncGenerator<RecordItem> {
  if (size > MAX_JSON_DATASET_BYTES)
    throw new DatasetError(
      `${path.basename(file)} is one JSON value of ${Math.round(size / MiB)} MB, over the ${MAX_JSON_DATASET_BYTES / MiB} MB a JSON dataset may have; convert it to JSON Lines (.jsonl, one record a line), which is read as a stream`,
    );
  let value: unknown;
  try {
    value = parsePythonJson((await fs.readFile(file, 'utf8')).replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new DatasetError(`${path.basename(file)}: ${jsonProblem(e)}; a JSON Lines file should end in .jsonl`);
  }
  let list: unknown[] | undefined;
  if (Array.isArray(value)) list = value;
  else if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const key =
      LIST_KEYS.find((k) => Array.isArray(obj[k])) ??
      (Object.keys(obj).filter((k) => Array.isArray(obj[k])).length === 1 ? Object.keys(obj).find((k) => Array.isArray(obj[k])) : undefined);
    if (key) list = obj[key] as unknown[];
  }
  if (!list) throw new DatasetError('a JSON dataset is a list of records (or an object holding one list)');
  for (const [i, v] of list.entries()) yield { where: `record ${i}`, value: v };
}

async function* fromJsonLines(file: string): AsyncGenerator<RecordItem> {
  for await (const line of readLines(file, MAX_DATASET_LINE_BYTES)) {
    const where = `line ${line.line}`;
    if ('tooLong' in line) {
      yield { where, problem: `a line of ${Math.round(line.tooLong / MiB)} MB, longer than the ${MAX_DATASET_LINE_BYTES / MiB} MB a line may have` };
      continue;
    }
    const text = line.line === 1 ? line.text.replace(/^\uFEFF/, '') : line.text;
    if (!text.trim()) continue;
    try {
      yield { where, value: parsePythonJson(text) };
    } catch (e) {
      yield { where, problem: jsonProblem(e) };
    }
  }
}

/** The most of a `.json` file read to tell JSON Lines from JSON: a record with its image inlined is a few MB. */
const SNIFF_BYTES = 16 * MiB;

/**
 * Whether a `.json` file holds JSON Lines (SimpleVQA's own JSON files are one record a line):
 * it starts with an object, its first line (within SNIFF_BYTES) is a whole JSON object, and
 * another object starts the next line. Anything else is left to the JSON reader.
 */
async function holdsJsonLines(file: string, head: Buffer): Promise<boolean> {
  if (
    !head
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trimStart()
      .startsWith('{')
  )
    return false;
  const handle = await fs.open(file, 'r');
  let text: string;
  try {
    const buf = await readInto(handle, Buffer.alloc(SNIFF_BYTES), 0);
    text = buf.toString('utf8');
  } finally {
    await handle.close();
  }
  const nl = text.indexOf('\n');
  if (nl === -1) return false;
  try {
    const first = parsePythonJson(
      text
        .slice(0, nl)
        .replace(/^\uFEFF/, '')
        .trim(),
    );
    if (first === null || typeof first !== 'object' || Array.isArray(first)) return false;
  } catch {
    return false;
  }
  return /^\s*\{/.test(text.slice(nl + 1));
}

/** The file's records, read as they are pulled. */
export async function openRecords(file: string, size: number): Promise<RecordSource> {
  const handle = await fs.open(file, 'r');
  let head: Buffer;
  try {
    head = await readInto(handle, Buffer.alloc(64), 0);
  } finally {
    await handle.close();
  }
  let format = formatOf(file, head);
  if (format === 'json' && (await holdsJsonLines(file, head))) format = 'jsonl';
  switch (format) {
    case 'parquet':
      return { format, records: parquetRecords(file, size) };
    case 'json':
      return { format, records: fromJson(file, size) };
    case 'jsonl':
      return { format, records: fromJsonLines(file) };
  }
}
