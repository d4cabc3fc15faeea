// Page reading: a text search whose top results are read and summarised for the question.
// The summary replaces the snippet in what the model sees (the record keeps both), and the
// page's text travels with the hit to be saved in the run folder. Pages are read in
// parallel; one that cannot be read or summarised keeps its snippet, and the outcome says
// why in `notes`. Only cancellation ends the search.
import type { SearchHit, TextSearch } from '../../core/ports';
import type { PageReader, Summarizer } from '../kit';
import { cutText, oneLine } from './request';

/** Characters of a page's text kept with the hit (and saved with the run). */
export const PAGE_TEXT_MAX_CHARS = 200_000;

export interface PageReadingOptions {
  /** How many of the top results are read. */
  pages: number;
}

/** Its outcome's `notes` say which pages could not be read or summarised ("result 2 (example.org): …"). */
export type PageReadingSearch = TextSearch;

export function withPageReading(text: TextSearch, reader: PageReader, summarizer: Summarizer, options: PageReadingOptions): PageReadingSearch {
  const pages = Math.max(0, Math.floor(options.pages));
  return {
    // Summaries depend on the reader and the summariser: cached results change with them.
    id: `${text.id}+pages(${pages},${reader.id},${summarizer.id})`,
    perQuestion: true,
    async search(query, searchOptions) {
      const outcome = await text.search(query, searchOptions);
      const question = searchOptions.question?.trim() || query;
      const signal = searchOptions.signal;
      const notes: (string | undefined)[] = [];
      // The same page listed twice is read once.
      const reads = new Map<string, Promise<{ title?: string; text: string }>>();
      const read = (url: string) => {
        let p = reads.get(url);
        if (!p) reads.set(url, (p = reader.read(url, signal)));
        return p;
      };
      const results = await Promise.all(
        outcome.results.map(async (hit, i): Promise<SearchHit> => {
          if (i >= pages) return hit;
          let pageText: string | undefined;
          try {
            // A provider that already has the page's text (a corpus) is not fetched again.
            const page = hit.pageText !== undefined ? { text: hit.pageText } : await read(hit.url);
            pageText = cutText(page.text, PAGE_TEXT_MAX_CHARS);
            const summary = await summarizer.summarize({ question, title: hit.title || page.title || '', url: hit.url, text: pageText }, signal);
            return { ...hit, summary, pageText };
          } catch (e) {
            if (signal.aborted) throw e;
            notes[i] = `result ${hit.rank} (${hostOf(hit.url)}): ${oneLine(e instanceof Error ? e.message : String(e))}`;
            // A page read but not summarised is still kept for the record.
            return pageText !== undefined ? { ...hit, pageText } : hit;
          }
        }),
      );
      const pageNotes = notes.filter((n): n is string => n !== undefined);
      const all = [...(outcome.notes ?? []), ...pageNotes];
      return { ...outcome, results, ...(all.length ? { notes: all } : {}) };
    },
  };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host || url.slice(0, 60);
  } catch {
    return url.slice(0, 60);
  }
}
