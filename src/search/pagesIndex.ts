// The index of pages.jsonl's content, built in one pass over the file and stored as one
// index file named by the file's SHA-256: where each page's line lies (byte offset, length,
// line number, CRC-32, so a hit reads its own line back and knows it is still the same),
// which pages have an image, the problems the pass found, and the BM25 text index. Page
// texts are not held: a hit reads its line for title, url and snippet.
import { z } from 'zod';
import type { LineProblem } from '../core/jsonl';
import type { CorpusFolder } from './corpusFiles';
import { IndexFile, IndexFileError, type SectionInput } from './indexFile';
import { readPageAt, readPages, type PageRecord } from './pagesFile';
import { postingsInMemory, TextIndex, TextIndexBuilder, type PostingsSource, type TextIndexData } from './textIndex';

/** Bumped whenever what the file holds changes: an index of another version is rebuilt. */
export const PAGES_INDEX_KIND = 'gog-corpus-pages/1';

const metaSchema = z.object({
  pageCount: z.number().int().nonnegative(),
  termCount: z.number().int().nonnegative(),
  postingCount: z.number().int().nonnegative(),
  averageFieldLengths: z.tuple([z.number(), z.number()]),
});
type PagesMeta = z.infer<typeof metaSchema>;

const problemsSchema = z.array(z.object({ line: z.number().int().positive(), message: z.string() }));
/** Pages that name an image: [page index, image as written]. */
const imagesSchema = z.array(z.tuple([z.number().int().nonnegative(), z.string().min(1)]));

export interface PageImageRef {
  page: number;
  written: string;
}

interface PageTable {
  offsets: Uint32Array;
  lengths: Uint32Array;
  lines: Uint32Array;
  crcs: Uint32Array;
}

/** Text-index parts that load with it; postings come from `postings`. */
interface TextParts {
  data: TextIndexData;
  postings: PostingsSource;
}

export class PagesIndex {
  private text?: Promise<TextIndex>;

  private constructor(
    /** SHA-256 of the pages.jsonl this indexes. */
    readonly sha256: string,
    private readonly folder: Pick<CorpusFolder, 'pagesFile' | 'pagesStat'>,
    private readonly table: PageTable,
    readonly images: readonly PageImageRef[],
    /** Lines that did not load, found when the index was built. */
    readonly problems: readonly LineProblem[],
    private readonly textParts: () => Promise<TextParts>,
  ) {}

  get pageCount(): number {
    return this.table.offsets.length;
  }

  lineOf(page: number): number {
    return this.table.lines[page]!;
  }

  /** Reads pages.jsonl once and indexes it; `sections` are what an index file of it holds. */
  static async build(folder: Pick<CorpusFolder, 'pagesFile' | 'pagesStat'>): Promise<{ index: PagesIndex; sections: SectionInput[]; meta: PagesMeta }> {
    const offsets: number[] = [];
    const lengths: number[] = [];
    const lines: number[] = [];
    const crcs: number[] = [];
    const images: PageImageRef[] = [];
    const text = new TextIndexBuilder();
    const read = await readPages(folder, ({ line, offset, length, crc, page }) => {
      if (page.image) images.push({ page: offsets.length, written: page.image });
      offsets.push(offset);
      lengths.push(length);
      lines.push(line);
      crcs.push(crc);
      text.add(page.title, page.text);
    });
    const table: PageTable = {
      offsets: Uint32Array.from(offsets),
      lengths: Uint32Array.from(lengths),
      lines: Uint32Array.from(lines),
      crcs: Uint32Array.from(crcs),
    };
    const { data, postings } = text.finish();
    const meta: PagesMeta = {
      pageCount: data.pageCount,
      termCount: data.terms.length,
      postingCount: postings.length / 2,
      averageFieldLengths: data.averageFieldLengths,
    };
    const sections: SectionInput[] = [
      { name: 'offsets', data: table.offsets },
      { name: 'lengths', data: table.lengths },
      { name: 'lines', data: table.lines },
      { name: 'crcs', data: table.crcs },
      { name: 'images', data: Buffer.from(JSON.stringify(images.map((r) => [r.page, r.written]))) },
      { name: 'problems', data: Buffer.from(JSON.stringify(read.problems)) },
      { name: 'terms', data: Buffer.from(data.terms.join('\n')) },
      { name: 'termStarts', data: data.termStarts },
      { name: 'titleCounts', data: data.titleCounts },
      { name: 'fieldLengths', data: data.fieldLengths },
      { name: 'postings', data: postings, chunked: true },
    ];
    const index = new PagesIndex(read.sha256, folder, table, images, read.problems, async () => ({ data, postings: postingsInMemory(postings) }));
    return { index, sections, meta };
  }

  static async openFile(file: string, sha256: string): Promise<IndexFile<PagesMeta> | undefined> {
    return IndexFile.open(file, PAGES_INDEX_KIND, sha256, metaSchema);
  }

  /** The problems stored in an index file, without loading the rest. */
  static async storedProblems(file: IndexFile<PagesMeta>): Promise<LineProblem[]> {
    return checked(problemsSchema, await file.json('problems'), 'problems');
  }

  /** Loads the page table from an index file; the text index follows on first use. Throws IndexFileError. */
  static async load(file: IndexFile<PagesMeta>, sha256: string, folder: Pick<CorpusFolder, 'pagesFile' | 'pagesStat'>): Promise<PagesIndex> {
    const { pageCount } = file.meta;
    const [offsets, lengths, lines, crcs] = await Promise.all(['offsets', 'lengths', 'lines', 'crcs'].map((n) => file.uint32(n)));
    if ([offsets, lengths, lines, crcs].some((a) => a!.length !== pageCount)) throw new IndexFileError(`${file.file}: page table of the wrong size`);
    const images = checked(imagesSchema, await file.json('images'), 'images').map(([page, written]) => ({ page, written }));
    if (images.some((r) => r.page >= pageCount)) throw new IndexFileError(`${file.file}: image of a page that is not there`);
    const problems = checked(problemsSchema, await file.json('problems'), 'problems');
    const textParts = async (): Promise<TextParts> => {
      const { termCount, postingCount, averageFieldLengths } = file.meta;
      const terms = Buffer.from(await file.section('terms')).toString('utf8');
      const termList = termCount ? terms.split('\n') : [];
      const [termStarts, titleCounts, fieldLengths] = await Promise.all(['termStarts', 'titleCounts', 'fieldLengths'].map((n) => file.uint32(n)));
      const ok =
        termList.length === termCount &&
        termStarts!.length === termCount + 1 &&
        titleCounts!.length === termCount &&
        fieldLengths!.length === pageCount * 2 &&
        termStarts![termCount] === postingCount &&
        termStarts!.every((v, i) => i === 0 || v >= termStarts![i - 1]!);
      if (!ok) throw new IndexFileError(`${file.file}: text index does not add up`);
      const read = await file.chunked('postings');
      const postings: PostingsSource = {
        read: async (start, count) => {
          const bytes = await read(start * 8, count * 8);
          const pairs = new Uint32Array(bytes.buffer, bytes.byteOffset, count * 2);
          for (let i = 0; i < pairs.length; i += 2) if (pairs[i]! >= pageCount) throw new IndexFileError(`${file.file}: posting of a page that is not there`);
          return pairs;
        },
      };
      return {
        data: { terms: termList, termStarts: termStarts!, titleCounts: titleCounts!, fieldLengths: fieldLengths!, averageFieldLengths, pageCount },
        postings,
      };
    };
    return new PagesIndex(sha256, folder, { offsets: offsets!, lengths: lengths!, lines: lines!, crcs: crcs! }, images, problems, textParts);
  }

  /** After the index was written to a file: search from the file, and let the built copy go. */
  withFile(file: IndexFile<PagesMeta>): Promise<PagesIndex> {
    return PagesIndex.load(file, this.sha256, this.folder);
  }

  textIndex(): Promise<TextIndex> {
    this.text ??= this.textParts().then((p) => new TextIndex(p.data, p.postings));
    this.text.catch(() => (this.text = undefined));
    return this.text;
  }

  /** A page read back from its line; undefined when pages.jsonl no longer holds that line. */
  async page(page: number): Promise<PageRecord | undefined> {
    const { offsets, lengths, crcs } = this.table;
    return readPageAt(this.folder, offsets[page]!, lengths[page]!, crcs[page]!);
  }
}

function checked<T>(schema: z.ZodType<T>, value: unknown, name: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new IndexFileError(`section ${name} does not check out`);
  return r.data;
}
