// The web search providers under test, each wired to a fake of its service on 127.0.0.1
// (fakeProviders.ts): the case table (ids, labels, documented paths, documented errors and
// what their messages say), and a bench that runs any provider against its own fake with
// the time limit, retries, key and base URL a test chooses.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import type { EncodedImage, SearchOutcome } from '../../src/core/ports';
import { ProviderError, type ProviderContext } from '../../src/search/kit';
import { thumbnailFetcher } from '../../src/search/net/thumbnails';
import { WEB_IMAGE_PROVIDERS, WEB_TEXT_PROVIDERS } from '../../src/search/providers';
import { loadImage, makeThumbnail } from '../../src/vision/image';
import { startFakeService, startUploadServer, uploaderTo, type FakeService, type FakeServiceName, type Reply, type UploadServer } from './fakeProviders';
import { photo } from './fixtures';

export interface RunOptions {
  /** The key sent; null: none. Default: the one the fake accepts. */
  key?: string | null;
  /** Appended to the fake's origin as the base URL's path prefix. */
  prefix?: string;
  baseUrl?: string;
  overridden?: boolean;
  timeoutMs?: number;
  retries?: number;
  topK?: number;
  exact?: boolean;
  noUploader?: boolean;
  signal?: AbortSignal;
  image?: EncodedImage;
}

export interface Case {
  id: string;
  label: string;
  fake: FakeServiceName;
  documentedPath: string;
  kind: 'image' | 'text';
  /** Each documented error: the reply scripted (or a wrong key), and what the message says. */
  errors: { reply?: Reply; wrongKey?: true; says: RegExp; permanent: boolean }[];
}

export const KEY_HINT = (env: string) => new RegExp(`; set ${env} or use Glance-or-Gaze: Set Search API Key…`);
const NOT_JSON = { reply: 'malformed' as const, says: /answered with something that is not JSON: \{"/, permanent: false };
const HTML = { reply: 'html' as const, says: /answered with something that is not JSON: <!DOCTYPE html><html><head><title>Sign in/, permanent: false };

export const CASES: Case[] = [
  {
    id: 'serpapi-lens',
    label: 'SerpApi Google Lens',
    fake: 'serpapi',
    documentedPath: '/search.json',
    kind: 'image',
    errors: [
      { wrongKey: true, says: /refused the API key \(401\); set SERPAPI_API_KEY .*\(SerpApi said: Invalid API key/, permanent: true },
      { reply: 'quota', says: /is out of quota \(429\): Your account has run out of searches\.$/, permanent: true },
      { reply: 'rateLimited', says: /rate limited the request \(429, asked to wait 1 s\): You have exceeded/, permanent: false },
      { reply: 'serverError', says: /answered 500: We couldn't get valid results for this search/, permanent: false },
      NOT_JSON,
      HTML,
    ],
  },
  {
    id: 'google-vision',
    label: 'Google Cloud Vision',
    fake: 'google-vision',
    documentedPath: '/v1/images:annotate',
    kind: 'image',
    errors: [
      { wrongKey: true, says: /refused the API key \(400\); set GOOGLE_API_KEY .*API key not valid/, permanent: true },
      { reply: 'rateLimited', says: /rate limited the request \(429, asked to wait 1 s\): Quota exceeded/, permanent: false },
      { reply: 'serverError', says: /answered 500: Internal error encountered\.$/, permanent: false },
      { reply: 'imageError', says: /could not search the image \(INVALID_ARGUMENT\): Bad image data\.$/, permanent: true },
      NOT_JSON,
      HTML,
    ],
  },
  {
    id: 'serpapi',
    label: 'SerpApi Google',
    fake: 'serpapi',
    documentedPath: '/search.json',
    kind: 'text',
    errors: [
      { wrongKey: true, says: /refused the API key \(401\); set SERPAPI_API_KEY/, permanent: true },
      { reply: 'quota', says: /is out of quota \(429\): Your account has run out of searches\.$/, permanent: true },
      { reply: 'rateLimited', says: /rate limited the request \(429, asked to wait 1 s\)/, permanent: false },
      { reply: 'serverError', says: /answered 500: We couldn't get valid results/, permanent: false },
      NOT_JSON,
      HTML,
    ],
  },
  {
    id: 'serper',
    label: 'Serper',
    fake: 'serper',
    documentedPath: '/search',
    kind: 'text',
    errors: [
      { wrongKey: true, says: /refused the API key \(403\); set SERPER_API_KEY .*\(Serper said: Unauthorized\.\)$/, permanent: true },
      { reply: 'quota', says: /is out of quota \(400\): Not enough credits$/, permanent: true },
      { reply: 'rateLimited', says: /rate limited the request \(429, asked to wait 1 s\): Too many requests$/, permanent: false },
      { reply: 'serverError', says: /answered 500: Internal server error$/, permanent: false },
      NOT_JSON,
      HTML,
    ],
  },
  {
    id: 'brave',
    label: 'Brave Search',
    fake: 'brave',
    documentedPath: '/res/v1/web/search',
    kind: 'text',
    errors: [
      { wrongKey: true, says: /refused the API key \(422\); set BRAVE_API_KEY .*The provided subscription token is invalid\./, permanent: true },
      { reply: 'quota', says: /is out of quota \(429\): Request quota limit exceeded for plan\.$/, permanent: true },
      { reply: 'rateLimited', says: /rate limited the request \(429, asked to wait 1 s\): Request rate limit exceeded/, permanent: false },
      { reply: 'serverError', says: /answered 500: Something went wrong\.$/, permanent: false },
      NOT_JSON,
      HTML,
    ],
  },
  {
    id: 'tavily',
    label: 'Tavily',
    fake: 'tavily',
    documentedPath: '/search',
    kind: 'text',
    errors: [
      { wrongKey: true, says: /refused the API key \(401\); set TAVILY_API_KEY .*Unauthorized: missing or invalid API key\./, permanent: true },
      { reply: 'quota', says: /is out of quota \(432\): This request exceeds your plan's set usage limit/, permanent: true },
      {
        reply: 'rateLimited',
        says: /rate limited the request \(429, asked to wait 1 s\): Your request has been blocked/,
        permanent: false,
      },
      { reply: 'serverError', says: /answered 500: Internal Server Error$/, permanent: false },
      NOT_JSON,
      HTML,
    ],
  },
  {
    id: 'searxng',
    label: 'SearXNG',
    fake: 'searxng',
    documentedPath: '/search',
    kind: 'text',
    errors: [
      { reply: 'jsonOff', says: /refused the JSON API \(403\): .*search: formats: \[html, json\]/, permanent: true },
      { reply: 'rateLimited', says: /rate limited the request \(429, asked to wait 1 s\): Too Many Requests$/, permanent: false },
      { reply: 'serverError', says: /answered 500: search error$/, permanent: false },
      NOT_JSON,
      HTML,
    ],
  },
];

export class ProviderBench {
  private constructor(
    /** One fake per provider (the two SerpApi providers get one each), so providers can run side by side. */
    readonly fakes: Record<string, FakeService>,
    readonly uploads: UploadServer,
    /** coffee.png as a 600×400 JPEG: a whole image. */
    readonly whole: EncodedImage,
    /** A 240×180 crop of coffee.png: a gaze. */
    readonly crop: EncodedImage,
  ) {}

  /** Starts a fake per case; `key`, when given, is the key every fake accepts. */
  static async start(key?: string): Promise<ProviderBench> {
    const fakes: Record<string, FakeService> = {};
    for (const c of CASES) fakes[c.id] = await startFakeService(c.fake, key);
    const uploads = await startUploadServer();
    const whole = await makeThumbnail(readFileSync(photo('coffee.png')), 600);
    const loaded = await loadImage(photo('coffee.png'), { boxFormat: 'pixels-sent', maxPixels: 1_003_520, prefetch: false });
    const crop = await loaded.crop([100, 50, 340, 230], new AbortController().signal);
    return new ProviderBench(fakes, uploads, whole, crop);
  }

  fake(c: Case): FakeService {
    return this.fakes[c.id]!;
  }

  async close(): Promise<void> {
    await Promise.all(CASES.map((c) => this.fake(c).close()));
    await this.uploads.close();
  }

  reset(): void {
    for (const c of CASES) this.fake(c).reset();
    this.uploads.stored.clear();
  }

  context(c: Case, o: RunOptions): ProviderContext {
    const fake = this.fake(c);
    return {
      access: (service) => {
        const key = o.key === null ? undefined : (o.key ?? fake.key);
        return { service, baseUrl: o.baseUrl ?? fake.origin + (o.prefix ?? ''), overridden: o.overridden ?? true, ...(key ? { key } : {}) };
      },
      http: { timeoutMs: o.timeoutMs ?? 3000, retries: o.retries ?? 0 },
      thumbnails: thumbnailFetcher({ allowPrivate: true, timeoutMs: 3000 }),
      ...(o.noUploader ? {} : { uploader: uploaderTo(this.uploads) }),
      lensExactMatches: o.exact ?? false,
    };
  }

  /** Runs the case's provider once (text providers search "coffee beans"; image ones the whole image unless told). */
  async run(c: Case, o: RunOptions = {}): Promise<SearchOutcome & { id: string }> {
    const ctx = this.context(c, o);
    const options = { signal: o.signal ?? new AbortController().signal, topK: o.topK ?? 4 };
    if (c.kind === 'image') {
      const search = (WEB_IMAGE_PROVIDERS.find((d) => d.id === c.id) ?? assert.fail(`${c.id} is an image provider`)).create(ctx);
      return { id: search.id, ...(await search.search(o.image ?? this.whole, options)) };
    }
    const search = (WEB_TEXT_PROVIDERS.find((d) => d.id === c.id) ?? assert.fail(`${c.id} is a text provider`)).create(ctx);
    return { id: search.id, ...(await search.search('coffee beans', options)) };
  }

  /** Runs it expecting a failure: a one-line ProviderError that names the provider. */
  async failure(c: Case, o: RunOptions = {}): Promise<ProviderError> {
    let caught: unknown;
    await assert.rejects(this.run(c, o), (e: unknown) => ((caught = e), true));
    assert.ok(caught instanceof ProviderError, `a ProviderError, not ${String(caught)}`);
    assert.ok(caught.message.startsWith(`${c.label}: `), `names the provider: ${caught.message}`);
    assert.ok(!/[\r\n]/.test(caught.message), `one line: ${caught.message}`);
    return caught;
  }
}
