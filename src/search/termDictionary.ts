// The terms of a text index, sorted (by UTF-16 code units, JavaScript's string order), and
// the three ways a query term finds them: exactly, as a prefix, and within an edit
// distance. Sorted order makes the terms that share a prefix a contiguous run, so the
// fuzzy walk below is a walk of the trie they imply: Levenshtein rows are kept for the
// common prefix of neighbouring terms, and a run is skipped whole once its prefix is
// already too far from the query.

export class TermDictionary {
  constructor(readonly terms: readonly string[]) {}

  get size(): number {
    return this.terms.length;
  }

  /** First index whose term is ≥ `s`. */
  lowerBound(s: string, from = 0): number {
    let lo = from,
      hi = this.terms.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.terms[mid]! < s) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  indexOf(term: string): number {
    const i = this.lowerBound(term);
    return this.terms[i] === term ? i : -1;
  }

  /** [start, end) of the terms that begin with `prefix`, found from `from` (a term inside the run, or its start). */
  prefixRange(prefix: string, from?: number): [number, number] {
    const start = from ?? this.lowerBound(prefix);
    let lo = start,
      hi = this.terms.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.terms[mid]!.startsWith(prefix)) lo = mid + 1;
      else hi = mid;
    }
    return [start, lo];
  }

  /** Terms within Levenshtein distance `maxDistance` of `query`, as [index, distance], in term order. */
  fuzzy(query: string, maxDistance: number): [number, number][] {
    const n = query.length;
    const width = n + 1;
    const maxLen = n + maxDistance;
    const rows = new Uint16Array((maxLen + 1) * width);
    for (let j = 0; j <= n; j++) rows[j] = j;
    const out: [number, number][] = [];
    let prev = '';
    let valid = 0; // rows 0..valid hold the distances of prev's first `valid` characters
    for (let i = 0; i < this.terms.length;) {
      const term = this.terms[i]!;
      let d = 0;
      const shared = Math.min(valid, term.length, prev.length);
      while (d < shared && term.charCodeAt(d) === prev.charCodeAt(d)) d++;
      const last = Math.min(term.length, maxLen);
      let dead = 0;
      for (let k = d + 1; k <= last; k++) {
        const c = term.charCodeAt(k - 1);
        const row = k * width;
        const up = row - width;
        rows[row] = k;
        let min = k;
        for (let j = 1; j <= n; j++) {
          const v = Math.min(rows[up + j]! + 1, rows[row + j - 1]! + 1, rows[up + j - 1]! + (c === query.charCodeAt(j - 1) ? 0 : 1));
          rows[row + j] = v;
          if (v < min) min = v;
        }
        if (min > maxDistance) {
          dead = k;
          break;
        }
      }
      prev = term;
      if (dead) {
        // Every term that starts with these `dead` characters is as far or farther.
        valid = dead - 1;
        i = this.prefixRange(term.slice(0, dead), i)[1];
        continue;
      }
      valid = last;
      if (term.length <= maxLen) {
        const distance = rows[term.length * width + n]!;
        if (distance <= maxDistance) out.push([i, distance]);
      }
      i++;
    }
    return out;
  }
}
