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
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { LineProblem } from '../core/jsonl';
import type { EncodedImage, ImageSearch, SearchHit, SearchOptions, SearchOutcome, TextSearch } from '../core/ports';
import { openCorpusFolder, type CorpusFolder } from './corpusFiles';
import { fingerprintOf, identifyCorpus, imageStamps, writeRecord, type CorpusIdentity } from './corpusIdentity';
import { folderDataStore, memoryDataStore } from './imageData';
import { describeQuery, IMAGES_INDEX_KIND, ImageIndex, imageIndexMeta, type ImageProblem, type ImageRef } from './imageIndex';
import { IndexFile, IndexFileError, writeIndexFile } from './indexFile';
import { hashPages, type PageRecord } from './pagesFile';
import { PAGES_INDEX_KIND, PagesIndex } from './pagesIndex';
import { snippetFor } from './snippet';

export { CorpusError, PAGES_FILE } from './corpusFiles';

export interface CorpusOptions {
  /** Folder for the index files (the CLI and the extension use <cache>/index); without it, indexes live in memory only. */
  indexDir?: string;
  /** Problems with the corpus, each reported once, when they are found (`dir` is the corpus folder). */
  onProblems?: (problems: LineProblem[], dir: string) => void;
  /** A build of the image index (the first image search of a corpus: minutes for thousands of images), as it goes. */
  onIndexing?: (progress: IndexProgress) => void;
  /** Something the user should know that is not a problem with the corpus (an index folder not used), one line. */
  onNotice?: (line: string) => void;
}

/** Whether `dir` (and its `sub` folder, where present) are absent or real folders: never links. */
async function ownFolder(dir: string, sub: string): Promise<boolean> {
  for (const p of [dir, path.join(dir, sub)]) {
    const st = await fs.lstat(p).catch(() => undefined);
    if (st && !st.isDirectory()) return false;
  }
  return true;
}

/** How far a build of the corpus's image index has come. */
export interface IndexProgress {
  dir: string;
  done: number;
  total: number;
}

/** One line for a person: what is being built, how far, and that it happens once. */
export function describeIndexing(p: IndexProgress): string {
  const n = (x: number) => x.toLocaleString('en');
  return p.done < p.total
    ? `indexing the images of the local corpus ${p.dir} (once; later runs load the index): ${n(p.done)} of ${n(p.total)}`
    : `indexed the ${n(p.total)} images of the local corpus ${p.dir}`;
}

/** What a fully loaded corpus holds; for tests, the bench and tools. */
export interface CorpusSummary {
  pages: number;
  images: number;
  problems: LineProblem[];
}

/** The line of pages.jsonl a hit came from is no longer there: the file changed under the index. */
class StaleIndexError extends Error {}

/** A damaged index file met during a search, and which index it belongs to. */
class DamagedIndexError extends Error {
  constructor(
    readonly kind: 'pages' | 'images',
    cause: IndexFileError,
  ) {
    super(cause.message);
  }
}

/** Tags a damaged-file error with the index it came from. */
function from<T>(kind: 'pages' | 'images', work: Promise<T>): Promise<T> {
  return work.catch((e: unknown) => {
    throw e instanceof IndexFileError ? new DamagedIndexError(kind, e) : e;
  });
}

export class LocalCorpus {
  readonly textSearch: TextSearch;
  readonly imageSearch: ImageSearch;
  private pages?: Promise<PagesIndex>;
  private images?: Promise<ImageIndex>;
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

  /**
   * The check at the start of a run: throws CorpusError when the folder cannot serve as a
   * corpus. Parses no page (a first run, or one after pages.jsonl changed, hashes it once).
   */
  static async open(dir: string, given: CorpusOptions = {}): Promise<LocalCorpus> {
    const folder = await openCorpusFolder(dir);
    // The index folder comes with the cache, which may come with a cloned workspace: one that is
    // a link (or whose corpora/ is) would have indexes written and removed elsewhere. Not used then.
    const options = { ...given };
    if (options.indexDir && !(await ownFolder(options.indexDir, 'corpora'))) {
      options.onNotice?.(`the index folder ${options.indexDir} is a link or not a folder; not used (this run indexes the corpus in memory)`);
      delete options.indexDir;
    }
    const corpus = new LocalCorpus(folder, await identifyCorpus(folder, options.indexDir), options);
    await corpus.reportStoredProblems();
    return corpus;
  }

  /** Loads (or builds) every index; what the corpus holds and every problem found. */
  async load(): Promise<CorpusSummary> {
    const pages = await this.pagesIndex();
    const images = await this.imageIndex();
    return {
      pages: pages.pageCount,
      images: images.size,
      problems: [...pages.problems, ...this.atLines(pages, images.problems)].sort((a, b) => a.line - b.line),
    };
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

  /** Image problems carry their place in the list of page images; the user wants the line. */
  private atLines(pages: PagesIndex, problems: readonly ImageProblem[]): LineProblem[] {
    return problems.map((p) => ({ line: pages.lineOf(pages.images[p.ref]!.page), message: p.message }));
  }

  /**
   * Problems stored with the indexes of this very content, told at once: a run whose
   * searches are all served from the search cache never loads the indexes. The pages
   * index (a small part of it: where lines are, which name images) is kept for the run.
   */
  private async reportStoredProblems(): Promise<void> {
    const sha = this.identity.sha256;
    const file = this.indexPath('pages', sha);
    const opened = file ? await PagesIndex.openFile(file, sha) : undefined;
    if (!opened) return;
    let pages: PagesIndex;
    try {
      pages = await PagesIndex.load(opened, sha, this.folder);
    } catch {
      return; // a corrupt file is rebuilt at the first search, which reports again
    }
    this.pages = Promise.resolve(pages);
    this.report(pages.problems);
    const key = await this.imagesKey(pages);
    const imagesFile = this.indexPath('images', key);
    const images = imagesFile ? await IndexFile.open(imagesFile, IMAGES_INDEX_KIND, key, imageIndexMeta) : undefined;
    if (!images) return;
    try {
      const stored = await ImageIndex.storedProblems(images);
      if (stored.every((p) => p.ref < pages.images.length)) this.report(this.atLines(pages, stored));
    } catch {
      // rebuilt, and reported, at the first image search
    }
  }

  /**
   * The image index is named by the images the pages name, in order, with their stamps
   * (size and mtime, as for the corpus id): text edits that leave them alone keep it.
   */
  private async imagesKey(pages: PagesIndex): Promise<string> {
    const written = pages.images.map((r) => r.written);
    const missing = written.filter((w) => !this.identity.stamps.has(w));
    const stamps = missing.length ? new Map([...this.identity.stamps, ...(await imageStamps(this.dir, missing))]) : this.identity.stamps;
    return createHash('sha256')
      .update(JSON.stringify(written.map((w) => [w, stamps.get(w)])))
      .digest('hex');
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
    if (old && old !== key) {
      // The index and, for images, its data files (<kind>-<key>-<n>.gidx).
      const names = await fs.readdir(indexDir).catch(() => [] as string[]);
      for (const name of names)
        if (name === `${kind}-${old}.gidx` || name.startsWith(`${kind}-${old}-`)) await fs.rm(path.join(indexDir, name), { force: true });
    }
    record.indexed = { ...record.indexed, [kind]: key };
    await writeRecord(indexDir, record);
  }

  /**
   * Runs a search; when it meets a damaged index file (or a pages.jsonl changed under its
   * index), drops that index and runs once more, on a rebuilt one.
   */
  private async retrying<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      if (e instanceof StaleIndexError) await this.drop('pages');
      else if (e instanceof DamagedIndexError) await this.drop(e.kind);
      else throw e;
      return run();
    }
  }

  /** Forgets an index and removes its files; the image index is found again by its key after a pages rebuild. */
  private async drop(kind: 'pages' | 'images'): Promise<void> {
    const pages = await this.pages?.catch(() => undefined);
    const doomed = !pages ? undefined : kind === 'pages' ? `pages-${pages.sha256}` : `images-${await this.imagesKey(pages)}`;
    if (kind === 'pages') this.pages = undefined;
    this.images = undefined;
    const { indexDir } = this.options;
    if (!indexDir || !doomed) return;
    const names = await fs.readdir(indexDir).catch(() => [] as string[]);
    for (const name of names) if (name === `${doomed}.gidx` || name.startsWith(`${doomed}-`)) await fs.rm(path.join(indexDir, name), { force: true });
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
    const results = await this.retrying(async () => {
      const pages = await this.pagesIndex();
      const found = await from(
        'pages',
        pages.textIndex().then((text) => text.search(query, options.topK)),
      );
      return Promise.all(
        found.map(async (f, i) => {
          const page = await this.pageOf(pages, f.page);
          return this.hit(page, i + 1, this.textSearch.id, snippetFor(page.text, query), f.score);
        }),
      );
    });
    return { results, cached: false };
  }

  /** The image index: loaded from its file, or built (each image decoded once) and stored. */
  private imageIndex(): Promise<ImageIndex> {
    this.images ??= (async () => {
      const pages = await this.pagesIndex();
      const key = await this.imagesKey(pages);
      const file = this.indexPath('images', key);
      const dataFile = (n: number) => this.indexPath('images', `${key}-${n}`)!;
      if (file) {
        const opened = await IndexFile.open(file, IMAGES_INDEX_KIND, key, imageIndexMeta);
        if (opened) {
          try {
            const loaded = await ImageIndex.load(opened, pages.images.length, folderDataStore(dataFile, key));
            this.report(this.atLines(pages, loaded.problems));
            return loaded;
          } catch (e) {
            if (!(e instanceof IndexFileError)) throw e;
          }
        }
      }
      const refs: ImageRef[] = pages.images.map((r, ref) => ({ ref, written: r.written }));
      const store = file ? folderDataStore(dataFile, key) : memoryDataStore();
      const built = await ImageIndex.build(this.dir, refs, store, (done, total) => this.options.onIndexing?.({ dir: this.dir, done, total }));
      this.report(this.atLines(pages, built.index.problems));
      if (file && 'stored' in store && store.stored) {
        try {
          await writeIndexFile(file, IMAGES_INDEX_KIND, key, built.meta, built.sections);
          await this.forgetOld('images', key);
        } catch {
          // not stored: this corpus object searches the index it built
        }
      }
      return built.index;
    })();
    this.images.catch(() => (this.images = undefined));
    return this.images;
  }

  private async searchImage(image: EncodedImage, options: SearchOptions): Promise<SearchOutcome> {
    const query = describeQuery(image.data);
    query.catch(() => undefined);
    const results = await this.retrying(async () => {
      const pages = await this.pagesIndex();
      const index = await from('images', this.imageIndex());
      options.signal.throwIfAborted();
      const ranked = await from(
        'images',
        query.then((q) => index.rank(q, options.topK)),
      );
      return Promise.all(
        ranked.map(async (r, i) => {
          const page = await this.pageOf(pages, pages.images[index.refOf(r.entry)]!.page);
          return this.hit(page, i + 1, this.imageSearch.id, snippetFor(page.text), r.score, await from('images', index.thumbnail(r.entry)));
        }),
      );
    });
    return { results, cached: false };
  }
}
