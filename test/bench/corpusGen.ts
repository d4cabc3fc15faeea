// Image corpora for the local-corpus benchmarks, generated into a temporary folder on
// every run (never committed): images that are all different (shapes drawn over a
// recoloured, flipped crop of one of the shared photographs), so that a search has
// something to tell apart. The pages' text comes from the tests' Zipf generator.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { DEMO, PHOTOS } from '../helpers/fixtures';
import { rng, writeTextCorpus } from '../unit/corpusFixtures';

/** One distinct image: a recoloured, flipped crop of a photograph with shapes drawn over it. */
export async function benchImage(i: number, photos: Buffer[], sizes: { width: number; height: number }[]): Promise<Buffer> {
  const random = rng(1000 + i * 7919);
  const k = i % photos.length;
  const { width: W, height: H } = sizes[k]!;
  const w = Math.round(W * (0.35 + 0.6 * random()));
  const h = Math.round(H * (0.35 + 0.6 * random()));
  const region = { left: Math.floor(random() * (W - w)), top: Math.floor(random() * (H - h)), width: w, height: h };
  const colour = () => Math.floor(random() * 256);
  const shapes: string[] = [];
  for (let s = 0, n = 3 + Math.floor(random() * 6); s < n; s++) {
    const fill = `rgb(${colour()},${colour()},${colour()})`;
    const x = random() * 320,
      y = random() * 240,
      r = 8 + random() * 50;
    shapes.push(
      random() < 0.5
        ? `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${r.toFixed(1)}" fill="${fill}" fill-opacity="0.8"/>`
        : `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(r * 1.6).toFixed(1)}" height="${r.toFixed(1)}" fill="${fill}" transform="rotate(${Math.floor(random() * 90)} ${x.toFixed(1)} ${y.toFixed(1)})"/>`,
    );
  }
  const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="320" height="240">${shapes.join('')}</svg>`);
  let p = sharp(photos[k]).extract(region).resize(320, 240, { fit: 'fill' });
  if (random() < 0.5) p = p.flop();
  p = p.linear([0.7 + 0.6 * random(), 0.7 + 0.6 * random(), 0.7 + 0.6 * random()], [colour() / 4 - 32, colour() / 4 - 32, colour() / 4 - 32]);
  const base = await p.toBuffer();
  return sharp(base)
    .composite([{ input: svg }])
    .jpeg({ quality: 85 })
    .toBuffer();
}

/** A corpus of `count` pages, each with its own generated image under images/. */
export async function writeImageCorpus(dir: string, count: number): Promise<void> {
  await fs.mkdir(path.join(dir, 'images'), { recursive: true });
  const photos = await Promise.all(PHOTOS.map((name) => fs.readFile(path.join(DEMO, 'images', name))));
  const sizes = await Promise.all(photos.map(async (b) => sharp(b).metadata()));
  const dims = sizes.map((m) => ({ width: m.width, height: m.height }));
  const batch = 8;
  for (let i = 0; i < count; i += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, count - i) }, async (_, j) => {
        const n = i + j;
        await fs.writeFile(path.join(dir, 'images', `${n}.jpg`), await benchImage(n, photos, dims));
      }),
    );
  }
  await writeTextCorpus(dir, count, 7, (n) => `images/${n}.jpg`);
}
