// Whether a difference in right answers between two runs of the same samples is more than
// noise. Both figures read only the paired samples' verdicts, summed up as
//   n: samples both runs have;  b: right in the baseline, wrong in the other run;
//   c: wrong in the baseline, right in the other run   (statsmodels' table [[a, b], [c, d]],
// rows the baseline right/wrong, columns the other run right/wrong).
// Pure and seeded: the CLI and the Compare view print the same numbers for the same runs.

/** The discordant pairs of two runs over their `n` paired samples. */
export interface Discordant {
  n: number;
  b: number;
  c: number;
}

/** log C(n, k), summed term by term (exact enough, and no overflow for any n a run has). */
function logChoose(n: number, k: number): number {
  let s = 0;
  for (let j = 1; j <= k; j++) s += Math.log((n - k + j) / j);
  return s;
}

/**
 * McNemar's exact test, two-sided: under "the two runs are equally often right", each of the
 * b + c discordant samples is equally likely to favour either run, so
 *   p = min(1, 2 · Σ_{i=0}^{min(b,c)} C(b+c, i) · 0.5^(b+c)),
 * the exact binomial test of min(b, c) successes in b + c trials at 0.5. This is what
 * statsmodels.stats.contingency_tables.mcnemar(table, exact=True) returns
 * (`stats.binom.cdf(min(n1, n2), n1 + n2, 0.5) * 2`, capped at 1), and scipy.stats.binomtest(
 * min(b, c), b + c, 0.5).pvalue; McNemar (1947), Psychometrika 12:153–157, in its exact
 * conditional form (Fagerland, Lydersen & Laake 2013, BMC Med. Res. Methodol. 13:91).
 * No discordant pair: p = 1. Summed in log space from the largest term down, so b + c in the
 * thousands neither underflows 0.5^(b+c) nor loses the small tail.
 */
export function mcnemarExactP(b: number, c: number): number {
  const n = b + c;
  const k = Math.min(b, c);
  if (n === 0 || 2 * k >= n) return 1;
  // Terms C(n, i) for i ≤ k < n/2 grow with i: start at the largest, i = k, and walk down.
  const logTop = logChoose(n, k) - n * Math.LN2;
  let term = 1;
  let sum = 1;
  for (let i = k; i > 0; i--) {
    term *= i / (n - i + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return Math.min(1, 2 * Math.exp(logTop) * sum);
}

/** Resamples of the paired bootstrap: scipy.stats.bootstrap's default order of magnitude (9,999). */
export const BOOTSTRAP_RESAMPLES = 10_000;
/** The generator's seed: fixed, so a comparison prints the same interval every time. */
export const BOOTSTRAP_SEED = 0x60c0_5eed;
export const CONFIDENCE = 0.95;

/** xoshiro128** (Blackman and Vigna), seeded through splitmix32: 32-bit integers. */
function generator(seed: number): () => number {
  let z = seed >>> 0;
  const split = () => {
    z = (z + 0x9e3779b9) >>> 0;
    let t = z ^ (z >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a2d97);
    return (t ^ (t >>> 15)) >>> 0;
  };
  let [s0, s1, s2, s3] = [split(), split(), split(), split()];
  return () => {
    const result = Math.imul(((Math.imul(s1, 5) << 7) | (Math.imul(s1, 5) >>> 25)) >>> 0, 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = ((s3 << 11) | (s3 >>> 21)) >>> 0;
    s0 >>>= 0;
    s1 >>>= 0;
    s2 >>>= 0;
    return result;
  };
}

/** numpy.percentile's default ('linear'): the value at rank q·(m−1) of the sorted values, interpolated. */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * Binomial(n, p) drawn by inversion: its cumulative distribution over the values that carry
 * any mass a double can hold (the mean ± 12 standard deviations; what lies beyond is under
 * 1e-30), then the first value whose cumulative share passes a uniform draw.
 */
class Binomial {
  private readonly lo: number;
  private readonly cdf: Float64Array;

  constructor(n: number, p: number) {
    if (p <= 0 || p >= 1 || n === 0) {
      this.lo = p >= 1 ? n : 0;
      this.cdf = Float64Array.of(1);
      return;
    }
    const sd = Math.sqrt(n * p * (1 - p));
    const lo = Math.max(0, Math.floor(n * p - 12 * sd - 2));
    const hi = Math.min(n, Math.ceil(n * p + 12 * sd + 2));
    // Each term from the one before, relative to the first; normalised at the end.
    const pmf = new Float64Array(hi - lo + 1);
    const odds = p / (1 - p);
    pmf[0] = 1;
    for (let k = lo; k < hi; k++) pmf[k - lo + 1] = pmf[k - lo]! * ((n - k) / (k + 1)) * odds;
    // From 12 standard deviations below the mean to the mode the terms grow by at most e^72 or so: no overflow.
    let total = 0;
    for (let i = 0; i < pmf.length; i++) total += pmf[i]!;
    let run = 0;
    for (let i = 0; i < pmf.length; i++) pmf[i] = run += pmf[i]! / total;
    pmf[pmf.length - 1] = 1;
    this.lo = lo;
    this.cdf = pmf;
  }

  /** The value for a uniform draw u in [0, 1). */
  draw(u: number): number {
    let [a, z] = [0, this.cdf.length - 1];
    while (a < z) {
      const m = (a + z) >> 1;
      if (this.cdf[m]! > u) z = m;
      else a = m + 1;
    }
    return this.lo + a;
  }
}

export interface BootstrapOptions {
  resamples?: number;
  seed?: number;
  level?: number;
}

/**
 * The paired bootstrap's confidence interval of the accuracy difference (other − baseline):
 * `resamples` times, draw n of the paired samples with replacement and take the difference
 * of the two runs' accuracy on that draw, (c* − b*)/n; the interval is the percentiles
 * (1 ± level)/2 of those differences (the percentile method: Efron and Tibshirani 1993,
 * ch. 13; Koehn 2004 uses it to compare two systems on the same test set).
 * A draw's difference depends only on how many of its n samples are of the b kind and of
 * the c kind, which are multinomial (n; b/n, c/n, rest). So a resample draws those counts
 * rather than n indices, with the same distribution, by inversion: the discordant count
 * K ~ Binomial(n, (b+c)/n), then c* ~ Binomial(K, c/(b+c)), b* = K − c*. Two draws per
 * resample instead of n: 10,000 resamples of 10,000 samples take milliseconds.
 * Seeded: the same (n, b, c) give the same interval whatever else is compared. Null when no
 * sample is paired.
 */
export function pairedBootstrapCi(d: Discordant, o: BootstrapOptions = {}): [number, number] | null {
  const { n, b, c } = d;
  if (n <= 0) return null;
  const resamples = o.resamples ?? BOOTSTRAP_RESAMPLES;
  const level = o.level ?? CONFIDENCE;
  const next = generator(o.seed ?? BOOTSTRAP_SEED);
  // A uniform double in [0, 1) from 53 random bits.
  const uniform = () => ((next() >>> 5) * 67108864 + (next() >>> 6)) / 9007199254740992;
  const discordant = new Binomial(n, (b + c) / n);
  const favoursOther = new Map<number, Binomial>();
  const diffs = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    const k = discordant.draw(uniform());
    let split = favoursOther.get(k);
    if (!split) favoursOther.set(k, (split = new Binomial(k, b + c ? c / (b + c) : 0)));
    const cStar = split.draw(uniform());
    diffs[r] = (2 * cStar - k) / n;
  }
  diffs.sort();
  return [percentile(diffs, (1 - level) / 2), percentile(diffs, (1 + level) / 2)];
}

/**
 * Discordant samples below which no split is significant at 5 % by the exact test: with five,
 * even 5 to 0 gives p = 2 · 0.5^5 = 0.0625. With so few, the bootstrap's interval is no
 * better than a coin's guess either (a draw of one sample is all or nothing).
 */
export const MIN_DISCORDANT = 6;

/** How the two figures read together at the 5 % level. */
export type Verdict = 'significant' | 'noise' | 'borderline' | 'few';

export function verdictOf(d: Pick<Discordant, 'b' | 'c'> & { p: number; ci: readonly [number, number] | null }): Verdict {
  if (d.b + d.c < MIN_DISCORDANT) return 'few';
  const pSays = d.p < 1 - CONFIDENCE;
  const ciSays = !!d.ci && (d.ci[0] > 0 || d.ci[1] < 0);
  return pSays && ciSays ? 'significant' : !pSays && !ciSays ? 'noise' : 'borderline';
}
