// Local features for the image index's first stage, which shortlists the few corpus images
// worth the exact matcher's time (imageMatch.ts costs milliseconds per image).
//
// A feature is a corner (Harris) on one level of an image pyramid, described by the 16×16
// patch around it as 4×4 cell means: normalised to zero mean and unit spread (so a
// brightness or contrast change does not matter), with the patch's mean colour kept apart
// (so a colour change does). Its key is the 16 signs of the cells. Corpus images are
// described at 160 pixels and smaller levels a factor √2 apart; a corpus feature whose key
// flips when the patch moves by half a pixel or scales by 9 % is filed under each key it
// takes (at most 4), and one that flips more is dropped. A query (a whole image or a gaze
// crop, of unknown scale) is described at many sizes a factor 2^¼ apart, so that one of
// them meets each corpus level within 9 %; its features look their key up, are checked
// against the corpus feature's cells and colour, and each match votes for where the query
// would lie in that image (scale and offset, in the image's own coordinates). An image's
// score is the largest set of query features that agree on one place.
import type { Plane } from './imageMatch';

/** Corpus images are described at this longest side (or their own, if smaller). */
export const CORPUS_SIDE = 256;
/** Queries are decoded at up to this longest side, then described at QUERY_SIZES. */
export const QUERY_SIDE = 300;
const CELL = 4;
const PATCH = 4 * CELL;
const HALF = PATCH / 2;
/** A level must hold a patch and the margin around it. */
const MIN_LEVEL_SIDE = PATCH + 2;
const QUERY_SIZES = Array.from({ length: 16 }, (_, k) => Math.round(MIN_LEVEL_SIDE * 2 ** (k / 4))).filter((s) => s <= 150);
/**
 * Corners kept per level, for a level of 160×120 pixels (in proportion to area): a query
 * is described at many more levels than a corpus image, so it keeps fewer at each.
 */
const CORPUS_CORNERS_PER_LEVEL = 180;
const QUERY_CORNERS_PER_LEVEL = 150;
const CORNER_REFERENCE_AREA = 160 * 120;
const HARRIS_K = 0.05;
const MIN_CORNER = 50;
/** Below this spread of the cell means (grey levels), a patch is flat: no structure to key on. */
const MIN_SPREAD = 6;
const MAX_UNSTABLE_BITS = 2;

/** Cells are stored as int8 at this many steps per standard deviation. */
export const Z_SCALE = 40;
/** A match needs this correlation of cells, and mean colours closer than this (0–255 per channel). */
export const MIN_CORRELATION = 0.7;
export const MAX_COLOUR_DISTANCE = 25;
// Small moves and scalings a corpus feature's key must survive: half a pixel each way, ±9 %.
const PERTURBATIONS: readonly [number, number, number][] = [
  [0.5, 0.5, 0],
  [-0.5, 0.5, 0],
  [0.5, -0.5, 0],
  [-0.5, -0.5, 0],
  [0, 0, 0.09],
  [0, 0, -0.09],
];

export interface Descriptor {
  key: number;
  /** The 16 cells, zero mean, unit spread, ×Z_SCALE, as int8. */
  cells: Int8Array;
  r: number;
  g: number;
  b: number;
}

export interface Feature extends Descriptor {
  /** Position on its level, as a fraction of the level's width and height. */
  x: number;
  y: number;
  /** Its level: index (0 is the base) and size in pixels. */
  level: number;
  levelWidth: number;
  levelHeight: number;
  /** Every key it is filed under (corpus features only). */
  keys: number[];
}

/** One level of a pyramid: grey only (a feature's colour is read from the base, see BaseColour). */
interface Level {
  width: number;
  height: number;
  grey: Float32Array;
  /** Summed-area table, made on first use. */
  integral?: Float64Array;
}

/** Area-averaging resample of grey levels (an exact box filter with fractional edges), rows then columns. */
function resampleGrey(src: Level, width: number, height: number): Level {
  const across = (n: number, m: number) => {
    // For each of m outputs, the inputs it covers and their weights.
    const s = n / m;
    const from = new Int32Array(m),
      to = new Int32Array(m);
    const weights: Float32Array[] = [];
    for (let o = 0; o < m; o++) {
      const a = o * s,
        b = a + s;
      from[o] = Math.floor(a);
      to[o] = Math.min(n, Math.ceil(b));
      const w = new Float32Array(to[o]! - from[o]!);
      for (let i = from[o]!; i < to[o]!; i++) w[i - from[o]!] = (Math.min(b, i + 1) - Math.max(a, i)) / s;
      weights.push(w);
    }
    return { from, to, weights };
  };
  const xs = across(src.width, width),
    ys = across(src.height, height);
  const rows = new Float32Array(width * src.height);
  for (let y = 0; y < src.height; y++)
    for (let x = 0; x < width; x++) {
      const w = xs.weights[x]!;
      let acc = 0;
      for (let i = xs.from[x]!, k = 0; i < xs.to[x]!; i++, k++) acc += w[k]! * src.grey[y * src.width + i]!;
      rows[y * width + x] = acc;
    }
  const grey = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const w = ys.weights[y]!;
    for (let x = 0; x < width; x++) {
      let acc = 0;
      for (let j = ys.from[y]!, k = 0; j < ys.to[y]!; j++, k++) acc += w[k]! * rows[j * width + x]!;
      grey[y * width + x] = acc;
    }
  }
  return { width, height, grey };
}

/**
 * Mean colours over any rectangle of the base image (summed-area tables): a feature's
 * colour is that of its patch's footprint on the base, whatever level it was found on.
 */
class BaseColour {
  private readonly w: number;
  private readonly sums: Float64Array[];

  constructor(private readonly base: Plane) {
    this.w = base.width + 1;
    this.sums = [0, 1, 2].map((c) => {
      const t = new Float64Array(this.w * (base.height + 1));
      for (let y = 0; y < base.height; y++) {
        let row = 0;
        for (let x = 0; x < base.width; x++) {
          row += base.rgb[(y * base.width + x) * 3 + c]!;
          t[(y + 1) * this.w + x + 1] = t[y * this.w + x + 1]! + row;
        }
      }
      return t;
    });
  }

  /** Mean colour of [x0, x1) × [y0, y1) in base pixels, clipped to the image. */
  mean(x0: number, y0: number, x1: number, y1: number): [number, number, number] {
    const [a, b] = [Math.max(0, Math.min(this.base.width - 1, Math.floor(x0))), Math.max(0, Math.min(this.base.height - 1, Math.floor(y0)))];
    const [c, d] = [Math.max(a + 1, Math.min(this.base.width, Math.ceil(x1))), Math.max(b + 1, Math.min(this.base.height, Math.ceil(y1)))];
    const n = (c - a) * (d - b);
    const w = this.w;
    return this.sums.map((t) => (t[d * w + c]! - t[b * w + c]! - t[d * w + a]! + t[b * w + a]!) / n) as [number, number, number];
  }
}

/** The size of corpus level `k` of a base `width` × `height`: each level √2 smaller. */
export function corpusLevelSize(width: number, height: number, k: number): [number, number] {
  const f = 2 ** (-k / 2);
  return [Math.round(width * f), Math.round(height * f)];
}

/** Pyramid levels from `base` down, while a patch still fits. */
function corpusLevels(base: Level): Level[] {
  const out = [base];
  for (let k = 1; ; k++) {
    const [w, h] = corpusLevelSize(base.width, base.height, k);
    if (Math.min(w, h) < MIN_LEVEL_SIDE) return out;
    out.push(resampleGrey(base, w, h));
  }
}

/** Scratch planes for corners(), kept between calls: a search makes a dozen levels, a build thousands. */
let scratch: Float32Array[] = [];
function scratchPlanes(n: number): Float32Array[] {
  if (!scratch.length || scratch[0]!.length < n) scratch = Array.from({ length: 7 }, () => new Float32Array(n));
  return scratch;
}

/**
 * Harris corners (5×5 window of gradient products, as row sums then column sums), strongest
 * first after a 5×5 non-maximum suppression, far enough from the border for a patch. Only
 * the region a corner or its suppression can need is computed.
 */
function corners(p: Level, max: number): { x: number; y: number }[] {
  const { width: w, height: h, grey: g } = p;
  const [xx, yy, xy, ra, rb, rc, response] = scratchPlanes(w * h) as [
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
    Float32Array,
  ];
  // Corners lie in [HALF, size − HALF]; suppression looks 2 further, the window 2 more.
  const lo = HALF - 4;
  for (let y = lo; y <= h - lo; y++)
    for (let x = lo; x <= w - lo; x++) {
      const i = y * w + x;
      const gx = (g[i + 1]! - g[i - 1]!) / 2,
        gy = (g[i + w]! - g[i - w]!) / 2;
      xx[i] = gx * gx;
      yy[i] = gy * gy;
      xy[i] = gx * gy;
    }
  for (let y = lo; y <= h - lo; y++)
    for (let x = lo + 2; x <= w - lo - 2; x++) {
      const i = y * w + x;
      ra[i] = xx[i - 2]! + xx[i - 1]! + xx[i]! + xx[i + 1]! + xx[i + 2]!;
      rb[i] = yy[i - 2]! + yy[i - 1]! + yy[i]! + yy[i + 1]! + yy[i + 2]!;
      rc[i] = xy[i - 2]! + xy[i - 1]! + xy[i]! + xy[i + 1]! + xy[i + 2]!;
    }
  for (let y = lo + 2; y <= h - lo - 2; y++)
    for (let x = lo + 2; x <= w - lo - 2; x++) {
      const i = y * w + x;
      // Window sums rounded to float32, as the planes they come from are.
      const sa = Math.fround(ra[i - 2 * w]! + ra[i - w]! + ra[i]! + ra[i + w]! + ra[i + 2 * w]!),
        sb = Math.fround(rb[i - 2 * w]! + rb[i - w]! + rb[i]! + rb[i + w]! + rb[i + 2 * w]!),
        sc = Math.fround(rc[i - 2 * w]! + rc[i - w]! + rc[i]! + rc[i + w]! + rc[i + 2 * w]!);
      response[i] = sa * sb - sc * sc - HARRIS_K * (sa + sb) ** 2;
    }
  const found: { x: number; y: number; r: number }[] = [];
  for (let y = HALF; y <= h - HALF; y++)
    for (let x = HALF; x <= w - HALF; x++) {
      const i = y * w + x;
      const v = response[i]!;
      // Most pixels fail on their eight neighbours; the full 5×5 only for those that pass.
      if (v < MIN_CORNER || response[i - 1]! > v || response[i + 1]! > v || response[i - w]! > v || response[i + w]! > v) continue;
      let peak = true;
      for (let dy = -2; dy <= 2 && peak; dy++)
        for (let dx = -2; dx <= 2; dx++) {
          if ((dx || dy) && response[i + dy * w + dx]! > v) {
            peak = false;
            break;
          }
        }
      if (peak) found.push({ x, y, r: v });
    }
  found.sort((p1, p2) => p2.r - p1.r);
  return found.slice(0, max);
}

/** The level's summed-area table, (width + 1) × (height + 1), made once. */
function integralOf(p: Level): Float64Array {
  if (p.integral) return p.integral;
  const w = p.width + 1;
  const t = new Float64Array(w * (p.height + 1));
  for (let y = 0; y < p.height; y++) {
    let row = 0;
    for (let x = 0; x < p.width; x++) {
      row += p.grey[y * p.width + x]!;
      t[(y + 1) * w + x + 1] = t[y * w + x + 1]! + row;
    }
  }
  return (p.integral = t);
}

/**
 * The sum of grey over [0, x) × [0, y), for any real x and y: pixels are constant
 * squares, so between the table's corners the sum is bilinear in x and y.
 */
function areaSum(p: Level, t: Float64Array, x: number, y: number): number {
  x = Math.max(0, Math.min(p.width, x));
  y = Math.max(0, Math.min(p.height, y));
  const x0 = Math.min(p.width - 1, Math.floor(x)),
    y0 = Math.min(p.height - 1, Math.floor(y));
  const fx = x - x0,
    fy = y - y0;
  const w = p.width + 1;
  const a = t[y0 * w + x0]!,
    b = t[y0 * w + x0 + 1]!,
    c = t[(y0 + 1) * w + x0]!,
    d = t[(y0 + 1) * w + x0 + 1]!;
  return a * (1 - fx) * (1 - fy) + b * fx * (1 - fy) + c * (1 - fx) * fy + d * fx * fy;
}

/**
 * The 4×4 cell means of the 16×16 patch centred on the corner (cx, cy), moved by (dx, dy)
 * and scaled by 1 + ds about its centre: each cell the exact mean over its rectangle (as
 * area-averaging a query down to that scale would give).
 */
function cellMeans(p: Level, cx: number, cy: number, out: Float32Array, dx = 0, dy = 0, ds = 0): void {
  const t = integralOf(p);
  const k = (1 + ds) * CELL;
  const x0 = cx + dx - 2 * k,
    y0 = cy + dy - 2 * k;
  // The 5×5 cell corners' area sums, then each cell from its four corners.
  for (let j = 0; j <= 4; j++) for (let i = 0; i <= 4; i++) corners5[j * 5 + i] = areaSum(p, t, x0 + i * k, y0 + j * k);
  for (let j = 0; j < 4; j++)
    for (let i = 0; i < 4; i++) {
      const w = Math.min(p.width, x0 + (i + 1) * k) - Math.max(0, x0 + i * k);
      const h = Math.min(p.height, y0 + (j + 1) * k) - Math.max(0, y0 + j * k);
      const sum = corners5[(j + 1) * 5 + i + 1]! - corners5[(j + 1) * 5 + i]! - corners5[j * 5 + i + 1]! + corners5[j * 5 + i]!;
      out[j * 4 + i] = sum / Math.max(w * h, 1e-9);
    }
}
const corners5 = new Float64Array(25);

/** Key and normalised cells of 16 cell means; undefined for a flat patch. */
function describeCells(v: Float32Array, cells?: Int8Array): number | undefined {
  let mean = 0;
  for (let i = 0; i < 16; i++) mean += v[i]!;
  mean /= 16;
  let spread = 0;
  for (let i = 0; i < 16; i++) spread += (v[i]! - mean) ** 2;
  spread = Math.sqrt(spread / 16);
  if (spread < MIN_SPREAD) return undefined;
  let key = 0;
  for (let i = 0; i < 16; i++) {
    const z = (v[i]! - mean) / spread;
    if (z > 0) key |= 1 << i;
    if (cells) cells[i] = Math.max(-127, Math.min(127, Math.round(z * Z_SCALE)));
  }
  return key;
}

function featuresOfLevel(p: Level, level: number, colours: BaseColour, baseWidth: number, stable: boolean, out: Feature[]): void {
  const scale = baseWidth / p.width; // base pixels per level pixel
  const v = new Float32Array(16);
  const max = Math.max(1, Math.round(((stable ? CORPUS_CORNERS_PER_LEVEL : QUERY_CORNERS_PER_LEVEL) * p.width * p.height) / CORNER_REFERENCE_AREA));
  for (const { x, y } of corners(p, max)) {
    cellMeans(p, x, y, v);
    const cells = new Int8Array(16);
    const key = describeCells(v, cells);
    if (key === undefined) continue;
    let keys = [key];
    if (stable) {
      let flips = 0;
      for (const [dx, dy, ds] of PERTURBATIONS) {
        cellMeans(p, x, y, v, dx, dy, ds);
        const moved = describeCells(v);
        flips |= moved === undefined ? 0xffff : moved ^ key;
      }
      const bits = Array.from({ length: 16 }, (_, i) => i).filter((i) => flips & (1 << i));
      if (bits.length > MAX_UNSTABLE_BITS) continue;
      keys = Array.from({ length: 1 << bits.length }, (_, m) => bits.reduce((k, bit, j) => (m & (1 << j) ? k ^ (1 << bit) : k), key));
    }
    const [r, g, b] = colours.mean((x - HALF) * scale, (y - HALF) * scale, (x + HALF) * scale, (y + HALF) * scale);
    out.push({ key, keys, cells, r, g, b, x: x / p.width, y: y / p.height, level, levelWidth: p.width, levelHeight: p.height });
  }
}

/** Features of a corpus image, from its plane at CORPUS_SIDE (or smaller). */
export function corpusFeatures(base: Plane): Feature[] {
  const out: Feature[] = [];
  const colours = new BaseColour(base);
  corpusLevels(base).forEach((level, k) => featuresOfLevel(level, k, colours, base.width, true, out));
  return out;
}

/** Features of a query, from its plane at up to QUERY_SIDE, at every size a corpus level might match. */
export function queryFeatures(base: Plane): Feature[] {
  const out: Feature[] = [];
  const longest = Math.max(base.width, base.height);
  // Each size is averaged down from the smallest level already made that is at least twice
  // as large (else from the base): as smooth as one step from the base, at a fraction of the work.
  const colours = new BaseColour(base);
  const made: { plane: Level; longest: number }[] = [];
  for (const size of [...QUERY_SIZES].reverse()) {
    const f = size / longest;
    const w = Math.round(base.width * f),
      h = Math.round(base.height * f);
    if (w < MIN_LEVEL_SIDE || h < MIN_LEVEL_SIDE || f > 1) continue;
    let source: Level = base;
    for (const m of made) if (m.longest >= 2 * size) source = m.plane; // made grows smaller: the last fit is the smallest
    const level = f === 1 ? base : resampleGrey(source, w, h);
    made.push({ plane: level, longest: size });
    featuresOfLevel(level, -1, colours, base.width, false, out);
  }
  return out;
}
