// The local corpus at scale (`npm run bench -- --corpus-only`): a 50,000-page text corpus
// and corpora of 2,000 and 10,000 distinct images, generated into the bench's temporary
// folder. For each: the index build (the first search of the first run), then a later run
// in a process of its own (corpusRun.ts): opening at run start, the first search (loading
// the stored index), search medians, and that process's peak memory.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import sharp from 'sharp';
import { LocalCorpus } from '../../src/search/localCorpus';
import { ROOT } from '../helpers/fixtures';
import { rng, writeTextCorpus } from '../unit/corpusFixtures';
import { writeImageCorpus } from './corpusGen';
import type { RunReport } from './corpusRun';
import { median, type Row } from './stats';

const signal = new AbortController().signal;

const ms = (v: number) => (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : v >= 100 ? `${v.toFixed(0)} ms` : `${v.toFixed(1)} ms`);

/**
 * corpusRun.ts bundled as the product is (esbuild, sharp external), so that the later run's
 * memory is that of the code a user runs, not of a TypeScript loader.
 */
async function bundledRunner(tmp: string): Promise<string> {
  const out = path.join(tmp, 'corpusRun.js');
  await build({
    entryPoints: [path.join(__dirname, 'corpusRun.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['sharp'],
    outfile: out,
    logLevel: 'error',
  });
  // The image matcher's ranking thread ships beside the bundle (npm run bench builds it first).
  await fs.copyFile(path.join(ROOT, 'dist', 'rankWorker.js'), path.join(tmp, 'rankWorker.js'));
  return out;
}

function laterRun(runner: string, dir: string, indexDir: string, kind: 'text' | 'image', queries: string): Promise<RunReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [runner, dir, indexDir, kind, queries], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as RunReport) : reject(new Error(`corpusRun exited with ${code}`))));
  });
}

async function indexSize(indexDir: string): Promise<number> {
  let total = 0;
  for (const f of await fs.readdir(indexDir)) if (f.endsWith('.gidx')) total += (await fs.stat(path.join(indexDir, f))).size;
  return total;
}

async function textCorpus(tmp: string, runner: string, row: Row, pages: number): Promise<void> {
  const dir = path.join(tmp, `text-${pages}`);
  const indexDir = path.join(tmp, `text-${pages}-index`);
  const { bytes } = await writeTextCorpus(dir, pages, 1);
  console.log(`\nlocal corpus, text: ${pages.toLocaleString('en')} generated pages (${(bytes / 2 ** 20).toFixed(0)} MB of pages.jsonl)`);
  let t = performance.now();
  const corpus = await LocalCorpus.open(dir, { indexDir });
  const firstOpen = performance.now() - t;
  t = performance.now();
  await corpus.textSearch.search('kalo misa', { signal, topK: 5 });
  const build = performance.now() - t;
  // Queries from the pages' own words: two to four of them, some cut short (prefix) or misspelt (fuzzy).
  const words = (await fs.readFile(path.join(dir, 'pages.jsonl'), 'utf8'))
    .slice(0, 2_000_000)
    .split('\n')
    .slice(0, 200)
    .flatMap((l) => (JSON.parse(l) as { title: string }).title.split(' '));
  const r = rng(3);
  const pick = () => words[Math.floor(r() * words.length)]!;
  const queries = Array.from({ length: 41 }, (_, i) => [pick(), pick(), ...(i % 2 ? [pick().slice(0, 5)] : []), ...(i % 3 ? [] : [pick() + 'x'])].join(' '));
  const file = path.join(tmp, 'text-queries.json');
  await fs.writeFile(file, JSON.stringify(queries));
  const later = await laterRun(runner, dir, indexDir, 'text', file);
  row('run start, first run (pages.jsonl hashed, not parsed)', ms(firstOpen), '');
  row('index build, at the first search of the first run', ms(build), '');
  row('run start, later runs', ms(later.open), '');
  row('first search of a later run (loads the stored index)', ms(later.firstSearch), '');
  row('text search', ms(median(later.searches.text!.ms)), '');
  console.log(
    `    index on disk ${((await indexSize(indexDir)) / 2 ** 20).toFixed(0)} MB; peak memory of the later run ${later.peakRssMb.toFixed(0)} MB (medians of ${queries.length - 1} searches)`,
  );
}

/** Query images: corpus images whole (re-encoded) and random crops of 15–100 % of each side, with the page each should find. */
async function imageQueries(dir: string, out: string, images: number, count: number): Promise<void> {
  await fs.mkdir(out, { recursive: true });
  const r = rng(11);
  const answers: { file: string; kind: string; url: string }[] = [];
  for (let k = 0; k < count; k++) {
    const i = Math.floor(r() * images);
    const source = await fs.readFile(path.join(dir, 'images', `${i}.jpg`));
    const { width: W, height: H } = await sharp(source).metadata();
    let query = sharp(source);
    const kind = k % 2 ? 'crop' : 'whole';
    if (kind === 'crop') {
      const w = Math.round(W * (0.15 + 0.85 * r()));
      const h = Math.max(Math.round(w / 4), Math.min(H, Math.round(H * (0.15 + 0.85 * r()))));
      query = query.extract({ left: Math.floor(r() * (W - w + 1)), top: Math.floor(r() * (H - h + 1)), width: w, height: h });
    }
    const file = `${k}.jpg`;
    await query.jpeg({ quality: 85 }).toFile(path.join(out, file));
    answers.push({ file, kind, url: `https://example.org/${i}` });
  }
  await fs.writeFile(path.join(out, 'answers.json'), JSON.stringify(answers));
}

async function imageCorpus(tmp: string, runner: string, row: Row, images: number, source: string): Promise<void> {
  const dir = path.join(tmp, `images-${images}`);
  const indexDir = path.join(tmp, `images-${images}-index`);
  // The first `images` pages of the generated corpus, their images hard-linked (regular files inside the folder).
  await fs.mkdir(path.join(dir, 'images'), { recursive: true });
  for (let i = 0; i < images; i++) await fs.link(path.join(source, 'images', `${i}.jpg`), path.join(dir, 'images', `${i}.jpg`));
  const lines = (await fs.readFile(path.join(source, 'pages.jsonl'), 'utf8')).split('\n').slice(0, images);
  await fs.writeFile(path.join(dir, 'pages.jsonl'), lines.join('\n') + '\n');
  console.log(`\nlocal corpus, images: ${images.toLocaleString('en')} distinct generated images (320×240 JPEG)`);
  const t = performance.now();
  const corpus = await LocalCorpus.open(dir, { indexDir });
  const loaded = await corpus.load();
  const build = performance.now() - t;
  if (loaded.images !== images) throw new Error(`indexed ${loaded.images} of ${images} images`);
  const queries = path.join(tmp, `image-queries-${images}`);
  await imageQueries(dir, queries, images, 81);
  const later = await laterRun(runner, dir, indexDir, 'image', queries);
  const target = images >= 10_000;
  row('index build (every image decoded once), first run', ms(build), '');
  row('run start, later runs', ms(later.open), '');
  row('first image search of a later run (loads the stored index)', ms(later.firstSearch), '');
  for (const kind of ['whole', 'crop'] as const) {
    const s = later.searches[kind]!;
    const m = median(s.ms);
    row(
      `image search, ${kind === 'whole' ? 'a whole corpus image' : 'a crop (15–100 % of each side)'}`,
      ms(m),
      target ? '≤ 50 ms' : '',
      target ? m / 50 : undefined,
    );
  }
  row('peak memory of the process holding the index', `${later.peakRssMb.toFixed(0)} MB`, target ? '≤ 300 MB' : '', target ? later.peakRssMb / 300 : undefined);
  const found = Object.entries(later.searches).map(([k, s]) => `${k} ${s.found}/${s.ms.length}`);
  console.log(`    source found first: ${found.join(', ')}; index on disk ${((await indexSize(indexDir)) / 2 ** 20).toFixed(0)} MB`);
}

export async function corpusBenchmarks(tmp: string, row: Row, quick: boolean): Promise<void> {
  const runner = await bundledRunner(tmp);
  await textCorpus(tmp, runner, row, quick ? 5_000 : 50_000);
  const big = quick ? 1_000 : 10_000;
  const small = quick ? 200 : 2_000;
  const all = path.join(tmp, 'generated-images');
  const t = performance.now();
  await writeImageCorpus(all, big);
  console.log(`\n(generated ${big.toLocaleString('en')} images in ${ms(performance.now() - t)})`);
  await imageCorpus(tmp, runner, row, small, all);
  await imageCorpus(tmp, runner, row, big, all);
}
