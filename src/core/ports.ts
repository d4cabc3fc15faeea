// What the agent needs from the outside world, as interfaces. src/model, src/vision and
// src/search implement them; tests and the CLI wire real implementations in.
import type { ChatMessage, ModelOutput, ToolChoice, ToolSpec } from './chat';
import type { Box, Size } from './geometry';
import type { NewEvent, ResultRecord, TrajectoryEvent } from './trajectory';

export interface ModelRequest {
  messages: ChatMessage[];
  tools?: ToolSpec[];
  toolChoice?: ToolChoice;
}

/** Why a reply was not kept whole. */
export interface ReplyCut {
  /** too_long: over the cap on kept characters; timeout, error: the turn failed partway. */
  reason: 'too_long' | 'timeout' | 'error';
  message: string;
}

export interface ModelReply extends ModelOutput {
  usage?: { prompt: number; completion: number };
  finishReason?: string | null;
  /** Things worth recording that did not stop the turn (a retried stream, say). */
  notices?: string[];
  /** Set when only part of the reply is kept (the text is what was kept). */
  cut?: ReplyCut;
}

export interface ModelPort {
  /**
   * Throws an Error with a one-line, secret-free message when the turn cannot be had. When
   * part of a reply had arrived, the error carries it as `partial` (see partialReply); when
   * the endpoint failed rather than the request, `retryable: true` (see isRetryable).
   */
  complete(request: ModelRequest, options: { signal: AbortSignal; onDelta?: (text: string) => void }): Promise<ModelReply>;
}

/**
 * Whether an error of `complete` says the endpoint failed rather than the request (the
 * model client's errors carry `retryable: true` then): the same request may succeed later.
 */
export function isRetryable(error: unknown): boolean {
  return error instanceof Error && (error as Error & { retryable?: unknown }).retryable === true;
}

/** What arrived of a reply before the turn failed or was cancelled, if anything did. */
export function partialReply(error: unknown): ModelReply | undefined {
  const partial = error instanceof Error ? (error as Error & { partial?: unknown }).partial : undefined;
  if (partial === null || typeof partial !== 'object') return undefined;
  const p = partial as ModelReply;
  return typeof p.text === 'string' && (p.text.length > 0 || !!p.reasoning || !!p.toolCalls?.length) ? p : undefined;
}

/** An encoded image (JPEG) with its pixel size. */
export interface EncodedImage {
  data: Buffer;
  width: number;
  height: number;
  mime: 'image/jpeg';
}

export interface AgentImage {
  /** The image the model sees. */
  sent: EncodedImage;
  /** Size of the original image after EXIF orientation. */
  oriented: Size;
  /**
   * Where the image is on the web, when it is (a dataset's own image URL): a glance with a
   * service that takes image URLs searches it, as MMSearch-R1's rollout searches its
   * `image_urls`, instead of uploading the image sent.
   */
  url?: string;
  /** Crops original pixels (integer box [x1, y1, x2, y2]) and encodes the crop. */
  crop(box: Box, signal: AbortSignal): Promise<EncodedImage>;
}

/**
 * A search result as a provider returns it: the record's fields (ResultRecord), with the
 * thumbnail's pixels and the page's text in hand; the agent saves those two as files of the
 * run and records their paths instead.
 */
export interface SearchHit {
  rank: ResultRecord['rank'];
  title: ResultRecord['title'];
  url: ResultRecord['url'];
  snippet: ResultRecord['snippet'];
  summary?: ResultRecord['summary'];
  provider: ResultRecord['provider'];
  score?: ResultRecord['score'];
  source?: ResultRecord['source'];
  thumbnail?: EncodedImage;
  /** The page's text as read (page reading), saved with the run. */
  pageText?: string;
}

export interface SearchOutcome {
  results: SearchHit[];
  /** True when served from the disk cache. */
  cached: boolean;
  /** What went wrong for some results without failing the search (a page that could not be read). */
  notes?: string[];
  /** For a service that takes image URLs: the address it searched, without credentials (recordableUrl). */
  searchedUrl?: string;
}

export interface SearchOptions {
  signal: AbortSignal;
  topK: number;
  /** The user's question: page reading summarises pages for it. */
  question?: string;
  /** The searched image's own URL, when it has one (see AgentImage.url): a service that takes URLs searches it. */
  imageUrl?: string;
}

export interface ImageSearch {
  /** Names the provider and its data in records and cache keys. */
  readonly id: string;
  search(image: EncodedImage, options: SearchOptions): Promise<SearchOutcome>;
}

export interface TextSearch {
  readonly id: string;
  /** Its results depend on the question, not only the query (pages summarised for it): caches key by both. */
  readonly perQuestion?: boolean;
  search(query: string, options: SearchOptions): Promise<SearchOutcome>;
}

export interface Recorder {
  write(event: NewEvent): Promise<TrajectoryEvent>;
  /** Saves an image next to the trajectory; returns its path relative to the trajectory's folder. */
  saveImage(name: string, image: EncodedImage): Promise<string>;
  /** Saves a text (a page as read) next to the trajectory; returns its relative path. */
  saveText(name: string, text: string): Promise<string>;
}

export function dataUrl(image: EncodedImage): string {
  return `data:${image.mime};base64,${image.data.toString('base64')}`;
}
