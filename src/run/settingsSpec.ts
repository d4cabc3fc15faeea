// Every setting of a run, declared once: its VS Code name, its CLI flag, its type, range,
// default and description. The `gog` flags and their help, the VS Code settings reader,
// the range checks every run makes, and the test that package.json contributes exactly
// these settings are all derived from this list, so a setting is added in one place. The
// few settings of the run review views (VS Code only, no flag) are declared here too.
import * as path from 'node:path';
import { DIALECT_IDS } from '../core/trajectory';
import { BOX_FORMATS, DEFAULT_MAX_PIXELS } from '../core/geometry';
import { DEFAULT_MAX_TURNS, DEFAULT_TOP_K } from '../core/agent';
import { DEFAULT_ENDPOINT, DEFAULT_MODEL_SETTINGS } from '../model/client';
import { DEFAULT_MAX_IMAGE_BYTES } from '../vision/image';
import { DEFAULT_CACHE_MAX_BYTES } from '../search/cache';
import { SERVICES } from '../search/services';
import { applyPreset, checkPreset, PRESET_IDS, type PresetId } from './presets';

export const IMAGE_SEARCH_IDS = ['local', 'serpapi-lens', 'google-vision', 'recorded'] as const;
export type ImageSearchId = (typeof IMAGE_SEARCH_IDS)[number];
export const TEXT_SEARCH_IDS = ['local', 'serpapi', 'serper', 'brave', 'tavily', 'searxng', 'recorded'] as const;
export type TextSearchId = (typeof TEXT_SEARCH_IDS)[number];
export const PAGE_READER_IDS = ['jina', 'direct'] as const;
export type PageReaderId = (typeof PAGE_READER_IDS)[number];
/** What a provider URL may be given for: every web service, and the replay endpoint's recorded searches. */
export const URL_TARGETS = [...SERVICES, 'recorded'] as const;
export type UrlTarget = (typeof URL_TARGETS)[number];

/** The run settings a user sets: in VS Code as gog.<name>, on the command line as --<flag>. */
export interface RunSettings {
  endpoint: string;
  /** Empty: the first model the endpoint serves. */
  model: string;
  /** A peer's rollout to imitate (presets.ts): it fixes the dialect, the budget and the run's rules. */
  preset: PresetId;
  dialect: (typeof DIALECT_IDS)[number];
  boxFormat: (typeof BOX_FORMATS)[number];
  maxTurns: number;
  maxPixels: number;
  topK: number;
  evidenceImages: boolean;
  temperature: number;
  maxTokens: number;
  /** The most one model turn may take, retries included. */
  timeoutMs: number;
  maxRetries: number;
  stream: boolean;
  /** Characters kept of a model reply; the rest is not read, and the record says so. */
  maxReplyChars: number;
  /** Bytes read of the image file at most. */
  maxImageBytes: number;
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
  /** Prompt files replacing the dialect's wording (absolute once read); empty: the dialect's own. */
  promptsDir: string;
  /** A benchmark sample's time limit, all turns included. */
  sampleTimeoutMs: number;
  /** λ of the RL reward (1−λ)·accuracy + λ·format. */
  formatWeight: number;
  /** A query whose pass rate over its rollouts is below this is Level 2 (hard). */
  hardPassRate: number;
}

interface Common {
  key: keyof RunSettings;
  /** Under `gog.` in VS Code. */
  name: string;
  /** On the command line, without the dashes (a boolean that defaults to true is `--no-<flag>`). */
  flag: string;
  /** How messages name it: "max turns must be…". */
  label: string;
  /** Markdown (VS Code renders it; `gog help` shows it plain). */
  description: string;
  /** Shown in `gog help` instead of the description when the description is long. */
  help?: string;
  /**
   * A boolean that defaults to true: what `--no-<flag>` does, as `gog help` says it on that
   * flag's line ("do not cache searches"); `help` (or the description) says what the default does.
   */
  negated?: string;
  /** A workspace may not set it when untrusted: it decides where the key goes or what is read. */
  restricted?: boolean;
}

export type SettingDecl = Common &
  (
    | { type: 'string'; default: string }
    | { type: 'enum'; values: readonly string[]; descriptions: readonly string[]; default: string }
    | { type: 'integer' | 'number'; default: number; min: number; max: number; unit?: string; scale?: number }
    | { type: 'boolean'; default: boolean }
    /** A folder: empty means a built-in default; a relative path resolves against the workspace (or the working folder). */
    | { type: 'folder'; default: '' }
    /** Names to http(s) URLs; on the command line a repeatable `--flag NAME=URL`. */
    | { type: 'urls'; keys: readonly string[]; default: Record<string, never> }
  );

const MB = 1024 * 1024;
const m = DEFAULT_MODEL_SETTINGS;

export const RUN_SETTINGS: readonly SettingDecl[] = [
  {
    key: 'endpoint',
    name: 'endpoint',
    flag: 'endpoint',
    label: 'the endpoint',
    type: 'string',
    default: DEFAULT_ENDPOINT,
    restricted: true,
    description:
      'Base URL of the OpenAI-compatible endpoint (vLLM, SGLang, Ollama, LM Studio, a hosted API), ending in `/v1`. A query string (a gateway token) is sent with every request and never recorded. The API key is not a setting: use **Glance-or-Gaze: Set API Key** or the `OPENAI_API_KEY` environment variable.',
    help: 'OpenAI-compatible base URL (default $OPENAI_BASE_URL or http://127.0.0.1:8000/v1)',
  },
  {
    key: 'model',
    name: 'model',
    flag: 'model',
    label: 'the model',
    type: 'string',
    default: '',
    restricted: true,
    description: 'Model name to request. Empty: the first model the endpoint lists at `/v1/models`.',
  },
  {
    key: 'preset',
    name: 'preset',
    flag: 'preset',
    label: 'the preset',
    type: 'enum',
    values: PRESET_IDS,
    descriptions: [
      'No preset: the run follows the other settings.',
      "MMSearch-R1's rollout: the mmsearch-r1 dialect, 3 turns, 5 results per search, at most 1 image search and 2 text searches; the last turn gets no extra words; a search past its limit or on the last turn, or a turn with no action, ends the run with no answer.",
    ],
    default: 'none',
    description:
      "Run as a peer's rollout ran, to evaluate its checkpoints on the distribution they were trained on. A preset fixes the dialect, max turns and results per search: one of them set to another value beside it is refused. The run records the preset.",
    help: "imitate a peer's rollout: none | mmsearch-r1 (its dialect, 3 turns, 1 image and 2 text searches, no last-turn words)",
  },
  {
    key: 'dialect',
    name: 'dialect',
    flag: 'dialect',
    label: 'the dialect',
    type: 'enum',
    values: DIALECT_IDS,
    descriptions: [
      'Glance-or-Gaze tags: <think>, <reflect>, <search><img></search>, <search><bbox>[x1, y1, x2, y2]</bbox></search>, <text_search>, <answer>.',
      "MMSearch-R1's published format: <reason>, <search><img></search>, <text_search>, <answer>; no region search.",
      'OpenAI function calling: tools image_search{region?}, text_search{query}, answer{text}; for general models.',
    ],
    default: 'gog',
    description: 'How the agent and the model talk: the tags (or tools) the model writes its actions in.',
  },
  {
    key: 'boxFormat',
    name: 'boxFormat',
    flag: 'box-format',
    label: 'the box format',
    type: 'enum',
    values: BOX_FORMATS,
    descriptions: [
      'Absolute pixels of the image that was sent (Qwen2.5-VL); both sides are rounded to multiples of 28.',
      'Relative coordinates, 0–1000 (Qwen3-VL).',
      'Relative coordinates, 0–1.',
    ],
    default: 'pixels-sent',
    description: 'The coordinates the model writes gaze boxes in.',
  },
  {
    key: 'maxTurns',
    name: 'maxTurns',
    flag: 'max-turns',
    label: 'max turns',
    type: 'integer',
    default: DEFAULT_MAX_TURNS,
    min: 1,
    max: 1000,
    description: 'Turn budget per question. The last turn is told to answer (unless a preset says otherwise); unparseable turns count against it.',
  },
  {
    key: 'maxPixels',
    name: 'maxPixels',
    flag: 'max-pixels',
    label: 'max pixels',
    type: 'integer',
    default: DEFAULT_MAX_PIXELS,
    min: 56 * 56,
    max: 50_000_000,
    description: 'Cap on the pixels of the image sent to the model (default 1280·28·28), and of gaze crops sent to search.',
  },
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
    key: 'topK',
    name: 'resultsPerSearch',
    flag: 'top-k',
    label: 'results per search',
    type: 'integer',
    default: DEFAULT_TOP_K,
    min: 1,
    max: 20,
    description: 'Results kept from each search.',
  },
  {
    key: 'evidenceImages',
    name: 'evidenceImages',
    flag: 'evidence-images',
    label: 'evidence images',
    type: 'boolean',
    default: true,
    description:
      'Send result thumbnails to the model as images. vLLM accepts one image per prompt unless started with `--limit-mm-per-prompt`; turn this off for such servers.',
    help: 'send result thumbnails to the model',
    negated: 'send the model no result thumbnails, only their text (for servers that take one image per prompt)',
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
    key: 'temperature',
    name: 'temperature',
    flag: 'temperature',
    label: 'temperature',
    type: 'number',
    default: m.temperature,
    min: 0,
    max: 2,
    description: 'Sampling temperature.',
  },
  {
    key: 'maxTokens',
    name: 'maxTokens',
    flag: 'max-tokens',
    label: 'max tokens',
    type: 'integer',
    default: m.maxTokens,
    min: 1,
    max: 1_000_000,
    description: 'Maximum tokens per model turn.',
  },
  {
    key: 'timeoutMs',
    name: 'timeoutSeconds',
    flag: 'timeout',
    label: 'the timeout',
    type: 'number',
    default: m.timeoutMs / 1000,
    min: 1,
    max: 86_400,
    unit: 'seconds',
    scale: 1000,
    description: 'The most one model turn may take, in seconds: connecting, waiting for the first token and the whole reply, retries included.',
    help: 'seconds one model turn may take, retries included',
  },
  {
    key: 'maxRetries',
    name: 'retries',
    flag: 'retries',
    label: 'retries',
    type: 'integer',
    default: m.maxRetries,
    min: 0,
    max: 10,
    description: 'Retries with backoff on rate limits (429), server errors (5xx) and connection errors.',
  },
  {
    key: 'stream',
    name: 'stream',
    flag: 'stream',
    label: 'streaming',
    type: 'boolean',
    default: m.stream,
    description: 'Stream model replies (shown live in the log).',
    help: 'stream replies',
    negated: 'do not stream: ask for whole replies',
  },
  {
    key: 'maxReplyChars',
    name: 'maxReplyChars',
    flag: 'max-reply-chars',
    label: 'max reply characters',
    type: 'integer',
    default: m.maxReplyChars,
    min: 1000,
    // A reply is stored as one trajectory line, which a reader keeps up to 64 MB
    // (DEFAULT_MAX_LINE_BYTES); JSON may write a character as six (\u0001).
    max: 10_000_000,
    description:
      'Characters kept of one model reply (text, reasoning and tool-call arguments together). A longer reply is cut there, the rest is not read, and the record says it was cut.',
    help: 'characters kept of a model reply; the rest is not read',
  },
  {
    key: 'maxImageBytes',
    name: 'maxImageMB',
    flag: 'max-image-mb',
    label: 'the image size limit',
    type: 'integer',
    default: DEFAULT_MAX_IMAGE_BYTES / MB,
    min: 1,
    max: 4096,
    unit: 'MB',
    scale: MB,
    description: 'Largest image file the agent reads, in megabytes. Only regular files are read.',
    help: 'largest image file read, in MB',
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
  {
    key: 'promptsDir',
    name: 'promptsFolder',
    flag: 'prompts',
    label: 'the prompts folder',
    type: 'folder',
    default: '',
    restricted: true,
    description:
      "Folder of prompt files that replace the dialect's wording, so a checkpoint runs with the prompts it was trained on: `first.txt` (the opening turn; `<image>` marks where the image goes), `after-image-search.txt`, `after-text-search.txt` and `force-answer.txt`, in a subfolder named after the dialect or in the folder itself; `{question}` stands for the question. A file that is absent keeps the built-in wording. Empty: the built-in wording.",
    help: "prompt files replacing the dialect's wording (first.txt, after-image-search.txt, after-text-search.txt, force-answer.txt)",
  },
  {
    key: 'sampleTimeoutMs',
    name: 'bench.sampleTimeoutSeconds',
    flag: 'sample-timeout',
    label: 'the sample time limit',
    type: 'number',
    default: 600,
    min: 1,
    max: 86_400,
    unit: 'seconds',
    scale: 1000,
    description: 'Benchmarks: the most one sample may take, all its turns and searches included. A sample past it stops and is recorded as timed out.',
    help: 'benchmarks: seconds one sample may take, all turns included',
  },
  {
    key: 'formatWeight',
    name: 'bench.formatWeight',
    flag: 'format-weight',
    label: 'the format weight',
    type: 'number',
    default: 0.1,
    min: 0,
    max: 1,
    description: 'Benchmarks: λ in the reward (1−λ)·accuracy + λ·format recorded for every sample, where format is 1 when every turn was read as an action.',
    help: 'benchmarks: λ in the reward (1−λ)·accuracy + λ·format',
  },
  {
    key: 'hardPassRate',
    name: 'bench.hardPassRate',
    flag: 'hard-pass-rate',
    label: 'the hard pass rate',
    type: 'number',
    default: 0.5,
    min: 0,
    max: 1,
    description:
      'Benchmarks with rollouts: a query whose pass rate over its rollouts is below this is Level 2 (hard), the rest Level 1 (easy). `gog export-rl` writes the Level 2 queries.',
    help: 'benchmarks: a pass rate below this makes a query Level 2 (hard)',
  },
];

/** The settings of the run review views, as VS Code reads them (gog.review.*). */
export interface ReviewSettings {
  /** Price per million prompt (input) tokens; 0: no cost shown. */
  pricePromptPerMillion: number;
  /** Price per million completion (output) tokens; 0: no cost shown. */
  priceCompletionPerMillion: number;
  /** The most MB a benchmark run's HTML report may weigh (Open Report; `gog report --report-mb`). */
  reportMb: number;
}

/** A setting of the review views: VS Code only, unless a `gog` command takes it too (`flag`). */
export interface ReviewSettingDecl {
  key: keyof ReviewSettings;
  name: string;
  /** The `gog` flag that sets it, without the dashes; none: VS Code only (`gog` commands do not show costs). */
  flag?: string;
  unit?: string;
  label: string;
  description: string;
  type: 'number';
  default: number;
  min: number;
  max: number;
}

export const REVIEW_SETTINGS: readonly ReviewSettingDecl[] = [
  {
    key: 'pricePromptPerMillion',
    name: 'review.pricePromptPerMillion',
    label: 'the prompt token price',
    type: 'number',
    default: 0,
    min: 0,
    max: 1_000_000,
    description:
      "Run review: the endpoint's price per million prompt (input) tokens, in any currency, for the cost per sample chart. 0 (with `gog.review.priceCompletionPerMillion` 0 too): no cost is shown.",
  },
  {
    key: 'priceCompletionPerMillion',
    name: 'review.priceCompletionPerMillion',
    label: 'the completion token price',
    type: 'number',
    default: 0,
    min: 0,
    max: 1_000_000,
    description:
      "Run review: the endpoint's price per million completion (output) tokens, in the currency of `gog.review.pricePromptPerMillion`, for the cost per sample chart. 0 (with the prompt price 0 too): no cost is shown.",
  },
  {
    key: 'reportMb',
    name: 'review.reportMb',
    flag: 'report-mb',
    label: 'the report size budget',
    type: 'number',
    default: 50,
    min: 1,
    max: 400,
    unit: 'MB',
    description:
      "Open Report and `gog report RUN_DIR --report-mb N`: the most megabytes a benchmark run's HTML report may weigh. The table always goes in; the samples' trajectories (turns, reasoning, queries, evidence titles, gaze boxes drawn on a small copy of the image) go in failures first, then the right samples, until the budget is spent. The report says how many went in and why the others did not.",
  },
];

/** A review setting given as its `gog` flag's text: its value, or a SettingError naming the flag. */
export function reviewFlagValue(d: ReviewSettingDecl, text: string): number {
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !Number.isFinite(value) || value < d.min || value > d.max)
    throw new SettingError(`--${d.flag}: ${rangeMessage(d, JSON.stringify(text))}`);
  return value;
}

export const REPORT_MB = REVIEW_SETTINGS.find((d) => d.key === 'reportMb')!;

/** Reads gog.review.* through `get`; a value that is not a number in range is a SettingError naming it. */
export function reviewSettingsFromConfig(get: (name: string) => unknown): ReviewSettings {
  const out = Object.fromEntries(REVIEW_SETTINGS.map((d) => [d.key, d.default])) as unknown as ReviewSettings;
  for (const d of REVIEW_SETTINGS) {
    const value = get(d.name);
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < d.min || value > d.max)
      throw new SettingError(`setting gog.${d.name}: ${rangeMessage(d, typeof value === 'number' ? value : JSON.stringify(value))}`);
    out[d.key] = value;
  }
  return out;
}

/** `gog.annotator`: who labels and edits in this window (VS Code only; `gog label` takes --annotator). */
export const ANNOTATOR_SETTING = {
  name: 'annotator',
  type: 'string',
  default: '',
  description:
    "Your name as an annotator: every label and edit you make records it, and goes to your own file beside the trajectory (`trajectory.annotations/`), so a team's annotations merge in git without conflicts. Empty: the `GOG_ANNOTATOR` environment variable when set, else the workspace's git `user.name`, else your account's user name.",
} as const;

/** `gog.review.blind`: the editor hides other annotators' labels and edits until you give your verdict (VS Code only). */
export const BLIND_SETTING = {
  name: 'review.blind',
  type: 'boolean',
  default: false,
  description:
    "Blind review: the trajectory editor does not show other annotators' labels and edits of a trajectory until you have given your own verdict on it (they are not sent to the editor at all). Read when a trajectory is opened. `gog label` and `gog agreement` are not affected.",
} as const;

/** Reads gog.annotator: the name given, or undefined for the default; a name that cannot be one is a SettingError. */
export function annotatorFromConfig(value: unknown, problem: (name: string) => string | undefined): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new SettingError(`setting gog.annotator must be text; got ${JSON.stringify(value)}`);
  const name = value.trim();
  if (!name) return undefined;
  const why = problem(name);
  if (why) throw new SettingError(`setting gog.annotator ${why}`);
  return name;
}

/** A bad value for a setting, in one line that names it. */
export class SettingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingError';
  }
}

/** Where folder settings resolve: relative paths against `base`, empty to `defaults[key]`. */
export interface FolderContext {
  base: string;
  defaults: Partial<Record<keyof RunSettings, string>>;
}

function scaleOf(d: SettingDecl): number {
  return d.type === 'integer' || d.type === 'number' ? (d.scale ?? 1) : 1;
}

/** The default of every setting, in run units (milliseconds, bytes). */
export function settingDefaults(folders: FolderContext): RunSettings {
  const out: Record<string, unknown> = {};
  for (const d of RUN_SETTINGS)
    out[d.key] = d.type === 'folder' ? (folders.defaults[d.key] ?? '') : typeof d.default === 'number' ? d.default * scaleOf(d) : d.default;
  return out as unknown as RunSettings;
}

function rangeMessage(d: { label: string; type: 'integer' | 'number'; min: number; max: number; unit?: string }, shown: unknown): string {
  return `${d.label} must be ${d.type === 'integer' ? 'a whole number ' : ''}from ${d.min} to ${d.max}${d.unit ? ` ${d.unit}` : ''}; got ${String(shown)}`;
}

/** Checks a value in setting units (seconds, MB); returns it in run units, or throws a SettingError. */
function accept(d: SettingDecl, value: unknown, folders: FolderContext): unknown {
  switch (d.type) {
    case 'string':
      if (typeof value !== 'string') throw new SettingError(`${d.label} must be text; got ${JSON.stringify(value)}`);
      return value.trim() || d.default;
    case 'enum':
      if (typeof value !== 'string' || !d.values.includes(value))
        throw new SettingError(`unknown ${d.label.replace(/^the /, '')} ${JSON.stringify(value)}; use one of ${d.values.join(', ')}`);
      return value;
    case 'integer':
    case 'number': {
      const ok = typeof value === 'number' && Number.isFinite(value) && value >= d.min && value <= d.max && (d.type === 'number' || Number.isInteger(value));
      if (!ok) throw new SettingError(rangeMessage(d, typeof value === 'number' ? value : JSON.stringify(value)));
      return value * scaleOf(d);
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw new SettingError(`${d.label} must be true or false; got ${JSON.stringify(value)}`);
      return value;
    case 'folder': {
      if (typeof value !== 'string') throw new SettingError(`${d.label} must be a path; got ${JSON.stringify(value)}`);
      const v = value.trim();
      if (!v) return folders.defaults[d.key] ?? '';
      return path.isAbsolute(v) ? v : path.resolve(folders.base, v);
    }
    case 'urls': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new SettingError(`${d.label} must be an object of names to URLs`);
      const out: Record<string, string> = {};
      for (const [name, url] of Object.entries(value as Record<string, unknown>)) {
        if (!d.keys.includes(name)) throw new SettingError(`${d.label}: unknown name ${JSON.stringify(name)}; use one of ${d.keys.join(', ')}`);
        if (typeof url !== 'string' || !isHttpUrl(url.trim())) throw new SettingError(`${d.label}: ${name} must be an http(s) URL; got ${JSON.stringify(url)}`);
        out[name] = url.trim().replace(/\/+$/, '');
      }
      return out;
    }
  }
}

function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * Reads every setting through `get` (VS Code's configuration, say), which returns undefined
 * for one that is not set. A value of the wrong type or out of range is a SettingError naming
 * the setting, never silently replaced.
 */
export function settingsFromConfig(get: (name: string) => unknown, folders: FolderContext, isSet?: (name: string) => boolean): RunSettings {
  const out = settingDefaults(folders) as unknown as Record<string, unknown>;
  for (const d of RUN_SETTINGS) {
    const value = get(d.name);
    if (value === undefined || value === null) continue;
    try {
      out[d.key] = accept(d, value, folders);
    } catch (e) {
      throw new SettingError(`setting gog.${d.name}: ${(e as Error).message}`);
    }
  }
  // `get` may answer a default for a setting nobody set (VS Code does): `isSet` says which the user set.
  const set = (key: keyof RunSettings) => {
    const name = declOf(key).name;
    return isSet ? isSet(name) : get(name) !== undefined && get(name) !== null;
  };
  return withPreset(out as unknown as RunSettings, set, (key) => `setting gog.${declOf(key).name}`);
}

function declOf(key: keyof RunSettings): SettingDecl {
  return RUN_SETTINGS.find((d) => d.key === key)!;
}

/** The preset's settings filled in; one given beside it with another value is a SettingError naming both. */
function withPreset(s: RunSettings, given: (key: keyof RunSettings) => boolean, nameOf: (key: keyof RunSettings) => string): RunSettings {
  try {
    return applyPreset(s, given, nameOf);
  } catch (e) {
    throw new SettingError((e as Error).message);
  }
}

/** A flag of the `gog` command: what node:util parseArgs takes, and what `gog help` says of it. */
export interface CliFlag {
  type: 'string' | 'boolean';
  multiple?: boolean;
  /** The one-letter form, `-i`. */
  short?: string;
  /** What the value is called in help: N, DIR, URL (none for a boolean). */
  arg?: string;
  /** What the flag does, with its default and range. */
  help: string;
}

/** The flag of a setting, as parseArgs reads it: a boolean that defaults to true is `no-<flag>`. */
function flagName(d: SettingDecl): string {
  return d.type === 'boolean' && d.default ? `no-${d.flag}` : d.flag;
}

/** The value's name in help. */
function argName(d: SettingDecl): string | undefined {
  switch (d.type) {
    case 'folder':
      return 'DIR';
    case 'enum':
      return d.values.length > 4 ? 'ID' : d.values.join('|');
    case 'string':
      return 'TEXT';
    case 'urls':
      return 'NAME=URL';
    case 'integer':
    case 'number':
      return 'N';
    case 'boolean':
      return undefined;
    default:
      return unreachable(d);
  }
}

function unreachable(d: never): never {
  throw new Error(`unknown setting type ${JSON.stringify(d)}`);
}

/** What `gog help` says of a setting's flag: a --no-… flag says what it does, then what the default does. */
function flagHelp(d: SettingDecl): string {
  const plain = (d.help ?? d.description).replace(/\*\*|`/g, '');
  if (d.type === 'boolean') return d.default ? `${d.negated ?? `do not ${plain}`} (default: ${plain})` : plain;
  const range = d.type === 'integer' || d.type === 'number' ? ` [${d.min}–${d.max}${d.unit ? ` ${d.unit}` : ''}]` : '';
  // Every default is shown, in the flag's units, unless the text already says it.
  const shown = d.type === 'folder' || d.type === 'urls' || d.default === '' ? 'none' : String(d.default);
  const dflt = /\bdefault\b/i.test(plain) ? '' : ` (default ${shown})`;
  const repeat = d.type === 'urls' && !/repeatable/.test(plain) ? ' (repeatable)' : '';
  return `${plain}${dflt}${range}${repeat}`;
}

/** The flag of every setting, by its name on the command line: parseArgs options and their help. */
export function settingFlags(): Record<string, CliFlag> {
  const out: Record<string, CliFlag> = {};
  for (const d of RUN_SETTINGS) {
    const arg = argName(d);
    out[flagName(d)] = {
      type: d.type === 'boolean' ? 'boolean' : 'string',
      ...(d.type === 'urls' ? { multiple: true } : {}),
      ...(arg ? { arg } : {}),
      help: flagHelp(d),
    };
  }
  return out;
}

/**
 * The settings given on a command line (parsed by parseArgs with settingFlags()), over the
 * defaults. A flag that is not a number where one is needed throws a SettingError naming
 * the flag; ranges are checked by checkRunSettings.
 */
export function settingsFromCli(values: Record<string, unknown>, folders: FolderContext, base: RunSettings = settingDefaults(folders)): RunSettings {
  const out = { ...base } as unknown as Record<string, unknown>;
  for (const d of RUN_SETTINGS) {
    if (d.type === 'boolean') {
      if (values[flagName(d)] === true) out[d.key] = !d.default;
      continue;
    }
    if (d.type === 'urls') {
      const given = values[d.flag];
      if (!Array.isArray(given) || !given.length) continue;
      const pairs: Record<string, string> = {};
      for (const item of given as string[]) {
        const at = item.indexOf('=');
        if (at <= 0) throw new SettingError(`--${d.flag} takes NAME=URL; got "${item}"`);
        pairs[item.slice(0, at).trim()] = item.slice(at + 1).trim();
      }
      out[d.key] = accept(d, pairs, folders);
      continue;
    }
    const raw = values[d.flag];
    if (typeof raw !== 'string') continue;
    if (d.type === 'integer' || d.type === 'number') {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw new SettingError(`--${d.flag} needs a number; got "${raw}"`);
      out[d.key] = n * scaleOf(d);
    } else if (d.type === 'folder') out[d.key] = accept(d, raw, folders);
    else out[d.key] = raw;
  }
  const given = (key: keyof RunSettings) => {
    const d = declOf(key);
    return d.type === 'boolean' ? values[flagName(d)] === true : values[d.flag] !== undefined;
  };
  return withPreset(out as unknown as RunSettings, given, (key) => `--${declOf(key).flag}`);
}

/** Checks every setting's type and range (in run units); throws a SettingError naming the first bad one. */
export function checkRunSettings(s: RunSettings): void {
  for (const d of RUN_SETTINGS) {
    const value: unknown = s[d.key];
    if (d.type === 'integer' || d.type === 'number') accept(d, typeof value === 'number' ? value / scaleOf(d) : value, { base: '/', defaults: {} });
    else if (d.type === 'enum' || d.type === 'boolean' || d.type === 'urls') accept(d, value, { base: '/', defaults: {} });
  }
  try {
    checkPreset(s, (key) => declOf(key).label);
  } catch (e) {
    throw new SettingError((e as Error).message);
  }
}

/** package.json `contributes.configuration.properties`, as this declaration says it must be. */
export function contributedProperties(): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  RUN_SETTINGS.forEach((d, order) => {
    const prop: Record<string, unknown> = { type: d.type === 'folder' || d.type === 'enum' ? 'string' : d.type === 'urls' ? 'object' : d.type };
    if (d.type === 'urls') {
      prop.properties = Object.fromEntries(d.keys.map((k) => [k, { type: 'string', format: 'uri' }]));
      prop.additionalProperties = false;
    }
    if (d.type === 'enum') {
      prop.enum = [...d.values];
      prop.enumDescriptions = [...d.descriptions];
    }
    prop.default = d.default;
    if (d.type === 'integer' || d.type === 'number') {
      prop.minimum = d.min;
      prop.maximum = d.max;
    }
    prop.order = order;
    prop.markdownDescription = d.description;
    out[`gog.${d.name}`] = prop;
  });
  REVIEW_SETTINGS.forEach((d, i) => {
    out[`gog.${d.name}`] = {
      type: d.type,
      default: d.default,
      minimum: d.min,
      maximum: d.max,
      order: RUN_SETTINGS.length + i,
      markdownDescription: d.description,
    };
  });
  out[`gog.${ANNOTATOR_SETTING.name}`] = {
    type: ANNOTATOR_SETTING.type,
    default: ANNOTATOR_SETTING.default,
    order: RUN_SETTINGS.length + REVIEW_SETTINGS.length,
    markdownDescription: ANNOTATOR_SETTING.description,
  };
  out[`gog.${BLIND_SETTING.name}`] = {
    type: BLIND_SETTING.type,
    default: BLIND_SETTING.default,
    order: RUN_SETTINGS.length + REVIEW_SETTINGS.length + 1,
    markdownDescription: BLIND_SETTING.description,
  };
  return out;
}

/** Settings an untrusted workspace may not set (package.json capabilities.untrustedWorkspaces). */
export function restrictedSettings(): string[] {
  return RUN_SETTINGS.filter((d) => d.restricted).map((d) => `gog.${d.name}`);
}
