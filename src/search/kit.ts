// What a search provider is given and what it must be. A provider is data (an id, the
// service it calls, what it needs) plus a factory, so the registry builds whichever the
// settings name without knowing any of them, and runQuery never names one.
import { parseEndpoint } from '../model/endpoint';
import type { EncodedImage, ImageSearch, TextSearch } from '../core/ports';
import type { Service } from './services';

/** Where a service answers and with which key. */
export interface ServiceAccess {
  service: Service;
  /** The user's override or the documented base URL, without a trailing slash; the provider adds its documented path. */
  baseUrl: string;
  /** True when the user pointed the service elsewhere (then its URL is part of cache keys and records). */
  overridden: boolean;
  key?: string;
}

/** What no result or error of a service may repeat: its key, and a token or password in its URL (a proxy's). */
export function serviceSecrets(access: ServiceAccess): string[] {
  let inUrl: string[] = [];
  try {
    inUrl = parseEndpoint(access.baseUrl).secrets;
  } catch {
    // Not a URL: the request fails before anything is sent.
  }
  return [...(access.key ? [access.key] : []), ...inUrl];
}

/** Limits for one provider request: time for everything, retries on 429/5xx/network failures. */
export interface HttpPolicy {
  timeoutMs: number;
  retries: number;
}

/** Downloads remote thumbnails (results from the web name them by URL) as re-encoded JPEGs. */
export interface ThumbnailFetcher {
  /** One entry per URL, undefined where the URL is absent or the download failed; never throws for one bad image. */
  fetchAll(urls: readonly (string | undefined)[], signal: AbortSignal): Promise<(EncodedImage | undefined)[]>;
}

/** Makes an image reachable by URL for services that only take URLs (Google Lens through SerpApi). */
export interface Uploader {
  /** Names the destination in records (no credentials). */
  readonly id: string;
  /** Uploads the JPEG; returns a URL the service can fetch it from. */
  upload(image: EncodedImage, signal: AbortSignal): Promise<string>;
}

/** Turns a result's URL into the page's text. */
export interface PageReader {
  readonly id: string;
  read(url: string, signal: AbortSignal): Promise<{ title?: string; text: string }>;
}

/** Summarises a page for the question (at most five sentences, from the page's first 30,000 characters). */
export interface Summarizer {
  readonly id: string;
  summarize(page: { question: string; title: string; url: string; text: string }, signal: AbortSignal): Promise<string>;
}

export interface ProviderContext {
  access(service: Service): ServiceAccess;
  http: HttpPolicy;
  thumbnails: ThumbnailFetcher;
  /** Given when one is configured; providers that need one are refused before the run otherwise. */
  uploader?: Uploader;
  /** SerpApi Lens: also ask for exact matches. */
  lensExactMatches: boolean;
}

interface ProviderCommon<Id extends string> {
  id: Id;
  label: string;
  /** The web service it calls (undefined: it runs here, like the local corpus). */
  service?: Service;
  /** It takes image URLs only, so crops go through an uploader first. */
  needsUploader?: boolean;
}

export interface ImageProviderDef<Id extends string = string> extends ProviderCommon<Id> {
  create(ctx: ProviderContext): ImageSearch;
}

export interface TextProviderDef<Id extends string = string> extends ProviderCommon<Id> {
  create(ctx: ProviderContext): TextSearch;
}

/** A provider's failure, in one line that names it; the agent shows it to the model as a tool error. */
export class ProviderError extends Error {
  constructor(
    readonly provider: string,
    message: string,
    /** Set when retrying cannot help (a bad key, a spent quota, a malformed request). */
    readonly permanent = false,
  ) {
    super(`${provider}: ${message}`);
    this.name = 'ProviderError';
  }
}
