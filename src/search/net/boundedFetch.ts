// One HTTP request with every limit a request to the web needs: an overall time limit, a
// cap on the bytes read, a cap on redirects (followed by hand, http(s) only), and, for URLs
// that came from the web rather than from the user (result pages, thumbnails), a refusal to
// connect to loopback, private or link-local addresses, checked on the address actually
// connected to, so a DNS answer cannot point the host at itself or the local network.
import * as dns from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as zlib from 'node:zlib';
import type { Readable } from 'node:stream';

export interface FetchLimits {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Milliseconds for everything: connecting, redirects, the whole body. */
  timeoutMs: number;
  /** Bytes of body read at most; more is an error (`too_large`). */
  maxBytes: number;
  /** Redirects followed at most (0: none). */
  maxRedirects?: number;
  /** Refuse loopback, private and link-local addresses (for URLs the web supplied). */
  publicOnly?: boolean;
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

/** Loopback, private, link-local, carrier-grade NAT, unspecified, multicast, documentation: not the public web. */
export function isPrivateAddress(address: string): boolean {
  const v4 = net.isIPv4(address) ? address : /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (v4) {
    const [a = 0, b = 0] = v4.split('.').map(Number);
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 192 && b === 0) ||
      (a === 198 && (b === 18 || b === 19)) ||
      a >= 224
    );
  }
  const v6 = address.toLowerCase();
  return (
    v6 === '::' ||
    v6 === '::1' ||
    v6.startsWith('fc') ||
    v6.startsWith('fd') ||
    v6.startsWith('fe8') ||
    v6.startsWith('fe9') ||
    v6.startsWith('fea') ||
    v6.startsWith('feb') ||
    v6.startsWith('ff')
  );
}

/** A dns.lookup that refuses to hand out a private address: the check happens where the socket connects. */
const publicLookup: net.LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '', 0);
    const list = addresses;
    const bad = list.find((a) => isPrivateAddress(a.address));
    if (bad || !list.length) {
      const e = Object.assign(new Error(`${hostname} resolves to a private address`), { code: 'EGOG_PRIVATE' });
      return callback(e, '', 0);
    }
    if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
    callback(null, list[0]!.address, list[0]!.family);
  });
};

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

function once(url: URL, limits: FetchLimits, deadline: number, signal: AbortSignal): Promise<FetchedResponse> {
  return new Promise((resolve, reject) => {
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      return reject(new FetchError('bad_url', `only http and https URLs are fetched, not ${url.protocol}`));
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (limits.publicOnly && net.isIP(host) && isPrivateAddress(host)) {
      return reject(new FetchError('refused_address', `${url.host} is a private or local address; results from the web may not point there`));
    }
    const lib = url.protocol === 'https:' ? https : http;
    const remaining = deadline - Date.now();
    if (remaining <= 0) return reject(new FetchError('timeout', 'the time limit ran out'));
    const req = lib.request(
      url,
      {
        method: limits.method ?? 'GET',
        headers: { 'accept-encoding': 'gzip, deflate, br', ...limits.headers },
        // A pooled connection would skip the lookup (and its check): a fresh one each time.
        ...(limits.publicOnly ? { lookup: publicLookup, agent: false } : {}),
        signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        const stream = decoded(res);
        stream.on('data', (c: Buffer) => {
          bytes += c.length;
          if (bytes > limits.maxBytes) {
            req.destroy(new FetchError('too_large', `the response is larger than ${Math.max(1, Math.round(limits.maxBytes / 1024))} KB`));
            return;
          }
          chunks.push(c);
        });
        stream.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), url: url.toString() }));
        stream.on('error', (e) => req.destroy(e));
      },
    );
    const timer = setTimeout(() => req.destroy(new FetchError('timeout', `no complete answer within ${Math.round(limits.timeoutMs / 1000)} s`)), remaining);
    req.on('close', () => clearTimeout(timer));
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (e instanceof FetchError) return reject(e);
      if (signal.aborted) return reject(new FetchError('aborted', 'cancelled'));
      if (e.code === 'EGOG_PRIVATE')
        return reject(new FetchError('refused_address', `${url.host} resolves to a private or local address; results from the web may not point there`));
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
      const res = await once(url, current, deadline, controller.signal);
      const location = res.headers.location;
      if (res.status < 300 || res.status > 399 || res.status === 304 || !location) return res;
      if (hops >= (limits.maxRedirects ?? 3)) throw new FetchError('redirects', `more than ${limits.maxRedirects ?? 3} redirects`);
      const next = new URL(location, url);
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
