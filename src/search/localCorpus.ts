// The offline, embedded search provider: a folder holding `pages.jsonl` (one page a line:
// id, title, url, text, optional image relative to the folder). Text search ranks pages
// by BM25+ (textIndex.ts); image search ranks page images by visual similarity
// (imageMatch.ts). Nothing leaves the machine, and nothing outside the folder is read
// (corpusFiles.ts).
//
// Opening a corpus at the start of a run is cheap: the folder and its pages.jsonl are
// checked, and the corpus is named by its content from a stat and a small record
// (corpusIdentity.ts). The indexes load at the first search that needs them: from their
// files in the index folder when the content is unchanged, else built once and stored.
// Problems (broken lines, refused images) reach the user through onProblems, each once:
// at open, those stored with the indexes of this very content; later, those a build finds.
import * as path from 'node:path';
import type { LineProblem } from '../core/jsonl';
import type { EncodedImage, ImageSearch, SearchHit, SearchOptions, SearchOutcome, TextSearch } from '../core/ports';
import { makeThumbnail } from '../vision/image';
import { openCorpusFolder, readImageFile, resolveImage, type CorpusFolder } from './corpusFiles';
import { fingerprintOf, identifyCorpus, writeRecord, type CorpusIdentity } from './corpusIdentity';
import { rankBySimilarity, signatureOf, type ImageSignature } from './imageMatch';
import { IndexFileError, writeIndexFile } from './indexFile';
import { hashPages, type PageRecord } from './pagesFile';
import { PAGES_INDEX_KIND, PagesIndex } from './pagesIndex';
import { snippetFor } from './snippet';
import { promises as fs } from 'node:fs';

export { CorpusError, PAGES_FILE } from './corpusFiles';

export interface CorpusOptions {
  /** Folder for the index files (the CLI and the extension use <cache>/index); without it, indexes live in memory only. */
  indexDir?: string;
  /** Problems with the corpus, each reported once, when they are found (`dir` is the corpus folder). */
  onProblems?: (problems: LineProblem[], dir: string) => void;
}

/** What a fully loaded corpus holds; for tests, the bench and tools. */
export interface CorpusSummary {
  pages: number;
  images: number;
  problems: LineProblem[];
}

interface IndexedImage {
  page: number;
  signature: ImageSignature;
  thumbnail: EncodedImage;
}

interface ImageSet {
  items: IndexedImage[];
  problems: LineProblem[];
}

/** The line of pages.jsonl a hit came from is no longer there: the file changed under the index. */
class StaleIndexError extends Error {}

function firstLine(e: unknown): string {
  return ((e as Error)?.message ?? String(e)).split('\n')[0]!.trim();
}

export class LocalCorpus {
  readonly textSearch: TextSearch;
  readonly imageSearch: ImageSearch;
  private pages?: Promise<PagesIndex>;
  private images?: Promise<ImageSet>;
  private readonly reported = new Set<string>();

  private constructor(
    private folder: CorpusFolder,
    private readonly identity: CorpusIdentity,
    private readonly options: CorpusOptions,
  ) {
    this.textSearch = { id: `${this.id}/text`, search: (q, o) => this.searchText(q, o) };
    this.imageSearch = { id: `${this.id}/image`, search: (img, o) => this.searchImage(img, o) };
  }

  /** Real path of the corpus folder. */
  get dir(): string {
    return this.folder.root;
  }

  /** Names the corpus and its content: a changed corpus gets a new id, so stale cache entries are never served. */
  get id(): string {
    return this.identity.id;
  }

  /** The check at the start of a run: throws CorpusError when the folder cannot serve as a corpus. Reads no pages. */
  static async open(dir: string, options: CorpusOptions = {}): Promise<LocalCorpus> {
    const folder = await openCorpusFolder(dir);
    const corpus = new LocalCorpus(folder, await identifyCorpus(folder, options.indexDir), options);
    await corpus.reportStoredProblems();
    return corpus;
  }

  /** Loads (or builds) every index; what the corpus holds and every problem found. */
  async load(): Promise<CorpusSummary> {
    const pages = await this.pagesIndex();
    const images = await this.imageSet();
    return { pages: pages.pageCount, images: images.items.length, problems: [...pages.problems, ...images.problems].sort((a, b) => a.line - b.line) };
  }

  private report(problems: readonly LineProblem[]): void {
    const fresh = problems.filter((p) => {
      const key = `${p.line}\n${p.message}`;
      if (this.reported.has(key)) return false;
      this.reported.add(key);
      return true;
    });
    if (fresh.length)
      this.options.onProblems?.(
        [...fresh].sort((a, b) => a.line - b.line),
        this.dir,
      );
  }

  private indexPath(kind: 'pages' | 'images', key: string): string | undefined {
    return this.options.indexDir ? path.join(this.options.indexDir, `${kind}-${key}.gidx`) : undefined;
  }

  /** Problems stored with the indexes of this content, told at once (a run served from the search cache never loads them). */
  private async reportStoredProblems(): Promise<void> {
    const file = this.indexPath('pages', this.identity.sha256);
    if (!file) return;
    const opened = await PagesIndex.openFile(file, this.identity.sha256);
    if (!opened) return;
    try {
      this.report(await PagesIndex.storedProblems(opened));
    } catch {
      // a corrupt file is rebuilt at the first search, which reports again
    }
  }

  /** The SHA-256 of pages.jsonl as it is now (the file may have changed since the run started). */
  private async currentSha(): Promise<string> {
    const st = await fs.stat(this.folder.pagesFile, { bigint: true });
    if (fingerprintOf(st) === this.identity.fingerprint) return this.identity.sha256;
    this.folder = { ...this.folder, pagesStat: st };
    return (await hashPages(this.folder)).sha256;
  }

  private pagesIndex(): Promise<PagesIndex> {
    this.pages ??= (async () => {
      const sha = await this.currentSha();
      const file = this.indexPath('pages', sha);
      if (file) {
        const opened = await PagesIndex.openFile(file, sha);
        if (opened) {
          try {
            const loaded = await PagesIndex.load(opened, sha, this.folder);
            this.report(loaded.problems);
            return loaded;
          } catch (e) {
            if (!(e instanceof IndexFileError)) throw e;
          }
        }
      }
      const built = await PagesIndex.build(this.folder);
      this.report(built.index.problems);
      const target = this.indexPath('pages', built.index.sha256);
      if (!target) return built.index;
      try {
        await writeIndexFile(target, PAGES_INDEX_KIND, built.index.sha256, built.meta, built.sections);
        await this.forgetOld('pages', built.index.sha256);
        const opened = await PagesIndex.openFile(target, built.index.sha256);
        return opened ? await built.index.withFile(opened) : built.index;
      } catch {
        return built.index; // an index folder that cannot be written: this run searches from memory
      }
    })();
    this.pages.catch(() => (this.pages = undefined));
    return this.pages;
  }

  /** Removes the index file this folder used before its content changed. */
  private async forgetOld(kind: 'pages' | 'images', key: string): Promise<void> {
    const { indexDir } = this.options;
    if (!indexDir) return;
    const record = this.identity.record;
    const old = record.indexed[kind];
    if (old && old !== key) await fs.rm(path.join(indexDir, `${kind}-${old}.gidx`), { force: true });
    record.indexed = { ...record.indexed, [kind]: key };
    await writeRecord(indexDir, record);
  }

  /** Runs a search on the loaded indexes; a corrupt or stale index is dropped and rebuilt once. */
  private async withPages<T>(run: (pages: PagesIndex) => Promise<T>): Promise<T> {
    try {
      return await run(await this.pagesIndex());
    } catch (e) {
      if (!(e instanceof IndexFileError || e instanceof StaleIndexError)) throw e;
      const file = this.pages ? this.indexPath('pages', (await this.pages).sha256) : undefined;
      if (file) await fs.rm(file, { force: true });
      this.pages = undefined;
      this.images = undefined;
      return run(await this.pagesIndex());
    }
  }

  private async pageOf(pages: PagesIndex, page: number): Promise<PageRecord> {
    const record = await pages.page(page);
    if (!record) throw new StaleIndexError();
    return record;
  }

  private hit(page: PageRecord, rank: number, provider: string, snippet: string, score: number, thumbnail?: EncodedImage): SearchHit {
    const hit: SearchHit = { rank, title: page.title, url: page.url, snippet, provider, score: Math.round(score * 1000) / 1000 };
    if (thumbnail) hit.thumbnail = thumbnail;
    return hit;
  }

  private async searchText(query: string, options: SearchOptions): Promise<SearchOutcome> {
    options.signal.throwIfAborted();
    const results = await this.withPages(async (pages) => {
      const found = await (await pages.textIndex()).search(query, options.topK);
      return Promise.all(
        found.map(async (f, i) => {
          const page = await this.pageOf(pages, f.page);
          return this.hit(page, i + 1, this.textSearch.id, snippetFor(page.text, query), f.score);
        }),
      );
    });
    return { results, cached: false };
  }

  /** Signatures and thumbnails of every page image, computed once, on first use. */
  private imageSet(): Promise<ImageSet> {
    this.images ??= (async () => {
      const pages = await this.pagesIndex();
      const items: IndexedImage[] = [];
      const problems: LineProblem[] = [];
      for (const { page, written } of pages.images) {
        const line = pages.lineOf(page);
        const resolved = await resolveImage(this.dir, written);
        if (!resolved.ok) {
          problems.push({ line, message: resolved.message });
          continue;
        }
        let bytes: Buffer;
        try {
          bytes = await readImageFile(resolved);
        } catch (e) {
          problems.push({ line, message: `image ${JSON.stringify(written)} could not be read: ${firstLine(e)}` });
          continue;
        }
        try {
          const [signature, thumbnail] = await Promise.all([signatureOf(bytes), makeThumbnail(bytes)]);
          items.push({ page, signature, thumbnail });
        } catch (e) {
          problems.push({ line, message: `image ${JSON.stringify(written)} could not be decoded (corrupt or truncated?): ${firstLine(e)}` });
        }
      }
      this.report(problems);
      return { items, problems };
    })();
    this.images.catch(() => (this.images = undefined));
    return this.images;
  }

  private async searchImage(image: EncodedImage, options: SearchOptions): Promise<SearchOutcome> {
    const [set, query] = await Promise.all([this.imageSet(), signatureOf(image.data)]);
    options.signal.throwIfAborted();
    const pages = await this.pagesIndex();
    const ranked = rankBySimilarity(
      query,
      set.items.map((item) => ({ item, signature: item.signature })),
    );
    const results = await Promise.all(
      ranked.slice(0, options.topK).map(async (r, i) => {
        const page = await this.pageOf(pages, r.item.page);
        return this.hit(page, i + 1, this.imageSearch.id, snippetFor(page.text), r.score, r.item.thumbnail);
      }),
    );
    return { results, cached: false };
  }
}
