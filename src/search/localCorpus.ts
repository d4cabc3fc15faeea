// The offline, embedded search provider: a folder holding `pages.jsonl` (one page a line:
// id, title, url, text, optional image relative to the folder). Text search ranks pages
// by BM25+ (MiniSearch); image search ranks page images by visual similarity
// (imageMatch.ts). Nothing leaves the machine.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import MiniSearch from 'minisearch';
import { z } from 'zod';
import { parseJsonLines, type LineProblem } from '../core/jsonl';
import type { EncodedImage, ImageSearch, SearchHit, SearchOptions, SearchOutcome, TextSearch } from '../core/ports';
import { describeSchemaError } from '../core/trajectory';
import { makeThumbnail } from '../vision/image';
import { rankBySimilarity, signatureOf, type ImageSignature } from './imageMatch';
import { snippetFor } from './snippet';

export const PAGES_FILE = 'pages.jsonl';

const pageSchema = z.object({
  id: z.string().min(1),
  title: z.string(),
  url: z.string(),
  text: z.string(),
  image: z.string().min(1).optional(),
});

export interface CorpusPage {
  id: string;
  title: string;
  url: string;
  text: string;
  /** Absolute path of the page's image, when it has one that exists. */
  image?: string;
  line: number;
}

export class CorpusError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CorpusError';
  }
}

interface IndexedImage {
  page: CorpusPage;
  signature: ImageSignature;
  thumbnail: EncodedImage;
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
  ) {
    this.text = new MiniSearch<CorpusPage>({ fields: ['title', 'text'], idField: 'id' });
    this.text.addAll(pages);
    for (const p of pages) this.byId.set(p.id, p);
    this.textSearch = { id: `${id}/text`, search: (q, o) => this.searchText(q, o) };
    this.imageSearch = { id: `${id}/image`, search: (img, o) => this.searchImage(img, o) };
  }

  static async load(dir: string): Promise<LocalCorpus> {
    const file = path.join(dir, PAGES_FILE);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new CorpusError(code === 'ENOENT' ? `the corpus folder ${dir} has no ${PAGES_FILE}` : `cannot read ${file}: ${(e as Error).message}`);
    }
    const seen = new Set<string>();
    const parsed = parseJsonLines(text, (value) => {
      const r = pageSchema.safeParse(value);
      if (!r.success) return { ok: false, message: `not a page: ${describeSchemaError(r.error)}` };
      if (seen.has(r.data.id)) return { ok: false, message: `duplicate page id ${JSON.stringify(r.data.id)}` };
      seen.add(r.data.id);
      return { ok: true, value: r.data };
    });
    const problems = [...parsed.problems];
    const pages: CorpusPage[] = [];
    const stamp = createHash('sha256').update(text);
    const root = path.resolve(dir);
    for (const { line, value } of parsed.items) {
      const page: CorpusPage = { id: value.id, title: value.title, url: value.url, text: value.text, line };
      if (value.image) {
        const abs = path.resolve(root, value.image);
        if (path.isAbsolute(value.image) || !abs.startsWith(root + path.sep)) {
          problems.push({ line, message: `image ${JSON.stringify(value.image)} must be a path inside the corpus folder` });
        } else {
          try {
            const st = await fs.stat(abs);
            page.image = abs;
            stamp.update(`${value.image}:${st.size}:${st.mtimeMs}`);
          } catch {
            problems.push({ line, message: `image not found: ${value.image}` });
          }
        }
      }
      pages.push(page);
    }
    problems.sort((a, b) => a.line - b.line);
    const id = `local-corpus:${path.basename(root)}@${stamp.digest('hex').slice(0, 12)}`;
    return new LocalCorpus(root, pages, problems, id);
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
      for (const page of this.pages) {
        if (!page.image) continue;
        try {
          const bytes = await fs.readFile(page.image);
          const [signature, thumbnail] = await Promise.all([signatureOf(bytes), makeThumbnail(bytes)]);
          out.push({ page, signature, thumbnail });
        } catch (e) {
          this.problems.push({
            line: page.line,
            message: `image ${path.relative(this.dir, page.image)} is unreadable: ${(e as Error).message.split('\n')[0]}`,
          });
        }
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
