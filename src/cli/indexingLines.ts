// The local corpus's image index is built at the first image search of a new corpus, which
// takes minutes for thousands of images: the terminal hears of it when it starts, every few
// seconds while it goes, and when it is done, instead of a silent stall.
import { describeIndexing, type IndexProgress } from '../search/localCorpus';

export function indexingLines(print: (line: string) => void, everyMs = 3000): (p: IndexProgress) => void {
  let last: number | undefined;
  return (p) => {
    const now = Date.now();
    if (last !== undefined && p.done < p.total && now - last < everyMs) return;
    last = now;
    print(`gog: ${describeIndexing(p)}`);
  };
}
