// Reads a result's page by fetching it from here: within the provider's time limit and
// retries, at most 5 MB, redirects capped, and (since the URL came from the web) never from
// loopback or private addresses unless allowed. Only HTML and plain text are read; HTML
// becomes readable text (htmlText.ts). Nothing the page contains is run or fetched.
import type { HttpPolicy, PageReader } from '../kit';
import { ProviderError } from '../kit';
import { htmlToPageText, type PageText } from './htmlText';
import { requestService, statusError } from './request';

export interface DirectReaderOptions {
  /** Read pages on loopback and private addresses too: tests, an intranet search engine. */
  allowPrivate?: boolean;
  /** Bytes of a page read at most (default 5 MB); a larger page is an error. */
  maxBytes?: number;
}

export const DIRECT_READER_LABEL = 'Page reader';
const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;
// Some sites refuse requests without a browser-like agent; this one says what it is.
const USER_AGENT = 'Mozilla/5.0 (compatible; GlanceOrGazeStudio; page reader)';

export function directReader(policy: HttpPolicy, options: DirectReaderOptions = {}): PageReader {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  return {
    id: 'direct',
    async read(url, signal) {
      const target = httpUrl(url, DIRECT_READER_LABEL);
      // The host tells the user which page failed; the path and query may carry anything.
      const provider = `${DIRECT_READER_LABEL} (${target.host})`;
      const res = await requestService(
        {
          provider,
          url: target.href,
          headers: { accept: 'text/html,application/xhtml+xml,text/plain;q=0.9', 'user-agent': USER_AGENT },
          maxBytes,
          maxRedirects: 5,
          publicOnly: !options.allowPrivate,
        },
        policy,
        signal,
      );
      if (res.status < 200 || res.status > 299) throw statusError({ provider }, res);
      const contentType = String(res.headers['content-type'] ?? '');
      let page: PageText | undefined;
      try {
        page = pageText(res.body, contentType);
      } catch (e) {
        throw new ProviderError(provider, e instanceof Error ? e.message : String(e), true);
      }
      if (!page) throw new ProviderError(provider, `sent ${mimeOf(contentType) || 'no content type'}, not a web page`, true);
      if (!page.text) throw new ProviderError(provider, 'the page has no readable text', true);
      return page;
    },
  };
}

/** The URL as a URL object if it is http(s); otherwise a permanent ProviderError. */
export function httpUrl(url: string, provider: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ProviderError(provider, 'the result has no valid page URL', true);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ProviderError(provider, `only http and https pages are read, not ${u.protocol}`, true);
  u.hash = '';
  return u;
}

function mimeOf(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

function pageText(body: Buffer, contentType: string): PageText | undefined {
  const mime = mimeOf(contentType);
  switch (mime) {
    case 'text/html':
    case 'application/xhtml+xml':
      return htmlToPageText(decode(body, charsetOf(contentType) ?? sniffCharset(body)));
    case 'text/plain':
      return { text: decode(body, charsetOf(contentType)).trim() };
    default:
      return undefined;
  }
}

function charsetOf(contentType: string): string | undefined {
  return /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType)?.[1];
}

/** A <meta charset> (or http-equiv) near the start of the page, as browsers look for it. */
function sniffCharset(body: Buffer): string | undefined {
  const head = body.subarray(0, 4096).toString('latin1');
  return /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(head)?.[1];
}

/** Bytes as text in the page's charset; an unknown label reads as UTF-8 (a BOM wins, as in browsers). */
function decode(body: Buffer, charset: string | undefined): string {
  const bom = body[0] === 0xff && body[1] === 0xfe ? 'utf-16le' : body[0] === 0xfe && body[1] === 0xff ? 'utf-16be' : undefined;
  try {
    return new TextDecoder(bom ?? charset ?? 'utf-8').decode(body);
  } catch {
    return new TextDecoder('utf-8').decode(body);
  }
}
