// Chance-corrected agreement between annotators: percent agreement, Cohen's κ for two and
// Fleiss' κ for more. Pure arithmetic over ratings already gathered (annotatorAgreement.ts).
// κ = (observed − expected) / (1 − expected). When the expected agreement is 1 (every rating
// in the one category, so chance alone agrees every time) κ is 0/0: it is returned as null,
// never as 1 or NaN, and the caller says why.

/** Two annotators on the items both rated. */
export interface PairAgreement {
  items: number;
  agreed: number;
  /** agreed / items, 0–1 (0 when there are no items). */
  observed: number;
  /** The agreement chance alone gives, from each annotator's own share of each category. */
  expected: number;
  /** null when undefined: no items, or the expected agreement is 1. */
  kappa: number | null;
  /** Rows: the first annotator's category; columns: the second's (in `categories` order). */
  table: number[][];
}

/** The κ of an observed and an expected agreement; null when it is 0/0 (nothing, or chance agrees always). */
function kappaOf(observed: number, expected: number, items: number): number | null {
  if (items === 0 || expected >= 1 - 1e-12) return null;
  return (observed - expected) / (1 - expected);
}

/** Cohen's κ of two annotators from their ratings of the same items (`pairs[i]` = [first's, second's]). */
export function cohensKappa(pairs: readonly (readonly [string, string])[], categories: readonly string[]): PairAgreement {
  const at = new Map(categories.map((c, i) => [c, i]));
  const k = categories.length;
  const table = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (const [a, b] of pairs) {
    const i = at.get(a);
    const j = at.get(b);
    if (i === undefined || j === undefined) throw new Error(`a rating outside the categories: ${a} / ${b}`);
    table[i]![j]!++;
  }
  return cohensKappaOfTable(table);
}

/** Cohen's κ from a k×k table of counts (rows the first annotator, columns the second). */
export function cohensKappaOfTable(table: readonly (readonly number[])[]): PairAgreement {
  const k = table.length;
  let items = 0;
  let agreed = 0;
  const rows = new Array<number>(k).fill(0);
  const cols = new Array<number>(k).fill(0);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      const n = table[i]![j]!;
      items += n;
      rows[i]! += n;
      cols[j]! += n;
      if (i === j) agreed += n;
    }
  const observed = items ? agreed / items : 0;
  let expected = 0;
  if (items) for (let i = 0; i < k; i++) expected += (rows[i]! / items) * (cols[i]! / items);
  return { items, agreed, observed, expected, kappa: kappaOf(observed, expected, items), table: table.map((r) => [...r]) };
}

/** Several annotators over items each rated by two or more of them. */
export interface GroupAgreement {
  /** Items rated by two or more. */
  items: number;
  /** Items on which every rating was the same category. */
  unanimous: number;
  /** Fleiss' P̄: the mean over items of the share of agreeing pairs of ratings. */
  observed: number;
  /** Fleiss' P̄e: Σ p_j², p_j the share of all ratings in category j. */
  expected: number;
  kappa: number | null;
}

/**
 * Fleiss' κ from an items × categories table of counts (row i: how many annotators put item
 * i in each category). Items with fewer than two ratings are left out. Rows may have
 * different totals (not every annotator saw every item): each item's agreement is then over
 * its own pairs, P_i = Σ_j n_ij(n_ij − 1) / (n_i(n_i − 1)), and p_j is the share of all
 * ratings; with equal totals this is Fleiss' (1971) κ exactly.
 */
export function fleissKappa(counts: readonly (readonly number[])[]): GroupAgreement {
  let items = 0;
  let unanimous = 0;
  let sumP = 0;
  let ratings = 0;
  const perCategory: number[] = [];
  for (const row of counts) {
    let n = 0;
    let same = 0;
    for (const c of row) {
      n += c;
      same += c * (c - 1);
    }
    if (n < 2) continue;
    items++;
    ratings += n;
    sumP += same / (n * (n - 1));
    if (row.some((c) => c === n)) unanimous++;
    row.forEach((c, j) => (perCategory[j] = (perCategory[j] ?? 0) + c));
  }
  const observed = items ? sumP / items : 0;
  let expected = 0;
  if (ratings) for (const c of perCategory) expected += (c / ratings) ** 2;
  return { items, unanimous, observed, expected, kappa: kappaOf(observed, expected, items) };
}
