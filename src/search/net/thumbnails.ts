// Result thumbnails from the web, fetched by the host, never by the webview: each one
// within a size, type and time limit (redirects capped), from public addresses only unless
// allowed, decoded and re-encoded by sharp into a small JPEG, so nothing the web sent is
// stored or shown as it came. All of a result list's thumbnails download in parallel.
import type { EncodedImage } from '../../core/ports';
import { makeThumbnail } from '../../vision/image';
import type { ThumbnailFetcher } from '../kit';
import { boundedFetch } from '../../net/boundedFetch';

export interface ThumbnailLimits {
  /** Per image: connecting, redirects and the whole body. */
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  /** Allow loopback and private addresses (tests, an intranet search engine). */
  allowPrivate: boolean;
  /** Longest side of the stored thumbnail. */
  maxSide: number;
}

export const DEFAULT_THUMBNAIL_LIMITS: ThumbnailLimits = {
  timeoutMs: 10_000,
  maxBytes: 8 * 1024 * 1024,
  maxRedirects: 3,
  allowPrivate: false,
  maxSide: 256,
};

/** A thumbnail from the web larger than this (40 megapixels) is a decompression bomb, not a picture. */
const WEB_IMAGE_MAX_PIXELS = 40_000_000;

/** Images a browser would show; anything else (HTML error pages, SVG with scripts) is not decoded. */
const IMAGE_TYPES = /^image\/(jpeg|jpg|pjpeg|png|webp|gif|avif|heic|heif|tiff|bmp|x-ms-bmp)$/i;

/** Thumbnails carried inline as data: URLs (some providers send them so) are decoded the same way. */
function fromDataUrl(url: string, maxBytes: number): Buffer | undefined {
  const m = /^data:(image\/[a-z0-9.+-]+);base64,([a-z0-9+/=\s]+)$/i.exec(url);
  if (!m || !IMAGE_TYPES.test(m[1]!)) return undefined;
  const bytes = Buffer.from(m[2]!, 'base64');
  return bytes.length <= maxBytes ? bytes : undefined;
}

export function thumbnailFetcher(
  limits: Partial<ThumbnailLimits> = {},
): ThumbnailFetcher & { fetchOne(url: string, signal: AbortSignal): Promise<EncodedImage> } {
  const l = { ...DEFAULT_THUMBNAIL_LIMITS, ...limits };
  async function fetchOne(url: string, signal: AbortSignal): Promise<EncodedImage> {
    let bytes = url.startsWith('data:') ? fromDataUrl(url, l.maxBytes) : undefined;
    if (!bytes) {
      if (url.startsWith('data:')) throw new Error('an inline image that is not a supported picture');
      const res = await boundedFetch(url, {
        timeoutMs: l.timeoutMs,
        maxBytes: l.maxBytes,
        maxRedirects: l.maxRedirects,
        publicOnly: !l.allowPrivate,
        headers: { accept: 'image/avif,image/webp,image/png,image/jpeg,image/*;q=0.8' },
        signal,
      });
      if (res.status !== 200) throw new Error(`answered ${res.status}`);
      const type = String(res.headers['content-type'] ?? '')
        .split(';')[0]!
        .trim();
      if (!IMAGE_TYPES.test(type)) throw new Error(`sent ${type || 'no content type'}, not an image`);
      bytes = res.body;
    }
    return makeThumbnail(bytes, l.maxSide, WEB_IMAGE_MAX_PIXELS);
  }
  return {
    fetchOne,
    fetchAll: (urls, signal) => Promise.all(urls.map((u) => (u ? fetchOne(u, signal).catch(() => undefined) : Promise.resolve(undefined)))),
  };
}
