// One later run against a corpus whose indexes are already stored, in a process of its own
// (as `gog ask` or a fresh extension host would be): opening at run start, the first search
// (which loads the index), then timed searches; with the process's peak memory. Run by
// corpusBench.ts; prints one JSON line.
//
//   tsx test/bench/corpusRun.ts <corpus> <index dir> text <queries.json>
//   tsx test/bench/corpusRun.ts <corpus> <index dir> image <folder of query JPEGs with answers.json>
import { readFileSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { LocalCorpus } from '../../src/search/localCorpus';

export interface RunReport {
  open: number;
  firstSearch: number;
  /** Per kind of query: times in ms, and how many found the expected page first. */
  searches: Record<string, { ms: number[]; found: number }>;
  /** Peak resident memory of this process (VmHWM), MB. */
  peakRssMb: number;
}

function peakRssMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : process.memoryUsage().rss / 2 ** 20;
}

async function main(): Promise<void> {
  const [dir, indexDir, kind, queries] = process.argv.slice(2) as [string, string, 'text' | 'image', string];
  const signal = new AbortController().signal;
  let t = performance.now();
  const corpus = await LocalCorpus.open(dir, { indexDir });
  const open = performance.now() - t;
  const report: RunReport = { open, firstSearch: 0, searches: {}, peakRssMb: 0 };
  if (kind === 'text') {
    const list = JSON.parse(await fs.readFile(queries, 'utf8')) as string[];
    t = performance.now();
    await corpus.textSearch.search(list[0]!, { signal, topK: 5 });
    report.firstSearch = performance.now() - t;
    const ms: number[] = [];
    for (const q of list.slice(1)) {
      t = performance.now();
      await corpus.textSearch.search(q, { signal, topK: 5 });
      ms.push(performance.now() - t);
    }
    report.searches.text = { ms, found: 0 };
  } else {
    const answers = JSON.parse(await fs.readFile(path.join(queries, 'answers.json'), 'utf8')) as { file: string; kind: string; url: string }[];
    const first = answers[0]!;
    const image = async (file: string) => {
      const data = await fs.readFile(path.join(queries, file));
      const { width, height } = await sharp(data).metadata();
      return { data, width: width, height: height, mime: 'image/jpeg' as const };
    };
    t = performance.now();
    await corpus.imageSearch.search(await image(first.file), { signal, topK: 5 });
    report.firstSearch = performance.now() - t;
    for (const a of answers.slice(1)) {
      const query = await image(a.file);
      t = performance.now();
      const out = await corpus.imageSearch.search(query, { signal, topK: 5 });
      const ms = performance.now() - t;
      const kindReport = (report.searches[a.kind] ??= { ms: [], found: 0 });
      kindReport.ms.push(ms);
      if (out.results[0]?.url === a.url) kindReport.found++;
    }
  }
  report.peakRssMb = peakRssMb();
  process.stdout.write(JSON.stringify(report) + '\n');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
