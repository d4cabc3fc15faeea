// The local corpus' image index, built once from every page image (each decoded once) and
// stored in the index folder. In memory: each image's local features, filed by key
// (featureVotes.ts), and which colours it has (colourPalette.ts). Read only for the few
// images a search needs (imageData.ts): the 64-pixel pixels the exact matcher compares, and
// the thumbnail a hit shows. A search shortlists images by their features' votes and ranks
// the shortlist with the exact matcher (imageMatch.ts); a corpus no larger than the
// shortlist is ranked by the exact matcher alone, as it always was.
import { z } from 'zod';
import type { EncodedImage } from '../core/ports';
import { makeThumbnail } from '../vision/image';
import { colourCover, colourShares, palette, PALETTE_BYTES } from './colourPalette';
import { readImageFile, resolveImage } from './corpusFiles';
import { castVotes, FEATURE_TABLE_SECTIONS, featureTableSane, FeatureTableBuilder, type FeatureTable, type VoteResult } from './featureVotes';
import { Grow } from './growable';
import type { ImageDataStore } from './imageData';
import { CORPUS_SIDE, corpusFeatures, QUERY_SIDE, queryFeatures, type Feature } from './imageFeatures';
import { orientedPixels, planeFromRgb, signatureFromRgb, signaturePixels, type ImageSignature } from './imageMatch';
import { rankOffThread } from './rankOffThread';
import { IndexFile, IndexFileError, type SectionInput } from './indexFile';

/** Bumped whenever what the files hold (or how features are made) changes: an index of another version is rebuilt. */
export const IMAGES_INDEX_KIND = 'gog-corpus-images/5';
/** Images the exact matcher ranks in one search at most: those with the most votes. */
export const SHORTLIST = 12;
/**
 * A search is "strong" when some image is placed by this many query features: in the
 * crops and photos tried against look-alike corpora, the source then always had as many,
 * and images placed by fewer than SHORTLIST_SUPPORT never won. In a strong search the
 * exact matcher looks where the votes put the query (the others are runners-up); in a
 * weak one it looks everywhere, as a few features can agree on a place by chance (in a
 * starfield, say).
 */
const STRONG_SUPPORT = 6;
const SHORTLIST_SUPPORT = 3;
/** In a strong search, images with less than this share of the best image's votes are runners-up too. */
const STRONG_RATIO = 0.1;
/** Images per data file: a data file is built in memory, so this bounds the memory a build takes. */
const IMAGES_PER_DATA_FILE = 1024;
const BUILD_CONCURRENCY = 4;

/** An image a page names: `ref` is its place in the pages index's list of images. */
export interface ImageRef {
  ref: number;
  written: string;
}

/** A page image that is not in the index, and why. */
export interface ImageProblem {
  ref: number;
  message: string;
}

export const imageIndexMeta = z.object({
  entries: z.number().int().nonnegative(),
  features: z.number().int().nonnegative(),
  filed: z.number().int().nonnegative(),
  dataFiles: z.number().int().nonnegative(),
});
export type ImageIndexMeta = z.infer<typeof imageIndexMeta>;
const problemsSchema = z.array(z.object({ ref: z.number().int().nonnegative(), message: z.string() }));

/** Per indexed image ("entry"). */
interface EntryTable {
  /** Which reference it is. */
  entryRefs: Uint32Array;
  /** Pixel width and height, thumbnail width and height. */
  entryShapes: Uint16Array;
  /** Data file, byte offset, byte length (pixels, then the thumbnail's JPEG). */
  entryData: Uint32Array;
  /** Its palette (colourPalette.ts), one after another. */
  entryPalettes: Uint8Array;
}

/** A query, described once for every image it is compared with; its features only when a shortlist is needed. */
export interface ImageQuery {
  signature: ImageSignature;
  features: () => Feature[];
  /** Share of its pixels in each colour bin. */
  colours: Float32Array;
}

export async function describeQuery(image: Buffer): Promise<ImageQuery> {
  const [signature, pixels] = await Promise.all([
    signaturePixels(image).then((p) => signatureFromRgb(p.data, p.width, p.height)),
    orientedPixels(image, QUERY_SIDE, false),
  ]);
  let features: Feature[] | undefined;
  return {
    signature,
    features: () => (features ??= queryFeatures(planeFromRgb(pixels.data, pixels.width, pixels.height))),
    colours: colourShares(pixels.data),
  };
}

function firstLine(e: unknown): string {
  return ((e as Error)?.message ?? String(e)).split('\n')[0]!.trim();
}

interface Decoded {
  ref: number;
  pixels: { data: Buffer; width: number; height: number };
  base: { width: number; height: number };
  thumbnail: EncodedImage;
  features: Feature[];
  palette: Uint8Array;
}

/** One image, read from inside the corpus folder and decoded once into what the index keeps. */
async function decodeImage(root: string, { ref, written }: ImageRef): Promise<Decoded | ImageProblem> {
  const quoted = JSON.stringify(written);
  const resolved = await resolveImage(root, written);
  if (!resolved.ok) return { ref, message: resolved.message };
  let bytes: Buffer;
  try {
    bytes = await readImageFile(resolved);
  } catch (e) {
    return { ref, message: `image ${quoted} could not be read: ${firstLine(e)}` };
  }
  try {
    const [pixels, base, thumbnail] = await Promise.all([signaturePixels(bytes), orientedPixels(bytes, CORPUS_SIDE, false), makeThumbnail(bytes)]);
    return {
      ref,
      pixels,
      base: { width: base.width, height: base.height },
      thumbnail,
      features: corpusFeatures(planeFromRgb(base.data, base.width, base.height)),
      palette: palette(base.data),
    };
  } catch (e) {
    return { ref, message: `image ${quoted} could not be decoded (corrupt or truncated?): ${firstLine(e)}` };
  }
}

export interface BuiltImageIndex {
  index: ImageIndex;
  sections: SectionInput[];
  meta: ImageIndexMeta;
}

export class ImageIndex {
  private constructor(
    private readonly entries: EntryTable,
    private readonly features: FeatureTable,
    private readonly data: ImageDataStore,
    /** Page images left out, and why. */
    readonly problems: readonly ImageProblem[],
  ) {}

  get size(): number {
    return this.entries.entryRefs.length;
  }

  /** Decodes every image once; data files go to `data` as they fill. `onProgress`: images done so far, of all. */
  static async build(
    root: string,
    refs: readonly ImageRef[],
    data: ImageDataStore,
    onProgress?: (done: number, total: number) => void,
  ): Promise<BuiltImageIndex> {
    const entryRefs = new Grow(new Uint32Array(64), (n) => new Uint32Array(n));
    const entryShapes = new Grow(new Uint16Array(256), (n) => new Uint16Array(n));
    const entryData = new Grow(new Uint32Array(192), (n) => new Uint32Array(n));
    const entryPalettes = new Grow(new Uint8Array(4096), (n) => new Uint8Array(n));
    const features = new FeatureTableBuilder();
    const problems: ImageProblem[] = [];
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    let file = 0;
    const flush = async () => {
      if (!pending.length) return;
      const bytes = new Uint8Array(pendingBytes);
      let at = 0;
      for (const p of pending) {
        bytes.set(p, at);
        at += p.length;
      }
      pending = [];
      pendingBytes = 0;
      await data.write(file++, bytes);
    };

    for (let i = 0; i < refs.length; i += BUILD_CONCURRENCY) {
      const batch = await Promise.all(refs.slice(i, i + BUILD_CONCURRENCY).map((r) => decodeImage(root, r)));
      for (const d of batch) {
        if (!('pixels' in d)) {
          problems.push(d);
          continue;
        }
        entryRefs.push(d.ref);
        entryShapes.pushAll([d.pixels.width, d.pixels.height, d.thumbnail.width, d.thumbnail.height]);
        entryData.pushAll([file, pendingBytes, d.pixels.data.length + d.thumbnail.data.length]);
        entryPalettes.pushAll(d.palette);
        pending.push(d.pixels.data, d.thumbnail.data);
        pendingBytes += d.pixels.data.length + d.thumbnail.data.length;
        features.add(d.base.width, d.base.height, d.features);
        if (entryRefs.length % IMAGES_PER_DATA_FILE === 0) await flush();
      }
      onProgress?.(Math.min(i + BUILD_CONCURRENCY, refs.length), refs.length);
    }
    await flush();

    const entries: EntryTable = {
      entryRefs: entryRefs.done(),
      entryShapes: entryShapes.done(),
      entryData: entryData.done(),
      entryPalettes: entryPalettes.done(),
    };
    const table = features.finish();
    const meta: ImageIndexMeta = { entries: entries.entryRefs.length, features: table.featureLevels.length, filed: table.keyFeatures.length, dataFiles: file };
    const sections: SectionInput[] = [
      ...(Object.keys(entries) as (keyof EntryTable)[]).map((name) => ({ name, data: entries[name] })),
      ...FEATURE_TABLE_SECTIONS.map((name) => ({ name, data: table[name] })),
      { name: 'problems', data: Buffer.from(JSON.stringify(problems)) },
    ];
    return { index: new ImageIndex(entries, table, data, problems), sections, meta };
  }

  /** The problems stored in an index file, without loading the rest. */
  static async storedProblems(file: IndexFile<ImageIndexMeta>): Promise<ImageProblem[]> {
    const r = problemsSchema.safeParse(await file.json('problems'));
    if (!r.success) throw new IndexFileError(`${file.file}: problems do not check out`, file.file);
    return r.data;
  }

  /** Loads the tables of an index file (checked); `refCount` is how many image references the pages index has. */
  static async load(file: IndexFile<ImageIndexMeta>, refCount: number, data: ImageDataStore): Promise<ImageIndex> {
    const m = file.meta;
    const view = async <T>(name: string, make: (b: ArrayBuffer, offset: number, length: number) => T, size: number, count: number): Promise<T> => {
      const b = await file.section(name);
      if (b.length !== size * count) throw new IndexFileError(`${file.file}: section ${name} has the wrong size`, file.file);
      return make(b.buffer as ArrayBuffer, b.byteOffset, count);
    };
    const u32 = (b: ArrayBuffer, o: number, n: number) => new Uint32Array(b, o, n);
    const u16 = (b: ArrayBuffer, o: number, n: number) => new Uint16Array(b, o, n);
    const u8 = (b: ArrayBuffer, o: number, n: number) => new Uint8Array(b, o, n);
    const entries: EntryTable = {
      entryRefs: await view('entryRefs', u32, 4, m.entries),
      entryShapes: await view('entryShapes', u16, 2, m.entries * 4),
      entryData: await view('entryData', u32, 4, m.entries * 3),
      entryPalettes: await view('entryPalettes', u8, 1, m.entries * PALETTE_BYTES),
    };
    const features: FeatureTable = {
      entryFeatures: await view('entryFeatures', u32, 4, m.entries + 1),
      entryBases: await view('entryBases', u16, 2, m.entries * 2),
      featurePlaces: await view('featurePlaces', u16, 2, m.features * 2),
      featureLevels: await view('featureLevels', u8, 1, m.features),
      featureCells: await view('featureCells', u8, 1, m.features * 8),
      featureColours: await view('featureColours', u8, 1, m.features * 3),
      keyStarts: await view('keyStarts', u32, 4, 65537),
      keyFeatures: await view('keyFeatures', u32, 4, m.filed),
    };
    let dataOk = true;
    for (let e = 0; e < m.entries; e++) dataOk &&= entries.entryData[e * 3]! < m.dataFiles;
    if (!dataOk || !entries.entryRefs.every((r) => r < refCount) || !featureTableSane(features, m.entries)) {
      throw new IndexFileError(`${file.file}: image index does not add up`, file.file);
    }
    return new ImageIndex(entries, features, data, await ImageIndex.storedProblems(file));
  }

  /** Which image reference an entry is. */
  refOf(entry: number): number {
    return this.entries.entryRefs[entry]!;
  }

  private async entryBytes(entry: number): Promise<Uint8Array> {
    const d = this.entries.entryData;
    const length = d[entry * 3 + 2]!;
    const bytes = await this.data.read(d[entry * 3]!, d[entry * 3 + 1]!, length);
    if (bytes.length !== length) throw new IndexFileError(`image data of entry ${entry} is cut short`);
    return bytes;
  }

  private async signature(entry: number): Promise<ImageSignature> {
    const s = this.entries.entryShapes;
    const [w, h] = [s[entry * 4]!, s[entry * 4 + 1]!];
    const bytes = await this.entryBytes(entry);
    if (w * h * 3 > bytes.length) throw new IndexFileError(`image data of entry ${entry} is cut short`);
    return signatureFromRgb(bytes.subarray(0, w * h * 3), w, h);
  }

  async thumbnail(entry: number): Promise<EncodedImage> {
    const s = this.entries.entryShapes;
    const bytes = await this.entryBytes(entry);
    const pixels = s[entry * 4]! * s[entry * 4 + 1]! * 3;
    return { data: Buffer.from(bytes.subarray(pixels)), width: s[entry * 4 + 2]!, height: s[entry * 4 + 3]!, mime: 'image/jpeg' };
  }

  /** Where the query's features place it in each image they reach (see featureVotes.ts). */
  votes(query: ImageQuery): Map<number, VoteResult> {
    return castVotes(this.features, query.features(), this.size);
  }

  /**
   * Entries ranked for the query, best first, at most `limit`; scores are the exact
   * matcher's where it ran. With an image placed by many features (a "strong" search,
   * the usual case), the exact matcher ranks the shortlisted images that several features
   * place, where the votes put the query; the rest follow in vote order. When no image is
   * placed by many features (a small or plain crop), it ranks the whole shortlist,
   * everywhere, topped up with the images that have all of the query's colours.
   */
  async rank(query: ImageQuery, limit: number): Promise<{ entry: number; score: number }[]> {
    const n = this.size;
    const all = Array.from({ length: n }, (_, e) => e);
    if (n <= SHORTLIST) {
      const candidates = await Promise.all(all.map(async (entry) => ({ item: entry, signature: await this.signature(entry) })));
      return (await rankOffThread(query.signature, candidates)).map((r) => ({ entry: r.item, score: r.score })).slice(0, limit);
    }
    const votes = this.votes(query);
    const voted = [...votes.entries()].sort((a, b) => b[1].score - a[1].score || a[0] - b[0]).map(([e]) => e);
    const strong = voted.slice(0, SHORTLIST).some((e) => votes.get(e)!.support >= STRONG_SUPPORT);
    let shortlist = voted.slice(0, SHORTLIST);
    let rest = voted.slice(SHORTLIST);
    if (strong) {
      const top = votes.get(voted[0]!)!.score;
      const contender = (e: number) => votes.get(e)!.support >= SHORTLIST_SUPPORT && votes.get(e)!.score >= STRONG_RATIO * top;
      rest = [...shortlist.filter((e) => !contender(e)), ...rest];
      shortlist = shortlist.filter(contender);
    }
    const wanted = strong ? limit : Math.max(limit, SHORTLIST);
    if (shortlist.length + rest.length < wanted) {
      const unvoted = all.filter((e) => !votes.has(e));
      const cover = colourCover(query.colours, this.entries.entryPalettes, unvoted);
      unvoted.sort((a, b) => cover.get(b)! - cover.get(a)! || a - b);
      const fill = unvoted.slice(0, wanted - shortlist.length - rest.length);
      if (!strong) {
        const room = SHORTLIST - shortlist.length;
        shortlist = [...shortlist, ...fill.slice(0, room)];
        rest = [...rest, ...fill.slice(room)];
      } else rest = [...rest, ...fill];
    }
    const candidates = await Promise.all(
      shortlist.map(async (entry) => {
        const v = votes.get(entry);
        return { item: entry, signature: await this.signature(entry), ...(strong && v ? { hint: v.hint } : {}) };
      }),
    );
    const ranked = (await rankOffThread(query.signature, candidates)).map((r) => ({ entry: r.item, score: r.score }));
    // Past the shortlist, below the lowest exact score (the scores are not comparable).
    const floor = ranked.at(-1)?.score ?? 0;
    return [...ranked, ...rest.map((entry) => ({ entry, score: floor }))].slice(0, limit);
  }
}
