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
import sharp from 'sharp';

export const LEVEL_SIDE = 64;
const COARSE_KEEP = 8;
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
  const { data, info } = await sharp(image, { limitInputPixels: 200_000_000 })
    .autoOrient()
    .flatten({ background: '#ffffff' })
    .removeAlpha()
    .toColourspace('srgb')
    .resize(LEVEL_SIDE, LEVEL_SIDE, { fit: 'inside', kernel: 'cubic' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const fine = planeFromRgb(data, info.width, info.height);
  return { fine, coarse: resample(fine, Math.max(1, Math.round(fine.width / 2)), Math.max(1, Math.round(fine.height / 2))) };
}

function planeFromRgb(data: Uint8Array, width: number, height: number): Plane {
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
}

/** Below any real score: what an impossible comparison (no template fits) gets. */
const NO_MATCH = -2;
/** How many of the coarse pass's best scales the fine pass looks around. */
const SCALES_REFINED = 3;

/** Template widths to try: from the largest that fits down by `step`, optionally only near a ratio. */
function templateWidths(small: Plane, big: Plane, minSide: number, step: number, near?: readonly number[]): number[] {
  const aspect = small.width / small.height;
  const widths: number[] = [];
  for (let tw = Math.min(big.width, Math.floor(big.height * aspect)); tw >= minSide; tw = Math.floor(tw * step)) {
    const th = Math.round(tw / aspect);
    if (th < minSide) break;
    if (th > big.height) continue;
    if (near && !near.some((r) => Math.abs(Math.log(tw / big.width / r)) <= NEAR_LOG_RATIO)) continue;
    if (widths.at(-1) !== tw) widths.push(tw);
  }
  return widths;
}

/** For each template width, the best score of `small` over all positions inside `big`. */
function slide(small: Plane, bigSharp: Plane, widths: readonly number[]): Match[] {
  const big = blurGrey(bigSharp);
  const ints = integralsOf(big);
  const aspect = small.width / small.height;
  const matches: Match[] = [];
  for (const tw of widths) {
    const best: Match = { score: NO_MATCH, ratio: tw / big.width };
    matches.push(best);
    const th = Math.round(tw / aspect);
    const t = blurGrey(resample(small, tw, th));
    const n = tw * th;
    let mean = 0;
    for (let i = 0; i < n; i++) mean += t.grey[i]!;
    mean /= n;
    const tz = new Float32Array(n);
    let norm = 0;
    for (let i = 0; i < n; i++) {
      const v = t.grey[i]! - mean;
      tz[i] = v;
      norm += v * v;
    }
    const [qr, qg, qb] = meanColour(t);
    const flat = norm < 1e-3 * n; // a uniform patch has no structure to correlate
    const penalty = SIZE_PENALTY / Math.sqrt(n);
    norm = Math.sqrt(norm);
    for (let y = 0; y + th <= big.height; y++) {
      for (let x = 0; x + tw <= big.width; x++) {
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
        if (score > best.score) best.score = score;
      }
    }
  }
  return matches;
}

function bestScore(matches: readonly Match[]): number {
  return matches.reduce((best, m) => Math.max(best, m.score), NO_MATCH);
}

/** Ratios of the few best-scoring scales. */
function bestRatios(matches: readonly Match[]): number[] {
  return [...matches]
    .sort((a, b) => b.score - a.score)
    .slice(0, SCALES_REFINED)
    .map((m) => m.ratio);
}

/**
 * Query inside the target (a crop of a corpus image), and the target inside the query (a
 * corpus page showing a tighter crop of the photo). Coarse: all scales; fine: only scales
 * near the coarse best of each direction.
 */
function coarseScore(query: ImageSignature, target: ImageSignature): [Match[], Match[]] {
  const q = query.coarse,
    t = target.coarse;
  return [slide(q, t, templateWidths(q, t, 4, COARSE_STEP)), slide(t, q, templateWidths(t, q, 4, COARSE_STEP))];
}

function fineScore(query: ImageSignature, target: ImageSignature, coarse: [Match[], Match[]]): number {
  const q = query.fine,
    t = target.fine;
  // A direction that found no scale at the coarse level (a thin strip) is searched at every fine scale.
  const near = (m: Match[]) => (m.length ? bestRatios(m) : undefined);
  const a = slide(q, t, templateWidths(q, t, 6, FINE_STEP, near(coarse[0])));
  const b = slide(t, q, templateWidths(t, q, 6, FINE_STEP, near(coarse[1])));
  return Math.max(bestScore(a), bestScore(b));
}

export interface Ranked<T> {
  item: T;
  score: number;
}

/** Ranks candidates by similarity to the query, best first; scores lie in [-2, 1]. */
export function rankBySimilarity<T>(query: ImageSignature, candidates: readonly { item: T; signature: ImageSignature }[]): Ranked<T>[] {
  const coarse = candidates
    .map((c) => {
      const matches = coarseScore(query, c.signature);
      return { c, matches, score: Math.max(bestScore(matches[0]), bestScore(matches[1])) };
    })
    .sort((a, b) => b.score - a.score);
  const fine = coarse
    .slice(0, COARSE_KEEP)
    .map(({ c, matches }) => ({ item: c.item, score: fineScore(query, c.signature, matches) }))
    .sort((a, b) => b.score - a.score);
  // Past the refined few, keep the coarse order below them (the two levels' scores differ).
  const floor = fine.at(-1)?.score ?? 0;
  const rest = coarse.slice(COARSE_KEEP).map(({ c, score }) => ({ item: c.item, score: Math.min(score, floor) }));
  return [...fine, ...rest];
}
