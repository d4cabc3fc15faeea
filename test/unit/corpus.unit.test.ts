import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import type { EncodedImage } from '../../src/core/ports';
import { CorpusError, LocalCorpus } from '../../src/search/localCorpus';
import { snippetFor } from '../../src/search/snippet';
import { CORPUS, photo, PHOTOS, tempDir } from '../helpers/fixtures';

const signal = new AbortController().signal;

function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

async function jpeg(input: Buffer | string, extract?: sharp.Region): Promise<EncodedImage> {
  let p = sharp(input);
  if (extract) p = p.extract(extract);
  const { data, info } = await p.jpeg({ quality: 85 }).toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, mime: 'image/jpeg' };
}

describe('local corpus', () => {
  const tmp = tempDir();
  after(tmp.cleanup);

  it('loads the bundled corpus with no problems and names it by its content', async () => {
    const c = await LocalCorpus.open(CORPUS);
    const loaded = await c.load();
    assert.equal(loaded.pages, 15);
    assert.equal(loaded.images, 7);
    assert.deepEqual(loaded.problems, []);
    assert.match(c.id, /^local-corpus:corpus@[0-9a-f]{12}$/);
    assert.equal(c.imageSearch.id, `${c.id}/image`);
  });

  it('reports broken lines by number, loads the rest, and changes id when the content changes', async () => {
    const dir = path.join(tmp.dir, 'broken');
    await fs.mkdir(path.join(dir, 'img'), { recursive: true });
    await fs.copyFile(photo('chelsea.png'), path.join(dir, 'img', 'cat.png'));
    const lines = [
      JSON.stringify({ id: 'a', title: 'Cats', url: 'u1', text: 'Chelsea is a cat.', image: 'img/cat.png' }),
      '{"id": "b", "title": ',
      JSON.stringify({ id: 'c', title: 'No text' }),
      JSON.stringify({ id: 'a', title: 'Again', url: 'u', text: 't' }),
      JSON.stringify({ id: 'd', title: 'Escape', url: 'u', text: 't', image: '../../etc/passwd' }),
      JSON.stringify({ id: 'e', title: 'Missing', url: 'u', text: 't', image: 'img/none.png' }),
      JSON.stringify({ id: 'f', title: 'Dogs', url: 'u2', text: 'Dogs bark.' }),
    ];
    await fs.writeFile(path.join(dir, 'pages.jsonl'), lines.join('\n'));
    const c = await LocalCorpus.open(dir);
    const { pages, images, problems } = await c.load();
    assert.deepEqual(
      problems.map((p) => p.line),
      [2, 3, 4, 5, 6],
    );
    assert.match(problems[0]!.message, /not valid JSON/);
    assert.match(problems[1]!.message, /not a page: url/);
    assert.match(problems[2]!.message, /duplicate page id "a"/);
    assert.match(problems[3]!.message, /^image "\.\.\/\.\.\/etc\/passwd" is outside the corpus folder$/);
    assert.match(problems[4]!.message, /^image "img\/none\.png" not found$/);
    assert.equal(pages, 4); // a, d, e, f
    assert.equal(images, 1); // a's
    const found = await c.textSearch.search('dogs', { signal, topK: 5 });
    assert.equal(found.results[0]!.title, 'Dogs');

    await fs.appendFile(path.join(dir, 'pages.jsonl'), '\n' + JSON.stringify({ id: 'g', title: 'New', url: 'u', text: 't' }));
    assert.notEqual((await LocalCorpus.open(dir)).id, c.id);
  });

  it('refuses a folder without pages.jsonl', async () => {
    await assert.rejects(LocalCorpus.open(tmp.dir), (e: unknown) => e instanceof CorpusError && /has no pages\.jsonl/.test(e.message));
  });

  it('ranks pages by BM25 with the matching passage as the snippet', async () => {
    const c = await LocalCorpus.open(CORPUS);
    const out = await c.textSearch.search('DSCOVR orbit Lagrange point', { signal, topK: 3 });
    assert.deepEqual(
      out.results.map((r) => r.title),
      ['Lagrange point L1', 'Deep Space Climate Observatory (DSCOVR)', 'Falcon 9 launches DSCOVR from Cape Canaveral (February 2015)'],
    );
    assert.deepEqual(
      out.results.map((r) => r.rank),
      [1, 2, 3],
    );
    assert.ok(out.results[0]!.score! > out.results[1]!.score!);
    assert.match(out.results[1]!.snippet, /^It orbits the Sun–Earth L1 Lagrange point/);
    assert.equal(out.results[0]!.thumbnail, undefined);
    assert.equal((await c.textSearch.search('zzzqqq', { signal, topK: 3 })).results.length, 0);
  });

  it('finds the page of a whole photo first, with a thumbnail', async () => {
    const c = await LocalCorpus.open(CORPUS);
    const expected: Record<string, string> = {
      'rocket.jpg': 'Falcon 9 launches DSCOVR',
      'hubble_deep_field.jpg': 'Hubble eXtreme Deep Field',
      'chelsea.png': 'Chelsea the cat',
      'coffee.png': 'Coffee cup',
      'astronaut.png': 'Eileen Collins',
    };
    for (const name of PHOTOS) {
      const out = await c.imageSearch.search(await jpeg(photo(name)), { signal, topK: 5 });
      assert.ok(out.results[0]!.title.startsWith(expected[name]!), `${name} → ${out.results[0]!.title}`);
      assert.ok(out.results[0]!.thumbnail && out.results[0]!.thumbnail.width <= 256);
      assert.equal(out.results.length, 5);
    }
  });

  it('finds the source image first for exact crops of corpus images (random crops, 15–100% of each side)', async () => {
    // A corpus of the five photos and their mirror images: the hardest distractors.
    const dir = path.join(tmp.dir, 'crops');
    await fs.mkdir(dir, { recursive: true });
    const lines: string[] = [];
    for (const name of PHOTOS) {
      const base = path.parse(name).name;
      await fs.copyFile(photo(name), path.join(dir, name));
      await sharp(photo(name))
        .flop()
        .png()
        .toFile(path.join(dir, `mirror-${base}.png`));
      lines.push(JSON.stringify({ id: base, title: base, url: `u/${base}`, text: base, image: name }));
      lines.push(JSON.stringify({ id: `mirror-${base}`, title: `mirror-${base}`, url: 'u', text: 'mirror', image: `mirror-${base}.png` }));
    }
    await fs.writeFile(path.join(dir, 'pages.jsonl'), lines.join('\n'));
    const c = await LocalCorpus.open(dir);
    const r = rng(7);
    const misses: string[] = [];
    let tries = 0;
    for (const name of PHOTOS) {
      const buf = await fs.readFile(photo(name));
      const { width: W, height: H } = await sharp(buf).metadata();
      for (let k = 0; k < 8; k++) {
        const w = Math.round(W * (0.15 + 0.85 * r()));
        const h = Math.max(Math.round(w / 4), Math.min(H, Math.round(H * (0.15 + 0.85 * r())))); // aspect within 1:4
        const left = Math.floor(r() * (W - w + 1));
        const top = Math.floor(r() * (H - h + 1));
        const out = await c.imageSearch.search(await jpeg(buf, { left, top, width: w, height: h }), { signal, topK: 3 });
        tries++;
        if (out.results[0]!.title !== path.parse(name).name) misses.push(`${name} ${w}×${h}@${left},${top} → ${out.results[0]!.title}`);
      }
    }
    assert.deepEqual(misses, [], `${misses.length}/${tries} crops missed`);
  });

  it('snippets come from the matching sentence, clipped', () => {
    const text = 'Alpha beta. Gamma delta epsilon. ' + 'Zeta eta theta. '.repeat(40);
    assert.match(snippetFor(text, 'delta'), /^Gamma delta epsilon\./);
    assert.ok(snippetFor(text, 'theta').length <= 321);
    assert.match(snippetFor(text), /^Alpha beta\./);
    assert.equal(snippetFor(''), '');
  });
});
