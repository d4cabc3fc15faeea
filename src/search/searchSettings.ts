// What a run's searches are set up from (registry.ts): the providers, their limits, page
// reading, the cache and the corpus. Declared with the search code that reads them; the run's
// settings (src/run/settingsSpec.ts) include these, so each is still declared once.
import { MB, type SettingDeclOf } from '../core/settingDecl';
import { DEFAULT_CACHE_MAX_BYTES } from './cache';
import { SERVICES } from './services';

export const IMAGE_SEARCH_IDS = ['local', 'serpapi-lens', 'google-vision', 'recorded'] as const;
export type ImageSearchId = (typeof IMAGE_SEARCH_IDS)[number];
export const TEXT_SEARCH_IDS = ['local', 'serpapi', 'serper', 'brave', 'tavily', 'searxng', 'recorded'] as const;
export type TextSearchId = (typeof TEXT_SEARCH_IDS)[number];
export const PAGE_READER_IDS = ['jina', 'direct'] as const;
export type PageReaderId = (typeof PAGE_READER_IDS)[number];
/** What a provider URL may be given for: every web service, and the replay endpoint's recorded searches. */
export const URL_TARGETS = [...SERVICES, 'recorded'] as const;
export type UrlTarget = (typeof URL_TARGETS)[number];

/** The search part of a run's settings. */
export interface SearchSettings {
  /** The model endpoint: page summaries use it unless summaryEndpoint says otherwise. */
  endpoint: string;
  /** The local corpus folder (absolute once read). */
  corpusDir: string;
  /** Whether searches are cached on disk. */
  cacheSearches: boolean;
  /** Bytes the search cache may hold; past it the entries used longest ago go. */
  cacheMaxBytes: number;
  imageSearch: ImageSearchId;
  textSearch: TextSearchId;
  /** Services pointed elsewhere than their documented base URL (a proxy, a self-hosted copy). */
  providerUrls: Partial<Record<UrlTarget, string>>;
  /** The limit on one search request, retries included. */
  searchTimeoutMs: number;
  searchRetries: number;
  /** SerpApi Lens: ask for exact matches too. */
  lensExactMatches: boolean;
  /** Where images are put for services that take URLs: http(s)://… (HTTP PUT) or s3://bucket/prefix. */
  uploadUrl: string;
  /** The public address of what is put at uploadUrl (HTTP PUT uploads). */
  publicUrl: string;
  /** Read the top text results' pages and summarise them for the question. */
  readPages: boolean;
  pageReader: PageReaderId;
  pagesToRead: number;
  /** Empty: the model endpoint and model summarise. */
  summaryEndpoint: string;
  summaryModel: string;
  /** Let URLs from search results point at this machine or the local network. */
  allowPrivateUrls: boolean;
}

export const SEARCH_SETTINGS: readonly SettingDeclOf<Exclude<keyof SearchSettings, 'endpoint'>>[] = [
  {
    key: 'corpusDir',
    name: 'corpusFolder',
    flag: 'corpus',
    label: 'the corpus folder',
    type: 'folder',
    default: '',
    restricted: true,
    description:
      'Folder of the local search corpus: a `pages.jsonl` with one page per line (`id`, `title`, `url`, `text`, optional `image` relative to the folder). Relative paths resolve against the workspace folder. Empty: the small demo corpus bundled with the extension.',
    help: 'local corpus folder with pages.jsonl (default: the bundled demo corpus)',
  },
  {
    key: 'cacheSearches',
    name: 'cacheSearches',
    flag: 'cache',
    label: 'search caching',
    type: 'boolean',
    default: true,
    description: 'Cache search results on disk under `.gog/cache` in the workspace, so reruns are reproducible and free.',
    help: 'cache searches',
    negated: 'do not cache searches: every search goes to its provider',
  },
  {
    key: 'cacheMaxBytes',
    name: 'search.cacheMB',
    flag: 'cache-mb',
    label: 'the search cache size',
    type: 'integer',
    default: DEFAULT_CACHE_MAX_BYTES / MB,
    min: 1,
    max: 1_000_000,
    unit: 'MB',
    scale: MB,
    description: 'Megabytes the search cache may hold. Past it, the searches used longest ago are dropped (`gog cache stats` shows what it holds).',
    help: 'megabytes the search cache may hold',
  },
  {
    key: 'imageSearch',
    name: 'search.image',
    flag: 'image-search',
    label: 'the image search',
    type: 'enum',
    values: IMAGE_SEARCH_IDS,
    descriptions: [
      'The local corpus (`gog.corpusFolder`): offline, no key.',
      'Google Lens through SerpApi (key: SERPAPI_API_KEY or Set Search API Key). It takes image URLs, so crops are uploaded first: set `gog.search.uploadUrl`.',
      'Google Cloud Vision web detection (key: GOOGLE_API_KEY or Set Search API Key).',
      'The searches recorded in the trajectories `gog replay` serves: re-runs a recorded run exactly, offline.',
    ],
    default: 'local',
    description: 'The reverse image search behind a glance (the whole image) and a gaze (a crop).',
    help: `image search: ${IMAGE_SEARCH_IDS.join(' | ')} (default local)`,
  },
  {
    key: 'textSearch',
    name: 'search.text',
    flag: 'text-search',
    label: 'the text search',
    type: 'enum',
    values: TEXT_SEARCH_IDS,
    descriptions: [
      'The local corpus (`gog.corpusFolder`): offline, no key.',
      'Google through SerpApi (key: SERPAPI_API_KEY).',
      'Google through Serper (key: SERPER_API_KEY).',
      'Brave Search API (key: BRAVE_API_KEY).',
      'Tavily (key: TAVILY_API_KEY).',
      'A SearXNG instance with its JSON API on: set its URL in `gog.search.providerUrls`.',
      'The searches recorded in the trajectories `gog replay` serves.',
    ],
    default: 'local',
    description: 'The web search behind a text search.',
    help: `text search: ${TEXT_SEARCH_IDS.join(' | ')} (default local)`,
  },
  {
    key: 'providerUrls',
    name: 'search.providerUrls',
    flag: 'provider-url',
    label: 'provider URLs',
    type: 'urls',
    keys: URL_TARGETS,
    default: {},
    restricted: true,
    description:
      'Services pointed elsewhere than their documented address (a proxy, a self-hosted copy), e.g. `{ "searxng": "http://127.0.0.1:8888" }`. The URL replaces the scheme, host and path prefix; each service\'s documented path is kept (`/search.json` for SerpApi). `recorded` defaults to the model endpoint\'s server (`gog replay`).',
    help: 'SERVICE=URL (repeatable): a service somewhere else (serpapi, serper, brave, tavily, searxng, google-vision, jina, recorded)',
  },
  {
    key: 'searchTimeoutMs',
    name: 'search.timeoutSeconds',
    flag: 'search-timeout',
    label: 'the search timeout',
    type: 'number',
    default: 30,
    min: 1,
    max: 600,
    unit: 'seconds',
    scale: 1000,
    description: 'The most one search request may take, retries included. A search that fails is shown to the model as a tool error; the run goes on.',
    help: 'seconds one search request may take, retries included',
  },
  {
    key: 'searchRetries',
    name: 'search.retries',
    flag: 'search-retries',
    label: 'search retries',
    type: 'integer',
    default: 2,
    min: 0,
    max: 10,
    description: 'Retries of a search request on rate limits (429, honouring Retry-After), server errors and connection errors.',
  },
  {
    key: 'lensExactMatches',
    name: 'search.lensExactMatches',
    flag: 'lens-exact-matches',
    label: 'Lens exact matches',
    type: 'boolean',
    default: false,
    description: 'SerpApi Google Lens: also ask for exact matches of the image, not only visual matches.',
  },
  {
    key: 'uploadUrl',
    name: 'search.uploadUrl',
    flag: 'upload-url',
    label: 'the upload URL',
    type: 'string',
    default: '',
    restricted: true,
    description:
      'Where images are put for a search that takes image URLs (Google Lens): `https://…` (an HTTP PUT of `<sha256>.jpg`, readable at `gog.search.publicUrl`) or `s3://bucket/prefix` (presigned URLs; an S3-compatible store as `s3://bucket/prefix?endpoint=https://…&region=…`; keys from **Set Search API Key… › Amazon S3** or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY).',
    help: 'where images go for Lens: http(s)://… (HTTP PUT) or s3://bucket/prefix',
  },
  {
    key: 'publicUrl',
    name: 'search.publicUrl',
    flag: 'public-url',
    label: 'the public URL',
    type: 'string',
    default: '',
    restricted: true,
    description: 'The public address of what is put at `gog.search.uploadUrl` (`<publicUrl>/<sha256>.jpg`).',
  },
  {
    key: 'readPages',
    name: 'search.readPages',
    flag: 'read-pages',
    label: 'page reading',
    type: 'boolean',
    default: false,
    description:
      'Read the top pages of a text search and have the model endpoint (or `gog.search.summaryEndpoint`) summarise each for the question, in at most five sentences of its first 30,000 characters. The model is shown the summaries; the record keeps snippets, summaries and page texts.',
    help: 'read the top text results and show the model summaries of them',
  },
  {
    key: 'pageReader',
    name: 'search.pageReader',
    flag: 'page-reader',
    label: 'the page reader',
    type: 'enum',
    values: PAGE_READER_IDS,
    descriptions: ['Jina Reader (`r.jina.ai`; key optional: JINA_API_KEY), as the paper does.', 'Fetch the page here and turn its HTML into text.'],
    default: 'jina',
    description: 'How pages are read for summaries.',
  },
  {
    key: 'pagesToRead',
    name: 'search.pagesToRead',
    flag: 'pages-to-read',
    label: 'pages to read',
    type: 'integer',
    default: 3,
    min: 1,
    max: 10,
    description: 'How many of the top text results are read and summarised.',
  },
  {
    key: 'summaryEndpoint',
    name: 'search.summaryEndpoint',
    flag: 'summary-endpoint',
    label: 'the summary endpoint',
    type: 'string',
    default: '',
    restricted: true,
    description: 'An OpenAI-compatible endpoint for page summaries. Empty: the model endpoint. It gets the same API key.',
  },
  {
    key: 'summaryModel',
    name: 'search.summaryModel',
    flag: 'summary-model',
    label: 'the summary model',
    type: 'string',
    default: '',
    description: 'The model that summarises pages. Empty: the model that answers.',
  },
  {
    key: 'allowPrivateUrls',
    name: 'search.allowPrivateUrls',
    flag: 'allow-private-urls',
    label: 'private URLs',
    type: 'boolean',
    default: false,
    restricted: true,
    description:
      'Let links in search results (pages to read, thumbnails, and where they redirect) and the image URLs of benchmarks point at this machine or the local network. Off: a result from the web or a dataset made by someone else cannot make the extension fetch from your intranet. Turn on for a search engine that indexes your intranet.',
  },
];
