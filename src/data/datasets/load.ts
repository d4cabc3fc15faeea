// Loading a benchmark: read the file's records, map each with the built-in layout its
// fields show (or the user's mapping), and check each image: a path must resolve, by its
// real path, inside the dataset's folder. A record that yields no sample is listed with
// its position and why; the rest load. Records are pulled one at a time and only the run's
// samples are kept: reading stops once the first `limit` samples are found, and a shard
// keeps its own samples only.
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Shard } from '../benchRun';
import type { RawImage } from './fields';
import { isRecord } from './fields';
import { openRecords, type DatasetFormat } from './files';
import type { ScorerId } from '../scoring/metrics';
import { detectLayout, layoutById, LAYOUTS, NotRun, truthOf, type Layout } from './layouts';
import { readId2Image } from './id2image';
import { mappedLayout, type FieldMap } from './mapping';
import { DatasetError, type RecordItem } from './records';
import type { DatasetProblem, DatasetSample, ImageRef } from './sample';

export interface Dataset {
  /** The file, as an absolute path. */
  file: string;
  /** Of the whole file, read to its end even when the records were not. */
  sha256: string;
  format: DatasetFormat;
  /** The layout the records were read in (`verl`, `simplevqa`, … or `mapped`). */
  layout: string;
  /** Records read (a record may yield no sample, or two): all of them, or up to the limit's need. */
  records: number;
  /** Samples the records read yielded (before the shard). */
  found: number;
  /** The samples to run: the first `limit` of them, of this shard. */
  samples: DatasetSample[];
  problems: DatasetProblem[];
  /** By benchmark, the records read that its own measure scores 0 though they cannot run. */
  notRun: Record<string, number>;
  /** Reading stopped at the limit (the file may hold more). */
  partial: boolean;
}

export interface LoadOptions {
  /** The user's mapping; without it the layout is detected from the fields. */
  map?: FieldMap;
  /** A built-in layout by id, instead of detecting one. */
  layout?: string;
  /** Only the first `limit` samples: reading stops once they are found. */
  limit?: number;
  /** Only the samples of this shard are kept (sample i belongs to shard i mod count). */
  shard?: Shard;
  /** The measure to score by, instead of the layout's (`--scorer`). */
  scorer?: ScorerId;
  /** Another folder the images may be in (`--images`): OVEN's image shards for InfoSeek. */
  images?: string;
}

/** Records whose fields decide the layout. */
const LAYOUT_SAMPLE = 20;

/** Folders next to the dataset where benchmarks keep their images (LiveVQA's News_imgs/, …). */
const IMAGE_FOLDER = /(^|_)(imgs|images)$/i;

class ImageResolver {
  private reals?: Promise<string[]>;
  private folders?: Promise<string[]>;
  /** `dir`: the dataset's folder; `extra`: more folders images may be in (`--images`). */
  constructor(
    private readonly dir: string,
    private readonly extra: readonly string[] = [],
  ) {}

  private roots(): Promise<string[]> {
    return (this.reals ??= Promise.all([this.dir, ...this.extra].map((d) => fs.realpath(d).catch(() => path.resolve(d)))));
  }

  private imageFolders(): Promise<string[]> {
    return (this.folders ??= fs
      .readdir(this.dir, { withFileTypes: true })
      .then((es) => es.filter((e) => e.isDirectory() && IMAGE_FOLDER.test(e.name)).map((e) => e.name))
      .catch(() => []));
  }

  /** The real path of `abs` if it is a regular file inside one of the folders; a string says why not. */
  private async inside(abs: string, shown: string): Promise<{ file: string } | { refused: string } | undefined> {
    let real: string;
    try {
      real = await fs.realpath(abs);
    } catch {
      return undefined;
    }
    const roots = await this.roots();
    if (!roots.some((root) => real.startsWith(root + path.sep)))
      return { refused: `the image ${shown} is outside the dataset folder${this.extra.length ? ' and --images' : ''} (by its real path); refused` };
    const stat = await fs.stat(real);
    return stat.isFile() ? { file: real } : { refused: `the image ${shown} is not a regular file` };
  }

  /** Where a name may be: as given (absolute), or under the dataset folder, its image folders and the extra folders. */
  private async candidates(name: string): Promise<string[]> {
    if (path.isAbsolute(name)) return [name];
    const under = [this.dir, ...(await this.imageFolders()).map((f) => path.join(this.dir, f)), ...this.extra];
    return under.map((d) => path.resolve(d, name));
  }

  async resolve(raw: RawImage): Promise<ImageRef | string> {
    if ('bytes' in raw) return { kind: 'bytes', data: raw.bytes };
    if ('url' in raw) return { kind: 'url', url: raw.url };
    const names = [raw.path, ...(raw.alternatives ?? [])];
    for (const name of names) {
      for (const abs of await this.candidates(name)) {
        const found = await this.inside(abs, name);
        if (!found) continue;
        if ('refused' in found) return found.refused;
        return { kind: 'file', path: found.file };
      }
    }
    if (raw.fallbackUrl) return { kind: 'url', url: raw.fallbackUrl };
    return `image not found: ${raw.path}`;
  }
}

/**
 * The names an id map's path may be found under here: as written, then its last three, two
 * and one components (an id map made on another machine names its own folders).
 */
function mappedNames(mapped: string): string[] {
  const parts = mapped.split(/[\\/]+/).filter(Boolean);
  return [mapped, ...[3, 2, 1].filter((n) => parts.length > n).map((n) => parts.slice(-n).join('/'))];
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) hash.update(chunk);
  return hash.digest('hex');
}

/** Record bytes a kept sample holds on their own, so the row group or line they came in can go. */
function ownBytes(image: ImageRef): ImageRef {
  return image.kind === 'bytes' && image.data.byteLength < image.data.buffer.byteLength ? { kind: 'bytes', data: Buffer.from(image.data) } : image;
}

function chooseLayout(file: string, options: LoadOptions, head: readonly unknown[]): Layout {
  let layout: Layout | undefined;
  if (options.map) layout = mappedLayout(options.map);
  else if (options.layout) {
    layout = layoutById(options.layout);
    if (!layout) throw new DatasetError(`unknown layout "${options.layout}"; use one of ${LAYOUTS.map((l) => l.id).join(', ')}`);
  } else layout = detectLayout(head);
  if (layout) return layout;
  const first = head.find(isRecord);
  const keys = first ? Object.keys(first).slice(0, 12).join(', ') : 'none';
  throw new DatasetError(`cannot tell the layout of ${path.basename(file)} (fields: ${keys}); give --map question=FIELD,answer=FIELD,image=FIELD`);
}

export async function loadDataset(file: string, options: LoadOptions = {}): Promise<Dataset> {
  const abs = path.resolve(file);
  const fail = (e: unknown): never => {
    if (e instanceof DatasetError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new DatasetError(code === 'ENOENT' ? `dataset not found: ${file}` : `cannot read ${file}: ${(e as Error).message.split('\n')[0]}`);
  };
  let size: number;
  let records: AsyncGenerator<RecordItem>;
  let format: DatasetFormat;
  try {
    const stat = await fs.stat(abs);
    if (!stat.isFile()) throw new DatasetError(`${file} is not a file`);
    size = stat.size;
    ({ format, records } = await openRecords(abs, size));
  } catch (e) {
    return fail(e);
  }

  const problems: DatasetProblem[] = [];
  const notRun: Record<string, number> = {};
  const samples: DatasetSample[] = [];
  const limit = options.limit ?? Infinity;
  let read = 0;
  let found = 0;
  let partial: boolean;
  let layout: Layout;
  try {
    // The layout is told from the first records' fields (unless it is given), so those are read first and kept.
    const head: { where: string; value: unknown }[] = [];
    let ended = false;
    const pull = async (): Promise<{ where: string; value: unknown } | undefined> => {
      for (;;) {
        const next = await records.next();
        if (next.done) {
          ended = true;
          return undefined;
        }
        read++;
        if (!('problem' in next.value)) return next.value;
        problems.push({ where: next.value.where, message: next.value.problem });
      }
    };
    const wanted = options.map || options.layout ? 0 : LAYOUT_SAMPLE;
    while (!ended && head.length < wanted) {
      const r = await pull();
      if (r) head.push(r);
    }
    layout = chooseLayout(
      abs,
      options,
      head.map((r) => r.value),
    );
    const imagesDir = options.images ? path.resolve(options.images) : undefined;
    const resolver = new ImageResolver(path.dirname(abs), imagesDir ? [imagesDir] : []);
    // InfoSeek: image ids looked up in id2image.jsonl (in --images, else beside the dataset).
    const id2image = layout.id === 'infoseek' ? await readId2Image([...(imagesDir ? [imagesDir] : []), path.dirname(abs)]) : undefined;
    const fallbackBenchmark = layout.benchmark ?? path.basename(abs).replace(/\.[^.]+$/, '');

    const take = async ({ where, value }: { where: string; value: unknown }) => {
      if (!isRecord(value)) {
        problems.push({ where, message: 'not an object' });
        return;
      }
      let mapped;
      try {
        mapped = layout.map(value);
      } catch (e) {
        mapped = `unreadable: ${(e as Error).message.split('\n')[0]}`;
      }
      if (typeof mapped === 'string') {
        problems.push({ where, message: mapped });
        return;
      }
      if (mapped instanceof NotRun) {
        problems.push({ where, message: mapped.reason, notRun: fallbackBenchmark });
        notRun[fallbackBenchmark] = (notRun[fallbackBenchmark] ?? 0) + 1;
        return;
      }
      for (const raw of mapped) {
        if (found >= limit) return;
        const at = raw.part ? `${where} (${raw.part})` : where;
        // Every sample's image is checked, the other shards' too: a sample whose image is
        // missing takes no index, so the indices (and the shards) are the same in every shard.
        const mapped = raw.imageId !== undefined ? id2image?.paths.get(raw.imageId) : undefined;
        const image = await resolver.resolve(
          mapped && 'path' in raw.image
            ? { ...raw.image, path: mapped, alternatives: [...mappedNames(mapped).slice(1), raw.image.path, ...(raw.image.alternatives ?? [])] }
            : raw.image,
        );
        if (typeof image === 'string') {
          problems.push({ where: at, message: image });
          continue;
        }
        const index = found++;
        if (options.shard && index % options.shard.count !== options.shard.index) continue;
        const id = raw.id ? (raw.part ? `${raw.id}#${raw.part}` : raw.id) : String(index);
        samples.push({
          index,
          id,
          question: raw.question,
          gold: raw.gold,
          image: ownBytes(image),
          benchmark: raw.benchmark ?? fallbackBenchmark,
          ...(raw.category ? { category: raw.category } : {}),
          truth: truthOf(options.scorer ?? layout.scorer, raw),
          where: at,
        });
      }
    };

    for (const r of head) if (found < limit) await take(r);
    // Nothing more is pulled once the limit is reached: a Parquet row group past it is never decoded.
    while (!ended && found < limit) {
      const r = await pull();
      if (r) await take(r);
    }
    partial = found >= limit;
  } catch (e) {
    return fail(e);
  } finally {
    await records.return(undefined);
  }
  // In file order, whichever step found them.
  const position = (p: DatasetProblem) => Number(/\d+/.exec(p.where)?.[0] ?? 0);
  problems.sort((a, b) => position(a) - position(b));
  let sha256: string;
  try {
    sha256 = await sha256Of(abs);
  } catch (e) {
    return fail(e);
  }
  return { file: abs, sha256, format, layout: layout.id, records: read, found, samples, problems, notRun, partial };
}
