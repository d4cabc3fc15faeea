// InfoSeek's images are OVEN's, named by image id and spread over the OVEN image shards; the
// InfoSeek tools find them through `id2image.jsonl`, one `{"image_id": …, "image_path": …}`
// a line (edchengg/infoseek_eval run_blip2_infoseek.py reads it so). When such a file sits in
// `--images DIR` or beside the dataset, a sample's image is looked up there; the path is then
// resolved like any other image path (inside the dataset's folder or DIR, by its real path).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseJson } from '../../core/json';
import { readLines } from '../../core/lineReader';
import { isRecord } from './fields';

export const ID2IMAGE_FILE = 'id2image.jsonl';

/** More ids than all of OVEN's images: a file past it is not an id map. */
const MAX_ENTRIES = 10_000_000;
const MAX_LINE_BYTES = 64 * 1024;

export interface Id2Image {
  /** The file read. */
  file: string;
  paths: ReadonlyMap<string, string>;
  /** Lines that are not `{image_id, image_path}` (counted, not kept). */
  skipped: number;
}

/** The first `id2image.jsonl` that is a regular file in `folders`, read; undefined when there is none. */
export async function readId2Image(folders: readonly string[]): Promise<Id2Image | undefined> {
  for (const folder of folders) {
    const file = path.join(folder, ID2IMAGE_FILE);
    const stat = await fs.stat(file).catch(() => undefined);
    if (!stat?.isFile()) continue;
    const paths = new Map<string, string>();
    let skipped = 0;
    for await (const line of readLines(file, MAX_LINE_BYTES)) {
      if (paths.size >= MAX_ENTRIES) throw new Error(`${file} lists more than ${MAX_ENTRIES.toLocaleString('en')} images; not an id map`);
      if (!('text' in line) || !line.text.trim()) {
        if (!('text' in line)) skipped++;
        continue;
      }
      let v: unknown;
      try {
        v = parseJson(line.text);
      } catch {
        skipped++;
        continue;
      }
      const id = isRecord(v) ? v.image_id : undefined;
      const at = isRecord(v) ? v.image_path : undefined;
      if (typeof id === 'string' && typeof at === 'string' && at) paths.set(id, at);
      else skipped++;
    }
    return { file, paths, skipped };
  }
  return undefined;
}
