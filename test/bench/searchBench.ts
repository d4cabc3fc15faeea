// Search speed targets (issue 9): a cache hit, and ten result thumbnails downloaded and
// re-encoded in parallel against the slowest single download. Thumbnails come from a server
// on 127.0.0.1 with a latency per image, as a CDN would answer.
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import sharp from 'sharp';
import type { SearchHit, TextSearch } from '../../src/core/ports';
import { cachedTextSearch, SearchCache } from '../../src/search/cache';
import { thumbnailFetcher } from '../../src/search/net/thumbnails';
import { median, type Row } from './stats';

const ROOT = path.resolve(__dirname, '..', '..');
const PHOTOS = ['astronaut.png', 'chelsea.png', 'coffee.png', 'hubble_deep_field.jpg', 'rocket.jpg'];

export async function searchBenchmarks(tmp: string, row: Row): Promise<void> {
  console.log('\nsearch');
  // Five results with 256-pixel thumbnails and page summaries: what a real provider's answer holds.
  const thumbs = await Promise.all(
    PHOTOS.map(async (p) => {
      const { data, info } = await sharp(path.join(ROOT, 'media', 'demo', 'images', p))
        .resize(256, 256, { fit: 'inside' })
        .jpeg({ quality: 90 })
        .toBuffer({ resolveWithObject: true });
      return { data, width: info.width, height: info.height, mime: 'image/jpeg' as const };
    }),
  );
  const hits: SearchHit[] = thumbs.map((t, i) => ({
    rank: i + 1,
    title: `Result ${i + 1}: a page about the picture`,
    url: `https://example.org/page/${i + 1}`,
    snippet: 'A snippet of two sentences about the page. It mentions what the picture shows.',
    summary: 'A summary of five sentences. '.repeat(5),
    provider: 'bench',
    thumbnail: t,
  }));
  const provider: TextSearch = { id: 'bench', search: async () => ({ results: hits, cached: false }) };
  const cached = cachedTextSearch(provider, new SearchCache(path.join(tmp, 'cache')));
  const signal = new AbortController().signal;
  await cached.search('warm', { signal, topK: 5 });
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    const out = await cached.search('warm', { signal, topK: 5 });
    times.push(performance.now() - t0);
    if (!out.cached || out.results.length !== 5) throw new Error('the bench search was not served from the cache');
  }
  row('a cache hit (5 results with thumbnails, from disk, decoded)', `${median(times.slice(20)).toFixed(2)} ms`, '≤ 2 ms', median(times.slice(20)) / 2);

  // Ten thumbnails from a server that takes 80–260 ms per image (different for each).
  const sources = await Promise.all(
    Array.from({ length: 10 }, async (_, i) =>
      sharp(path.join(ROOT, 'media', 'demo', 'images', PHOTOS[i % PHOTOS.length]!))
        .resize(1024 - i * 40)
        .jpeg({ quality: 85 })
        .toBuffer(),
    ),
  );
  const latency = (i: number) => 80 + i * 20;
  const server = http.createServer((req, res) => {
    const i = Number(/\/(\d+)\.jpg$/.exec(req.url ?? '')?.[1] ?? -1);
    if (!(i in sources)) return void res.writeHead(404).end();
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      res.end(sources[i]);
    }, latency(i));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const fetcher = thumbnailFetcher({ allowPrivate: true });
  const urls = sources.map((_, i) => `${base}/${i}.jpg`);
  try {
    const slowest: number[] = [];
    const parallel: number[] = [];
    for (let run = 0; run < 5; run++) {
      let worst = 0;
      for (const u of urls) {
        const t0 = performance.now();
        await fetcher.fetchOne(u, signal);
        worst = Math.max(worst, performance.now() - t0);
      }
      slowest.push(worst);
      const t0 = performance.now();
      const all = await fetcher.fetchAll(urls, signal);
      parallel.push(performance.now() - t0);
      if (all.some((t) => !t)) throw new Error('a bench thumbnail failed');
    }
    const ratio = median(parallel) / median(slowest);
    row('ten thumbnails downloaded and re-encoded in parallel', `${median(parallel).toFixed(0)} ms`, '');
    row('    against the slowest single download (with its re-encode)', `${median(slowest).toFixed(0)} ms`, '≤ 1.5×', ratio / 1.5);
    console.log(`    ratio ${ratio.toFixed(2)}× (medians of 5; images 640–1024 px, 80–260 ms latency each)`);
  } finally {
    await new Promise((r) => server.close(r));
  }
  await fs.rm(path.join(tmp, 'cache'), { recursive: true, force: true });
}
