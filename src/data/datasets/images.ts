// A sample's image as a file the agent can read: a file of the dataset as it is; bytes from
// the record written once to the cache, named by their hash; a URL downloaded once by this
// host, within time, size and redirect limits (and not from this machine or the local
// network unless allowed: the URL comes from a file someone else made), then cached by URL.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { boundedFetch, FetchError } from '../../net/boundedFetch';
import { WriteFailed } from '../../core/files';
import { sha256Hex } from '../../core/sha256';
import { writeFileAtomic } from '../../core/atomicFile';
import type { ImageRef } from './sample';

export interface ImageFetchLimits {
  timeoutMs: number;
  maxBytes: number;
  retries: number;
  allowPrivateUrls: boolean;
}

export class DatasetImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetImageError';
  }
}

/** A refused image URL says whose URL it was and what allows it. */
const DATASET_REFUSAL_HINT =
  "a dataset's image URLs may not point at this machine or the local network unless allowed (setting gog.search.allowPrivateUrls, CLI --allow-private-urls)";

const sha = (data: string | Uint8Array) => (typeof data === 'string' ? createHash('sha256').update(data).digest('hex') : sha256Hex(data));

/**
 * Whether the cache holds `file` as its own regular file. The cache may come with a cloned
 * workspace: anything else there (a link to a photo elsewhere on this machine, which would be
 * sent to the model) is removed (the link itself, never what it points to) and made anew.
 */
async function cached(file: string): Promise<boolean> {
  const folder = await fs.lstat(path.dirname(file)).catch(() => undefined);
  if (folder && !folder.isDirectory()) throw new DatasetImageError(`${path.dirname(file)} is a link or not a folder; dataset images are not kept there`);
  const st = await fs.lstat(file).catch(() => undefined);
  if (!st) return false;
  if (st.isFile()) return true;
  await fs.rm(file, { force: true }).catch(() => undefined);
  return false;
}

async function writeOnce(file: string, data: Uint8Array): Promise<void> {
  if (await cached(file)) return;
  // Whole or not at all: a full disk leaves no torn image (and no temporary file) behind.
  await writeFileAtomic(file, data, { durable: false });
}

export class DatasetImages {
  private readonly downloads = new Map<string, Promise<string>>();

  constructor(
    /** Where record bytes and downloads are kept (a cache: safe to delete). */
    readonly cacheDir: string,
    private readonly limits: ImageFetchLimits,
  ) {}

  /** A file holding the image; a DatasetImageError in one line when it cannot be had. */
  async file(ref: ImageRef, signal?: AbortSignal): Promise<string> {
    switch (ref.kind) {
      case 'file':
        return ref.path;
      case 'bytes': {
        const file = path.join(this.cacheDir, `bytes-${sha(ref.data)}`);
        await writeOnce(file, ref.data);
        return file;
      }
      case 'url': {
        let pending = this.downloads.get(ref.url);
        if (!pending) {
          pending = this.download(ref.url, signal);
          this.downloads.set(ref.url, pending);
          // A failed download may be tried again by a later sample.
          pending.catch(() => this.downloads.delete(ref.url));
        }
        return pending;
      }
    }
  }

  private async download(url: string, signal?: AbortSignal): Promise<string> {
    const file = path.join(this.cacheDir, `url-${sha(url)}`);
    if (await cached(file)) return file;
    const shown = url.length > 120 ? `${url.slice(0, 117)}…` : url;
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await boundedFetch(url, {
          timeoutMs: this.limits.timeoutMs,
          maxBytes: this.limits.maxBytes,
          maxRedirects: 3,
          publicOnly: !this.limits.allowPrivateUrls,
          refusalHint: DATASET_REFUSAL_HINT,
          headers: { accept: 'image/*' },
          ...(signal ? { signal } : {}),
        });
        if (res.status >= 500 && attempt < this.limits.retries) continue;
        if (res.status !== 200) throw new DatasetImageError(`the image ${shown} answered HTTP ${res.status}`);
        if (!res.body.length) throw new DatasetImageError(`the image ${shown} is empty`);
        await writeOnce(file, res.body);
        return file;
      } catch (e) {
        if (e instanceof DatasetImageError || e instanceof WriteFailed) throw e;
        const reason = e instanceof FetchError ? e.reason : 'network';
        if ((reason === 'network' || reason === 'timeout') && attempt < this.limits.retries && !signal?.aborted) continue;
        throw new DatasetImageError(`the image ${shown} could not be downloaded: ${(e as Error).message.split('\n')[0]}`);
      }
    }
  }
}
