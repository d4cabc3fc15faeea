// Generated corpora for the corpus tests and the bench: pages of made-up words whose
// frequencies follow Zipf's law like real prose, and look-alikes of the shared photographs.
// Deterministic: a seed gives the same corpus.
import { createWriteStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { DEMO, PHOTOS } from '../helpers/fixtures';

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

/** A page image of a look-alike corpus: which photograph it comes from, and how. */
export interface LookAlike {
  file: string;
  photo: string;
  kind: string;
}

/**
 * A corpus for image search: the shared photographs, their mirror images, and `perPhoto`
 * look-alikes of each that the exact matcher tells apart from the original (checked against
 * it, image by image, when this corpus was designed): flipped and rotated copies, crops of
 * the mirrored and flipped copies, copies shifted in colour (by at least 90 levels on a
 * channel, or with red and blue swapped), smaller copies shifted in colour, and inverted
 * crops. Written as pages.jsonl (one page per image, titled by its file name) and images.
 */
export async function writeLookAlikeCorpus(dir: string, perPhoto: number, seed = 11, maxSide?: number): Promise<LookAlike[]> {
  await fs.mkdir(dir, { recursive: true });
  const r = rng(seed);
  const items: LookAlike[] = [];
  const kinds = ['flip', 'rotate', 'crop-of-mirror', 'crop-of-flip', 'shifted', 'smaller-shifted', 'inverted-crop', 'swapped'] as const;
  for (const name of PHOTOS) {
    const photo = path.parse(name).name;
    // The original, as the corpus holds it (scaled down to maxSide, when given): the look-alikes are made from it.
    const src = maxSide
      ? await sharp(path.join(DEMO, 'images', name))
          .resize(maxSide, maxSide, { fit: 'inside' })
          .png()
          .toBuffer()
      : path.join(DEMO, 'images', name);
    const { width: W, height: H } = await sharp(src).metadata();
    await fs.writeFile(path.join(dir, name), typeof src === 'string' ? await fs.readFile(src) : src);
    items.push({ file: name, photo, kind: 'original' });
    await sharp(src)
      .flop()
      .png()
      .toFile(path.join(dir, `mirror-${photo}.png`));
    items.push({ file: `mirror-${photo}.png`, photo, kind: 'mirror' });
    const offset = (): number[] => {
      let o = [0, 0, 0];
      while (Math.max(...o) < 90) o = o.map(() => Math.round(r() * 160));
      return o;
    };
    const crop = () => {
      const w = Math.round(W * (0.3 + 0.6 * r())),
        h = Math.round(H * (0.3 + 0.6 * r()));
      return { left: Math.floor(r() * (W - w)), top: Math.floor(r() * (H - h)), width: w, height: h };
    };
    for (let k = 0; k < perPhoto; k++) {
      const kind = kinds[k % kinds.length]!;
      let p = sharp(src);
      switch (kind) {
        case 'flip':
          p = p.flip();
          break;
        case 'rotate':
          p = p.rotate([90, 180, 270][Math.floor(r() * 3)]);
          break;
        case 'crop-of-mirror':
          p = sharp(await sharp(src).flop().png().toBuffer()).extract(crop());
          break;
        case 'crop-of-flip':
          p = sharp(await sharp(src).flip().png().toBuffer()).extract(crop());
          break;
        case 'shifted':
          p = p.linear([1, 1, 1], offset());
          break;
        case 'smaller-shifted':
          p = sharp(
            await sharp(src)
              .resize(Math.round(W * (0.3 + 0.6 * r())))
              .png()
              .toBuffer(),
          ).linear([1, 1, 1], offset());
          break;
        case 'inverted-crop':
          p = sharp(await sharp(src).extract(crop()).png().toBuffer()).negate({ alpha: false });
          break;
        case 'swapped':
          p = sharp(
            await sharp(src)
              .recomb([
                [0, 0, 1],
                [0, 1, 0],
                [1, 0, 0],
              ])
              .png()
              .toBuffer(),
          ).linear([1, 1, 1], offset());
          break;
      }
      const file = `${photo}-${kind}-${k}.jpg`;
      await p.jpeg({ quality: 85 }).toFile(path.join(dir, file));
      items.push({ file, photo, kind });
    }
  }
  const lines = items.map((it, i) => JSON.stringify({ id: `img${i}`, title: it.file, url: `u/${it.file}`, text: `${it.kind} of ${it.photo}`, image: it.file }));
  await fs.writeFile(path.join(dir, 'pages.jsonl'), lines.join('\n') + '\n');
  return items;
}
