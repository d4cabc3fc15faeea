// The local corpus' text search: BM25+ over two fields (title, boosted 2×, and text) with
// prefix and fuzzy matching, scored exactly as MiniSearch scores them with the options the
// corpus used before (so rankings did not change), but held compactly: the sorted terms,
// a few typed arrays per term and per page, and postings (page, term frequency) that can
// stay on disk and be read a term at a time. Page texts are not kept at all.
import { TermDictionary } from './termDictionary';

/** Fields in index order, with their boosts. */
export const TEXT_FIELDS = ['title', 'text'] as const;
const FIELD_BOOSTS = [2, 1] as const;

// MiniSearch's tokenizer and its defaults for the options the corpus searches with.
const SPACE_OR_PUNCTUATION = /[\n\r\p{Z}\p{P}]+/u;
const BM25 = { k: 1.2, b: 0.7, d: 0.5 };
const FUZZY = 0.15;
const MAX_FUZZY = 6;
const FUZZY_WEIGHT = 0.45;
const PREFIX_WEIGHT = 0.375;
const prefixWanted = (term: string) => term.length > 3;

export interface TextIndexData {
  /** Every term, sorted. */
  terms: string[];
  /** Term t's postings are entries termStarts[t] .. termStarts[t+1]: its title postings first, then its text postings. */
  termStarts: Uint32Array;
  titleCounts: Uint32Array;
  /** Per page and field (page·2 + field): the number of distinct raw tokens, MiniSearch's field length. */
  fieldLengths: Uint32Array;
  averageFieldLengths: [number, number];
  pageCount: number;
}

/** Postings as (page, term frequency) pairs, entries [start, start + count). */
export interface PostingsSource {
  read(start: number, count: number): Promise<Uint32Array>;
}

export interface TextHit {
  /** Index of the page, in the order pages were added. */
  page: number;
  score: number;
}

function tokenize(text: string): string[] {
  return text.split(SPACE_OR_PUNCTUATION);
}

/** A growable Uint32Array. */
class U32List {
  data = new Uint32Array(1 << 12);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new Uint32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
}

export class TextIndexBuilder {
  private readonly termIds = new Map<string, number>();
  private readonly termList: string[] = [];
  // One row per (term, field, page): key = termId·2 + field.
  private readonly keys = new U32List();
  private readonly pages = new U32List();
  private readonly freqs = new U32List();
  private readonly lengths = new U32List();
  private readonly lengthSums = [0, 0];
  private pageCount = 0;

  add(title: string, text: string): void {
    const page = this.pageCount++;
    [title, text].forEach((value, field) => {
      const tokens = tokenize(value);
      const length = new Set(tokens).size;
      this.lengths.push(length);
      this.lengthSums[field]! += length;
      const counts = new Map<string, number>();
      for (const token of tokens) {
        const term = token.toLowerCase();
        if (term) counts.set(term, (counts.get(term) ?? 0) + 1);
      }
      for (const [term, n] of counts) {
        let id = this.termIds.get(term);
        if (id === undefined) {
          id = this.termList.push(term) - 1;
          this.termIds.set(term, id);
        }
        this.keys.push(id * 2 + field);
        this.pages.push(page);
        this.freqs.push(n);
      }
    });
  }

  finish(): { data: TextIndexData; postings: Uint32Array } {
    const count = this.termList.length;
    const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => (this.termList[a]! < this.termList[b]! ? -1 : 1));
    const rank = new Uint32Array(count);
    order.forEach((id, r) => (rank[id] = r));
    // A stable counting sort by (term rank, field) keeps each list in page order.
    const bucketStarts = new Uint32Array(count * 2 + 1);
    const rows = this.keys.length;
    for (let i = 0; i < rows; i++) {
      const key = this.keys.data[i]!;
      bucketStarts[rank[key >> 1]! * 2 + (key & 1) + 1]!++;
    }
    for (let k = 1; k < bucketStarts.length; k++) bucketStarts[k]! += bucketStarts[k - 1]!;
    const fill = bucketStarts.slice(0, count * 2);
    const postings = new Uint32Array(rows * 2);
    for (let i = 0; i < rows; i++) {
      const key = this.keys.data[i]!;
      const at = fill[rank[key >> 1]! * 2 + (key & 1)]!++;
      postings[at * 2] = this.pages.data[i]!;
      postings[at * 2 + 1] = this.freqs.data[i]!;
    }
    const termStarts = new Uint32Array(count + 1);
    const titleCounts = new Uint32Array(count);
    for (let r = 0; r < count; r++) {
      termStarts[r] = bucketStarts[r * 2]!;
      titleCounts[r] = bucketStarts[r * 2 + 1]! - bucketStarts[r * 2]!;
    }
    termStarts[count] = rows;
    const n = Math.max(1, this.pageCount);
    return {
      data: {
        terms: order.map((id) => this.termList[id]!),
        termStarts,
        titleCounts,
        fieldLengths: this.lengths.data.slice(0, this.lengths.length),
        averageFieldLengths: [this.lengthSums[0]! / n, this.lengthSums[1]! / n],
        pageCount: this.pageCount,
      },
      postings,
    };
  }
}

/** Postings held in memory. */
export function postingsInMemory(postings: Uint32Array): PostingsSource {
  return { read: async (start, count) => postings.subarray(start * 2, (start + count) * 2) };
}

function popcount(x: number): number {
  let n = 0;
  for (; x; x &= x - 1) n++;
  return n;
}

export class TextIndex {
  readonly dictionary: TermDictionary;
  /** Per page and field, BM25's length normalisation k·(1 − b + b·length/average), computed as MiniSearch computes it. */
  private readonly norms: Float64Array;

  constructor(
    readonly data: TextIndexData,
    private readonly postings: PostingsSource,
  ) {
    this.dictionary = new TermDictionary(data.terms);
    this.norms = new Float64Array(data.fieldLengths.length);
    for (let i = 0; i < this.norms.length; i++) {
      this.norms[i] = BM25.k * (1 - BM25.b + (BM25.b * data.fieldLengths[i]!) / data.averageFieldLengths[i & 1]!);
    }
  }

  /**
   * The terms a query term reaches and their weights, as MiniSearch expands it: the term
   * itself, the terms it begins (a contiguous run of the dictionary), then fuzzy matches.
   */
  private expand(term: string): { term: number; weight: number }[] {
    const dict = this.dictionary;
    const out: { term: number; weight: number }[] = [];
    const exact = dict.indexOf(term);
    if (exact >= 0) out.push({ term: exact, weight: 1 });
    let run: [number, number] = [0, 0];
    if (prefixWanted(term)) {
      run = dict.prefixRange(term);
      for (let t = run[0]; t < run[1]; t++) {
        const derived = dict.terms[t]!;
        const distance = derived.length - term.length;
        if (distance) out.push({ term: t, weight: (PREFIX_WEIGHT * derived.length) / (derived.length + 0.3 * distance) });
      }
    }
    const maxDistance = Math.min(MAX_FUZZY, Math.round(term.length * FUZZY));
    if (maxDistance) {
      for (const [t, distance] of dict.fuzzy(term, maxDistance)) {
        if (!distance || (t >= run[0] && t < run[1])) continue;
        const derived = dict.terms[t]!;
        out.push({ term: t, weight: (FUZZY_WEIGHT * derived.length) / (derived.length + distance) });
      }
    }
    return out;
  }

  /** Postings of the given terms, reading each contiguous run of terms at once. */
  private async postingsOf(terms: readonly number[]): Promise<Map<number, Uint32Array>> {
    const { termStarts } = this.data;
    const sorted = [...new Set(terms)].sort((a, b) => a - b);
    const out = new Map<number, Uint32Array>();
    for (let i = 0; i < sorted.length;) {
      let j = i;
      while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
      const first = sorted[i]!;
      const from = termStarts[first]!;
      const pairs = await this.postings.read(from, termStarts[sorted[j]! + 1]! - from);
      for (let t = first; t <= sorted[j]!; t++) out.set(t, pairs.subarray((termStarts[t]! - from) * 2, (termStarts[t + 1]! - from) * 2));
      i = j + 1;
    }
    return out;
  }

  /** Pages matching the query, best first; ties keep the order in which pages were first matched. */
  async search(query: string, limit: number): Promise<TextHit[]> {
    const queryTerms = tokenize(query)
      .map((t) => t.toLowerCase())
      .filter(Boolean);
    if (!queryTerms.length) return [];
    const { pageCount, titleCounts } = this.data;
    const norms = this.norms;
    const distinct = [...new Set(queryTerms)];
    const total = new Float64Array(pageCount);
    const termScore = new Float64Array(pageCount);
    // Which distinct query terms matched a page: a bit each (a Set per page past 32 terms).
    const masks = new Uint32Array(pageCount);
    const many = distinct.length > 32 ? new Map<number, Set<number>>() : undefined;
    const firstSeen: number[] = [];
    const touched = new Uint8Array(pageCount);

    for (const queryTerm of queryTerms) {
      const bit = distinct.indexOf(queryTerm);
      const termPages: number[] = [];
      const expanded = this.expand(queryTerm);
      const lists = await this.postingsOf(expanded.map((e) => e.term));
      for (const { term, weight } of expanded) {
        const entries = lists.get(term)!;
        const titles = titleCounts[term]!;
        for (let field = 0; field < 2; field++) {
          const from = field ? titles : 0;
          const to = field ? entries.length / 2 : titles;
          const df = to - from;
          const idf = Math.log(1 + (pageCount - df + 0.5) / (df + 0.5));
          const scale = weight * FIELD_BOOSTS[field]!;
          for (let e = from; e < to; e++) {
            const page = entries[e * 2]!;
            const tf = entries[e * 2 + 1]!;
            // MiniSearch's BM25+, term by term in its order of operations, so scores match to the last bit.
            const raw = idf * (BM25.d + (tf * (BM25.k + 1)) / (tf + norms[page * 2 + field]!));
            if (!termScore[page]) termPages.push(page);
            termScore[page]! += scale * raw;
          }
        }
      }
      for (const page of termPages) {
        total[page]! += termScore[page]!;
        termScore[page] = 0;
        if (!touched[page]) {
          touched[page] = 1;
          firstSeen.push(page);
        }
        if (many) {
          let s = many.get(page);
          if (!s) many.set(page, (s = new Set()));
          s.add(bit);
        } else masks[page]! |= 1 << bit;
      }
    }
    // The best `limit`, in MiniSearch's order: score, then first match (a stable sort).
    const best: TextHit[] = [];
    for (const page of firstSeen) {
      const score = total[page]! * (many ? many.get(page)!.size : popcount(masks[page]!));
      if (best.length >= limit && score <= best[best.length - 1]!.score) continue;
      let at = best.length;
      while (at > 0 && best[at - 1]!.score < score) at--;
      best.splice(at, 0, { page, score });
      if (best.length > limit) best.pop();
    }
    return best;
  }
}
