// The local corpus' image index: crops and photos found among look-alikes through the
// shortlist (features first, then the exact matcher), the index kept on disk and reloaded,
// damaged files rebuilt, changed images noticed. Real pictures, real files.
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import type { LineProblem } from '../../src/core/jsonl';
import type { EncodedImage } from '../../src/core/ports';
import { SHORTLIST } from '../../src/search/imageIndex';
import { LocalCorpus } from '../../src/search/localCorpus';
import { photo, PHOTOS, tempDir } from '../helpers/fixtures';
import { rng, writeLookAlikeCorpus } from './corpusFixtures';

const signal = new AbortController().signal;

async function jpeg(input: Buffer | string, extract?: sharp.Region): Promise<EncodedImage> {
  let p = sharp(input);
  if (extract) p = p.extract(extract);
  const { data, info } = await p.jpeg({ quality: 85 }).toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, mime: 'image/jpeg' };
}

async function imageIndexFiles(dir: string): Promise<string[]> {
  return (await fs.readdir(dir)).filter((f) => f.startsWith('images-')).sort();
}

/** Flips every byte of a section of an index file (found from its header). */
async function spoil(file: string, section: string): Promise<void> {
  const bytes = await fs.readFile(file);
  const header = JSON.parse(bytes.subarray(12, 12 + bytes.readUInt32LE(8)).toString('utf8')) as {
    sections: Record<string, { offset: number; length: number }>;
  };
  const { offset, length } = header.sections[section]!;
  for (let i = offset; i < offset + length; i++) bytes[i]! ^= 0x5a;
  await fs.writeFile(file, bytes);
}

describe('local corpus: the image index', function () {
  this.timeout(60_000);
  const tmp = tempDir();
  after(tmp.cleanup);
  const dir = path.join(tmp.dir, 'look-alikes');
  const indexDir = path.join(tmp.dir, 'index');
  let pages = 0;

  before(async () => {
    // The five photographs (at 384 pixels), their mirror images, and 16 look-alikes of each:
    // flipped, rotated, crops of the mirrored and flipped copies, colour-shifted, smaller and
    // colour-shifted, inverted crops. The exact matcher alone, run over every image, finds
    // the original first for every query below; the shortlist must not lose it.
    pages = (await writeLookAlikeCorpus(dir, 16, 11, 384)).length;
  });

  it('finds the source image first for exact crops (random, 15–100% of each side) and whole photos among look-alikes, through the shortlist', async () => {
    assert.ok(pages > SHORTLIST, `${pages} images: more than the exact matcher ranks in one search`);
    const c = await LocalCorpus.open(dir, { indexDir });
    const r = rng(7);
    const misses: string[] = [];
    let tries = 0;
    for (const name of PHOTOS) {
      const file = path.join(dir, name);
      const { width: W, height: H } = await sharp(file).metadata();
      const queries: [string, EncodedImage][] = [['whole', await jpeg(file)]];
      for (let k = 0; k < 6; k++) {
        const w = Math.round(W * (0.15 + 0.85 * r()));
        const h = Math.max(Math.round(w / 4), Math.min(H, Math.round(H * (0.15 + 0.85 * r())))); // aspect within 1:4
        const left = Math.floor(r() * (W - w + 1));
        const top = Math.floor(r() * (H - h + 1));
        queries.push([`${w}×${h}@${left},${top}`, await jpeg(file, { left, top, width: w, height: h })]);
      }
      for (const [what, query] of queries) {
        const out = await c.imageSearch.search(query, { signal, topK: 3 });
        tries++;
        if (out.results[0]!.title !== name) misses.push(`${name} ${what} → ${out.results[0]!.title}`);
      }
    }
    assert.deepEqual(misses, [], `${misses.length}/${tries} queries missed`);
  });

  it('keeps the index in the index folder: a later run loads it, thumbnails and all', async () => {
    const query = await jpeg(path.join(dir, 'coffee.png'), { left: 40, top: 30, width: 200, height: 120 });
    const search = async () => (await (await LocalCorpus.open(dir, { indexDir })).imageSearch.search(query, { signal, topK: 5 })).results;
    const first = await search();
    assert.equal(first[0]!.title, 'coffee.png');
    assert.ok(first.every((hit) => hit.thumbnail && hit.thumbnail.data.length > 0 && Math.max(hit.thumbnail.width, hit.thumbnail.height) <= 256));
    const files = await imageIndexFiles(indexDir);
    assert.equal(files.length, 2);
    assert.match(files[0]!, /^images-[0-9a-f]{64}-0\.gidx$/, 'one data file (pixels and thumbnails)');
    assert.match(files[1]!, /^images-[0-9a-f]{64}\.gidx$/, 'the index');
    const stored = await fs.stat(path.join(indexDir, files[1]!));
    assert.deepEqual(await search(), first, 'the same results from the stored index');
    const again = await fs.stat(path.join(indexDir, files[1]!));
    assert.equal(again.ino, stored.ino, 'loaded, not rebuilt');
    assert.equal(again.mtimeMs, stored.mtimeMs);
  });

  it('a damaged index or data file is rebuilt, byte for byte, and the search answers as before', async () => {
    const small = path.join(tmp.dir, 'small');
    await fs.mkdir(small);
    const lines: string[] = [];
    for (const [i, name] of PHOTOS.entries()) {
      await sharp(photo(name))
        .resize(320)
        .jpeg()
        .toFile(path.join(small, `${i}.jpg`));
      lines.push(JSON.stringify({ id: `p${i}`, title: name, url: `u/${i}`, text: name, image: `${i}.jpg` }));
    }
    await fs.writeFile(path.join(small, 'pages.jsonl'), lines.join('\n'));
    const index = path.join(tmp.dir, 'small-index');
    const query = await jpeg(photo('astronaut.png'), { left: 100, top: 50, width: 200, height: 200 });
    const search = async () => (await (await LocalCorpus.open(small, { indexDir: index })).imageSearch.search(query, { signal, topK: 3 })).results;
    const first = await search();
    assert.equal(first[0]!.title, 'astronaut.png');
    const [dataFile, indexFile] = (await imageIndexFiles(index)).map((f) => path.join(index, f)) as [string, string];
    const pristine = { data: await fs.readFile(dataFile), index: await fs.readFile(indexFile) };
    for (const [file, section] of [
      [dataFile, 'data'],
      [indexFile, 'featureCells'],
      [indexFile, 'keyStarts'],
    ] as const) {
      await spoil(file, section);
      assert.deepEqual(await search(), first, `${path.basename(file)}: ${section} spoilt`);
      assert.ok((await fs.readFile(dataFile)).equals(pristine.data) && (await fs.readFile(indexFile)).equals(pristine.index), 'rebuilt');
    }
    await fs.writeFile(indexFile, pristine.index.subarray(0, 1000));
    assert.deepEqual(await search(), first, 'truncated');
  });

  it('an image replaced in place changes the corpus id, and the search finds what it shows now', async () => {
    const small = path.join(tmp.dir, 'replaced');
    await fs.mkdir(small);
    const lines: string[] = [];
    for (const [i, name] of PHOTOS.entries()) {
      await sharp(photo(name))
        .resize(320)
        .jpeg()
        .toFile(path.join(small, `${i}.jpg`));
      lines.push(JSON.stringify({ id: `p${i}`, title: name, url: `u/${i}`, text: name, image: `${i}.jpg` }));
    }
    await fs.writeFile(path.join(small, 'pages.jsonl'), lines.join('\n'));
    const index = path.join(tmp.dir, 'replaced-index');
    const before = await LocalCorpus.open(small, { indexDir: index });
    const cat = await jpeg(photo('chelsea.png'));
    assert.equal((await before.imageSearch.search(cat, { signal, topK: 1 })).results[0]!.title, 'chelsea.png');
    // The page of the coffee cup now shows the cat (a copy keeps nothing of the old file).
    await fs.rm(path.join(small, '2.jpg'));
    await fs.copyFile(path.join(small, '1.jpg'), path.join(small, '2.jpg'));
    await fs.utimes(path.join(small, '2.jpg'), new Date(), new Date(Date.now() + 5000));
    const after = await LocalCorpus.open(small, { indexDir: index });
    assert.notEqual(after.id, before.id);
    assert.deepEqual((await after.imageSearch.search(cat, { signal, topK: 2 })).results.map((h) => h.title).sort(), ['chelsea.png', 'coffee.png']);
  });

  it('tells at open the image problems stored with the index, for runs that never search', async () => {
    const broken = path.join(tmp.dir, 'broken');
    await fs.mkdir(broken);
    await fs.copyFile(photo('rocket.jpg'), path.join(broken, 'rocket.jpg'));
    await fs.writeFile(path.join(broken, 'empty.jpg'), '');
    const page = (id: string, image: string) => JSON.stringify({ id, title: id, url: `u/${id}`, text: id, image });
    await fs.writeFile(path.join(broken, 'pages.jsonl'), [page('rocket', 'rocket.jpg'), page('empty', 'empty.jpg')].join('\n'));
    const index = path.join(tmp.dir, 'broken-index');
    const told: LineProblem[] = [];
    const first = await LocalCorpus.open(broken, { indexDir: index, onProblems: (p) => told.push(...p) });
    assert.equal(told.length, 0);
    await first.imageSearch.search(await jpeg(photo('rocket.jpg')), { signal, topK: 1 });
    assert.deepEqual(
      told.map((p) => p.line),
      [2],
    );
    const later: LineProblem[] = [];
    await LocalCorpus.open(broken, { indexDir: index, onProblems: (p) => later.push(...p) });
    assert.deepEqual(later, told);
  });
});
