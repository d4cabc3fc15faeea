// Generated corpora for the corpus tests and the bench: pages of made-up words whose
// frequencies follow Zipf's law like real prose. Deterministic: a seed gives the same pages.
import { createWriteStream, promises as fs } from 'node:fs';
import * as path from 'node:path';

export function rng(seed: number): () => number {
  let s = seed % 2147483647 || 1;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

const SYLLABLES =
  'ka lo mi sa tu ve ri on de an ul pe tha gri mon sel va ber cor dis ent fal gen hol ist jor kel lum nar ost pri qua ros ste tor ung vix wal yen zor'.split(
    ' ',
  );

/** A vocabulary of made-up words and a sampler that draws them with Zipf frequencies (s = 1.07). */
export function zipfWords(size: number, random: () => number): () => string {
  const words: string[] = [];
  const seen = new Set<string>();
  while (words.length < size) {
    const n = 1 + Math.floor(random() * 3) + (random() < 0.3 ? 1 : 0);
    let w = '';
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
    if (!seen.has(w)) {
      seen.add(w);
      words.push(w);
    }
  }
  const cumulative = new Float64Array(size);
  let total = 0;
  for (let r = 0; r < size; r++) cumulative[r] = total += 1 / (r + 1) ** 1.07;
  return () => {
    const x = random() * total;
    let lo = 0,
      hi = size - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return words[lo]!;
  };
}

function sentence(word: () => string, random: () => number): string {
  const n = 6 + Math.floor(random() * 18);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(random() < 0.04 ? String(Math.floor(random() * 3000)) : word());
  const s = parts.join(' ');
  return s[0]!.toUpperCase() + s.slice(1) + (random() < 0.9 ? '.' : '?');
}

export interface TextCorpusStats {
  pages: number;
  bytes: number;
}

/** Writes pages.jsonl with `pages` pages of about 1.3 kB of text each; `imageOf` gives a page its image. */
export async function writeTextCorpus(dir: string, pages: number, seed = 1, imageOf?: (i: number) => string | undefined): Promise<TextCorpusStats> {
  await fs.mkdir(dir, { recursive: true });
  const random = rng(seed);
  const word = zipfWords(40_000, random);
  const file = path.join(dir, 'pages.jsonl');
  const out = createWriteStream(file);
  for (let i = 0; i < pages; i++) {
    const title = Array.from({ length: 3 + Math.floor(random() * 6) }, word).join(' ');
    const sentences: string[] = [];
    for (let k = 0, n = 8 + Math.floor(random() * 12); k < n; k++) sentences.push(sentence(word, random));
    const image = imageOf?.(i);
    const line = JSON.stringify({ id: `p${i}`, title, url: `https://example.org/${i}`, text: sentences.join(' '), ...(image ? { image } : {}) });
    if (!out.write(line + '\n')) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  return { pages, bytes: (await fs.stat(file)).size };
}
