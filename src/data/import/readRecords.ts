// The records of a file to import: a JSON array (MMSearch-R1's val_result_N.json, written by
// pandas to_json(orient="records")) or JSON Lines (chat logs, our openai export). Each
// record is named by where it is, so a broken one can be reported and skipped.
import { promises as fs } from 'node:fs';
import { readLines } from '../../core/lineReader';
import { jsonProblem, parseJson } from '../../core/json';

/** A JSON array is parsed whole; a file of lines is read as a stream. */
export const MAX_ARRAY_FILE_BYTES = 512 * 1024 * 1024;
/** One record (a conversation with its images as data URLs) up to this. */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;

export type SourceRecord = { position: string; value: unknown } | { position: string; problem: string };

export class SourceError extends Error {}

async function firstChar(file: string): Promise<string | undefined> {
  const handle = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    return /\S/.exec(
      buf
        .subarray(0, bytesRead)
        .toString('utf8')
        .replace(/^\uFEFF/, ''),
    )?.[0];
  } finally {
    await handle.close();
  }
}

export async function* readRecords(file: string): AsyncGenerator<SourceRecord> {
  const stat = await fs.stat(file).catch(() => undefined);
  if (!stat) throw new SourceError(`${file} does not exist`);
  if (!stat.isFile()) throw new SourceError(`${file} is not a regular file`);
  if ((await firstChar(file)) === '[') {
    if (stat.size > MAX_ARRAY_FILE_BYTES)
      throw new SourceError(
        `${file} is one JSON array of ${Math.round(stat.size / 1024 / 1024)} MB, over the ${MAX_ARRAY_FILE_BYTES / 1024 / 1024} MB read at once; split it or write it as JSON Lines`,
      );
    let records: unknown;
    try {
      records = parseJson((await fs.readFile(file, 'utf8')).replace(/^\uFEFF/, ''));
    } catch (e) {
      throw new SourceError(`${file} is ${jsonProblem(e)}`);
    }
    if (!Array.isArray(records)) throw new SourceError(`${file} is not a JSON array of records`);
    for (const [i, value] of records.entries()) yield { position: `record ${i + 1}`, value: value as unknown };
    return;
  }
  for await (const line of readLines(file, MAX_RECORD_BYTES)) {
    const position = `line ${line.line}`;
    if ('tooLong' in line) {
      yield { position, problem: `longer than ${MAX_RECORD_BYTES / 1024 / 1024} MB` };
      continue;
    }
    if (!line.text.trim()) continue;
    try {
      yield { position, value: parseJson(line.text) };
    } catch (e) {
      yield { position, problem: jsonProblem(e) };
    }
  }
}
