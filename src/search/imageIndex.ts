// The local corpus' image index, built once from every page image (each decoded once) and
// stored in the index folder. In memory: each image's local features (imageFeatures.ts)
// in typed arrays, filed by key. On disk only, in data files read for the few images a
// search needs: the 64-pixel pixels the exact matcher compares, and the thumbnail a hit
// shows. A search shortlists images by their features' votes and ranks the shortlist with
// the exact matcher (imageMatch.ts); a corpus no larger than the shortlist is ranked by the
// exact matcher alone, as it always was.
import { z } from 'zod';
import type { EncodedImage } from '../core/ports';
import { makeThumbnail } from '../vision/image';
import { readImageFile, resolveImage } from './corpusFiles';
import {
  CORPUS_SIDE,
  corpusFeatures,
  corpusLevelSize,
  MAX_COLOUR_DISTANCE,
  MIN_CORRELATION,
  QUERY_SIDE,
  queryFeatures,
  Z_SCALE,
  type Feature,
} from './imageFeatures';
import { orientedPixels, planeFromRgb, rankBySimilarity, signatureFromRgb, signaturePixels, type ImageSignature, type PlaceHint } from './imageMatch';
import { IndexFile, IndexFileError, writeIndexFile, type SectionInput } from './indexFile';

/** Bumped whenever what the files hold (or how features are made) changes: an index of another version is rebuilt. */
export const IMAGES_INDEX_KIND = 'gog-corpus-images/4';
export const IMAGE_DATA_KIND = 'gog-corpus-image-data/1';
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
/** Images per data file: a data file is built in memory, so this bounds the memory a build takes. */
export const IMAGES_PER_DATA_FILE = 1024;
const BUILD_CONCURRENCY = 4;
const KEYS = 1 << 16;
/** Feature matches must agree on scale within a quarter octave and on place within 5 % of the query's size. */
const SCALE_BINS_PER_OCTAVE = 4;
const PLACE_TOLERANCE = 0.05;
/** Corpus features one search compares at most (a few milliseconds' work). */
const VOTE_BUDGET = 40_000;

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

interface Tables {
  /** Per indexed image ("entry"): which reference it is. */
  entryRefs: Uint32Array;
  /** Per entry: pixel width and height, thumbnail width and height. */
  entryShapes: Uint16Array;
  /** Per entry: data file, byte offset, byte length (pixels, then the thumbnail's JPEG). */
  entryData: Uint32Array;
  /** Per entry: which of the 512 colour bins hold at least 0.1 % of its pixels (64 bytes), for queries the features cannot place. */
  entryPalettes: Uint8Array;
  /** Per entry: its features are entryFeatures[e] .. entryFeatures[e+1]; the size its levels come from. */
  entryFeatures: Uint32Array;
  entryBases: Uint16Array;
  /** Per feature: x and y on its level (fractions, ×65535); its level; 16 cells; colour. */
  featurePlaces: Uint16Array;
  featureLevels: Uint8Array;
  featureCells: Int8Array;
  featureColours: Uint8Array;
  /** Features filed by key: those with key k are keyFeatures[keyStarts[k] .. keyStarts[k+1]]. */
  keyStarts: Uint32Array;
  keyFeatures: Uint32Array;
}

/** Where a build puts its data files, and where a search reads them. */
export interface ImageDataStore {
  write(file: number, data: Uint8Array): Promise<void>;
  read(file: number, offset: number, length: number): Promise<Uint8Array>;
}

/** Data files kept in memory (no index folder). */
export function memoryDataStore(): ImageDataStore {
  const files = new Map<number, Uint8Array>();
  return {
    write: async (file, data) => void files.set(file, data),
    read: async (file, offset, length) => {
      const data = files.get(file);
      if (!data || offset + length > data.length) throw new IndexFileError(`image data ${file} is missing`);
      return data.subarray(offset, offset + length);
    },
  };
}

/** A query, described once for every image it is compared with; its features only when a shortlist is needed. */
export interface ImageQuery {
  signature: ImageSignature;
  features: () => Feature[];
  /** Share of its pixels in each of the 512 colour bins. */
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

const PALETTE_BINS = 512;
const PALETTE_PRESENT = 0.001;

/** Share of RGB pixels in each of 8×8×8 colour bins. */
function colourShares(rgb: Uint8Array): Float32Array {
  const shares = new Float32Array(PALETTE_BINS);
  const n = Math.max(1, rgb.length / 3);
  for (let i = 0; i + 2 < rgb.length; i += 3) shares[((rgb[i]! >> 5) << 6) | ((rgb[i + 1]! >> 5) << 3) | (rgb[i + 2]! >> 5)]! += 1 / n;
  return shares;
}

/** The bins an image really uses, as 512 bits. */
function palette(rgb: Uint8Array): Uint8Array {
  const bits = new Uint8Array(PALETTE_BINS / 8);
  colourShares(rgb).forEach((share, bin) => {
    if (share >= PALETTE_PRESENT) bits[bin >> 3]! |= 1 << (bin & 7);
  });
  return bits;
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

/** The size of a place cell at scale bin `sb`: a fraction of the query's width in the image (not below 15 % of it). */
function placeCell(sb: number): number {
  return PLACE_TOLERANCE * Math.max(2 ** (sb / SCALE_BINS_PER_OCTAVE), 0.15);
}

// A vote's cell (scale bin, x cell, y cell) as one number, for Map keys.
const packBin = (sb: number, x: number, y: number) => (sb + 512) * 1e8 + (x + 5000) * 1e4 + (y + 5000);
const unpackBin = (bin: number): [number, number, number] => [Math.floor(bin / 1e8) - 512, (Math.floor(bin / 1e4) % 1e4) - 5000, (bin % 1e4) - 5000];

/** An image's votes at their best: the summed weight, how many query features agree, and where they place the query. */
export interface VoteResult {
  score: number;
  support: number;
  hint: PlaceHint;
}

/** The place cell (with its neighbours) where distinct query features weigh most (a cell's votes: query feature, weight, …). */
function bestCell(cells: Map<number, number[]>): VoteResult {
  let best: VoteResult = { score: 0, support: 0, hint: { scale: 1, x: 0, y: 0 } };
  for (const bin of cells.keys()) {
    const [sb, xb, yb] = unpackBin(bin);
    const byQuery = new Map<number, number>();
    for (let ds = -1; ds <= 1; ds++) {
      // A neighbouring scale has its own cell size: the same place is another cell there.
      const ratio = placeCell(sb) / placeCell(sb + ds);
      const [cx, cy] = [Math.round(xb * ratio), Math.round(yb * ratio)];
      for (let dx = -1; dx <= 1; dx++)
        for (let dy = -1; dy <= 1; dy++) {
          const near = cells.get(packBin(sb + ds, cx + dx, cy + dy));
          if (!near) continue;
          for (let i = 0; i < near.length; i += 2) byQuery.set(near[i]!, Math.max(byQuery.get(near[i]!) ?? 0, near[i + 1]!));
        }
    }
    let sum = 0;
    for (const w of byQuery.values()) sum += w;
    if (sum > best.score) {
      const cell = placeCell(sb);
      best = { score: sum, support: byQuery.size, hint: { scale: 2 ** (sb / SCALE_BINS_PER_OCTAVE), x: xb * cell, y: yb * cell } };
    }
  }
  return best;
}

/** A growable typed array. */
class Grow<T extends Uint32Array | Float32Array | Float64Array | Int8Array | Uint8Array | Uint16Array> {
  length = 0;
  constructor(
    public data: T,
    private readonly make: (n: number) => T,
  ) {}
  push(v: number): void {
    if (this.length === this.data.length) this.grow(this.length + 1);
    this.data[this.length++] = v;
  }
  pushAll(values: ArrayLike<number>): void {
    if (this.length + values.length > this.data.length) this.grow(this.length + values.length);
    for (let i = 0; i < values.length; i++) this.data[this.length++] = values[i]!;
  }
  private grow(atLeast: number): void {
    const bigger = this.make(Math.max(this.data.length * 2, atLeast));
    bigger.set(this.data);
    this.data = bigger;
  }
  done(): T {
    return this.data.slice(0, this.length) as T;
  }
}

export interface BuiltImageIndex {
  index: ImageIndex;
  sections: SectionInput[];
  meta: ImageIndexMeta;
}

export class ImageIndex {
  private constructor(
    private readonly t: Tables,
    private readonly data: ImageDataStore,
    /** Page images left out, and why. */
    readonly problems: readonly ImageProblem[],
  ) {}

  get size(): number {
    return this.t.entryRefs.length;
  }

  /** Decodes every image once; data files go to `data` as they fill. */
  static async build(root: string, refs: readonly ImageRef[], data: ImageDataStore): Promise<BuiltImageIndex> {
    const entryRefs = new Grow(new Uint32Array(64), (n) => new Uint32Array(n));
    const entryShapes = new Grow(new Uint16Array(256), (n) => new Uint16Array(n));
    const entryData = new Grow(new Uint32Array(192), (n) => new Uint32Array(n));
    const entryPalettes = new Grow(new Uint8Array(4096), (n) => new Uint8Array(n));
    const entryFeatures = new Grow(new Uint32Array(64), (n) => new Uint32Array(n));
    const entryBases = new Grow(new Uint16Array(128), (n) => new Uint16Array(n));
    const featurePlaces = new Grow(new Uint16Array(8192), (n) => new Uint16Array(n));
    const featureLevels = new Grow(new Uint8Array(4096), (n) => new Uint8Array(n));
    const featureCells = new Grow(new Int8Array(65536), (n) => new Int8Array(n));
    const featureColours = new Grow(new Uint8Array(12288), (n) => new Uint8Array(n));
    // Each feature's keys, flat: how many, then the keys one after another.
    const keyCounts = new Grow(new Uint8Array(4096), (n) => new Uint8Array(n));
    const keyList = new Grow(new Uint32Array(8192), (n) => new Uint32Array(n));
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
        entryFeatures.push(featureLevels.length);
        entryBases.pushAll([d.base.width, d.base.height]);
        for (const f of d.features) {
          featurePlaces.pushAll([Math.round(f.x * 65535), Math.round(f.y * 65535)]);
          featureLevels.push(f.level);
          featureCells.pushAll(f.cells);
          featureColours.pushAll([Math.round(f.r), Math.round(f.g), Math.round(f.b)]);
          keyCounts.push(f.keys.length);
          keyList.pushAll(f.keys);
        }
        if (entryRefs.length % IMAGES_PER_DATA_FILE === 0) await flush();
      }
    }
    await flush();

    // File features by key (a counting sort).
    const keyStarts = new Uint32Array(KEYS + 1);
    for (let i = 0; i < keyList.length; i++) keyStarts[keyList.data[i]! + 1]!++;
    for (let k = 0; k < KEYS; k++) keyStarts[k + 1]! += keyStarts[k]!;
    const keyFeatures = new Uint32Array(keyStarts[KEYS]!);
    const fill = keyStarts.slice(0, KEYS);
    for (let f = 0, at = 0; f < keyCounts.length; f++) for (let j = 0; j < keyCounts.data[f]!; j++) keyFeatures[fill[keyList.data[at++]!]!++] = f;

    const t: Tables = {
      entryRefs: entryRefs.done(),
      entryShapes: entryShapes.done(),
      entryData: entryData.done(),
      entryPalettes: entryPalettes.done(),
      entryFeatures: (entryFeatures.push(featureLevels.length), entryFeatures.done()),
      entryBases: entryBases.done(),
      featurePlaces: featurePlaces.done(),
      featureLevels: featureLevels.done(),
      featureCells: featureCells.done(),
      featureColours: featureColours.done(),
      keyStarts,
      keyFeatures,
    };
    const meta: ImageIndexMeta = { entries: t.entryRefs.length, features: t.featureLevels.length, filed: keyFeatures.length, dataFiles: file };
    const sections: SectionInput[] = [
      ...(Object.keys(t) as (keyof Tables)[]).map((name) => ({ name, data: t[name] })),
      { name: 'problems', data: Buffer.from(JSON.stringify(problems)) },
    ];
    return { index: new ImageIndex(t, data, problems), sections, meta };
  }

  /** The problems stored in an index file, without loading the rest. */
  static async storedProblems(file: IndexFile<ImageIndexMeta>): Promise<ImageProblem[]> {
    const r = problemsSchema.safeParse(await file.json('problems'));
    if (!r.success) throw new IndexFileError(`${file.file}: problems do not check out`);
    return r.data;
  }

  /** Loads the tables of an index file (checked); `refCount` is how many image references the pages index has. */
  static async load(file: IndexFile<ImageIndexMeta>, refCount: number, data: ImageDataStore): Promise<ImageIndex> {
    const m = file.meta;
    const bytes = async (name: string) => file.section(name);
    const view = async <T>(name: string, make: (b: ArrayBuffer, offset: number, length: number) => T, size: number, count: number): Promise<T> => {
      const b = await bytes(name);
      if (b.length !== size * count) throw new IndexFileError(`${file.file}: section ${name} has the wrong size`);
      return make(b.buffer as ArrayBuffer, b.byteOffset, count);
    };
    const u32 = (b: ArrayBuffer, o: number, n: number) => new Uint32Array(b, o, n);
    const t: Tables = {
      entryRefs: await view('entryRefs', u32, 4, m.entries),
      entryShapes: await view('entryShapes', (b, o, n) => new Uint16Array(b, o, n), 2, m.entries * 4),
      entryData: await view('entryData', u32, 4, m.entries * 3),
      entryPalettes: await view('entryPalettes', (b, o, n) => new Uint8Array(b, o, n), 1, m.entries * (PALETTE_BINS / 8)),
      entryFeatures: await view('entryFeatures', u32, 4, m.entries + 1),
      entryBases: await view('entryBases', (b, o, n) => new Uint16Array(b, o, n), 2, m.entries * 2),
      featurePlaces: await view('featurePlaces', (b, o, n) => new Uint16Array(b, o, n), 2, m.features * 2),
      featureLevels: await view('featureLevels', (b, o, n) => new Uint8Array(b, o, n), 1, m.features),
      featureCells: await view('featureCells', (b, o, n) => new Int8Array(b, o, n), 1, m.features * 16),
      featureColours: await view('featureColours', (b, o, n) => new Uint8Array(b, o, n), 1, m.features * 3),
      keyStarts: await view('keyStarts', u32, 4, KEYS + 1),
      keyFeatures: await view('keyFeatures', u32, 4, m.filed),
    };
    const sane =
      t.entryRefs.every((r) => r < refCount) &&
      t.entryFeatures[0] === 0 &&
      t.entryFeatures[m.entries] === m.features &&
      t.entryFeatures.every((v, i) => i === 0 || v >= t.entryFeatures[i - 1]!) &&
      t.featureLevels.every((k) => k < 16) &&
      t.keyFeatures.every((f) => f < m.features) &&
      t.keyStarts[KEYS] === m.filed &&
      t.keyStarts.every((v, i) => i === 0 || v >= t.keyStarts[i - 1]!) &&
      Array.from({ length: m.entries }, (_, e) => t.entryData[e * 3]! < m.dataFiles).every(Boolean);
    if (!sane) throw new IndexFileError(`${file.file}: image index does not add up`);
    return new ImageIndex(t, data, await ImageIndex.storedProblems(file));
  }

  /** Which image reference an entry is. */
  refOf(entry: number): number {
    return this.t.entryRefs[entry]!;
  }

  private async entryBytes(entry: number): Promise<Uint8Array> {
    const [file, offset, length] = [this.t.entryData[entry * 3]!, this.t.entryData[entry * 3 + 1]!, this.t.entryData[entry * 3 + 2]!];
    const bytes = await this.data.read(file, offset, length);
    if (bytes.length !== length) throw new IndexFileError(`image data of entry ${entry} is cut short`);
    return bytes;
  }

  private async signature(entry: number): Promise<ImageSignature> {
    const [w, h] = [this.t.entryShapes[entry * 4]!, this.t.entryShapes[entry * 4 + 1]!];
    const bytes = await this.entryBytes(entry);
    if (w * h * 3 > bytes.length) throw new IndexFileError(`image data of entry ${entry} is cut short`);
    return signatureFromRgb(bytes.subarray(0, w * h * 3), w, h);
  }

  async thumbnail(entry: number): Promise<EncodedImage> {
    const s = this.t.entryShapes;
    const bytes = await this.entryBytes(entry);
    const pixels = s[entry * 4]! * s[entry * 4 + 1]! * 3;
    return { data: Buffer.from(bytes.subarray(pixels)), width: s[entry * 4 + 2]!, height: s[entry * 4 + 3]!, mime: 'image/jpeg' };
  }

  /**
   * Feature votes: for each image, the most query features that agree on one place for
   * the query in it (scale and offset), each counted once, weighted by how well it
   * matched and by how rare its key is. Rare keys are looked up first, and lookups stop
   * once VOTE_BUDGET corpus features were compared: the common keys say the least.
   */
  votes(query: ImageQuery): Map<number, VoteResult> {
    const t = this.t;
    const features = query.features();
    const order = features.map((_, i) => i).sort((a, b) => this.bucket(features[a]!.key) - this.bucket(features[b]!.key));
    // Votes, flat: entry, place cell, query feature, weight.
    const voteEntry = new Grow(new Uint32Array(1024), (n) => new Uint32Array(n));
    const voteCell = new Grow(new Float64Array(1024), (n) => new Float64Array(n));
    const voteQuery = new Grow(new Uint32Array(1024), (n) => new Uint32Array(n));
    const voteWeight = new Grow(new Float32Array(1024), (n) => new Float32Array(n));
    let compared = 0;
    for (const qi of order) {
      const q = features[qi]!;
      const from = t.keyStarts[q.key]!,
        to = t.keyStarts[q.key + 1]!;
      if (from === to) continue;
      if (compared + (to - from) > VOTE_BUDGET && compared > 0) break;
      compared += to - from;
      const rarity = 1 / Math.log2(2 + to - from);
      const { r, g, b, cells, levelWidth, levelHeight } = q;
      const qx = q.x * levelWidth,
        qy = q.y * levelHeight;
      for (let k = from; k < to; k++) {
        const f = t.keyFeatures[k]!;
        // Colour first: three differences, and most candidates fail it.
        const dr = r - t.featureColours[f * 3]!,
          dg = g - t.featureColours[f * 3 + 1]!,
          db = b - t.featureColours[f * 3 + 2]!;
        const colour2 = dr * dr + dg * dg + db * db;
        if (colour2 > MAX_COLOUR_DISTANCE * MAX_COLOUR_DISTANCE) continue;
        let dot = 0;
        for (let i = 0, o = f * 16; i < 16; i++, o++) dot += cells[i]! * t.featureCells[o]!;
        const correlation = dot / (16 * Z_SCALE * Z_SCALE);
        if (correlation < MIN_CORRELATION) continue;
        const entry = this.entryOf(f);
        const [lw, lh] = corpusLevelSize(t.entryBases[entry * 2]!, t.entryBases[entry * 2 + 1]!, t.featureLevels[f]!);
        // Where the query's corner (0, 0) and its width fall in this image, as fractions.
        const sb = Math.round(SCALE_BINS_PER_OCTAVE * Math.log2(levelWidth / lw));
        const cell = placeCell(sb);
        voteEntry.push(entry);
        voteCell.push(
          packBin(sb, Math.round((t.featurePlaces[f * 2]! / 65535 - qx / lw) / cell), Math.round((t.featurePlaces[f * 2 + 1]! / 65535 - qy / lh) / cell)),
        );
        voteQuery.push(qi);
        voteWeight.push(rarity * correlation * (1 - Math.sqrt(colour2) / MAX_COLOUR_DISTANCE));
      }
    }
    // Group the votes by entry (a counting sort), then find each entry's best place.
    const n = voteEntry.length;
    const starts = new Uint32Array(this.size + 1);
    for (let v = 0; v < n; v++) starts[voteEntry.data[v]! + 1]!++;
    for (let e = 0; e < this.size; e++) starts[e + 1]! += starts[e]!;
    const fill = starts.slice(0, this.size);
    const byEntry = new Uint32Array(n);
    for (let v = 0; v < n; v++) byEntry[fill[voteEntry.data[v]!]!++] = v;
    const scores = new Map<number, VoteResult>();
    for (let e = 0; e < this.size; e++) {
      const from = starts[e]!,
        to = starts[e + 1]!;
      if (from === to) continue;
      const cells = new Map<number, number[]>();
      for (let i = from; i < to; i++) {
        const v = byEntry[i]!;
        let c = cells.get(voteCell.data[v]!);
        if (!c) cells.set(voteCell.data[v]!, (c = []));
        c.push(voteQuery.data[v]!, voteWeight.data[v]!);
      }
      scores.set(e, bestCell(cells));
    }
    return scores;
  }

  /** The entry a feature belongs to (features are stored entry by entry). */
  private entryOf(feature: number): number {
    const starts = this.t.entryFeatures;
    let lo = 0,
      hi = starts.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= feature) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private bucket(key: number): number {
    return this.t.keyStarts[key + 1]! - this.t.keyStarts[key]!;
  }

  /** How much of the query's colour each entry has at all: a crop's colours are all in its source. */
  private colourCover(query: ImageQuery, entries: readonly number[]): Map<number, number> {
    const bins: number[] = [];
    query.colours.forEach((share, bin) => share > 0 && bins.push(bin));
    const p = this.t.entryPalettes;
    const out = new Map<number, number>();
    for (const e of entries) {
      let cover = 0;
      for (const bin of bins) if (p[e * 64 + (bin >> 3)]! & (1 << (bin & 7))) cover += query.colours[bin]!;
      out.set(e, cover);
    }
    return out;
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
      return rankBySimilarity(query.signature, candidates)
        .map((r) => ({ entry: r.item, score: r.score }))
        .slice(0, limit);
    }
    const votes = this.votes(query);
    const voted = [...votes.entries()].sort((a, b) => b[1].score - a[1].score || a[0] - b[0]).map(([e]) => e);
    const strong = voted.slice(0, SHORTLIST).some((e) => votes.get(e)!.support >= STRONG_SUPPORT);
    let shortlist = voted.slice(0, SHORTLIST);
    let rest = voted.slice(SHORTLIST);
    if (strong) {
      rest = [...shortlist.filter((e) => votes.get(e)!.support < SHORTLIST_SUPPORT), ...rest];
      shortlist = shortlist.filter((e) => votes.get(e)!.support >= SHORTLIST_SUPPORT);
    }
    const wanted = strong ? limit : Math.max(limit, SHORTLIST);
    if (shortlist.length + rest.length < wanted) {
      const unvoted = all.filter((e) => !votes.has(e));
      const cover = this.colourCover(query, unvoted);
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
    const ranked = rankBySimilarity(query.signature, candidates).map((r) => ({ entry: r.item, score: r.score }));
    // Past the shortlist, below the lowest exact score (the scores are not comparable).
    const floor = ranked.at(-1)?.score ?? 0;
    return [...ranked, ...rest.map((entry) => ({ entry, score: floor }))].slice(0, limit);
  }
}

/**
 * Data files in the index folder, `<key>-<n>` beside the image index `<key>`, each written
 * atomically as the build fills it. One that cannot be written stays in memory, and the
 * index is then not stored (`stored` turns false): it lives for this corpus object only.
 */
export function folderDataStore(fileOf: (n: number) => string, key: string): ImageDataStore & { readonly stored: boolean } {
  const kept = new Map<number, Uint8Array>();
  const readers = new Map<number, Promise<(offset: number, length: number) => Promise<Uint8Array>>>();
  let stored = true;
  return {
    get stored() {
      return stored;
    },
    async write(n, data) {
      try {
        await writeIndexFile(fileOf(n), IMAGE_DATA_KIND, `${key}/${n}`, {}, [{ name: 'data', data, chunked: true }]);
      } catch {
        stored = false;
        kept.set(n, data);
      }
    },
    async read(n, offset, length) {
      const inMemory = kept.get(n);
      if (inMemory) return inMemory.subarray(offset, offset + length);
      let reader = readers.get(n);
      if (!reader) {
        reader = IndexFile.open(fileOf(n), IMAGE_DATA_KIND, `${key}/${n}`, z.unknown()).then((file) => {
          if (!file) throw new IndexFileError(`${fileOf(n)} is missing or damaged`);
          return file.chunked('data');
        });
        reader.catch(() => readers.delete(n));
        readers.set(n, reader);
      }
      return (await reader)(offset, length);
    },
  };
}
