// The web search providers against fake services on 127.0.0.1 that speak each service's
// documented wire format (test/helpers/fakeProviders.ts): what each maps from a success,
// the documented path kept under a proxy's prefix, every documented error as one line
// naming the provider, Retry-After waited for, a slow reply cut at the time limit.
import { strict as assert } from 'node:assert';
import sharp from 'sharp';
import type { EncodedImage, SearchHit } from '../../src/core/ports';
import type { ImageProviderDef, TextProviderDef } from '../../src/search/kit';
import { WEB_IMAGE_PROVIDERS, WEB_TEXT_PROVIDERS } from '../../src/search/providers';
import { PAGES, type FakeService, type UploadServer } from '../helpers/fakeProviders';
import { closedEndpoint } from '../helpers/fixtures';
import { CASES, KEY_HINT, ProviderBench, type Case, type RunOptions } from '../helpers/providerBench';

const ALL_DEFS: (ImageProviderDef | TextProviderDef)[] = [...WEB_IMAGE_PROVIDERS, ...WEB_TEXT_PROVIDERS];

describe('the web provider registry', () => {
  it('has every provider id the settings can name, each with its service and label', () => {
    assert.deepEqual(
      WEB_IMAGE_PROVIDERS.map((d) => d.id),
      ['serpapi-lens', 'google-vision'],
    );
    assert.deepEqual(
      WEB_TEXT_PROVIDERS.map((d) => d.id),
      ['serpapi', 'serper', 'brave', 'tavily', 'searxng'],
    );
    for (const d of ALL_DEFS) assert.equal(d.label, CASES.find((c) => c.id === d.id)?.label, d.id);
    assert.deepEqual(
      ALL_DEFS.filter((d) => d.needsUploader).map((d) => d.id),
      ['serpapi-lens'],
      'only Lens takes URLs',
    );
    assert.deepEqual(
      ALL_DEFS.map((d) => d.service),
      ['serpapi', 'google-vision', 'serpapi', 'serper', 'brave', 'tavily', 'searxng'],
    );
  });
});

describe('web search providers, against their documented wire formats', () => {
  let bench: ProviderBench;
  let fakes: Record<string, FakeService>;
  let uploads: UploadServer;
  let whole: EncodedImage;
  let crop: EncodedImage;
  before(async () => {
    bench = await ProviderBench.start();
    ({ fakes, uploads, whole, crop } = bench);
  });
  after(() => bench.close());
  beforeEach(() => bench.reset());
  const run = (c: Case, o?: RunOptions) => bench.run(c, o);
  const failure = (c: Case, o?: RunOptions) => bench.failure(c, o);

  async function checkThumbnail(hit: SearchHit, expected: boolean): Promise<void> {
    if (!expected) return assert.equal(hit.thumbnail, undefined, `rank ${hit.rank}: no thumbnail`);
    assert.ok(hit.thumbnail, `rank ${hit.rank}: a thumbnail`);
    assert.equal(hit.thumbnail.mime, 'image/jpeg');
    const meta = await sharp(hit.thumbnail.data).metadata();
    assert.equal(meta.format, 'jpeg', 're-encoded as JPEG');
    assert.deepEqual([meta.width, meta.height], [hit.thumbnail.width, hit.thumbnail.height]);
    assert.ok(Math.max(hit.thumbnail.width, hit.thumbnail.height) <= 256, 'made small');
  }

  interface Expected {
    title: string;
    url: string;
    snippet: string;
    source?: string;
    score?: number;
    thumbnail: boolean;
  }

  async function checkHits(hits: SearchHit[], provider: string, expected: Expected[]): Promise<void> {
    assert.equal(hits.length, expected.length, JSON.stringify(hits.map((h) => h.title)));
    for (const [i, e] of expected.entries()) {
      const h = hits[i]!;
      const { thumbnail: _t, ...fields } = h;
      const want: Record<string, unknown> = { rank: i + 1, title: e.title, url: e.url, snippet: e.snippet, provider };
      if (e.source !== undefined) want.source = e.source;
      if (e.score !== undefined) want.score = e.score;
      assert.deepEqual(fields, want, `result ${i + 1}`);
      await checkThumbnail(h, e.thumbnail);
    }
  }

  const page = (i: number, extra: Partial<Expected> = {}): Expected => {
    const p = PAGES[i]!;
    return { title: p.title, url: p.url, snippet: p.snippet, thumbnail: !!p.thumb && p.thumb !== 'missing.png', ...extra };
  };
  const byId = (id: string) => CASES.find((c) => c.id === id)!;

  describe('success replies, mapped field by field', () => {
    it('serpapi-lens: uploads the crop, Lens fetches it, visual_matches become hits (title, link, source, thumbnail; product facts in the snippet)', async () => {
      const c = byId('serpapi-lens');
      const { results, id } = await run(c, { image: crop, topK: 4 });
      assert.equal(id, `serpapi-lens@${fakes['serpapi-lens']!.origin}`);
      // The crop travelled: it was stored as uploaded, and Lens saw its size.
      const [stored] = [...uploads.stored.values()];
      assert.ok(stored, 'the crop was uploaded');
      assert.deepEqual(stored.body, crop.data);
      const req = fakes['serpapi-lens']!.requests[0]!;
      assert.equal(req.query.engine, 'google_lens');
      assert.equal(req.query.type, 'visual_matches');
      assert.match(req.query.url!, new RegExp(`^${uploads.origin}/u/`));
      await checkHits(results, 'serpapi-lens', [
        page(0, { title: `Coffee - Wikipedia (query image ${crop.width}×${crop.height})`, snippet: 'Visual match on Wikipedia', source: 'Wikipedia' }),
        page(1, { snippet: 'Visual match on Example Coffee', source: 'Example Coffee' }),
        page(2, { snippet: 'Visual match on Example Space · $260* · rated 4.7 (20714 reviews) · in stock', source: 'Example Space' }),
        page(3, { snippet: 'Visual match on Example Cats', source: 'Example Cats' }),
      ]);
      assert.equal(crop.width, 240);
    });

    it('serpapi-lens: with exact matches asked for, type=exact_matches runs alongside and both kinds are interleaved', async () => {
      const c = byId('serpapi-lens');
      const { results } = await run(c, { exact: true, topK: 4 });
      assert.deepEqual(fakes['serpapi-lens']!.requests.map((r) => r.query.type).sort(), ['exact_matches', 'visual_matches']);
      assert.equal(new Set(fakes['serpapi-lens']!.requests.map((r) => r.query.url)).size, 1, 'one upload serves both');
      await checkHits(results, 'serpapi-lens', [
        {
          title: 'Exact copy, seen at 600×400',
          url: 'https://archive.example.com/photo/1',
          snippet: 'Exact match of the image on Photo Archive · 2 years ago · 600×400 px there',
          source: 'Photo Archive',
          thumbnail: true,
        },
        page(0, { title: 'Coffee - Wikipedia (query image 600×400)', snippet: 'Visual match on Wikipedia', source: 'Wikipedia' }),
        {
          title: 'Another exact copy',
          url: 'https://blog.example.com/post',
          snippet: 'Exact match of the image on Blog · 300×200 px there',
          source: 'Blog',
          thumbnail: true,
        },
        page(1, { snippet: 'Visual match on Example Coffee', source: 'Example Coffee' }),
      ]);
    });

    it('serpapi-lens: without an uploader it says so before any request', async () => {
      const e = await failure(byId('serpapi-lens'), { noUploader: true });
      assert.match(e.message, /no uploader is configured/);
      assert.ok(e.permanent);
      assert.equal(fakes['serpapi-lens']!.requests.length, 0);
    });

    it('google-vision: sends the bytes, maps matching pages, then full, partial and similar images; the best guess and entities go in the first snippet', async () => {
      const c = byId('google-vision');
      const { results } = await run(c, { image: crop, topK: 10 });
      const req = fakes['google-vision']!.requests[0]!;
      const body = JSON.parse(req.body);
      assert.equal(body.requests[0].image.content, crop.data.toString('base64'));
      assert.deepEqual(body.requests[0].features, [{ type: 'WEB_DETECTION', maxResults: 10 }]);
      const o = fakes['google-vision']!.origin;
      await checkHits(results, 'google-vision', [
        {
          title: `Coffee - Wikipedia (image ${crop.width}×${crop.height})`,
          url: PAGES[0].url,
          snippet: "A page that shows this image. Vision's best guess for the image: coffee cup; web entities: Coffee cup, Coffee.",
          thumbnail: true,
        },
        { title: PAGES[1].title, url: PAGES[1].url, snippet: 'A page that shows part of this image', thumbnail: false },
        { title: 'www.example.org', url: PAGES[2].url, snippet: 'A page with a matching image', thumbnail: false },
        { title: 'The same image on 127.0.0.1', url: `${o}/thumbs/hubble_deep_field.jpg`, snippet: 'The same image, found on the web', thumbnail: true },
        { title: 'Part of this image on 127.0.0.1', url: `${o}/thumbs/rocket.jpg`, snippet: 'Part of this image, found on the web', thumbnail: true },
        {
          title: 'A visually similar image on 127.0.0.1',
          url: `${o}/thumbs/chelsea.png`,
          snippet: 'A visually similar image, found on the web',
          thumbnail: true,
        },
      ]);
    });

    it('serpapi: organic_results (title, link, snippet, source, thumbnail)', async () => {
      const { results } = await run(byId('serpapi'));
      const req = fakes.serpapi!.requests[0]!;
      assert.deepEqual([req.query.engine, req.query.q], ['google', 'coffee beans']);
      await checkHits(
        results,
        'serpapi',
        [0, 1, 2, 3].map((i) => page(i, { source: PAGES[i]!.site })),
      );
    });

    it('serper: the knowledge panel first, then organic (title, link, snippet)', async () => {
      const { results } = await run(byId('serper'));
      const req = fakes.serper!.requests[0]!;
      assert.deepEqual(JSON.parse(req.body), { q: 'coffee beans' });
      assert.equal(req.headers['content-type'], 'application/json');
      await checkHits(results, 'serper', [
        {
          title: 'Coffee',
          url: 'https://en.wikipedia.org/wiki/Coffee_(drink)',
          snippet: 'Drink. Coffee is a beverage prepared from roasted coffee beans.',
          source: 'Wikipedia',
          thumbnail: true,
        },
        page(0, { thumbnail: false }),
        page(1, { thumbnail: false }),
        page(2, { thumbnail: false }),
      ]);
    });

    it('brave: web.results (title, url, description, profile name as source, thumbnail.src)', async () => {
      const { results } = await run(byId('brave'));
      const req = fakes.brave!.requests[0]!;
      assert.deepEqual([req.query.q, req.query.count, req.query.text_decorations], ['coffee beans', '4', 'false']);
      await checkHits(
        results,
        'brave',
        [0, 1, 2, 3].map((i) => page(i, { source: PAGES[i]!.site })),
      );
    });

    it('tavily: results (title, url, content, score); no per-result images', async () => {
      const { results } = await run(byId('tavily'));
      assert.deepEqual(JSON.parse(fakes.tavily!.requests[0]!.body), { query: 'coffee beans', max_results: 4, search_depth: 'basic' });
      await checkHits(
        results,
        'tavily',
        [0, 1, 2, 3].map((i) => page(i, { score: Math.round((0.91 - i * 0.1) * 1000) / 1000, thumbnail: false })),
      );
    });

    it('searxng: results (title, url, content, score, thumbnail) of the JSON format', async () => {
      const { results } = await run(byId('searxng'));
      assert.deepEqual([fakes.searxng!.requests[0]!.query.q, fakes.searxng!.requests[0]!.query.format], ['coffee beans', 'json']);
      await checkHits(
        results,
        'searxng',
        [0, 1, 2, 3].map((i) => page(i, { score: 4 - i * 0.5 })),
      );
    });

    it('every provider keeps at most topK results, ranked 1…n', async () => {
      for (const c of CASES) {
        fakes[c.id]!.reset();
        for (const topK of [1, 2]) {
          const { results } = await run(c, { topK });
          assert.deepEqual(
            results.map((h) => h.rank),
            Array.from({ length: topK }, (_, i) => i + 1),
            `${c.id} topK ${topK}`,
          );
        }
      }
    });

    it('an empty result set is zero results, not an error (SerpApi: a 200 whose error says so)', async () => {
      for (const c of CASES) {
        fakes[c.id]!.script('empty');
        const { results } = await run(c);
        assert.deepEqual(results, [], c.id);
      }
    });
  });

  describe('where requests go and what they carry', () => {
    it('keeps the documented path under a base URL with a path prefix, and the id names that base', async () => {
      for (const [i, c] of CASES.entries()) {
        const fake = fakes[c.id]!;
        fake.reset();
        const prefix = `/proxy/${c.fake}`;
        // With and without a trailing slash: the documented path follows either way.
        const { id, results } = await run(c, { prefix: i % 2 ? `${prefix}/` : prefix });
        assert.ok(results.length > 0, c.id);
        assert.equal(fake.requests[0]!.path, `${prefix}${c.documentedPath}`, c.id);
        assert.equal(id, `${c.id}@${fake.origin}${prefix}`);
      }
      const { id } = await run(byId('brave'), { overridden: false });
      assert.equal(id, 'brave', 'the documented endpoint: the bare id');
    });

    it('sends each key where its service reads it, and never in the URL unless the service takes it only there', async () => {
      const where: Record<string, (r: FakeService['requests'][number], key: string) => boolean> = {
        'serpapi-lens': (r, k) => r.query.api_key === k,
        serpapi: (r, k) => r.query.api_key === k,
        'google-vision': (r, k) => r.headers['x-goog-api-key'] === k && r.query.key === undefined,
        serper: (r, k) => r.headers['x-api-key'] === k,
        brave: (r, k) => r.headers['x-subscription-token'] === k && r.headers.accept === 'application/json',
        tavily: (r, k) => r.headers.authorization === `Bearer ${k}`,
        searxng: () => true,
      };
      for (const c of CASES) {
        const fake = fakes[c.id]!;
        fake.reset();
        await run(c);
        const r = fake.requests[0]!;
        assert.ok(where[c.id]!(r, fake.key), `${c.id}: key in its place`);
        if (c.id !== 'serpapi' && c.id !== 'serpapi-lens') assert.ok(!Object.values(r.query).includes(fake.key), `${c.id}: not in the URL`);
      }
    });

    it('refuses the documented endpoint without a key before any request; a proxy may add the key itself', async () => {
      for (const c of CASES.filter((x) => x.id !== 'searxng')) {
        fakes[c.id]!.reset();
        const e = await failure(c, { key: null, overridden: false });
        assert.match(e.message, /needs an API key; set [A-Z_]+ or use Glance-or-Gaze: Set Search API Key…$/);
        assert.equal(fakes[c.id]!.requests.length, 0, c.id);
      }
      // Brave's answer to a request without its header is a 422 VALIDATION on that header: a key problem.
      const e = await failure(byId('brave'), { key: null });
      assert.match(e.message, KEY_HINT('BRAVE_API_KEY'));
    });

    it('SearXNG needs its instance URL: there is no default', async () => {
      const e = await failure(byId('searxng'), { baseUrl: '' });
      assert.match(e.message, /has no URL: .*--provider-url searxng=URL/);
    });

    it('an unreachable service is an error naming it, after the retries', async () => {
      const e = await failure(byId('tavily'), { baseUrl: (await closedEndpoint()).replace(/\/v1$/, ''), retries: 1 });
      assert.match(e.message, /^Tavily: could not be reached: ECONNREFUSED/);
    });
  });

  describe('documented errors', () => {
    for (const c of CASES) {
      it(`${c.id}: each becomes a one-line ProviderError naming ${c.label}`, async () => {
        for (const err of c.errors) {
          const fake = fakes[c.id]!;
          fake.reset();
          if (err.reply) fake.script(err.reply);
          const e = await failure(c, err.wrongKey ? { key: 'wrong-key-0000' } : {});
          assert.match(e.message, err.says, `${err.reply ?? 'wrong key'}: ${e.message}`);
          assert.equal(e.permanent, err.permanent, `${err.reply ?? 'wrong key'} permanent`);
          assert.equal(fake.requests.length, 1, `${err.reply ?? 'wrong key'}: one request (no retries asked)`);
        }
      });
    }

    it('a spent quota is not retried, even when it comes as a 429', async () => {
      for (const c of CASES.filter((x) => x.errors.some((e) => e.reply === 'quota'))) {
        fakes[c.id]!.reset();
        fakes[c.id]!.script('quota');
        const e = await failure(c, { retries: 3 });
        assert.match(e.message, /is out of quota/, c.id);
        assert.equal(fakes[c.id]!.requests.length, 1, `${c.id}: asked once`);
      }
    });

    it('Google Vision: an image it cannot read comes back as a per-image error inside a 200', async () => {
      const e = await failure(byId('google-vision'), { image: { ...whole, data: Buffer.from('not a picture at all') } });
      assert.match(e.message, /^Google Cloud Vision: could not search the image \(INVALID_ARGUMENT\): Bad image data\.$/);
    });

    it('SearXNG: nothing found because every engine failed is an error listing them', async () => {
      fakes.searxng!.script('enginesFailed');
      const e = await failure(byId('searxng'));
      assert.match(e.message, /^SearXNG: found nothing; its engines failed: brave \(timeout\), google \(Suspended: too many requests\)$/);
    });
  });

  describe('time: retries, Retry-After and the time limit', () => {
    it('waits for a 429 with Retry-After in seconds, then succeeds (every provider, side by side)', async () => {
      await Promise.all(
        CASES.map(async (c) => {
          fakes[c.id]!.script('rateLimited');
          const started = Date.now();
          const { results } = await run(c, { retries: 2, timeoutMs: 4000 });
          assert.ok(results.length > 0, c.id);
          assert.ok(Date.now() - started >= 950, `${c.id} waited the second it was asked to`);
          assert.equal(fakes[c.id]!.requests.length, 2, `${c.id}: asked twice`);
        }),
      );
    });

    it('waits for a 429 with Retry-After as an HTTP date, then succeeds', async () => {
      await Promise.all(
        CASES.map(async (c) => {
          fakes[c.id]!.script('rateLimitedUntil');
          const started = Date.now();
          const { results } = await run(c, { retries: 2, timeoutMs: 5000 });
          assert.ok(results.length > 0, c.id);
          // An HTTP date has whole seconds: two seconds ahead is between one and two from now.
          assert.ok(Date.now() - started >= 900, `${c.id} waited for the date`);
        }),
      );
    });

    it('does not wait past the time limit: a Retry-After longer than what is left is the answer', async () => {
      fakes.tavily!.script('rateLimited');
      const started = Date.now();
      const e = await failure(byId('tavily'), { retries: 3, timeoutMs: 600 });
      assert.match(e.message, /rate limited the request \(429, asked to wait 1 s\)/);
      assert.ok(Date.now() - started < 500, 'gave up at once');
    });

    it('retries a 500 and succeeds (every provider, side by side)', async () => {
      await Promise.all(
        CASES.map(async (c) => {
          fakes[c.id]!.script('serverError');
          const { results } = await run(c, { retries: 1 });
          assert.ok(results.length > 0, c.id);
        }),
      );
    });

    it('cuts a reply slower than the time limit (every provider, side by side)', async () => {
      await Promise.all(
        CASES.map(async (c) => {
          fakes[c.id]!.script('slow');
          const started = Date.now();
          const e = await failure(c, { timeoutMs: 300, retries: 2 });
          assert.match(e.message, /did not answer within 0\.3 s$/, c.id);
          assert.ok(Date.now() - started < 1500, `${c.id} stopped at the limit`);
        }),
      );
    });

    it('stops when the search is cancelled', async () => {
      fakes.brave!.script('slow');
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const started = Date.now();
      await assert.rejects(run(byId('brave'), { signal: controller.signal, timeoutMs: 3000 }), (e: Error) => e.name === 'AbortError');
      assert.ok(Date.now() - started < 1000);
    });
  });
});
