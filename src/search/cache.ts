// A disk cache in front of every search provider, shared by the `gog` command and the
// extension (both use .gog/cache of the folder they work in): a request (provider, tool,
// topK, query text or image hash) is answered from disk when it was answered before, so
// reruns are reproducible and make no requests at all. One JSON file per request, written
// atomically, in a folder per provider (so stats and clearing per provider need no reads);
// an unreadable entry is a miss. The cache stays under a size cap: past it, the entries used
// longest ago go first (a hit touches its file's time).
// A cache may arrive with a cloned workspace, so nothing in it is trusted: the cache folder
// itself may be a link (a cache kept on another disk) and is taken at its real path, but no
// link below it is followed, for reading, writing, counting or deleting; only regular files
// named like entries, in the cache's own folders, are ever removed.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ImageSearch, SearchHit, SearchOutcome, TextSearch } from '../core/ports';
import { isInside, readFolderFile } from '../core/folderFile';
import { writeFileAtomic } from '../core/atomicFile';

/** Bumped when the stored shape changes: older entries are then misses, never misread. */
const CACHE_VERSION = 2;
/** Search results live here under the cache folder (indexes and other caches beside it). */
export const SEARCH_CACHE_DIR = 'search';
export const DEFAULT_CACHE_MAX_BYTES = 1024 * 1024 * 1024;

/** An entry's file name: the request's sha256, its first two digits naming the folder it is in. */
const ENTRY_NAME = /^[0-9a-f]{64}\.json$/;
/** Far above any stored answer (ten results with thumbnails and page texts). */
const MAX_ENTRY_BYTES = 256 * 1024 * 1024;

interface Entry {
  file: string;
  provider: string;
  bytes: number;
  used: number;
}

interface StoredHit extends Omit<SearchHit, 'thumbnail'> {
  thumbnail?: { data: string; width: number; height: number };
}

interface StoredEntry {
  version: number;
  provider: string;
  created: string;
  results: StoredHit[];
  /** The address a service that takes image URLs searched (SearchOutcome.searchedUrl). */
  searchedUrl?: string;
}

/** A folder name for a provider id (which may hold `:`, `/` and a URL): readable, and unique by its hash. */
export function providerFolder(provider: string): string {
  const readable = provider
    .replace(/[^\w.-]+/g, '_')
    .replace(/^[_.]+/, '')
    .slice(0, 60);
  return `${readable || 'provider'}-${createHash('sha256').update(provider).digest('hex').slice(0, 8)}`;
}

export interface CacheStats {
  entries: number;
  bytes: number;
  providers: { provider: string; entries: number; bytes: number }[];
}

export class SearchCache {
  /** Bytes in the cache as this process last counted them; undefined until first needed. */
  private size: number | undefined;
  private counting: Promise<number> | undefined;

  constructor(
    /** The cache folder (.gog/cache); results go in its search/ folder. */
    readonly dir: string,
    readonly maxBytes = DEFAULT_CACHE_MAX_BYTES,
  ) {}

  private get root(): string {
    return path.join(this.dir, SEARCH_CACHE_DIR);
  }

  static key(parts: Record<string, string | number>): string {
    return createHash('sha256')
      .update(JSON.stringify({ v: CACHE_VERSION, ...parts }))
      .digest('hex');
  }

  private file(provider: string, key: string): string {
    return path.join(this.root, providerFolder(provider), key.slice(0, 2), `${key}.json`);
  }

  async get(provider: string, key: string): Promise<SearchHit[] | undefined> {
    return (await this.getEntry(provider, key))?.results;
  }

  private async getEntry(provider: string, key: string): Promise<{ results: SearchHit[]; searchedUrl?: string } | undefined> {
    const file = this.file(provider, key);
    let text: string;
    try {
      // Only a regular file whose real path is inside the cache: never a link out, never a pipe.
      const bytes = await readFolderFile(this.dir, file, { what: 'search cache', maxBytes: MAX_ENTRY_BYTES });
      if (!bytes) return undefined;
      text = bytes.toString('utf8');
    } catch {
      return undefined;
    }
    try {
      const stored = JSON.parse(text) as StoredEntry;
      if (stored.version !== CACHE_VERSION || !Array.isArray(stored.results)) return undefined;
      // Used now: the last to go when the cache is trimmed. Not worth failing a hit over.
      const now = new Date();
      void fs.utimes(file, now, now).catch(() => undefined);
      const results = stored.results.map(({ thumbnail, ...hit }) =>
        thumbnail
          ? {
              ...hit,
              thumbnail: { data: Buffer.from(thumbnail.data, 'base64'), width: thumbnail.width, height: thumbnail.height, mime: 'image/jpeg' as const },
            }
          : hit,
      );
      return typeof stored.searchedUrl === 'string' ? { results, searchedUrl: stored.searchedUrl } : { results };
    } catch {
      return undefined;
    }
  }

  async put(provider: string, key: string, results: SearchHit[], searchedUrl?: string): Promise<void> {
    const stored: StoredEntry = {
      version: CACHE_VERSION,
      provider,
      created: new Date().toISOString(),
      results: results.map(({ thumbnail, ...hit }) =>
        thumbnail ? { ...hit, thumbnail: { data: thumbnail.data.toString('base64'), width: thumbnail.width, height: thumbnail.height } } : hit,
      ),
      ...(searchedUrl ? { searchedUrl } : {}),
    };
    const text = JSON.stringify(stored);
    const file = this.file(provider, key);
    // The entry's folders are the cache's own: each made here or found a real folder, never a link followed.
    await fs.mkdir(this.dir, { recursive: true });
    let folder = this.dir;
    for (const part of path.relative(this.dir, path.dirname(file)).split(path.sep)) {
      folder = path.join(folder, part);
      await fs.mkdir(folder).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'EEXIST') throw e;
      });
      if (!(await fs.lstat(folder)).isDirectory()) throw new Error(`${folder} is not a folder of the search cache (a link?); the result is not stored`);
    }
    // No fsync: an entry a crash leaves empty does not parse, and is a miss; every search stays off the disk's flush.
    await writeFileAtomic(file, text, { durable: false });
    const size = (await this.currentSize()) + Buffer.byteLength(text);
    this.size = size;
    if (size > this.maxBytes) await this.trim();
  }

  /** Looks the key up, or runs the search and stores what it found. A failed store is not a failed search. */
  async through(provider: string, key: string, run: () => Promise<SearchOutcome>): Promise<SearchOutcome> {
    const hit = await this.getEntry(provider, key);
    if (hit) return { ...hit, cached: true };
    const outcome = await run();
    // Errors are not cached (they are thrown); an empty answer is, like any other answer.
    await this.put(provider, key, outcome.results, outcome.searchedUrl).catch(() => undefined);
    return outcome;
  }

  /**
   * The entries on disk: `search/<provider>/<2 hex>/<64 hex>.json`, regular files only. No
   * link is followed (a folder that is a link is not entered, a file that is a link is not an
   * entry), so stats, trimming and clearing never reach outside the cache.
   */
  private async entries(): Promise<Entry[]> {
    const out: Entry[] = [];
    const subfolders = async (dir: string, name: RegExp) =>
      (await fs.readdir(dir, { withFileTypes: true }).catch(() => [])).filter((d) => d.isDirectory() && name.test(d.name)).map((d) => d.name);
    const top = await fs.lstat(this.root).catch(() => undefined);
    if (!top?.isDirectory()) return out;
    for (const p of await subfolders(this.root, /^[\w.-]+$/)) {
      for (const s of await subfolders(path.join(this.root, p), /^[0-9a-f]{2}$/)) {
        const dir = path.join(this.root, p, s);
        const files = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
        for (const f of files) {
          if (!f.isFile() || !ENTRY_NAME.test(f.name) || !f.name.startsWith(s)) continue;
          const file = path.join(dir, f.name);
          const st = await fs.lstat(file).catch(() => undefined);
          if (st?.isFile()) out.push({ file, provider: p, bytes: st.size, used: st.mtimeMs });
        }
      }
    }
    return out;
  }

  /**
   * Removes one entry: only a regular file (a link is never deleted through), and only when
   * the folder it is in is, by its real path, inside the cache's real path (a folder swapped
   * for a link since the listing is not gone into).
   */
  private async remove(entry: Entry, root: string): Promise<boolean> {
    const [st, folder] = await Promise.all([fs.lstat(entry.file).catch(() => undefined), fs.realpath(path.dirname(entry.file)).catch(() => undefined)]);
    if (!st?.isFile() || !folder || !isInside(root, folder)) return false;
    await fs.unlink(path.join(folder, path.basename(entry.file))).catch(() => undefined);
    return true;
  }

  private currentSize(): Promise<number> {
    if (this.size !== undefined) return Promise.resolve(this.size);
    this.counting ??= this.entries().then((list) => list.reduce((n, e) => n + e.bytes, 0));
    return this.counting;
  }

  /** Removes the entries used longest ago until the cache is under nine tenths of its cap. */
  async trim(): Promise<number> {
    const root = await fs.realpath(this.dir).catch(() => undefined);
    if (!root) return 0;
    const list = (await this.entries()).sort((a, b) => a.used - b.used);
    let size = list.reduce((n, e) => n + e.bytes, 0);
    let removed = 0;
    for (const e of list) {
      if (size <= this.maxBytes * 0.9) break;
      if (!(await this.remove(e, root))) continue;
      size -= e.bytes;
      removed++;
    }
    this.size = size;
    return removed;
  }

  async stats(): Promise<CacheStats> {
    const byFolder = new Map<string, { entries: number; bytes: number; sample: string }>();
    for (const e of await this.entries()) {
      const p = byFolder.get(e.provider) ?? { entries: 0, bytes: 0, sample: e.file };
      p.entries++;
      p.bytes += e.bytes;
      byFolder.set(e.provider, p);
    }
    // A folder's name is a digest of the provider id; one entry of it says the id itself.
    const named = async (folder: string, sample: string) => {
      try {
        const bytes = await readFolderFile(this.dir, sample, { what: 'search cache', maxBytes: MAX_ENTRY_BYTES });
        const stored = JSON.parse(bytes?.toString('utf8') ?? '') as Partial<StoredEntry>;
        return typeof stored.provider === 'string' ? stored.provider : folder;
      } catch {
        return folder;
      }
    };
    const providers = (
      await Promise.all([...byFolder].map(async ([folder, s]) => ({ provider: await named(folder, s.sample), entries: s.entries, bytes: s.bytes })))
    ).sort((a, b) => b.bytes - a.bytes);
    return { entries: providers.reduce((n, p) => n + p.entries, 0), bytes: providers.reduce((n, p) => n + p.bytes, 0), providers };
  }

  /** Removes every cached search (or one provider's); returns how many entries went. */
  async clear(provider?: string): Promise<number> {
    const root = await fs.realpath(this.dir).catch(() => undefined);
    if (!root) return 0;
    const list = await this.entries();
    const folder = provider === undefined ? undefined : providerFolder(provider);
    const chosen = folder === undefined ? list : list.filter((e) => e.provider === folder || e.provider === provider);
    let removed = 0;
    for (const e of chosen) if (await this.remove(e, root)) removed++;
    this.size = undefined;
    this.counting = undefined;
    return removed;
  }
}

export function cachedTextSearch(provider: TextSearch, cache: SearchCache): TextSearch {
  return {
    id: provider.id,
    ...(provider.perQuestion ? { perQuestion: true } : {}),
    search: (query, options) =>
      cache.through(
        provider.id,
        SearchCache.key({
          provider: provider.id,
          tool: 'text',
          topK: options.topK,
          query,
          ...(provider.perQuestion ? { question: options.question ?? '' } : {}),
        }),
        () => provider.search(query, options),
      ),
  };
}

export function cachedImageSearch(provider: ImageSearch, cache: SearchCache): ImageSearch {
  return {
    id: provider.id,
    search: (image, options) => {
      const sha = createHash('sha256').update(image.data).digest('hex');
      // A service that takes URLs searches the image's own URL when it has one: part of the request.
      const key = SearchCache.key({
        provider: provider.id,
        tool: 'image',
        topK: options.topK,
        image: sha,
        ...(options.imageUrl ? { url: options.imageUrl } : {}),
      });
      return cache.through(provider.id, key, () => provider.search(image, options));
    },
  };
}
