// The offline, embedded search provider: a folder holding `pages.jsonl` (one page a line:
// id, title, url, text, optional image relative to the folder). Text search ranks pages
// by BM25+ (MiniSearch); image search ranks page images by visual similarity
// (imageMatch.ts). Nothing leaves the machine.
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import MiniSearch from 'minisearch';
import type { LineProblem } from '../core/jsonl';
import type { EncodedImage, ImageSearch, SearchHit, SearchOptions, SearchOutcome, TextSearch } from '../core/ports';
import { makeThumbnail } from '../vision/image';
import { openCorpusFolder, readImageFile, resolveImage } from './corpusFiles';
import { rankBySimilarity, signatureOf, type ImageSignature } from './imageMatch';
import { readPages } from './pagesFile';
import { snippetFor } from './snippet';

export { CorpusError, PAGES_FILE } from './corpusFiles';

export interface CorpusPage {
  id: string;
  title: string;
  url: string;
  text: string;
  /** The page's image: as written in pages.jsonl, and the regular file inside the corpus folder it resolved to. */
  image?: { written: string; path: string; dev: number; ino: number };
  line: number;
}

export interface CorpusOptions {
  /** Problems found after loading (an image that cannot be decoded, found at the first image search), when they are found. */
  onProblems?: (problems: LineProblem[], dir: string) => void;
}

interface IndexedImage {
  page: CorpusPage;
  signature: ImageSignature;
  thumbnail: EncodedImage;
}

function firstLine(e: unknown): string {
  return ((e as Error)?.message ?? String(e)).split('\n')[0]!.trim();
}

export class LocalCorpus {
  private imageIndex?: Promise<IndexedImage[]>;
  private readonly text: MiniSearch<CorpusPage>;
  private readonly byId = new Map<string, CorpusPage>();
  readonly textSearch: TextSearch;
  readonly imageSearch: ImageSearch;

  private constructor(
    readonly dir: string,
    readonly pages: CorpusPage[],
    /** Problems found while loading: broken lines, missing images. The rest loaded. */
    readonly problems: LineProblem[],
    /** Names the corpus and its content: a changed corpus gets a new id, so stale cache entries are never served. */
    readonly id: string,
    private readonly options: CorpusOptions,
  ) {
    this.text = new MiniSearch<CorpusPage>({ fields: ['title', 'text'], idField: 'id' });
    this.text.addAll(pages);
    for (const p of pages) this.byId.set(p.id, p);
    this.textSearch = { id: `${id}/text`, search: (q, o) => this.searchText(q, o) };
    this.imageSearch = { id: `${id}/image`, search: (img, o) => this.searchImage(img, o) };
  }

  static async load(dir: string, options: CorpusOptions = {}): Promise<LocalCorpus> {
    const folder = await openCorpusFolder(dir);
    const pages: CorpusPage[] = [];
    const read = await readPages(folder, ({ line, page }) => {
      const { id, title, url, text } = page;
      pages.push({ id, title, url, text, line, ...(page.image ? { image: { written: page.image, path: '', dev: 0, ino: 0 } } : {}) });
    });
    const problems = [...read.problems];
    const stamp = createHash('sha256').update(read.sha256);
    for (const page of pages) {
      if (!page.image) continue;
      const resolved = await resolveImage(folder.root, page.image.written);
      if (!resolved.ok) {
        problems.push({ line: page.line, message: resolved.message });
        delete page.image;
        continue;
      }
      page.image = { written: page.image.written, path: resolved.path, dev: resolved.dev, ino: resolved.ino };
      stamp.update(`${page.image.written}:${resolved.size}:${resolved.mtimeMs}`);
    }
    problems.sort((a, b) => a.line - b.line);
    const id = `local-corpus:${path.basename(folder.root)}@${stamp.digest('hex').slice(0, 12)}`;
    return new LocalCorpus(folder.root, pages, problems, id, options);
  }

  private hit(page: CorpusPage, rank: number, provider: string, snippet: string, score: number, thumbnail?: EncodedImage): SearchHit {
    const hit: SearchHit = { rank, title: page.title, url: page.url, snippet, provider, score: Math.round(score * 1000) / 1000 };
    if (thumbnail) hit.thumbnail = thumbnail;
    return hit;
  }

  private async searchText(query: string, options: SearchOptions): Promise<SearchOutcome> {
    options.signal.throwIfAborted();
    const found = this.text.search(query, { boost: { title: 2 }, fuzzy: 0.15, prefix: (term) => term.length > 3 });
    const results = found
      .slice(0, options.topK)
      .map((r, i) => this.hit(this.byId.get(r.id as string)!, i + 1, this.textSearch.id, snippetFor(this.byId.get(r.id as string)!.text, query), r.score));
    return { results, cached: false };
  }

  /** Signatures and thumbnails of every page image, computed once, on first use. */
  private images(): Promise<IndexedImage[]> {
    this.imageIndex ??= (async () => {
      const out: IndexedImage[] = [];
      const found: LineProblem[] = [];
      for (const page of this.pages) {
        if (!page.image) continue;
        let bytes: Buffer;
        try {
          bytes = await readImageFile(page.image);
        } catch (e) {
          found.push({ line: page.line, message: `image ${JSON.stringify(page.image.written)} could not be read: ${firstLine(e)}` });
          continue;
        }
        try {
          const [signature, thumbnail] = await Promise.all([signatureOf(bytes), makeThumbnail(bytes)]);
          out.push({ page, signature, thumbnail });
        } catch (e) {
          found.push({ line: page.line, message: `image ${JSON.stringify(page.image.written)} could not be decoded (corrupt or truncated?): ${firstLine(e)}` });
        }
      }
      if (found.length) {
        this.problems.push(...found);
        this.options.onProblems?.(found, this.dir);
      }
      return out;
    })();
    return this.imageIndex;
  }

  private async searchImage(image: EncodedImage, options: SearchOptions): Promise<SearchOutcome> {
    const [index, query] = await Promise.all([this.images(), signatureOf(image.data)]);
    options.signal.throwIfAborted();
    const ranked = rankBySimilarity(
      query,
      index.map((item) => ({ item, signature: item.signature })),
    );
    const results = ranked
      .slice(0, options.topK)
      .map((r, i) => this.hit(r.item.page, i + 1, this.imageSearch.id, snippetFor(r.item.page.text), r.score, r.item.thumbnail));
    return { results, cached: false };
  }
}
