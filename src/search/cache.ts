// A disk cache in front of every search provider, keyed by a hash of the request (provider
// id, tool, topK, query text or image bytes), so reruns are reproducible and free.
// One JSON file per request, written atomically; an unreadable entry is a miss.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ImageSearch, SearchHit, SearchOutcome, TextSearch } from '../core/ports';
import { writeFileAtomic } from '../data/atomicFile';

const CACHE_VERSION = 1;

interface StoredHit extends Omit<SearchHit, 'thumbnail'> {
  thumbnail?: { data: string; width: number; height: number };
}

export class SearchCache {
  constructor(readonly dir: string) {}

  static key(parts: Record<string, string | number>): string {
    return createHash('sha256')
      .update(JSON.stringify({ v: CACHE_VERSION, ...parts }))
      .digest('hex');
  }

  private file(key: string): string {
    return path.join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  async get(key: string): Promise<SearchHit[] | undefined> {
    let text: string;
    try {
      text = await fs.readFile(this.file(key), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const stored = JSON.parse(text) as { version: number; results: StoredHit[] };
      if (stored.version !== CACHE_VERSION || !Array.isArray(stored.results)) return undefined;
      return stored.results.map(({ thumbnail, ...hit }) =>
        thumbnail
          ? {
              ...hit,
              thumbnail: { data: Buffer.from(thumbnail.data, 'base64'), width: thumbnail.width, height: thumbnail.height, mime: 'image/jpeg' as const },
            }
          : hit,
      );
    } catch {
      return undefined;
    }
  }

  async put(key: string, provider: string, results: SearchHit[]): Promise<void> {
    const stored: StoredHit[] = results.map(({ thumbnail, ...hit }) =>
      thumbnail ? { ...hit, thumbnail: { data: thumbnail.data.toString('base64'), width: thumbnail.width, height: thumbnail.height } } : hit,
    );
    await writeFileAtomic(this.file(key), JSON.stringify({ version: CACHE_VERSION, provider, created: new Date().toISOString(), results: stored }));
  }

  /** Looks the key up, or runs the search and stores what it found. A failed store is not a failed search. */
  async through(key: string, provider: string, run: () => Promise<SearchOutcome>): Promise<SearchOutcome> {
    const hit = await this.get(key);
    if (hit) return { results: hit, cached: true };
    const outcome = await run();
    await this.put(key, provider, outcome.results).catch(() => undefined);
    return outcome;
  }
}

export function cachedTextSearch(provider: TextSearch, cache: SearchCache): TextSearch {
  return {
    id: provider.id,
    search: (query, options) =>
      cache.through(SearchCache.key({ provider: provider.id, tool: 'text', topK: options.topK, query }), provider.id, () => provider.search(query, options)),
  };
}

export function cachedImageSearch(provider: ImageSearch, cache: SearchCache): ImageSearch {
  return {
    id: provider.id,
    search: (image, options) => {
      const sha = createHash('sha256').update(image.data).digest('hex');
      return cache.through(SearchCache.key({ provider: provider.id, tool: 'image', topK: options.topK, image: sha }), provider.id, () =>
        provider.search(image, options),
      );
    },
  };
}
