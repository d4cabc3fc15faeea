// One HTTP request with every limit a request to the web needs: an overall time limit, a
// cap on the bytes read (counted after decompression), a cap on redirects (followed by
// hand, http(s) only), and, for URLs that came from the web rather than from the user
// (result pages, thumbnails, a dataset's image URLs), a refusal to reach anything but the
// public internet. That refusal is decided before each hop connects, on the address it will
// connect to: an IP literal as the URL parser wrote it, or every address the name resolves
// to (one lookup, whose checked answer is the only thing the socket may connect to, so a
// second DNS answer cannot rebind it).
import * as dns from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as zlib from 'node:zlib';
import type { Readable } from 'node:stream';
import { isPublicAddress, specialRange } from './addresses';

/** Whether a hop may connect to `address` on `port`; consulted before the socket is made. */
export type AddressPolicy = (address: string, port: number) => boolean;

/** A name's addresses, as dns.lookup gives them with `all: true`. */
export type Resolver = (hostname: string) => Promise<dns.LookupAddress[]>;

export interface FetchLimits {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Milliseconds for everything: connecting, redirects, the whole body. */
  timeoutMs: number;
  /** Bytes of body read at most, after decompression; more is an error (`too_large`). */
  maxBytes: number;
  /** Redirects followed at most (0: none). */
  maxRedirects?: number;
  /** Reach public internet addresses only (for URLs the web supplied). */
  publicOnly?: boolean;
  /** With publicOnly: which addresses count as public (default isPublicAddress; tests compose their own). */
  addressPolicy?: AddressPolicy;
  /** With publicOnly: how names are resolved (default dns.lookup). */
  resolver?: Resolver;
  /** With publicOnly: what a refusal adds, naming who may not point there and the setting that allows it. */
  refusalHint?: string;
  signal?: AbortSignal;
}

export interface FetchedResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The URL that answered, after redirects. */
  url: string;
}

export type FetchFailure = 'timeout' | 'too_large' | 'redirects' | 'refused_address' | 'bad_url' | 'network' | 'aborted';

export class FetchError extends Error {
  constructor(
    readonly reason: FetchFailure,
    message: string,
  ) {
    super(message);
    this.name = 'FetchError';
  }
}

/** What a refusal says by default: the URL came from search results. */
export const WEB_REFUSAL_HINT = 'links from search results may not point there unless allowed (setting gog.search.allowPrivateUrls, CLI --allow-private-urls)';

const systemResolver: Resolver = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

function portOf(url: URL): number {
  return Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
}

function refused(url: URL, address: string, limits: FetchLimits, resolved: boolean): FetchError {
  const range = specialRange(address) ?? 'not allowed here';
  const where = resolved ? `${url.host} resolves to ${address}, a private or local address` : `${url.host} is a private or local address`;
  return new FetchError('refused_address', `${where} (${range}); ${limits.refusalHint ?? WEB_REFUSAL_HINT}`);
}

/** Waits for `work`, but no longer than the deadline or the signal allow. */
function within<T>(work: Promise<T>, deadline: number, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => done(() => reject(new FetchError('timeout', 'the time limit ran out while resolving the host'))),
      Math.max(0, deadline - Date.now()),
    );
    const onAbort = () => done(() => reject(new FetchError('aborted', 'cancelled')));
    const done = (settle: () => void) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      settle();
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => done(() => resolve(v)),
      (e: unknown) => done(() => reject(e instanceof Error ? e : new Error(String(e)))),
    );
  });
}

/**
 * For a public-only hop: checks where it would connect, before anything connects. An IP
 * literal is checked as it stands (the socket connects to it without a lookup); a name is
 * resolved once, refused if any of its addresses is not allowed, and the request is given a
 * lookup that answers with exactly those checked addresses.
 */
async function checkedLookup(url: URL, limits: FetchLimits, deadline: number, signal: AbortSignal): Promise<net.LookupFunction | undefined> {
  const policy = limits.addressPolicy ?? ((address: string) => isPublicAddress(address));
  const port = portOf(url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host)) {
    if (!policy(host, port)) throw refused(url, host, limits, false);
    return undefined;
  }
  let addresses: dns.LookupAddress[];
  try {
    addresses = await within((limits.resolver ?? systemResolver)(host), deadline, signal);
  } catch (e) {
    if (e instanceof FetchError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new FetchError('network', code ? `${code} (${url.host})` : (e as Error).message);
  }
  if (!addresses.length) throw new FetchError('network', `ENOTFOUND (${url.host})`);
  const bad = addresses.find((a) => !policy(a.address, port));
  if (bad) throw refused(url, bad.address, limits, true);
  return (_hostname, options, callback) => {
    if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
    const family = options.family === 4 || options.family === 6 ? options.family : 0;
    const pick = addresses.find((a) => !family || a.family === family);
    if (!pick) return callback(Object.assign(new Error(`${url.host} has no IPv${family} address`), { code: 'ENOTFOUND' }), '', 0);
    callback(null, pick.address, pick.family);
  };
}

function decoded(res: http.IncomingMessage): Readable {
  switch (res.headers['content-encoding']) {
    case 'gzip':
    case 'x-gzip':
      return res.pipe(zlib.createGunzip());
    case 'deflate':
      return res.pipe(zlib.createInflate());
    case 'br':
      return res.pipe(zlib.createBrotliDecompress());
    default:
      return res;
  }
}

async function once(url: URL, limits: FetchLimits, deadline: number, signal: AbortSignal): Promise<FetchedResponse> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new FetchError('bad_url', `only http and https URLs are fetched, not ${url.protocol}`);
  // Decided before the request exists: a refused hop never makes a socket.
  const lookup = limits.publicOnly ? await checkedLookup(url, limits, deadline, signal) : undefined;
  return new Promise((resolve, reject) => {
    const lib = url.protocol === 'https:' ? https : http;
    const remaining = deadline - Date.now();
    if (remaining <= 0) return reject(new FetchError('timeout', 'the time limit ran out'));
    const req = lib.request(
      url,
      {
        method: limits.method ?? 'GET',
        headers: { 'accept-encoding': 'gzip, deflate, br', ...limits.headers },
        // A pooled connection could lead somewhere this hop did not check: a fresh one each time.
        ...(limits.publicOnly ? { agent: false, ...(lookup ? { lookup } : {}) } : {}),
        signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        const stream = decoded(res);
        stream.on('data', (c: Buffer) => {
          if (bytes > limits.maxBytes) return;
          bytes += c.length;
          if (bytes > limits.maxBytes) {
            // Once a response has begun, destroying the request errors the response, not the
            // request: reject here, so a cut-short body is never taken for the whole of it.
            // The decoder stops too: what it still holds is not inflated.
            reject(new FetchError('too_large', `the response is larger than ${Math.max(1, Math.round(limits.maxBytes / 1024))} KB`));
            req.destroy();
            if (stream !== res) stream.destroy();
            return;
          }
          chunks.push(c);
        });
        stream.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), url: url.toString() }));
        // Errors after the response began (a cut connection, the time limit, a bad encoding).
        const failed = (e: Error) =>
          reject(e instanceof FetchError ? e : signal.aborted ? new FetchError('aborted', 'cancelled') : new FetchError('network', e.message));
        stream.on('error', failed);
        if (stream !== res) res.on('error', failed);
      },
    );
    const timer = setTimeout(() => req.destroy(new FetchError('timeout', `no complete answer within ${Math.round(limits.timeoutMs / 1000)} s`)), remaining);
    req.on('close', () => clearTimeout(timer));
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (e instanceof FetchError) return reject(e);
      if (signal.aborted) return reject(new FetchError('aborted', 'cancelled'));
      reject(new FetchError('network', e.code ? `${e.code} (${url.host})` : e.message));
    });
    req.end(limits.body);
  });
}

const SAFE_HEADERS = new Set(['accept', 'accept-language', 'content-type', 'user-agent']);

function withoutCredentials(headers: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).filter(([k]) => SAFE_HEADERS.has(k.toLowerCase())));
}

/** Fetches `url` within the limits; 3xx answers are followed up to maxRedirects, keeping the method only for 307/308. */
export async function boundedFetch(target: string, limits: FetchLimits): Promise<FetchedResponse> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new FetchError('bad_url', `not a URL: ${target.slice(0, 100)}`);
  }
  const deadline = Date.now() + limits.timeoutMs;
  const controller = new AbortController();
  const onAbort = () => controller.abort();
  limits.signal?.addEventListener('abort', onAbort, { once: true });
  if (limits.signal?.aborted) controller.abort();
  try {
    let current = limits;
    for (let hops = 0; ; hops++) {
      // Every hop is checked afresh (once() decides before it connects).
      const res = await once(url, current, deadline, controller.signal);
      const location = res.headers.location;
      if (res.status < 300 || res.status > 399 || res.status === 304 || !location) return res;
      if (hops >= (limits.maxRedirects ?? 3)) throw new FetchError('redirects', `more than ${limits.maxRedirects ?? 3} redirects`);
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new FetchError('bad_url', `a redirect to something that is not a URL: ${location.slice(0, 100)}`);
      }
      // Credentials are for the host they were given to: a redirect elsewhere goes without them.
      if (next.origin !== url.origin) current = { ...current, headers: withoutCredentials(current.headers) };
      url = next;
      if (res.status !== 307 && res.status !== 308) {
        const { body: _body, ...rest } = current;
        current = { ...rest, method: current.method === 'HEAD' ? 'HEAD' : 'GET' };
      }
    }
  } finally {
    limits.signal?.removeEventListener('abort', onAbort);
  }
}
