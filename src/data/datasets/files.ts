// The records of a dataset file: JSON (a list, or an object holding one), JSON Lines, or
// Parquet (hyparquet; nested columns such as `images: list<struct<bytes>>` come back as
// lists of objects, binary columns as bytes). Each record keeps its position for messages.
import { parquetReadObjects } from 'hyparquet';
import type { DatasetProblem } from './sample';

export type DatasetFormat = 'json' | 'jsonl' | 'parquet';

export interface FileRecords {
  format: DatasetFormat;
  records: { where: string; value: unknown }[];
  problems: DatasetProblem[];
}

export class DatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetError';
  }
}

const PARQUET_MAGIC = 'PAR1';

export function formatOf(file: string, bytes: Uint8Array): DatasetFormat {
  if (Buffer.from(bytes.subarray(0, 4)).toString('latin1') === PARQUET_MAGIC) return 'parquet';
  if (/\.(jsonl|ndjson)$/i.test(file)) return 'jsonl';
  if (/\.json$/i.test(file)) return 'json';
  const first = Buffer.from(bytes.subarray(0, 64)).toString('utf8').trimStart();
  return first.startsWith('[') ? 'json' : 'jsonl';
}

/** Keys under which a JSON object holds its list of records. */
const LIST_KEYS = ['data', 'items', 'samples', 'questions', 'rows', 'records'];

function fromJson(text: string): FileRecords {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new DatasetError(`not valid JSON (${(e as Error).message}); a JSON Lines file should end in .jsonl`);
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
  return { format: 'json', records: list.map((v, i) => ({ where: `record ${i}`, value: v })), problems: [] };
}

function fromJsonLines(text: string): FileRecords {
  const records: FileRecords['records'] = [];
  const problems: DatasetProblem[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (!line.trim()) continue;
    try {
      records.push({ where: `line ${i + 1}`, value: JSON.parse(line) });
    } catch (e) {
      problems.push({ where: `line ${i + 1}`, message: `not valid JSON (${(e as Error).message})` });
    }
  }
  return { format: 'jsonl', records, problems };
}

async function fromParquet(bytes: Uint8Array): Promise<FileRecords> {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let rows: Record<string, unknown>[];
  try {
    // utf8: false keeps unannotated binary columns (image bytes) as bytes.
    rows = await parquetReadObjects({ file: buffer, utf8: false });
  } catch (e) {
    throw new DatasetError(`cannot read the Parquet file: ${(e as Error).message.split('\n')[0]}`);
  }
  return { format: 'parquet', records: rows.map((v, i) => ({ where: `record ${i}`, value: v })), problems: [] };
}

export async function readRecords(file: string, bytes: Uint8Array): Promise<FileRecords> {
  const format = formatOf(file, bytes);
  switch (format) {
    case 'parquet':
      return fromParquet(bytes);
    case 'json':
      return fromJson(Buffer.from(bytes).toString('utf8'));
    case 'jsonl':
      return fromJsonLines(Buffer.from(bytes).toString('utf8'));
  }
}
