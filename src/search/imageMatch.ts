// Visual similarity for the local corpus' image search, chosen so that a crop of a corpus
// image finds that image (a gaze) and a whole photo finds its page (a glance):
//
//   each image is kept as a 64-pixel RGB thumbnail (and a 32-pixel one derived from it);
//   a query is slid over every corpus image at several scales, and the corpus image over
//   the query (for pages that show a tighter crop), scoring zero-mean normalised
//   cross-correlation of grey levels, less a penalty for a different mean colour.
//
// Coarse to fine: all images at 32 pixels, the best few again at 64. Brute force, but on
// thumbnails it costs a few milliseconds per corpus image.
import { sharpLib } from '../vision/sharpLib';

export const LEVEL_SIDE = 64;
const COARSE_KEEP = 8;
/**
 * Of those, only the ones within this of the best coarse score: further behind, the fine
 * pass never changed which image came first (85 crops and photos against 210 look-alikes).
 */
const FINE_MARGIN = 0.1;
const COARSE_STEP = 0.93;
const FINE_STEP = 0.93;
/** The fine pass tries template scales within this factor (as a log) of the coarse best. */
const NEAR_LOG_RATIO = Math.log(1 / 0.8);
const COLOUR_WEIGHT = 0.5;
/**
 * Chance correlation of an n-pixel template is about 1/√n, and the best of many positions
 * a few times that; discounting by SIZE_PENALTY/√n keeps tiny templates from winning.
 */
const SIZE_PENALTY = 1;

/** A grey image with per-channel colour kept for the colour term. */
export interface Plane {
  width: number;
  height: number;
  grey: Float32Array;
  rgb: Float32Array; // interleaved
}

export interface ImageSignature {
  fine: Plane; // longest side LEVEL_SIDE
  coarse: Plane; // half of that
}

export async function signatureOf(image: Buffer): Promise<ImageSignature> {
  const { data, width, height } = await signaturePixels(image);
  return signatureFromRgb(data, width, height);
}

/** The RGB pixels a signature is made of: the image oriented, on white, at LEVEL_SIDE. */
export function signaturePixels(image: Buffer): Promise<{ data: Buffer; width: number; height: number }> {
  return orientedPixels(image, LEVEL_SIDE, true);
}

/** The image oriented, on white, as RGB, its longest side `side` (made larger only if `enlarge`). */
export async function orientedPixels(image: Buffer, side: number, enlarge: boolean): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharpLib()(image, { limitInputPixels: 200_000_000 })
    .autoOrient()
    .flatten({ background: '#ffffff' })
    .removeAlpha()
    .toColourspace('srgb')
    .resize(side, side, { fit: 'inside', kernel: 'cubic', withoutEnlargement: !enlarge })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** The signature of RGB pixels already at LEVEL_SIDE (as the image index stores them). */
export function signatureFromRgb(data: Uint8Array, width: number, height: number): ImageSignature {
  const fine = planeFromRgb(data, width, height);
  return { fine, coarse: resample(fine, Math.max(1, Math.round(fine.width / 2)), Math.max(1, Math.round(fine.height / 2))) };
}

export function planeFromRgb(data: Uint8Array, width: number, height: number): Plane {
  const n = width * height;
  const grey = new Float32Array(n);
  const rgb = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const r = data[i * 3]!,
      g = data[i * 3 + 1]!,
      b = data[i * 3 + 2]!;
    rgb[i * 3] = r;
    rgb[i * 3 + 1] = g;
    rgb[i * 3 + 2] = b;
    grey[i] = 0.299 * r + 0.587 * g + 0.114 * b;
  }
  return { width, height, grey, rgb };
}

/** Area-averaging resample (exact box filter with fractional edges), grey and colour. */
export function resample(src: Plane, width: number, height: number): Plane {
  const grey = new Float32Array(width * height);
  const rgb = new Float32Array(width * height * 3);
  const sx = src.width / width;
  const sy = src.height / height;
  for (let y = 0; y < height; y++) {
    const y0 = y * sy,
      y1 = y0 + sy;
    for (let x = 0; x < width; x++) {
      const x0 = x * sx,
        x1 = x0 + sx;
      let acc = 0,
        r = 0,
        g = 0,
        b = 0,
        area = 0;
      for (let yy = Math.floor(y0); yy < Math.min(src.height, Math.ceil(y1)); yy++) {
        const wy = Math.min(y1, yy + 1) - Math.max(y0, yy);
        for (let xx = Math.floor(x0); xx < Math.min(src.width, Math.ceil(x1)); xx++) {
          const w = wy * (Math.min(x1, xx + 1) - Math.max(x0, xx));
          const i = yy * src.width + xx;
          acc += w * src.grey[i]!;
          r += w * src.rgb[i * 3]!;
          g += w * src.rgb[i * 3 + 1]!;
          b += w * src.rgb[i * 3 + 2]!;
          area += w;
        }
      }
      const o = y * width + x;
      grey[o] = acc / area;
      rgb[o * 3] = r / area;
      rgb[o * 3 + 1] = g / area;
      rgb[o * 3 + 2] = b / area;
    }
  }
  return { width, height, grey, rgb };
}

/** Summed-area tables for O(1) window sums of grey, grey² and each colour channel. */
interface Integrals {
  w: number; // width + 1
  s: Float64Array;
  s2: Float64Array;
  r: Float64Array;
  g: Float64Array;
  b: Float64Array;
}

function integralsOf(p: Plane): Integrals {
  const w = p.width + 1;
  const size = w * (p.height + 1);
  const s = new Float64Array(size),
    s2 = new Float64Array(size),
    r = new Float64Array(size),
    g = new Float64Array(size),
    b = new Float64Array(size);
  for (let y = 0; y < p.height; y++) {
    let rs = 0,
      rs2 = 0,
      rr = 0,
      rg = 0,
      rb = 0;
    for (let x = 0; x < p.width; x++) {
      const i = y * p.width + x;
      const v = p.grey[i]!;
      rs += v;
      rs2 += v * v;
      rr += p.rgb[i * 3]!;
      rg += p.rgb[i * 3 + 1]!;
      rb += p.rgb[i * 3 + 2]!;
      const o = (y + 1) * w + x + 1;
      s[o] = s[o - w]! + rs;
      s2[o] = s2[o - w]! + rs2;
      r[o] = r[o - w]! + rr;
      g[o] = g[o - w]! + rg;
      b[o] = b[o - w]! + rb;
    }
  }
  return { w, s, s2, r, g, b };
}

function boxSum(t: Float64Array, w: number, x: number, y: number, tw: number, th: number): number {
  return t[(y + th) * w + x + tw]! - t[y * w + x + tw]! - t[(y + th) * w + x]! + t[y * w + x]!;
}

function meanColour(p: Plane): [number, number, number] {
  let r = 0,
    g = 0,
    b = 0;
  const n = p.width * p.height;
  for (let i = 0; i < n; i++) {
    r += p.rgb[i * 3]!;
    g += p.rgb[i * 3 + 1]!;
    b += p.rgb[i * 3 + 2]!;
  }
  return [r / n, g / n, b / n];
}

const MAX_COLOUR_DIST = 255 * Math.sqrt(3);

/** One pass of a [1 2 1]/4 blur each way: correlation then tolerates a pixel of misalignment. */
function blurGrey(p: Plane): Plane {
  const { width: w, height: h, grey: g } = p;
  const tmp = new Float32Array(g.length);
  const out = new Float32Array(g.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      tmp[i] = (g[y * w + Math.max(0, x - 1)]! + 2 * g[i]! + g[y * w + Math.min(w - 1, x + 1)]!) / 4;
    }
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      out[i] = (tmp[Math.max(0, y - 1) * w + x]! + 2 * tmp[i]! + tmp[Math.min(h - 1, y + 1) * w + x]!) / 4;
    }
  return { ...p, grey: out };
}

interface Match {
  score: number;
  /** Template width over the big image's width. */
  ratio: number;
  /** Where the best score was: the template's centre, as a fraction of the big image's width and height. */
  cx: number;
  cy: number;
}

/** Positions (top-left) a template of a given size may take: [x from, x to, y from, y to], inclusive; all when undefined. */
type Window = (tw: number, th: number) => [number, number, number, number] | undefined;

/**
 * The fine pass looks this many fine pixels around the place the coarse pass found: a
 * coarse pixel is two fine ones, and a neighbouring scale moves the best place a little.
 */
const FINE_REACH = 3;

/** Below any real score: what an impossible comparison (no template fits) gets. */
const NO_MATCH = -2;
/** How many of the coarse pass's best scales the fine pass looks around. */
const SCALES_REFINED = 3;

/** Template widths to try: from the largest that fits down by `step`, optionally only near a ratio. */
function templateWidths(small: Plane, big: Plane, minSide: number, step: number, near?: readonly number[], within = NEAR_LOG_RATIO): number[] {
  const aspect = small.width / small.height;
  const widths: number[] = [];
  for (let tw = Math.min(big.width, Math.floor(big.height * aspect)); tw >= minSide; tw = Math.floor(tw * step)) {
    const th = Math.round(tw / aspect);
    if (th < minSide) break;
    if (th > big.height) continue;
    if (near && !near.some((r) => Math.abs(Math.log(tw / big.width / r)) <= within)) continue;
    if (widths.at(-1) !== tw) widths.push(tw);
  }
  return widths;
}

// What a plane contributes to a comparison depends only on the plane (and, as a template,
// on its size): computed once per plane object. A query meets many candidates in a search.
interface BigPrep {
  big: Plane;
  ints: Integrals;
}
interface TemplatePrep {
  grey: Float32Array; // zero-mean
  norm: number;
  flat: boolean;
  colour: [number, number, number];
}
const bigPreps = new WeakMap<Plane, BigPrep>();
const templatePreps = new WeakMap<Plane, Map<number, TemplatePrep>>();

function bigPrep(p: Plane): BigPrep {
  let prep = bigPreps.get(p);
  if (!prep) {
    const big = blurGrey(p);
    bigPreps.set(p, (prep = { big, ints: integralsOf(big) }));
  }
  return prep;
}

function templatePrep(small: Plane, tw: number, th: number): TemplatePrep {
  let bySize = templatePreps.get(small);
  if (!bySize) templatePreps.set(small, (bySize = new Map<number, TemplatePrep>()));
  const key = tw * 65536 + th;
  let prep = bySize.get(key);
  if (prep) return prep;
  const t = blurGrey(resample(small, tw, th));
  const n = tw * th;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += t.grey[i]!;
  mean /= n;
  const grey = new Float32Array(n);
  let norm = 0;
  for (let i = 0; i < n; i++) {
    const v = t.grey[i]! - mean;
    grey[i] = v;
    norm += v * v;
  }
  prep = { grey, norm: Math.sqrt(norm), flat: norm < 1e-3 * n, colour: meanColour(t) }; // a uniform patch has no structure to correlate
  bySize.set(key, prep);
  return prep;
}

/** For each template width, the best score of `small` over the positions inside `big` (all, or those `window` allows). */
function slide(small: Plane, bigSharp: Plane, widths: readonly number[], window?: Window): Match[] {
  const { big, ints } = bigPrep(bigSharp);
  const aspect = small.width / small.height;
  const matches: Match[] = [];
  for (const tw of widths) {
    const best: Match = { score: NO_MATCH, ratio: tw / big.width, cx: 0.5, cy: 0.5 };
    matches.push(best);
    const th = Math.round(tw / aspect);
    const [x0, x1, y0, y1] = window?.(tw, th) ?? [0, big.width - tw, 0, big.height - th];
    const { grey: tz, norm, flat, colour } = templatePrep(small, tw, th);
    const [qr, qg, qb] = colour;
    const n = tw * th;
    const penalty = SIZE_PENALTY / Math.sqrt(n);
    for (let y = Math.max(0, y0); y <= Math.min(y1, big.height - th); y++) {
      for (let x = Math.max(0, x0); x <= Math.min(x1, big.width - tw); x++) {
        let ncc = 0;
        if (!flat) {
          const sum = boxSum(ints.s, ints.w, x, y, tw, th);
          const varW = boxSum(ints.s2, ints.w, x, y, tw, th) - (sum * sum) / n;
          if (varW <= 1e-6) continue;
          let dot = 0;
          for (let j = 0; j < th; j++) {
            const row = (y + j) * big.width + x;
            const trow = j * tw;
            for (let i = 0; i < tw; i++) dot += tz[trow + i]! * big.grey[row + i]!;
          }
          ncc = dot / (norm * Math.sqrt(varW));
        }
        if (ncc - penalty <= best.score) continue; // colour can only lower the score
        const dr = boxSum(ints.r, ints.w, x, y, tw, th) / n - qr;
        const dg = boxSum(ints.g, ints.w, x, y, tw, th) / n - qg;
        const db = boxSum(ints.b, ints.w, x, y, tw, th) / n - qb;
        const score = ncc - penalty - (COLOUR_WEIGHT * Math.sqrt(dr * dr + dg * dg + db * db)) / MAX_COLOUR_DIST;
        if (score > best.score) {
          best.score = score;
          best.cx = (x + tw / 2) / big.width;
          best.cy = (y + th / 2) / big.height;
        }
      }
    }
  }
  return matches;
}

function bestScore(matches: readonly Match[]): number {
  return matches.reduce((best, m) => Math.max(best, m.score), NO_MATCH);
}

/** The few best-scoring scales. */
function bestMatches(matches: readonly Match[]): Match[] {
  return [...matches].sort((a, b) => b.score - a.score).slice(0, SCALES_REFINED);
}

/** Around the place the coarse match nearest in scale found, for a template on `big`. */
function around(coarse: readonly Match[], big: Plane): Window {
  return (tw, th) => {
    const ratio = tw / big.width;
    const m = coarse.reduce((a, b) => (Math.abs(Math.log(b.ratio / ratio)) < Math.abs(Math.log(a.ratio / ratio)) ? b : a));
    const x = Math.round(m.cx * big.width - tw / 2),
      y = Math.round(m.cy * big.height - th / 2);
    return [x - FINE_REACH, x + FINE_REACH, y - FINE_REACH, y + FINE_REACH];
  };
}

/**
 * Where another stage (the image index's feature votes) places the query in a candidate:
 * the query's width as a fraction of the candidate's, and the query's top-left corner as
 * fractions of the candidate's width and height (negative when the query extends past it).
 */
export interface PlaceHint {
  scale: number;
  x: number;
  y: number;
}

/** With a hint, the coarse pass tries only scales within this factor of it, and places within this fraction of the image around it. */
const HINT_LOG_RATIO = Math.log(1.4);
const HINT_REACH = 0.12;

/** Positions around a template's expected top-left corner (as fractions of `big`). */
function hinted(big: Plane, x: number, y: number): Window {
  const cx = Math.round(x * big.width),
    cy = Math.round(y * big.height);
  const rx = Math.ceil(HINT_REACH * big.width) + 1,
    ry = Math.ceil(HINT_REACH * big.height) + 1;
  return () => [cx - rx, cx + rx, cy - ry, cy + ry];
}

/** The coarse pass's matches in each direction; undefined for a direction a hint rules out. */
type Coarse = [Match[] | undefined, Match[] | undefined];

/**
 * Query inside the target (a crop of a corpus image), and the target inside the query (a
 * corpus page showing a tighter crop of the photo). Coarse: all scales, everywhere; or,
 * with a hint, the scales and places near it (the direction it rules out is skipped).
 */
function coarseScore(query: ImageSignature, target: ImageSignature, hint?: PlaceHint): Coarse {
  const q = query.coarse,
    t = target.coarse;
  if (!hint) return [slide(q, t, templateWidths(q, t, 4, COARSE_STEP)), slide(t, q, templateWidths(t, q, 4, COARSE_STEP))];
  const wide = Math.exp(HINT_LOG_RATIO);
  const near = (small: Plane, big: Plane, ratio: number, x: number, y: number): Match[] | undefined => {
    const widths = templateWidths(small, big, 4, COARSE_STEP, [ratio], HINT_LOG_RATIO);
    return widths.length ? slide(small, big, widths, hinted(big, x, y)) : undefined;
  };
  const inside = hint.scale <= wide ? near(q, t, hint.scale, hint.x, hint.y) : undefined;
  // The target's corner in the query: the query is `scale` target widths wide, and as high as its own aspect makes it.
  const queryHeightInTarget = (hint.scale * t.width * q.height) / q.width / t.height;
  const around = hint.scale >= 1 / wide ? near(t, q, 1 / hint.scale, -hint.x / hint.scale, -hint.y / queryHeightInTarget) : undefined;
  return [inside, around];
}

function fineScore(query: ImageSignature, target: ImageSignature, coarse: Coarse): number {
  const q = query.fine,
    t = target.fine;
  // Only scales near the coarse best, only places near where the coarse pass found them. A
  // direction that found no scale at the coarse level (a thin strip) is searched at every fine scale and place.
  const best = (m: Match[]) => (m.length ? bestMatches(m) : undefined);
  const refine = (small: Plane, big: Plane, m: Match[] | undefined) => {
    if (!m) return [];
    const b = best(m);
    return slide(
      small,
      big,
      templateWidths(
        small,
        big,
        6,
        FINE_STEP,
        b?.map((x) => x.ratio),
      ),
      b && around(b, big),
    );
  };
  return Math.max(bestScore(refine(q, t, coarse[0])), bestScore(refine(t, q, coarse[1])));
}

export interface Ranked<T> {
  item: T;
  score: number;
}

/** Ranks candidates by similarity to the query, best first; scores lie in [-2, 1]. */
export function rankBySimilarity<T>(query: ImageSignature, candidates: readonly { item: T; signature: ImageSignature; hint?: PlaceHint }[]): Ranked<T>[] {
  const coarse = candidates
    .map((c) => {
      const matches = coarseScore(query, c.signature, c.hint);
      return { c, matches, score: Math.max(bestScore(matches[0] ?? []), bestScore(matches[1] ?? [])) };
    })
    .sort((a, b) => b.score - a.score);
  const fine = coarse
    .slice(0, COARSE_KEEP)
    .filter((c, i) => i === 0 || c.score >= coarse[0]!.score - FINE_MARGIN)
    .map(({ c, matches }) => ({ item: c.item, score: fineScore(query, c.signature, matches) }))
    .sort((a, b) => b.score - a.score);
  // Past the refined few, keep the coarse order below them (the two levels' scores differ).
  const floor = fine.at(-1)?.score ?? 0;
  const rest = coarse.slice(fine.length).map(({ c, score }) => ({ item: c.item, score: Math.min(score, floor) }));
  return [...fine, ...rest];
}
