// The one way providers talk to their web services: a JSON request to the service's base
// URL (documented, or the user's proxy or self-hosted copy) plus the documented path; the
// policy's time limit covers everything, retries included; 429, 5xx and network failures
// are retried, honouring Retry-After; every failure becomes a one-line ProviderError that
// names the provider, with the key redacted however the service echoed it.
import { redact } from '../../core/redact';
import { ProviderError, serviceSecrets, type HttpPolicy, type ServiceAccess } from '../kit';
import { boundedFetch, FetchError, type FetchedResponse } from '../../net/boundedFetch';
import { isRetryable, retryAfterMs, withRetries } from '../net/retry';
import { SERVICE_INFO } from '../services';
import { obj, type JsonObject } from './json';

/** A search reply is a few hundred KB at most; more is not a search reply. */
export const MAX_REPLY_BYTES = 8 * 1024 * 1024;
export const MAX_REDIRECTS = 3;
/** What a service says in an error is shown up to this many characters. */
const SERVICE_TEXT_MAX = 300;
/** What is shown of a reply that is not JSON. */
const FIRST_BYTES = 120;
const USER_AGENT = 'glance-or-gaze-studio';

/** What an error answer means, whatever status the service chose for it. */
export type FailureKind = 'bad_key' | 'quota' | 'rate_limited' | 'server' | 'rejected';

/** How one service words its errors. */
export interface ServiceErrors {
  /** The service's own message in an error body (each service wraps it differently). */
  message(body: JsonObject): string | undefined;
  /** The meaning of an answer when its status alone does not tell (a bad key as 422, a spent quota as 429 or 400). */
  kind?(status: number, body: JsonObject | undefined, message: string | undefined): FailureKind | undefined;
  /** A message of its own for an answer that needs a hint (SearXNG's 403 when its JSON API is off); such an answer is final. */
  explain?(status: number, body: JsonObject | undefined): string | undefined;
}

/** One provider's way to its service. */
export interface Caller {
  /** The provider's label: every error names it. */
  label: string;
  access: ServiceAccess;
  http: HttpPolicy;
  errors: ServiceErrors;
}

export interface JsonRequest {
  method: 'GET' | 'POST';
  /** The documented path (`/search.json`), kept under whatever base URL the service has. */
  path: string;
  query?: Record<string, string | number | undefined>;
  headers?: Record<string, string>;
  json?: unknown;
  signal: AbortSignal;
}

/** The base URL plus the documented path; the base's own path is a prefix, its query (a proxy's token) is kept. */
export function serviceUrl(baseUrl: string, path: string, query: JsonRequest['query'] = {}): URL {
  const url = new URL(baseUrl);
  url.pathname = url.pathname.replace(/\/+$/, '') + path;
  url.hash = '';
  for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
  return url;
}

/** The base URL as it may be shown and recorded: no user info, no query, no trailing slash. */
export function shownBaseUrl(baseUrl: string): string {
  try {
    const u = new URL(baseUrl);
    return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return '(not a URL)';
  }
}

export function seconds(ms: number): string {
  return ms < 10_000 ? `${Number((ms / 1000).toFixed(1))} s` : `${Math.round(ms / 1000)} s`;
}

function oneLine(text: string, max = Infinity): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** Control characters and the replacement character (a multi-byte sequence cut short) say nothing. */
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f\ufffd]/g;

/** The start of a body, as one line of printable text. */
function firstBytes(body: Buffer): string {
  const text = oneLine(body.subarray(0, FIRST_BYTES).toString('utf8').replace(UNPRINTABLE, ' '));
  if (!text) return '(an empty body)';
  return body.length > FIRST_BYTES ? `${text}…` : text;
}

/** What a body that is not the service's JSON says, in a few words: an HTML page's title, or its first characters. */
function bodyGist(body: Buffer): string {
  const text = body.subarray(0, 4096).toString('utf8');
  if (/^\s*</.test(text)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1];
    return title?.trim() ? `an HTML page titled "${oneLine(title, 100)}"` : 'an HTML page';
  }
  return oneLine(text, SERVICE_TEXT_MAX) || 'an empty body';
}

function keyHint(access: ServiceAccess): string {
  const env = SERVICE_INFO[access.service].keyEnv;
  return env ? `set ${env} or use Glance-or-Gaze: Set Search API Key…` : 'check what the server expects';
}

function defaultKind(status: number): FailureKind {
  if (status === 401 || status === 403) return 'bad_key';
  if (status === 429) return 'rate_limited';
  if (status === 408 || status >= 500) return 'server';
  return 'rejected';
}

/** The error an answer that is not a success stands for. */
function answerError(caller: Caller, res: FetchedResponse): { kind: FailureKind; error: ProviderError } {
  const fail = failer(caller);
  const body = obj(parseJson(res.body));
  const explained = caller.errors.explain?.(res.status, body);
  if (explained) return { kind: 'rejected', error: fail(explained, true) };
  const raw = body ? caller.errors.message(body) : undefined;
  const said = raw ? oneLine(raw, SERVICE_TEXT_MAX) : undefined;
  const gist = said ?? bodyGist(res.body);
  const kind = caller.errors.kind?.(res.status, body, said) ?? defaultKind(res.status);
  switch (kind) {
    case 'bad_key': {
      const service = SERVICE_INFO[caller.access.service];
      const what = service.keyEnv ? 'the API key' : 'the request';
      return { kind, error: fail(`refused ${what} (${res.status}); ${keyHint(caller.access)}${said ? ` (${service.label} said: ${said})` : ''}`, true) };
    }
    case 'quota':
      return { kind, error: fail(`is out of quota (${res.status}): ${gist}`, true) };
    case 'rate_limited': {
      const asked = retryAfterMs(res.headers['retry-after']);
      const wait = asked ? `, asked to wait ${seconds(asked)}` : '';
      return { kind, error: fail(`rate limited the request (${res.status}${wait}): ${gist}`) };
    }
    case 'server':
      return { kind, error: fail(`answered ${res.status}: ${gist}`) };
    case 'rejected':
      return { kind, error: fail(`answered ${res.status}: ${gist}`, true) };
  }
}

/** A ProviderError naming the caller's provider: one line, the key redacted. */
export function providerError(caller: Caller, message: string, permanent = false): ProviderError {
  return new ProviderError(caller.label, oneLine(redact(message, serviceSecrets(caller.access))), permanent);
}

function failer(caller: Caller): (message: string, permanent?: boolean) => ProviderError {
  return (message, permanent = false) => providerError(caller, message, permanent);
}

function fetchFailure(e: FetchError, http: HttpPolicy): { message: string; permanent: boolean } {
  switch (e.reason) {
    case 'timeout':
      return { message: `did not answer within ${seconds(http.timeoutMs)}`, permanent: false };
    case 'too_large':
      return { message: `sent a reply larger than ${MAX_REPLY_BYTES / 1024 / 1024} MB`, permanent: false };
    case 'redirects':
      return { message: `redirected more than ${MAX_REDIRECTS} times`, permanent: true };
    case 'network':
      return { message: `could not be reached: ${e.message}`, permanent: false };
    case 'bad_url':
    case 'refused_address':
      return { message: `cannot be asked: ${e.message}`, permanent: true };
    case 'aborted':
      return { message: 'cancelled', permanent: false };
  }
}

/** Sends the request and returns the service's JSON object; throws a ProviderError for anything else. */
export async function requestJson(caller: Caller, req: JsonRequest): Promise<JsonObject> {
  const { access, http } = caller;
  const fail = failer(caller);
  if (!access.baseUrl) throw fail(`has no URL: give its instance's URL (CLI --provider-url ${access.service}=URL)`, true);
  // A proxy may add the key itself, so only the documented endpoint is refused without one.
  if (SERVICE_INFO[access.service].keyRequired && !access.key && !access.overridden) throw fail(`needs an API key; ${keyHint(access)}`, true);
  let url: URL;
  try {
    url = serviceUrl(access.baseUrl, req.path, req.query);
  } catch {
    throw fail(`has a base URL that is not a URL: ${shownBaseUrl(access.baseUrl)}`, true);
  }
  const body = req.json === undefined ? undefined : JSON.stringify(req.json);
  const headers: Record<string, string> = {
    accept: 'application/json',
    'user-agent': USER_AGENT,
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    ...req.headers,
  };
  const deadline = Date.now() + http.timeoutMs;
  let res: FetchedResponse;
  try {
    res = await withRetries(
      async () => {
        const r = await boundedFetch(url.toString(), {
          method: req.method,
          headers,
          ...(body === undefined ? {} : { body }),
          timeoutMs: Math.max(1, deadline - Date.now()),
          maxBytes: MAX_REPLY_BYTES,
          maxRedirects: MAX_REDIRECTS,
          signal: req.signal,
        });
        // Some services answer a spent quota with 429: waiting for it only spends the time limit.
        if (isRetryable(r.status)) {
          const { kind, error } = answerError(caller, r);
          if (kind === 'quota' || error.permanent) throw error;
        }
        return r;
      },
      { retries: http.retries, deadline, signal: req.signal },
    );
  } catch (e) {
    req.signal.throwIfAborted();
    if (e instanceof ProviderError) throw e;
    if (e instanceof FetchError) {
      const { message, permanent } = fetchFailure(e, http);
      throw fail(message, permanent);
    }
    throw fail(`failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (res.status < 200 || res.status > 299) throw answerError(caller, res).error;
  const parsed = parseJson(res.body);
  if (parsed === undefined) throw fail(`answered with something that is not JSON: ${firstBytes(res.body)}`);
  const object = obj(parsed);
  if (!object) throw fail(`answered with JSON that is not an object: ${firstBytes(res.body)}`);
  return object;
}
