// What a run's searches are set up from (registry.ts): the providers, their limits, page
// reading, the cache and the corpus. Declared with the search code that reads them; the run's
// settings (src/run/settingsSpec.ts) include these, so each is still declared once.
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
