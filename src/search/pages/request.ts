// One request to a web service under a provider's HttpPolicy: one deadline for every
// attempt, retries on 429/5xx/network failures (honouring Retry-After, within the deadline),
// and failures as one-line ProviderErrors that name the service and repeat no secret.
// Shared by the page readers and the uploaders.
import { redact } from '../../core/redact';
import type { HttpPolicy } from '../kit';
import { ProviderError } from '../kit';
import { boundedFetch, FetchError, type FetchedResponse, type FetchFailure } from '../../net/boundedFetch';
import { withRetries } from '../net/retry';

export interface ServiceRequest {
  /** Names the service in errors ("Jina Reader"). */
  provider: string;
  url: string;
  method?: 'GET' | 'PUT';
  headers?: Record<string, string>;
  body?: Buffer;
  maxBytes: number;
  maxRedirects?: number;
  /** For URLs the web supplied: refuse loopback and private addresses. */
  publicOnly?: boolean;
  /** Values no error text may repeat (keys, tokens inside the URL). */
  secrets?: readonly (string | undefined)[];
}

/** The longest excerpt of a service's own error text kept in a message. */
const DETAIL_CHARS = 200;

/** Sends the request; returns whatever status came back last (the caller judges it) or throws a ProviderError. */
export async function requestService(req: ServiceRequest, policy: HttpPolicy, signal: AbortSignal): Promise<FetchedResponse> {
  const deadline = Date.now() + policy.timeoutMs;
  try {
    return await withRetries(
      () =>
        boundedFetch(req.url, {
          method: req.method ?? 'GET',
          ...(req.headers ? { headers: req.headers } : {}),
          ...(req.body ? { body: req.body } : {}),
          timeoutMs: Math.max(1, deadline - Date.now()),
          maxBytes: req.maxBytes,
          maxRedirects: req.maxRedirects ?? 3,
          publicOnly: req.publicOnly ?? false,
          signal,
        }),
      { retries: policy.retries, deadline, signal },
    );
  } catch (e) {
    // Cancellation is the caller's doing, not the service's failure: it passes unchanged.
    if (signal.aborted || !(e instanceof FetchError)) throw e;
    throw new ProviderError(req.provider, oneLine(redact(fetchFailure(e.reason, e.message, policy), req.secrets ?? [])), permanentFailure(e.reason));
  }
}

function fetchFailure(reason: FetchFailure, message: string, policy: HttpPolicy): string {
  switch (reason) {
    case 'timeout':
      // The attempt's own message names the time left, not the limit the user set.
      return `no complete answer within ${Math.round(policy.timeoutMs / 100) / 10} s`;
    case 'network':
      return `could not connect: ${message}`;
    case 'too_large':
    case 'redirects':
    case 'refused_address':
    case 'bad_url':
    case 'aborted':
      return message;
  }
}

function permanentFailure(reason: FetchFailure): boolean {
  switch (reason) {
    case 'timeout':
    case 'network':
    case 'aborted':
      return false;
    case 'too_large':
    case 'redirects':
    case 'refused_address':
    case 'bad_url':
      return true;
  }
}

/** A status the caller did not want, as a ProviderError with the service's own words if it gave any. */
export function statusError(req: Pick<ServiceRequest, 'provider' | 'secrets'>, res: FetchedResponse, hint?: string): ProviderError {
  const detail = serviceMessage(res);
  const permanent = res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429;
  const text = `answered ${res.status}${detail ? ` (${detail})` : ''}${hint ? `; ${hint}` : ''}`;
  return new ProviderError(req.provider, oneLine(redact(text, req.secrets ?? [])), permanent);
}

/** The message a service put in its error body: JSON (message, readableMessage, error, detail), S3's XML, or the first line of text. */
export function serviceMessage(res: FetchedResponse): string {
  const text = res.body
    .subarray(0, 64 * 1024)
    .toString('utf8')
    .trim();
  if (!text) return '';
  const type = String(res.headers['content-type'] ?? '');
  if (type.includes('html') || /^<!doctype html|^<html/i.test(text)) return '';
  if (text.startsWith('{')) {
    try {
      return cut(jsonMessage(JSON.parse(text) as unknown));
    } catch {
      // Not JSON after all: fall through to plain text.
    }
  }
  if (text.startsWith('<')) {
    const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
    const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1];
    return cut([code, message].filter(Boolean).join(': '));
  }
  return cut(text.split('\n')[0] ?? '');
}

function jsonMessage(v: unknown): string {
  if (typeof v === 'string') return v;
  if (!v || typeof v !== 'object') return '';
  const o = v as Record<string, unknown>;
  for (const k of ['readableMessage', 'message', 'error', 'detail']) {
    const m = jsonMessage(o[k]);
    if (m) return m;
  }
  return '';
}

function cut(s: string): string {
  const one = oneLine(s);
  return one.length > DETAIL_CHARS ? `${one.slice(0, DETAIL_CHARS - 1)}…` : one;
}

export function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Cuts text at `max` characters without splitting a surrogate pair. */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = /[\uD800-\uDBFF]/.test(text.charAt(max - 1)) ? max - 1 : max;
  return text.slice(0, end);
}
