// Loading a benchmark: read the file's records, map each with the built-in layout its
// fields show (or the user's mapping), and check each image: a path must resolve, by its
// real path, inside the dataset's folder. A record that yields no sample is listed with
// its position and why; the rest load.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { RawImage, Rec } from './fields';
import { isRecord } from './fields';
import { DatasetError, readRecords, type DatasetFormat } from './files';
import { detectLayout, layoutById, LAYOUTS, type Layout } from './layouts';
import { mappedLayout, type FieldMap } from './mapping';
import type { DatasetProblem, DatasetSample, ImageRef } from './sample';

/** A dataset file larger than this is not read (V8 strings and buffers have limits too). */
export const MAX_DATASET_BYTES = 2 * 1024 * 1024 * 1024 - 1;

export interface Dataset {
  /** The file, as an absolute path. */
  file: string;
  sha256: string;
  format: DatasetFormat;
  /** The layout the records were read in (`verl`, `simplevqa`, … or `mapped`). */
  layout: string;
  /** Records in the file (a record may yield no sample, or two). */
  records: number;
  samples: DatasetSample[];
  problems: DatasetProblem[];
}

export interface LoadOptions {
  /** The user's mapping; without it the layout is detected from the fields. */
  map?: FieldMap;
  /** A built-in layout by id, instead of detecting one. */
  layout?: string;
}

/** Folders next to the dataset where benchmarks keep their images (LiveVQA's News_imgs/, …). */
const IMAGE_FOLDER = /(^|_)(imgs|images)$/i;

class ImageResolver {
  private real?: Promise<string>;
  private folders?: Promise<string[]>;
  constructor(private readonly dir: string) {}

  private root(): Promise<string> {
    return (this.real ??= fs.realpath(this.dir));
  }

  private imageFolders(): Promise<string[]> {
    return (this.folders ??= fs
      .readdir(this.dir, { withFileTypes: true })
      .then((es) => es.filter((e) => e.isDirectory() && IMAGE_FOLDER.test(e.name)).map((e) => e.name))
      .catch(() => []));
  }

  /** The real path of `rel` if it is a regular file inside the folder; a string says why not. */
  private async inside(rel: string): Promise<{ file: string } | { refused: string } | undefined> {
    const root = await this.root();
    const abs = path.resolve(this.dir, rel);
    let real: string;
    try {
      real = await fs.realpath(abs);
    } catch {
      return undefined;
    }
    if (!real.startsWith(root + path.sep)) return { refused: `the image ${rel} is outside the dataset folder (by its real path); refused` };
    const stat = await fs.stat(real);
    return stat.isFile() ? { file: real } : { refused: `the image ${rel} is not a regular file` };
  }

  async resolve(raw: RawImage): Promise<ImageRef | string> {
    if ('bytes' in raw) return { kind: 'bytes', data: raw.bytes };
    if ('url' in raw) return { kind: 'url', url: raw.url };
    const names = [raw.path, ...(raw.alternatives ?? [])];
    const tries = [...names];
    if (!path.isAbsolute(raw.path)) for (const folder of await this.imageFolders()) for (const n of names) tries.push(path.join(folder, n));
    for (const rel of tries) {
      const found = await this.inside(rel);
      if (!found) continue;
      if ('refused' in found) return found.refused;
      return { kind: 'file', path: found.file };
    }
    if (raw.fallbackUrl) return { kind: 'url', url: raw.fallbackUrl };
    return `image not found: ${raw.path}`;
  }
}

export async function loadDataset(file: string, options: LoadOptions = {}): Promise<Dataset> {
  const abs = path.resolve(file);
  let bytes: Buffer;
  try {
    const stat = await fs.stat(abs);
    if (!stat.isFile()) throw new DatasetError(`${file} is not a file`);
    if (stat.size > MAX_DATASET_BYTES) throw new DatasetError(`${file} is larger than 2 GB; split it`);
    bytes = await fs.readFile(abs);
  } catch (e) {
    if (e instanceof DatasetError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new DatasetError(code === 'ENOENT' ? `dataset not found: ${file}` : `cannot read ${file}: ${(e as Error).message}`);
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const read = await readRecords(abs, bytes);
  let layout: Layout | undefined;
  if (options.map) layout = mappedLayout(options.map);
  else if (options.layout) {
    layout = layoutById(options.layout);
    if (!layout) throw new DatasetError(`unknown layout "${options.layout}"; use one of ${LAYOUTS.map((l) => l.id).join(', ')}`);
  } else layout = detectLayout(read.records.map((r) => r.value));
  if (!layout) {
    const first = read.records.find((r) => isRecord(r.value));
    const keys = first
      ? Object.keys(first.value as Rec)
          .slice(0, 12)
          .join(', ')
      : 'none';
    throw new DatasetError(`cannot tell the layout of ${path.basename(file)} (fields: ${keys}); give --map question=FIELD,answer=FIELD,image=FIELD`);
  }
  const resolver = new ImageResolver(path.dirname(abs));
  const fallbackBenchmark = layout.benchmark ?? path.basename(abs).replace(/\.[^.]+$/, '');
  const samples: DatasetSample[] = [];
  const problems = [...read.problems];
  for (const { where, value } of read.records) {
    if (!isRecord(value)) {
      problems.push({ where, message: 'not an object' });
      continue;
    }
    let mapped;
    try {
      mapped = layout.map(value);
    } catch (e) {
      mapped = `unreadable: ${(e as Error).message.split('\n')[0]}`;
    }
    if (typeof mapped === 'string') {
      problems.push({ where, message: mapped });
      continue;
    }
    for (const raw of mapped) {
      const at = raw.part ? `${where} (${raw.part})` : where;
      const image = await resolver.resolve(raw.image);
      if (typeof image === 'string') {
        problems.push({ where: at, message: image });
        continue;
      }
      const index = samples.length;
      const id = raw.id ? (raw.part ? `${raw.id}#${raw.part}` : raw.id) : String(index);
      samples.push({
        index,
        id,
        question: raw.question,
        gold: raw.gold,
        image,
        benchmark: raw.benchmark ?? fallbackBenchmark,
        ...(raw.category ? { category: raw.category } : {}),
        where: at,
      });
    }
  }
  // In file order, whichever step found them.
  const position = (p: DatasetProblem) => Number(/\d+/.exec(p.where)?.[0] ?? 0);
  problems.sort((a, b) => position(a) - position(b));
  return { file: abs, sha256, format: read.format, layout: layout.id, records: read.records.length + read.problems.length, samples, problems };
}
