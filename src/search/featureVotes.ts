// The corpus images' local features (imageFeatures.ts) in typed arrays, filed by key, and
// the vote that places a query in each image: every query feature that finds a corpus
// feature with its key, its cells and its colour votes for where the query's corner and
// width would fall in that image; an image's score is the largest set of distinct query
// features that agree (within a quarter octave and 5 % of the query's size).
import { corpusLevelSize, MAX_COLOUR_DISTANCE, MIN_CORRELATION, Z_SCALE, type Feature } from './imageFeatures';
import type { PlaceHint } from './imageMatch';
import { Grow } from './growable';

const KEYS = 1 << 16;
const SCALE_BINS_PER_OCTAVE = 4;
const PLACE_TOLERANCE = 0.05;
/** Corpus features one search compares at most (a few milliseconds' work). */
const VOTE_BUDGET = 40_000;
const EARLY_SUPPORT = 24;

export interface FeatureTable {
  /** Per entry (indexed image): its features are entryFeatures[e] .. entryFeatures[e+1]; the size its levels come from. */
  entryFeatures: Uint32Array;
  entryBases: Uint16Array;
  /** Per feature: x and y on its level (fractions, ×65535); its level; 16 cells (4 bits each, see packCells); colour. */
  featurePlaces: Uint16Array;
  featureLevels: Uint8Array;
  featureCells: Uint8Array;
  featureColours: Uint8Array;
  /** Features filed by key: those with key k are keyFeatures[keyStarts[k] .. keyStarts[k+1]]. */
  keyStarts: Uint32Array;
  keyFeatures: Uint32Array;
}

export const FEATURE_TABLE_SECTIONS = [
  'entryFeatures',
  'entryBases',
  'featurePlaces',
  'featureLevels',
  'featureCells',
  'featureColours',
  'keyStarts',
  'keyFeatures',
] as const;

/** Collects the features of one image after another, then files them by key. */
export class FeatureTableBuilder {
  private readonly entryFeatures = new Grow(new Uint32Array(64), (n) => new Uint32Array(n));
  private readonly entryBases = new Grow(new Uint16Array(128), (n) => new Uint16Array(n));
  private readonly places = new Grow(new Uint16Array(8192), (n) => new Uint16Array(n));
  private readonly levels = new Grow(new Uint8Array(4096), (n) => new Uint8Array(n));
  private readonly cells = new Grow(new Uint8Array(32768), (n) => new Uint8Array(n));
  private readonly colours = new Grow(new Uint8Array(12288), (n) => new Uint8Array(n));
  // Each feature's keys, flat: how many, then the keys one after another.
  private readonly keyCounts = new Grow(new Uint8Array(4096), (n) => new Uint8Array(n));
  private readonly keyList = new Grow(new Uint32Array(8192), (n) => new Uint32Array(n));

  /** The next entry's features, found on a base of `width` × `height`. */
  add(width: number, height: number, features: readonly Feature[]): void {
    this.entryFeatures.push(this.levels.length);
    this.entryBases.pushAll([width, height]);
    for (const f of features) {
      this.places.pushAll([Math.round(f.x * 65535), Math.round(f.y * 65535)]);
      this.levels.push(f.level);
      this.cells.pushAll(packCells(f.cells));
      this.colours.pushAll([Math.round(f.r), Math.round(f.g), Math.round(f.b)]);
      this.keyCounts.push(f.keys.length);
      this.keyList.pushAll(f.keys);
    }
  }

  finish(): FeatureTable {
    // File features by key (a counting sort).
    const keyStarts = new Uint32Array(KEYS + 1);
    for (let i = 0; i < this.keyList.length; i++) keyStarts[this.keyList.data[i]! + 1]!++;
    for (let k = 0; k < KEYS; k++) keyStarts[k + 1]! += keyStarts[k]!;
    const keyFeatures = new Uint32Array(keyStarts[KEYS]!);
    const fill = keyStarts.slice(0, KEYS);
    for (let f = 0, at = 0; f < this.keyCounts.length; f++)
      for (let j = 0; j < this.keyCounts.data[f]!; j++) keyFeatures[fill[this.keyList.data[at++]!]!++] = f;
    this.entryFeatures.push(this.levels.length);
    return {
      entryFeatures: this.entryFeatures.done(),
      entryBases: this.entryBases.done(),
      featurePlaces: this.places.done(),
      featureLevels: this.levels.done(),
      featureCells: this.cells.done(),
      featureColours: this.colours.done(),
      keyStarts,
      keyFeatures,
    };
  }
}

/** Whether a loaded table holds together (sizes are checked by the loader): entries' ranges, levels, keys. */
export function featureTableSane(t: FeatureTable, entries: number): boolean {
  const features = t.featureLevels.length;
  return (
    t.entryFeatures.length === entries + 1 &&
    t.entryFeatures[0] === 0 &&
    t.entryFeatures[entries] === features &&
    t.entryFeatures.every((v, i) => i === 0 || v >= t.entryFeatures[i - 1]!) &&
    t.featureLevels.every((k) => k < 16) &&
    t.keyStarts.length === KEYS + 1 &&
    t.keyStarts[KEYS] === t.keyFeatures.length &&
    t.keyStarts.every((v, i) => i === 0 || v >= t.keyStarts[i - 1]!) &&
    t.keyFeatures.every((f) => f < features)
  );
}

/**
 * Corpus features keep their cells in 4 bits (−8…7 at PACKED_SCALE steps per standard
 * deviation, two to a byte): half the memory of a byte each, and a correlation that moves
 * by a few hundredths at most; the query's cells keep their byte.
 */
const PACKED_SCALE = 2.5;
function packCells(cells: Int8Array): Uint8Array {
  const nibble = (c: number) => Math.max(-8, Math.min(7, Math.round((c / Z_SCALE) * PACKED_SCALE))) & 15;
  const out = new Uint8Array(8);
  for (let i = 0; i < 8; i++) out[i] = nibble(cells[2 * i]!) | (nibble(cells[2 * i + 1]!) << 4);
  return out;
}
const LOW_CELL = Int8Array.from({ length: 256 }, (_, b) => ((b & 15) << 28) >> 28);
const HIGH_CELL = Int8Array.from({ length: 256 }, (_, b) => (b << 24) >> 28);

/** The size of a place cell at scale bin `sb`: a fraction of the query's width in the image (not below 15 % of it). */
function placeCell(sb: number): number {
  return PLACE_TOLERANCE * Math.max(2 ** (sb / SCALE_BINS_PER_OCTAVE), 0.15);
}

// A vote's cell (scale bin, x cell, y cell) as one number, for Map keys.
const packBin = (sb: number, x: number, y: number) => (sb + 512) * 1e8 + (x + 5000) * 1e4 + (y + 5000);
const unpackBin = (bin: number): [number, number, number] => [Math.floor(bin / 1e8) - 512, (Math.floor(bin / 1e4) % 1e4) - 5000, (bin % 1e4) - 5000];

/** The place a cell stands for: the query's width in the image, its corner. */
function hintOf(bin: number): PlaceHint {
  const [sb, xb, yb] = unpackBin(bin);
  const cell = placeCell(sb);
  return { scale: 2 ** (sb / SCALE_BINS_PER_OCTAVE), x: xb * cell, y: yb * cell };
}

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
    if (sum > best.score) best = { score: sum, support: byQuery.size, hint: hintOf(bin) };
  }
  return best;
}

/** The entry a feature belongs to (features are stored entry by entry). */
function entryOf(t: FeatureTable, feature: number): number {
  const starts = t.entryFeatures;
  let lo = 0,
    hi = starts.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= feature) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Feature votes: for each image, the most query features that agree on one place for
 * the query in it (scale and offset), each counted once, weighted by how well it
 * matched and by how rare its key is. Rare keys are looked up first, and lookups stop
 * once VOTE_BUDGET corpus features were compared: the common keys say the least.
 */
export function castVotes(t: FeatureTable, features: readonly Feature[], entries: number): Map<number, VoteResult> {
  const bucket = (key: number) => t.keyStarts[key + 1]! - t.keyStarts[key]!;
  const order = features.map((_, i) => i).sort((a, b) => bucket(features[a]!.key) - bucket(features[b]!.key));
  // Votes, flat: entry, place cell, query feature, weight.
  const voteEntry = new Grow(new Uint32Array(1024), (n) => new Uint32Array(n));
  const voteCell = new Grow(new Float64Array(1024), (n) => new Float64Array(n));
  const voteQuery = new Grow(new Uint32Array(1024), (n) => new Uint32Array(n));
  const voteWeight = new Grow(new Float32Array(1024), (n) => new Float32Array(n));
  // Distinct query features voting for each entry so far: once one image has EARLY_SUPPORT,
  // lookups of the commoner keys left cannot change which images deserve the exact matcher.
  const voters = new Uint16Array(entries);
  const lastVoter = new Int32Array(entries).fill(-1);
  let mostVoters = 0;
  let compared = 0;
  for (const qi of order) {
    const q = features[qi]!;
    const from = t.keyStarts[q.key]!,
      to = t.keyStarts[q.key + 1]!;
    if (from === to) continue;
    if (compared + (to - from) > VOTE_BUDGET && compared > 0) break;
    if (mostVoters >= EARLY_SUPPORT && compared >= VOTE_BUDGET / 4) break;
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
      for (let i = 0, o = f * 8; i < 16; i += 2, o++) {
        const pair = t.featureCells[o]!;
        dot += cells[i]! * LOW_CELL[pair]! + cells[i + 1]! * HIGH_CELL[pair]!;
      }
      const correlation = dot / (16 * Z_SCALE * PACKED_SCALE);
      if (correlation < MIN_CORRELATION) continue;
      const entry = entryOf(t, f);
      const [lw, lh] = corpusLevelSize(t.entryBases[entry * 2]!, t.entryBases[entry * 2 + 1]!, t.featureLevels[f]!);
      // Where the query's corner (0, 0) and its width fall in this image, as fractions.
      const sb = Math.round(SCALE_BINS_PER_OCTAVE * Math.log2(levelWidth / lw));
      const cell = placeCell(sb);
      voteEntry.push(entry);
      if (lastVoter[entry] !== qi) {
        lastVoter[entry] = qi;
        mostVoters = Math.max(mostVoters, ++voters[entry]!);
      }
      voteCell.push(
        packBin(sb, Math.round((t.featurePlaces[f * 2]! / 65535 - qx / lw) / cell), Math.round((t.featurePlaces[f * 2 + 1]! / 65535 - qy / lh) / cell)),
      );
      voteQuery.push(qi);
      voteWeight.push(rarity * correlation * (1 - Math.sqrt(colour2) / MAX_COLOUR_DISTANCE));
    }
  }
  // Group the votes by entry (a counting sort), then find each entry's best place.
  const n = voteEntry.length;
  const starts = new Uint32Array(entries + 1);
  for (let v = 0; v < n; v++) starts[voteEntry.data[v]! + 1]!++;
  for (let e = 0; e < entries; e++) starts[e + 1]! += starts[e]!;
  const fill = starts.slice(0, entries);
  const byEntry = new Uint32Array(n);
  for (let v = 0; v < n; v++) byEntry[fill[voteEntry.data[v]!]!++] = v;
  const scores = new Map<number, VoteResult>();
  for (let e = 0; e < entries; e++) {
    const from = starts[e]!,
      to = starts[e + 1]!;
    if (from === to) continue;
    if (to - from === 1) {
      // One vote (most images a query touches): its own place, no neighbours to count.
      const v = byEntry[from]!;
      scores.set(e, { score: voteWeight.data[v]!, support: 1, hint: hintOf(voteCell.data[v]!) });
      continue;
    }
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
