// The search cache on disk: repeated searches served from it (thumbnails included), damaged
// entries treated as misses, a size cap that drops the entries used longest ago, stats and
// clearing per provider.
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import type { EncodedImage, ImageSearch, SearchHit, TextSearch } from '../../src/core/ports';
import { cachedImageSearch, cachedTextSearch, providerFolder, SearchCache, SEARCH_CACHE_DIR } from '../../src/search/cache';
import { photo, tempDir } from '../helpers/fixtures';

const signal = new AbortController().signal;

async function jpeg(file: string, width = 64): Promise<EncodedImage> {
  const { data, info } = await sharp(file).resize(width).jpeg().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, mime: 'image/jpeg' };
}

/** A provider that answers from a list and counts its calls (the cache is what is under test). */
function counting(id: string, hits: (q: string) => SearchHit[], perQuestion = false): TextSearch & { calls: number } {
  const p = {
    id,
    calls: 0,
    ...(perQuestion ? { perQuestion: true } : {}),
    search: async (q: string) => {
      p.calls++;
      return { results: hits(q), cached: false };
    },
  };
  return p;
}

const hit = (rank: number, title: string, extra: Partial<SearchHit> = {}): SearchHit => ({
  rank,
  title,
  url: `https://example.org/${rank}`,
  snippet: `about ${title}`,
  provider: 'p',
  ...extra,
});

describe('search cache', () => {
  const tmp = tempDir('gog-cache-');
  after(tmp.cleanup);

  it('serves a repeated search from disk, thumbnails and page texts included, and misses on a different request', async () => {
    const thumb = await jpeg(photo('rocket.jpg'));
    const provider = counting('web:one', (q) => [hit(1, q, { thumbnail: thumb, summary: 'a summary', pageText: 'the page', source: 'Example' })]);
    const cache = new SearchCache(path.join(tmp.dir, 'a'));
    const text = cachedTextSearch(provider, cache);
    const first = await text.search('Chandra', { signal, topK: 3 });
    const again = await text.search('Chandra', { signal, topK: 3 });
    assert.deepEqual([first.cached, again.cached], [false, true]);
    assert.deepEqual(again.results, first.results);
    assert.ok(again.results[0]!.thumbnail!.data.equals(thumb.data));
    assert.equal((await text.search('Chandra', { signal, topK: 4 })).cached, false, 'topK is part of the request');
    assert.equal(provider.calls, 2);

    const images: ImageSearch = { id: 'img', search: async () => ({ results: [hit(1, 'x', { thumbnail: thumb })], cached: false }) };
    const cachedImages = cachedImageSearch(images, cache);
    const q = await jpeg(photo('coffee.png'));
    await cachedImages.search(q, { signal, topK: 2 });
    assert.equal((await cachedImages.search(q, { signal, topK: 2 })).cached, true);
    assert.equal((await cachedImages.search(await jpeg(photo('coffee.png'), 65), { signal, topK: 2 })).cached, false, 'another image is another request');
  });

  it('keys by the question only for providers whose results depend on it (page summaries)', async () => {
    const cache = new SearchCache(path.join(tmp.dir, 'b'));
    const plain = cachedTextSearch(
      counting('plain', (q) => [hit(1, q)]),
      cache,
    );
    const summarising = cachedTextSearch(
      counting('summaries', (q) => [hit(1, q)], true),
      cache,
    );
    await plain.search('q', { signal, topK: 1, question: 'first?' });
    assert.equal((await plain.search('q', { signal, topK: 1, question: 'second?' })).cached, true);
    await summarising.search('q', { signal, topK: 1, question: 'first?' });
    assert.equal((await summarising.search('q', { signal, topK: 1, question: 'second?' })).cached, false);
    assert.equal((await summarising.search('q', { signal, topK: 1, question: 'first?' })).cached, true);
  });

  // Entries are written without fsync: what a crash can leave of one (empty, zeros, a cut) must read as a miss.
  it('treats an unreadable entry (broken, empty, zeros left by a crash) as a miss and replaces it', async () => {
    const dir = path.join(tmp.dir, 'c');
    const cache = new SearchCache(dir);
    const provider = counting('p', (q) => [hit(1, q)]);
    const text = cachedTextSearch(provider, cache);
    await text.search('q', { signal, topK: 1 });
    const key = SearchCache.key({ provider: 'p', tool: 'text', topK: 1, query: 'q' });
    const file = path.join(dir, SEARCH_CACHE_DIR, providerFolder('p'), key.slice(0, 2), `${key}.json`);
    const whole = await fs.readFile(file, 'utf8');
    const leftovers = ['{broken', '', '\0'.repeat(whole.length), whole.slice(0, whole.length >> 1)];
    for (const left of leftovers) {
      await fs.writeFile(file, left);
      assert.equal((await text.search('q', { signal, topK: 1 })).cached, false);
      assert.equal((await text.search('q', { signal, topK: 1 })).cached, true);
    }
    assert.equal(provider.calls, 1 + leftovers.length);
  });

  it('stays under its size cap by dropping the entries used longest ago', async () => {
    const dir = path.join(tmp.dir, 'd');
    const big = 'x'.repeat(20_000);
    const provider = counting('p', (q) => [hit(1, q, { snippet: big })]);
    const text = cachedTextSearch(provider, new SearchCache(dir, 100_000));
    await text.search('kept', { signal, topK: 1 });
    for (let i = 0; i < 8; i++) {
      await new Promise((r) => setTimeout(r, 15)); // distinct file times
      await text.search(`q${i}`, { signal, topK: 1 });
      if (i % 2 === 0) await text.search('kept', { signal, topK: 1 }); // used again: stays
    }
    const stats = await new SearchCache(dir).stats();
    assert.ok(stats.bytes <= 100_000, `${stats.bytes} bytes`);
    const before = provider.calls;
    assert.equal((await text.search('kept', { signal, topK: 1 })).cached, true, 'the entry used most recently is kept');
    assert.equal((await text.search('q0', { signal, topK: 1 })).cached, false, 'an entry not used since went');
    assert.equal(provider.calls, before + 1);
  });

  it('counts and clears entries per provider', async () => {
    const dir = path.join(tmp.dir, 'e');
    const cache = new SearchCache(dir);
    const a = cachedTextSearch(
      counting('local-corpus:corpus@abc/text', (q) => [hit(1, q)]),
      cache,
    );
    const b = cachedTextSearch(
      counting('serper@http://127.0.0.1:9/proxy', (q) => [hit(1, q)]),
      cache,
    );
    for (const q of ['1', '2', '3']) await a.search(q, { signal, topK: 1 });
    await b.search('1', { signal, topK: 1 });
    const stats = await cache.stats();
    assert.equal(stats.entries, 4);
    assert.deepEqual(
      stats.providers.map((p) => [p.provider, p.entries]),
      [
        ['local-corpus:corpus@abc/text', 3],
        ['serper@http://127.0.0.1:9/proxy', 1],
      ],
    );
    assert.equal(await cache.clear('serper@http://127.0.0.1:9/proxy'), 1);
    assert.equal((await cache.stats()).entries, 3);
    assert.equal(await cache.clear(), 3);
    assert.equal((await cache.stats()).entries, 0);
  });
});
