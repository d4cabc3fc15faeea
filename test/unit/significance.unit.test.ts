// The paired significance figures of `gog compare` and the Compare view, held to values
// worked out independently of the code under test:
// - McNemar's exact p from its formula written out by hand, as statsmodels computes it
//   (mcnemar(table, exact=True): 2 · binom.cdf(min(b, c), b + c, 0.5), capped at 1), and for
//   large tables from exact rational sums in BigInt;
// - the paired bootstrap against a plain index-resampling bootstrap written here, the
//   normal approximation, its determinism, and its coverage over many synthetic data sets.
import { strict as assert } from 'node:assert';
import { BOOTSTRAP_RESAMPLES, mcnemarExactP, MIN_DISCORDANT, pairedBootstrapCi, percentile, verdictOf } from '../../src/data/significance';

/** A tiny LCG of the test's own (not the code's generator). */
function lcg(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => (s = Math.imul(s, 1664525) + 1013904223) >>> 0;
}

describe('paired significance: McNemar exact test', () => {
  // p = min(1, 2 · Σ_{i=0}^{min(b,c)} C(b+c, i) / 2^(b+c)), each sum written out.
  const byHand: [b: number, c: number, p: number, how: string][] = [
    [3, 0, 0.25, 'n=3: 2·C(3,0)/2^3 = 2·1/8'],
    [5, 1, 0.21875, 'n=6: 2·(C(6,0)+C(6,1))/2^6 = 2·(1+6)/64 = 14/64'],
    [10, 10, 1, 'n=20: 2·Σ_{i≤10} C(20,i)/2^20 = 2·(2^20 + C(20,10))/2/2^20 = (1048576+184756)/1048576 > 1, so 1'],
    [12, 3, 0.03515625, 'n=15: 2·(1+15+105+455)/2^15 = 1152/32768'],
    [0, 7, 0.015625, 'n=7: 2·C(7,0)/2^7 = 2/128'],
    [2, 8, 0.109375, 'n=10: 2·(1+10+45)/2^10 = 112/1024'],
    [9, 2, 0.0654296875, 'n=11: 2·(1+11+55)/2^11 = 134/2048'],
    [20, 8, 9582646 / 268435456, 'n=28: 2·(1+28+378+3276+20475+98280+376740+1184040+3108105)/2^28 = 2·4791323/268435456'],
    [1, 0, 1, 'n=1: 2·1/2 = 1'],
    [0, 0, 1, 'no discordant sample: nothing to test'],
    // Computed outside this code, in Python with exact rationals (no scipy on the machine):
    //   from math import comb; from fractions import Fraction
    //   float(min(1, Fraction(2 * sum(comb(b + c, i) for i in range(min(b, c) + 1)), 2 ** (b + c))))
    // the same as scipy.stats.binomtest(min(b, c), b + c, 0.5).pvalue.
    [40, 90, 1.3715068445175424e-5, 'Python exact rational sum, n=130'],
    [150, 210, 0.0018340074170964875, 'Python exact rational sum, n=360'],
    [1000, 1100, 0.030720707864242296, 'Python exact rational sum, n=2100'],
  ];
  for (const [b, c, p, how] of byHand)
    it(`b=${b}, c=${c} → p=${p} (${how})`, () => {
      // Relative error: 1e-12 for small tables; a thousand-term log sum (b + c > 100) keeps about 1e-11.
      const tol = b + c > 100 ? 1e-9 : 1e-12;
      assert.ok(Math.abs(mcnemarExactP(b, c) - p) <= tol * Math.max(p, 1e-300), `${mcnemarExactP(b, c)} vs ${p}`);
      assert.equal(mcnemarExactP(c, b), mcnemarExactP(b, c), 'two-sided: symmetric in b and c');
    });

  it('large tables neither underflow nor lose the tail: exact rational sums in BigInt', () => {
    const choose = (n: number) => {
      const row = [1n];
      for (let i = 1; i <= n; i++) row.push((row[i - 1]! * BigInt(n - i + 1)) / BigInt(i));
      return row;
    };
    for (const [b, c] of [
      [1000, 1100],
      [3000, 2500],
      [40, 90],
      [1200, 1201],
    ] as const) {
      const n = b + c;
      const row = choose(n);
      const tail = row.slice(0, Math.min(b, c) + 1).reduce((s, x) => s + x, 0n);
      // 2·tail / 2^n as a double, through 200 bits below the point (p > 2^-150 keeps 50 of them).
      const scale = 200n;
      const ratio = Number(((2n * tail) << scale) >> BigInt(n)) / 2 ** Number(scale);
      const exact = Math.min(1, ratio);
      const got = mcnemarExactP(b, c);
      assert.ok(Math.abs(got - exact) <= 1e-9 * exact, `b=${b} c=${c}: ${got} vs ${exact}`);
    }
  });
});

/** The bootstrap as textbooks write it: n indices drawn with replacement from n paired verdicts, B times. */
function plainBootstrap(n: number, b: number, c: number, resamples: number, seed: number): [number, number] {
  const next = lcg(seed);
  // Verdict pairs (baseline right, other right), in no particular order.
  const pairs: [boolean, boolean][] = [];
  for (let i = 0; i < n; i++) pairs.push(i < b ? [true, false] : i < b + c ? [false, true] : [true, true]);
  const diffs: number[] = [];
  for (let r = 0; r < resamples; r++) {
    let [base, other] = [0, 0];
    for (let i = 0; i < n; i++) {
      const [x, y] = pairs[next() % n]!;
      base += x ? 1 : 0;
      other += y ? 1 : 0;
    }
    diffs.push((other - base) / n);
  }
  diffs.sort((x, y) => x - y);
  return [percentile(diffs, 0.025), percentile(diffs, 0.975)];
}

describe('paired significance: bootstrap interval of the accuracy difference', () => {
  it(`draws ${BOOTSTRAP_RESAMPLES.toLocaleString('en')} resamples by default, seeded: the same counts give the same interval every time`, () => {
    const first = pairedBootstrapCi({ n: 500, b: 40, c: 55 });
    assert.deepEqual(pairedBootstrapCi({ n: 500, b: 40, c: 55 }), first);
    assert.deepEqual(pairedBootstrapCi({ n: 500, b: 40, c: 55 }, { resamples: BOOTSTRAP_RESAMPLES }), first);
    const other = pairedBootstrapCi({ n: 500, b: 40, c: 55 }, { seed: 7 })!;
    assert.notDeepEqual(other, first, 'another seed draws other resamples');
    assert.ok(Math.abs(other[0] - first![0]) < 0.01 && Math.abs(other[1] - first![1]) < 0.01, 'but about the same interval');
  });

  it('agrees with a plain index-resampling bootstrap and with the normal approximation', () => {
    for (const [n, b, c] of [
      [60, 6, 12],
      [400, 30, 48],
      [2000, 150, 210],
    ] as const) {
      const ours = pairedBootstrapCi({ n, b, c })!;
      if (n <= 400) {
        const plain = plainBootstrap(n, b, c, 20_000, 12345);
        // Monte Carlo error of a 2.5 % percentile with 10,000 draws is a fraction of a point.
        const tol = 1.2 / n + 0.004;
        assert.ok(Math.abs(ours[0] - plain[0]) <= tol && Math.abs(ours[1] - plain[1]) <= tol, `n=${n}: ${String(ours)} vs plain ${String(plain)}`);
      }
      // Normal: mean (c−b)/n, variance ((b+c)/n − ((c−b)/n)²)/n.
      const mean = (c - b) / n;
      const sd = Math.sqrt(((b + c) / n - mean * mean) / n);
      if (n >= 400) {
        assert.ok(Math.abs(ours[0] - (mean - 1.96 * sd)) < 0.25 * sd, `n=${n} lower ${ours[0]} vs ${mean - 1.96 * sd}`);
        assert.ok(Math.abs(ours[1] - (mean + 1.96 * sd)) < 0.25 * sd, `n=${n} upper ${ours[1]} vs ${mean + 1.96 * sd}`);
      }
    }
  });

  it('covers the true difference about 95 % of the time over 400 synthetic data sets', () => {
    // Each data set: 200 paired samples, 10 % right only in the baseline, 15 % only in the other run (true difference +5 points).
    const next = lcg(2026);
    const [n, pB, pC, truth] = [200, 0.1, 0.15, 0.05];
    let covered = 0;
    let width = 0;
    const sets = 400;
    for (let s = 0; s < sets; s++) {
      let [b, c] = [0, 0];
      for (let i = 0; i < n; i++) {
        const u = next() / 2 ** 32;
        if (u < pB) b++;
        else if (u < pB + pC) c++;
      }
      const ci = pairedBootstrapCi({ n, b, c }, { resamples: 2000 })!;
      if (ci[0] <= truth && truth <= ci[1]) covered++;
      width += ci[1] - ci[0];
    }
    const coverage = covered / sets;
    // Binomial sd of the coverage over 400 sets is 1.1 points: 92–98 % is well inside 3 sd of 95 %.
    assert.ok(coverage >= 0.92 && coverage <= 0.98, `coverage ${coverage}`);
    // And it is not wide for nothing: about 2·1.96·sd of the difference (sd ≈ 0.0249).
    assert.ok(Math.abs(width / sets - 2 * 1.96 * Math.sqrt((pB + pC - truth ** 2) / n)) < 0.01, `mean width ${width / sets}`);
  });

  it('is a point where the runs never disagree, and null with nothing paired', () => {
    assert.deepEqual(pairedBootstrapCi({ n: 50, b: 0, c: 0 }), [0, 0]);
    assert.deepEqual(pairedBootstrapCi({ n: 50, b: 50, c: 0 }), [-1, -1]);
    assert.equal(pairedBootstrapCi({ n: 0, b: 0, c: 0 }), null);
  });

  it('reads the two figures together, and says when there are too few disagreements to tell', () => {
    assert.equal(MIN_DISCORDANT, 6);
    assert.ok(mcnemarExactP(5, 0) > 0.05 && mcnemarExactP(6, 0) < 0.05, 'six is the fewest that can be significant');
    assert.equal(verdictOf({ b: 3, c: 0, p: 0.25, ci: [-0.6, 0] }), 'few');
    assert.equal(verdictOf({ b: 12, c: 3, p: 0.035, ci: [-0.2, -0.01] }), 'significant');
    assert.equal(verdictOf({ b: 10, c: 10, p: 1, ci: [-0.1, 0.1] }), 'noise');
    assert.equal(verdictOf({ b: 9, c: 2, p: 0.065, ci: [-0.2, -0.01] }), 'borderline');
  });
});
