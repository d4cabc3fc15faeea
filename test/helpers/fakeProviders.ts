// Fake web search services on 127.0.0.1, one per service, each speaking its service's
// documented wire format (shapes from /work/notes/search-providers.md, which cites each
// provider's documentation; the section is named above each fixture). Each one:
//   - answers at its documented path under any prefix (a proxy's), 404 elsewhere;
//   - checks the key where the service reads it and answers a wrong one as the service does;
//   - is scriptable per request (success, empty, quota, 429 with Retry-After in seconds or
//     as an HTTP date, 500, malformed JSON, an HTML page, a reply slower than any test's
//     time limit, and the service's own oddities);
//   - records every request (method, path, query, headers, body);
//   - serves real photographs under /thumbs/ for result thumbnails.
// Also here: a tiny upload server (PUT stores, GET serves) and an Uploader that uses it,
// for Lens, whose fake fetches the image URL it is given as Google would. Every image URL
// in a fixture points back at the fake itself: nothing here reaches beyond 127.0.0.1.
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import sharp from 'sharp';
import type { EncodedImage } from '../../src/core/ports';
import type { Uploader } from '../../src/search/kit';
import { photo, PHOTOS } from './fixtures';

export type FakeServiceName = 'serpapi' | 'serper' | 'brave' | 'tavily' | 'searxng' | 'google-vision';

export type Reply =
  /** The documented success shape, built from the request. */
  | 'success'
  /** The documented (or, where undocumented, the assumed) empty result set. */
  | 'empty'
  /** What a wrong key gets (also sent by itself whenever the key does not match). */
  | 'badKey'
  /** A spent quota, where the service documents one. */
  | 'quota'
  /** 429 with Retry-After: 1 (seconds). */
  | 'rateLimited'
  /** 429 with Retry-After as an HTTP date about two seconds ahead. */
  | 'rateLimitedUntil'
  /** 500 in the service's error envelope. */
  | 'serverError'
  /** 200 whose JSON is cut short. */
  | 'malformed'
  /** 200 with an HTML page (a captive portal, a URL that is not the API). */
  | 'html'
  /** The success reply, but only after `slowMs`. */
  | 'slow'
  /** SearXNG: 403 with Flask's HTML page, the JSON format being off. */
  | 'jsonOff'
  /** Google Vision: a per-image error inside an HTTP 200. */
  | 'imageError'
  /** SearXNG: no results because its engines failed (listed in unresponsive_engines). */
  | 'enginesFailed';

export interface RecordedRequest {
  method: string;
  /** Path without the query. */
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface FakeService {
  name: FakeServiceName;
  /** http://127.0.0.1:PORT; a provider's base URL may add a path prefix. */
  origin: string;
  /** The documented path requests must end in. */
  path: string;
  /** The key the service accepts. */
  key: string;
  requests: RecordedRequest[];
  /** Replies for the next requests, in order; `success` after them. */
  script(...replies: Reply[]): void;
  /** Forgets requests and scripted replies, stops echoing, restores the slow delay. */
  reset(): void;
  /** A careless server: every answer repeats the key it received, in messages, titles and URLs. */
  echoKey: boolean;
  slowMs: number;
  close(): Promise<void>;
}

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body: string | Buffer;
}

/** What a fixture is built from. */
interface Asked {
  req: RecordedRequest;
  origin: string;
  /** The key as received, when echoing it (else ''). */
  echo: string;
}

type Builder = (a: Asked) => Answer | Promise<Answer>;

interface Spec {
  path: string;
  method: 'GET' | 'POST';
  /** Where the service reads its key; undefined: it takes none. */
  keyOf?(req: RecordedRequest): string | undefined;
  answers: Partial<Record<Reply, Builder>> & { success: Builder; empty: Builder; badKey?: Builder; rateLimit: Builder; serverError: Builder };
}

/** The pages every text fixture returns, in each service's own shape. `thumb` names a file under /thumbs/ (missing.png is not there). */
export const PAGES = [
  {
    title: 'Coffee - Wikipedia',
    url: 'https://en.wikipedia.org/wiki/Coffee',
    snippet: 'Coffee is a beverage brewed from roasted, ground coffee beans.',
    site: 'Wikipedia',
    thumb: 'coffee.png',
  },
  {
    title: 'Espresso machines explained',
    url: 'https://www.example.com/espresso',
    snippet: 'How an espresso machine forces hot water through finely ground coffee.',
    site: 'Example Coffee',
    thumb: 'missing.png',
  },
  {
    title: 'Saturn V rocket',
    url: 'https://www.example.org/saturn-v',
    snippet: 'The Saturn V was a super heavy-lift launch vehicle.',
    site: 'Example Space',
    thumb: 'rocket.jpg',
  },
  { title: 'Cats of Chelsea', url: 'https://cats.example.net/chelsea', snippet: 'A cat named Chelsea.', site: 'Example Cats', thumb: undefined },
  {
    title: 'Hubble Deep Field',
    url: 'https://www.example.edu/hubble',
    snippet: 'Thousands of galaxies in a tiny patch of sky.',
    site: 'Example University',
    thumb: 'hubble_deep_field.jpg',
  },
  { title: 'Astronaut portrait', url: 'https://www.example.gov/astronaut', snippet: 'An official portrait.', site: 'Example Agency', thumb: undefined },
] as const;

export type FixturePage = (typeof PAGES)[number];

const thumbUrl = (a: Asked, p: FixturePage): string | undefined => (p.thumb ? `${a.origin}/thumbs/${p.thumb}` : undefined);

/** The first result carries the echoed key (a careless server) in title, snippet and URL. */
function pagesFor(a: Asked): { title: string; url: string; snippet: string; site: string; thumb?: string }[] {
  return PAGES.map((p, i) => {
    const thumb = thumbUrl(a, p);
    const base = { title: p.title, url: p.url, snippet: p.snippet, site: p.site, ...(thumb ? { thumb } : {}) };
    if (i > 0 || !a.echo) return base;
    return { ...base, title: `${p.title} ${a.echo}`, url: `${p.url}?api_key=${encodeURIComponent(a.echo)}`, snippet: `${p.snippet} key=${a.echo}` };
  });
}

const json = (status: number, value: unknown, headers: Record<string, string> = {}): Answer => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(value),
});

const echoed = (a: Asked) => (a.echo ? ` (key ${a.echo})` : '');

/** The size of the image at `url`, fetched as Google Lens would; undefined when it cannot be had. */
async function remoteImageSize(url: string): Promise<{ width: number; height: number } | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) return undefined;
    const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
    return meta.width && meta.height ? { width: meta.width, height: meta.height } : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------
// SerpApi (notes §1 Google Lens, §2 Google; serpapi.com/google-lens-api,
// /google-lens-visual-matches-api, /google-lens-exact-matches-api, /organic-results,
// /search-errors, /api-status-and-error-codes). Key: the api_key query parameter.
const serpapiMetadata = (a: Asked, engine: string) => ({
  search_metadata: {
    id: '6760f8f87d84dd21e90f4395',
    status: 'Success',
    json_endpoint: `${a.origin}/searches/6760f8f87d84dd21e90f4395.json`,
    created_at: '2024-12-17 04:07:20 UTC',
    processed_at: '2024-12-17 04:07:20 UTC',
    total_time_taken: 1.2,
  },
  search_parameters: { engine, ...(a.req.query.q ? { q: a.req.query.q } : {}), ...(a.req.query.url ? { url: a.req.query.url } : {}) },
});

const SERPAPI: Spec = {
  path: '/search.json',
  method: 'GET',
  keyOf: (r) => r.query.api_key,
  answers: {
    success: async (a) => {
      if (a.req.query.engine === 'google_lens') {
        // §1: Lens fetches the image by URL; an image it cannot fetch gives the empty answer.
        const size = a.req.query.url ? await remoteImageSize(a.req.query.url) : undefined;
        if (!size) return SERPAPI.answers.empty(a);
        const seen = `${size.width}×${size.height}`;
        if (a.req.query.type === 'exact_matches') {
          // §1 exact_matches[]: position, title, source, source_icon, link, thumbnail, date, actual_image_width/height.
          return json(200, {
            ...serpapiMetadata(a, 'google_lens'),
            exact_matches: [
              {
                position: 1,
                title: `Exact copy, seen at ${seen}${a.echo ? ` ${a.echo}` : ''}`,
                source: 'Photo Archive',
                source_icon: `${a.origin}/thumbs/missing.png`,
                link: 'https://archive.example.com/photo/1',
                thumbnail: `${a.origin}/thumbs/coffee.png`,
                date: '2 years ago',
                actual_image_width: 600,
                actual_image_height: 400,
              },
              {
                position: 2,
                title: 'Another exact copy',
                source: 'Blog',
                link: 'https://blog.example.com/post',
                thumbnail: `${a.origin}/thumbs/coffee.png`,
                actual_image_width: 300,
                actual_image_height: 200,
              },
            ],
          });
        }
        // §1 visual_matches[]: position, title, link, source, source_icon, price, in_stock, rating, reviews, thumbnail(+size), image(+size).
        const pages = pagesFor(a);
        return json(200, {
          ...serpapiMetadata(a, 'google_lens'),
          visual_matches: pages.map((p, i) => ({
            position: i + 1,
            title: i === 0 ? `${p.title} (query image ${seen})` : p.title,
            link: p.url,
            source: p.site,
            source_icon: `${a.origin}/thumbs/missing.png`,
            ...(i === 2 ? { price: { value: '$260*', extracted_value: 260, currency: '$' }, in_stock: true, rating: 4.7, reviews: 20714 } : {}),
            ...(p.thumb ? { thumbnail: p.thumb, thumbnail_width: 251, thumbnail_height: 201 } : {}),
            image: `${a.origin}/thumbs/full-${i}.png`,
            image_width: 1170,
            image_height: 936,
          })),
        });
      }
      // §2 organic_results[]: position, title, link, redirect_link, displayed_link, thumbnail?, favicon, snippet, snippet_highlighted_words, source.
      return json(200, {
        ...serpapiMetadata(a, 'google'),
        search_information: { organic_results_state: 'Results for exact spelling', query_displayed: a.req.query.q },
        organic_results: pagesFor(a).map((p, i) => ({
          position: i + 1,
          title: p.title,
          link: p.url,
          redirect_link: `https://www.google.com/url?q=${encodeURIComponent(p.url)}`,
          displayed_link: p.url.replace(/^https:\/\//, '').replace(/\//g, ' › '),
          ...(p.thumb ? { thumbnail: p.thumb } : {}),
          favicon: `${a.origin}/thumbs/missing.png`,
          snippet: p.snippet,
          snippet_highlighted_words: ['coffee'],
          source: p.site,
        })),
      });
    },
    // §1/§2 empty: HTTP 200, status Success, *_results_state "Fully empty", top-level error string.
    empty: (a) => {
      const lens = a.req.query.engine === 'google_lens';
      return json(200, {
        ...serpapiMetadata(a, lens ? 'google_lens' : 'google'),
        search_information: lens ? { images_results_state: 'Fully empty' } : { organic_results_state: 'Fully empty' },
        error: lens ? "Google Lens hasn't returned any results for this query." : "Google hasn't returned any results for this query.",
      });
    },
    // api-status-and-error-codes: 401 with {"error": …}.
    badKey: (a) => json(401, { error: `Invalid API key. Your API key should be here: https://serpapi.com/manage-api-key${echoed(a)}` }),
    // api-status-and-error-codes: 429 is also "out of searches".
    quota: (a) => json(429, { error: `Your account has run out of searches.${echoed(a)}` }),
    // 429 for the hourly throughput limit: the wording is not documented (only the envelope).
    rateLimit: (a) => json(429, { error: `You have exceeded the hourly throughput limit of your plan.${echoed(a)}` }),
    // search-errors: a failed search has search_metadata.status "Error" and an error string.
    serverError: (a) =>
      json(500, {
        search_metadata: { id: 'x', status: 'Error' },
        error: `We couldn't get valid results for this search. Please try again later.${echoed(a)}`,
      }),
  },
};

// ---------------------------------------------------------------------------------------
// Serper (notes §3: no official reference; shapes from api-evangelist's reconstruction,
// live-probed). Key: X-API-KEY. Errors: {"message", "statusCode"}.
const serperError = (status: number, message: string) => json(status, { message, statusCode: status });

const SERPER: Spec = {
  path: '/search',
  method: 'POST',
  keyOf: (r) => headerValue(r.headers['x-api-key']),
  answers: {
    // §3 /search: searchParameters, knowledgeGraph, answerBox, organic[] (title, link, snippet, position, date?, sitelinks?), peopleAlsoAsk, relatedSearches.
    success: (a) => {
      const q = (JSON.parse(a.req.body || '{}') as { q?: string }).q ?? '';
      return json(200, {
        searchParameters: { q, gl: 'us', hl: 'en', type: 'search', num: 10, engine: 'google' },
        knowledgeGraph: {
          title: 'Coffee',
          type: 'Drink',
          imageUrl: `${a.origin}/thumbs/coffee.png`,
          description: `Coffee is a beverage prepared from roasted coffee beans.${a.echo ? ` ${a.echo}` : ''}`,
          descriptionSource: 'Wikipedia',
          descriptionLink: 'https://en.wikipedia.org/wiki/Coffee_(drink)',
          attributes: { Origin: 'Ethiopia' },
        },
        organic: pagesFor(a).map((p, i) => ({
          title: p.title,
          link: p.url,
          snippet: p.snippet,
          position: i + 1,
          ...(i === 0 ? { date: 'Mar 3, 2024', sitelinks: [{ title: 'History', link: `${p.url}#History` }] } : {}),
        })),
        peopleAlsoAsk: [{ question: 'Is coffee healthy?', snippet: '…', title: 'Coffee and health', link: 'https://health.example.com/coffee' }],
        relatedSearches: [{ query: `${q} beans` }],
      });
    },
    // §3: empty result NOT FOUND in any source; assumed: the envelope with organic: [].
    empty: (a) => {
      const q = (JSON.parse(a.req.body || '{}') as { q?: string }).q ?? '';
      return json(200, { searchParameters: { q, gl: 'us', hl: 'en', type: 'search', engine: 'google' }, organic: [] });
    },
    // §3: a missing or wrong key is 403 {"message":"Unauthorized.","statusCode":403} live.
    badKey: (a) => serperError(403, `Unauthorized.${echoed(a)}`),
    // §3: client code treats a 400 "Not enough credits" as spent credits.
    quota: (a) => serperError(400, `Not enough credits${echoed(a)}`),
    // §3: 429 rate limit; no body wording published.
    rateLimit: (a) => serperError(429, `Too many requests${echoed(a)}`),
    serverError: (a) => serperError(500, `Internal server error${echoed(a)}`),
  },
};

// ---------------------------------------------------------------------------------------
// Brave Search (notes §4: brave/brave-search-skills web-search SKILL.md, the API
// reference's error examples, the response-headers page). Key: X-Subscription-Token.
const braveError = (status: number, code: string, detail: string, component: string, extra: Record<string, unknown> = {}) =>
  json(status, {
    type: 'ErrorResponse',
    error: { id: 'c8a8a8e4-0000-4000-8000-000000000000', status, code, detail, meta: { component, ...extra } },
    time: 1735689600,
  });

const BRAVE_RATE_HEADERS = {
  'x-ratelimit-limit': '1, 15000',
  'x-ratelimit-policy': '1;w=1, 15000;w=2592000',
  'x-ratelimit-remaining': '0, 1000',
  'x-ratelimit-reset': '1, 1419704',
};

const BRAVE: Spec = {
  path: '/res/v1/web/search',
  method: 'GET',
  keyOf: (r) => headerValue(r.headers['x-subscription-token']),
  answers: {
    // §4 success: type, query{original,…}, web{type, results[]{title,url,description,age,page_age,language,meta_url,thumbnail{src,original},profile,extra_snippets}}, mixed.
    success: (a) =>
      json(
        200,
        {
          type: 'search',
          query: { original: a.req.query.q, spellcheck_off: false, more_results_available: true },
          web: {
            type: 'search',
            results: pagesFor(a).map((p) => ({
              title: p.title,
              url: p.url,
              description: p.snippet,
              age: '2 days ago',
              page_age: '2025-04-12T14:22:41',
              language: 'en',
              meta_url: { scheme: 'https', netloc: new URL(p.url).host, hostname: new URL(p.url).hostname, path: new URL(p.url).pathname },
              ...(p.thumb ? { thumbnail: { src: p.thumb, original: `${a.origin}/thumbs/original${new URL(p.url).pathname}.jpg` } } : {}),
              profile: { name: p.site, url: p.url, long_name: new URL(p.url).hostname, img: `${a.origin}/thumbs/missing.png` },
              extra_snippets: ['More about it.'],
            })),
            family_friendly: true,
          },
          mixed: { type: 'mixed', main: [{ type: 'web', index: 0, all: true }], top: [], side: [] },
        },
        BRAVE_RATE_HEADERS,
      ),
    // §4: empty NOT FOUND in docs; assumed: no `web` section at all (the provider also accepts web.results: []).
    empty: (a) =>
      json(200, {
        type: 'search',
        query: { original: a.req.query.q, more_results_available: false },
        mixed: { type: 'mixed', main: [], top: [], side: [] },
      }),
    // §4: a wrong key is 422 SUBSCRIPTION_TOKEN_INVALID; a missing one 422 VALIDATION on the header.
    badKey: (a) =>
      a.req.headers['x-subscription-token'] === undefined
        ? braveError(422, 'VALIDATION', 'Unable to validate request parameter(s)', 'validation', {
            errors: [{ type: 'missing', loc: ['header', 'x-subscription-token'], msg: 'Field required', input: null }],
          })
        : braveError(422, 'SUBSCRIPTION_TOKEN_INVALID', `The provided subscription token is invalid.${echoed(a)}`, 'authentication'),
    // §4: 429 QUOTA_LIMITED for the plan's monthly quota.
    quota: (a) => braveError(429, 'QUOTA_LIMITED', `Request quota limit exceeded for plan.${echoed(a)}`, 'rate_limiter'),
    // §4: 429 RATE_LIMITED, with the X-RateLimit-* headers.
    rateLimit: (a) => ({
      ...braveError(429, 'RATE_LIMITED', `Request rate limit exceeded for plan.${echoed(a)}`, 'rate_limiter'),
      headers: BRAVE_RATE_HEADERS,
    }),
    // The envelope is documented; a 500's code and wording are not.
    serverError: (a) => braveError(500, 'INTERNAL_ERROR', `Something went wrong.${echoed(a)}`, 'api'),
  },
};

// ---------------------------------------------------------------------------------------
// Tavily (notes §5: docs.tavily.com search endpoint, help.tavily.com HTTP errors, the
// rate-limits page, tavily-python's error handling). Key: Authorization: Bearer.
const tavilyError = (status: number, error: string, headers: Record<string, string> = {}) => json(status, { detail: { error } }, headers);

const TAVILY: Spec = {
  path: '/search',
  method: 'POST',
  keyOf: (r) => /^Bearer (.+)$/.exec(headerValue(r.headers.authorization) ?? '')?.[1],
  answers: {
    // §5 success: query, answer, images, results[]{title,url,content,score,raw_content,favicon?}, follow_up_questions, response_time, usage, request_id.
    success: (a) => {
      const { query } = JSON.parse(a.req.body || '{}') as { query?: string };
      return json(200, {
        query,
        answer: null,
        images: [],
        results: pagesFor(a).map((p, i) => ({ title: p.title, url: p.url, content: p.snippet, score: 0.91 - i * 0.1, raw_content: null })),
        follow_up_questions: null,
        response_time: 1.09,
        usage: { credits: 1 },
        request_id: '123e4567-e89b-12d3-a456-426614174111',
      });
    },
    // §5: empty NOT FOUND explicitly; assumed results: [].
    empty: () => json(200, { query: 'nothing', answer: null, images: [], results: [], response_time: 0.4 }),
    // §5: 401 "Unauthorized: missing or invalid API key."
    badKey: (a) => tavilyError(401, `Unauthorized: missing or invalid API key.${echoed(a)}`),
    // §5: 432 plan limit.
    quota: (a) => tavilyError(432, `This request exceeds your plan's set usage limit. Please upgrade your plan or contact support@tavily.com.${echoed(a)}`),
    // §5: 429 with retry-after (the header is set by the caller of this builder).
    rateLimit: (a) => tavilyError(429, `Your request has been blocked due to excessive requests. Please reduce rate of requests.${echoed(a)}`),
    serverError: (a) => tavilyError(500, `Internal Server Error${echoed(a)}`),
  },
};

// ---------------------------------------------------------------------------------------
// SearXNG (notes §6: docs/dev/search_api.rst, searx/webapp.py, searx/webutils.py). No key.
const flaskPage = (status: number, title: string, text: string): Answer => ({
  status,
  headers: { 'content-type': 'text/html; charset=utf-8' },
  body: `<!doctype html>\n<html lang=en>\n<title>${title}</title>\n<h1>${title.replace(/^\d+ /, '')}</h1>\n<p>${text}</p>\n`,
});

const SEARXNG: Spec = {
  path: '/search',
  method: 'GET',
  answers: {
    // §6 success: query, number_of_results, results[]{url,title,content,engine,engines,parsed_url,template,positions,score,category,thumbnail,img_src,publishedDate,priority}, answers, corrections, infoboxes, suggestions, unresponsive_engines.
    success: (a) =>
      json(200, {
        query: a.req.query.q,
        number_of_results: 0,
        results: pagesFor(a).map((p, i) => {
          const u = new URL(p.url);
          return {
            url: p.url,
            title: p.title,
            content: p.snippet,
            engine: 'duckduckgo',
            engines: ['duckduckgo', 'google'],
            parsed_url: ['https', u.host, u.pathname, '', '', ''],
            template: 'default.html',
            positions: [i + 1],
            score: 4 - i * 0.5,
            category: 'general',
            thumbnail: p.thumb ?? '',
            img_src: '',
            publishedDate: null,
            priority: '',
          };
        }),
        answers: [],
        corrections: [],
        infoboxes: [],
        suggestions: [`${a.req.query.q} docker`],
        unresponsive_engines: [['brave', 'timeout']],
      }),
    // §6 empty: 200 with results: [] in the same envelope.
    empty: (a) =>
      json(200, {
        query: a.req.query.q,
        number_of_results: 0,
        results: [],
        answers: [],
        corrections: [],
        infoboxes: [],
        suggestions: [],
        unresponsive_engines: [],
      }),
    // §6: the limiter's 429 is plain text "Too Many Requests", no Retry-After (tests add one).
    rateLimit: () => ({ status: 429, headers: { 'content-type': 'text/plain' }, body: 'Too Many Requests' }),
    // §6: 500 {"error": "search error"}.
    serverError: (a) => json(500, { error: `search error${echoed(a)}` }),
    // §6: unresponsive_engines pairs [engine, translated error], sorted by engine.
    enginesFailed: (a) =>
      json(200, {
        query: a.req.query.q,
        results: [],
        answers: [],
        corrections: [],
        infoboxes: [],
        suggestions: [],
        unresponsive_engines: [
          ['brave', 'timeout'],
          ['google', 'Suspended: too many requests'],
        ],
      }),
    // §6: format not in settings' search.formats → flask.abort(403), an HTML page.
    jsonOff: () => flaskPage(403, '403 Forbidden', "You don't have the permission to access the requested resource."),
  },
};

// ---------------------------------------------------------------------------------------
// Google Cloud Vision (notes §7: image_annotator.proto, web_detection.proto, google.rpc
// Status; error bodies from the issue threads cited there). Key: X-Goog-Api-Key or ?key=.
const googleError = (status: number, code: string, message: string, reason?: string) =>
  json(status, {
    error: {
      code: status,
      message,
      status: code,
      ...(reason
        ? {
            details: [
              { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, domain: 'googleapis.com', metadata: { service: 'vision.googleapis.com' } },
            ],
          }
        : {}),
    },
  });

const VISION: Spec = {
  path: '/v1/images:annotate',
  method: 'POST',
  keyOf: (r) => headerValue(r.headers['x-goog-api-key']) ?? r.query.key,
  answers: {
    // §7 success: responses[0].webDetection{webEntities, fullMatchingImages, partialMatchingImages, pagesWithMatchingImages{url,pageTitle,fullMatchingImages,partialMatchingImages}, visuallySimilarImages, bestGuessLabels}.
    success: async (a) => {
      const request = JSON.parse(a.req.body || '{}') as { requests?: { image?: { content?: string } }[] };
      const content = request.requests?.[0]?.image?.content;
      let meta: sharp.Metadata | undefined;
      try {
        meta = content ? await sharp(Buffer.from(content, 'base64')).metadata() : undefined;
      } catch {
        meta = undefined;
      }
      if (!meta?.width) return VISION.answers.imageError!(a);
      const pages = pagesFor(a);
      const [p0, p1, p2] = [pages[0]!, pages[1]!, pages[2]!];
      return json(200, {
        responses: [
          {
            webDetection: {
              webEntities: [
                { entityId: '/m/02vqfm', score: 0.61, description: 'Coffee' },
                { entityId: '/m/01k17j', score: 1.02, description: 'Coffee cup' },
                { entityId: '/m/0x', score: 0.2 },
              ],
              fullMatchingImages: [{ url: `${a.origin}/thumbs/coffee.png` }, { url: `${a.origin}/thumbs/hubble_deep_field.jpg` }],
              partialMatchingImages: [{ url: `${a.origin}/thumbs/rocket.jpg` }],
              pagesWithMatchingImages: [
                {
                  url: p0.url,
                  // Page titles carry markup (§7); this one also says what image arrived.
                  pageTitle: `<b>Coffee</b> - Wikipedia (image ${meta.width}×${meta.height})${a.echo ? ` ${a.echo}` : ''}`,
                  fullMatchingImages: [{ url: `${a.origin}/thumbs/coffee.png` }],
                },
                { url: p1.url, pageTitle: p1.title, partialMatchingImages: [{ url: `${a.origin}/thumbs/missing.png` }] },
                { url: p2.url },
              ],
              visuallySimilarImages: [{ url: `${a.origin}/thumbs/chelsea.png` }],
              bestGuessLabels: [{ label: 'coffee cup', languageCode: 'en' }],
            },
          },
        ],
      });
    },
    // §7: empty NOT FOUND exactly; proto3 JSON omits empty lists, so an empty webDetection.
    empty: () => json(200, { responses: [{ webDetection: {} }] }),
    // §7: a bad key is 400 INVALID_ARGUMENT with ErrorInfo reason API_KEY_INVALID.
    badKey: (a) => googleError(400, 'INVALID_ARGUMENT', `API key not valid. Please pass a valid API key.${echoed(a)}`, 'API_KEY_INVALID'),
    // §7: quota and rate are 429 RESOURCE_EXHAUSTED (a Vision-specific body is not documented).
    rateLimit: (a) => googleError(429, 'RESOURCE_EXHAUSTED', `Quota exceeded for quota metric 'Requests'.${echoed(a)}`, 'RATE_LIMIT_EXCEEDED'),
    serverError: (a) => googleError(500, 'INTERNAL', `Internal error encountered.${echoed(a)}`),
    // §7: per-image error inside a 200, numeric gRPC code (3 = INVALID_ARGUMENT).
    imageError: (a) => json(200, { responses: [{ error: { code: 3, message: `Bad image data.${echoed(a)}` } }] }),
  },
};

const SPECS: Record<FakeServiceName, Spec> = {
  serpapi: SERPAPI,
  serper: SERPER,
  brave: BRAVE,
  tavily: TAVILY,
  searxng: SEARXNG,
  'google-vision': VISION,
};

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

const IMAGE_TYPES: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg' };

function serveThumb(name: string, res: http.ServerResponse): void {
  const file = PHOTOS.find((p) => p === name);
  if (!file) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('no such image');
    return;
  }
  res.writeHead(200, { 'content-type': IMAGE_TYPES[file.split('.').pop()!] ?? 'application/octet-stream' });
  res.end(readFileSync(photo(file)));
}

async function answerFor(spec: Spec, reply: Reply, a: Asked): Promise<Answer> {
  switch (reply) {
    case 'success':
      return spec.answers.success(a);
    case 'slow':
      return spec.answers.success(a);
    case 'empty':
      return spec.answers.empty(a);
    case 'badKey':
      if (!spec.answers.badKey) throw new Error('this service takes no key');
      return spec.answers.badKey(a);
    case 'quota':
      if (!spec.answers.quota) throw new Error('this service documents no quota error');
      return spec.answers.quota(a);
    case 'rateLimited': {
      const r = await spec.answers.rateLimit(a);
      return { ...r, headers: { ...r.headers, 'retry-after': '1' } };
    }
    case 'rateLimitedUntil': {
      const r = await spec.answers.rateLimit(a);
      return { ...r, headers: { ...r.headers, 'retry-after': new Date(Date.now() + 2000).toUTCString() } };
    }
    case 'serverError':
      return spec.answers.serverError(a);
    case 'malformed': {
      const whole = String((await spec.answers.success(a)).body);
      return { status: 200, headers: { 'content-type': 'application/json' }, body: whole.slice(0, Math.min(60, whole.length - 1)) };
    }
    case 'html':
      return {
        status: 200,
        headers: { 'content-type': 'text/html' },
        body: '<!DOCTYPE html><html><head><title>Sign in to the network</title></head><body>Wi-Fi login</body></html>',
      };
    case 'jsonOff':
    case 'imageError':
    case 'enginesFailed': {
      const build = spec.answers[reply];
      if (!build) throw new Error(`this service has no ${reply} answer`);
      return build(a);
    }
  }
}

export async function startFakeService(name: FakeServiceName, key = `${name}-key-0123456789`): Promise<FakeService> {
  const spec = SPECS[name];
  const requests: RecordedRequest[] = [];
  const queue: Reply[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let origin = '';
  const fake: FakeService = {
    name,
    origin: '',
    path: spec.path,
    key,
    requests,
    script: (...replies) => void queue.push(...replies),
    reset: () => {
      requests.length = 0;
      queue.length = 0;
      fake.echoKey = false;
      fake.slowMs = 5000;
    },
    echoKey: false,
    slowMs: 5000,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://fake');
      if (u.pathname.startsWith('/thumbs/')) return serveThumb(u.pathname.slice('/thumbs/'.length), res);
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: u.pathname,
        query: Object.fromEntries(u.searchParams),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      const send = (a: Answer) => {
        if (res.destroyed) return;
        res.writeHead(a.status, a.headers);
        res.end(a.body);
      };
      if (!u.pathname.endsWith(spec.path) || req.method !== spec.method)
        return send({ status: 404, headers: { 'content-type': 'text/plain' }, body: 'Not Found' });
      const received = spec.keyOf?.(recorded);
      const asked: Asked = { req: recorded, origin, echo: fake.echoKey ? (received ?? '') : '' };
      let reply = queue.shift() ?? 'success';
      if (spec.keyOf && received !== key) reply = 'badKey';
      // SearXNG without format=json answers its HTML page, as the real one does.
      if (name === 'searxng' && recorded.query.format !== 'json' && reply === 'success') reply = 'html';
      answerFor(spec, reply, asked).then(
        (a) => {
          if (reply !== 'slow') return send(a);
          const t = setTimeout(() => {
            timers.delete(t);
            send(a);
          }, fake.slowMs);
          timers.add(t);
        },
        (e: Error) => send({ status: 599, body: `fake service misuse: ${e.message}` }),
      );
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.origin = origin;
  return fake;
}

// ---------------------------------------------------------------------------------------
// Uploads: what Lens needs before it can see an image.

export interface UploadServer {
  origin: string;
  /** What was PUT, by path. */
  stored: Map<string, { type: string; body: Buffer }>;
  close(): Promise<void>;
}

/** PUT /u/NAME stores the body; GET /u/NAME serves it back with its content type. */
export async function startUploadServer(): Promise<UploadServer> {
  const stored = new Map<string, { type: string; body: Buffer }>();
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://up').pathname;
      if (!path.startsWith('/u/')) {
        res.writeHead(404);
        return res.end();
      }
      if (req.method === 'PUT') {
        stored.set(path, { type: req.headers['content-type'] ?? 'application/octet-stream', body: Buffer.concat(chunks) });
        res.writeHead(201);
        return res.end();
      }
      const item = stored.get(path);
      if (req.method !== 'GET' || !item) {
        res.writeHead(item ? 405 : 404);
        return res.end();
      }
      res.writeHead(200, { 'content-type': item.type, 'content-length': String(item.body.length) });
      res.end(item.body);
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stored,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** An Uploader that PUTs to the upload server and hands back the URL to GET the image from. */
export function uploaderTo(server: UploadServer): Uploader {
  let n = 0;
  return {
    id: 'test-upload-server',
    async upload(image: EncodedImage, signal: AbortSignal): Promise<string> {
      const url = `${server.origin}/u/${++n}-${image.width}x${image.height}.jpg`;
      const res = await fetch(url, { method: 'PUT', body: image.data, headers: { 'content-type': image.mime }, signal });
      if (!res.ok) throw new Error(`the upload server answered ${res.status}`);
      return url;
    },
  };
}
