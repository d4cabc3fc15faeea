// Dataset files made to exhaust the reader, on the built `gog bench`: a small Parquet file
// whose footer points 20,000 row groups at the same pages, pages that claim more values or
// bytes than they hold, a JSON Lines file larger than the memory the process may use, a
// line too long to keep, a JSON file too large to parse. Each ends at once with one line
// (or loads what it should), in bounded time and memory, and --limit stops the reading.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { createWriteStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { once } from 'node:events';
import { startReplayServer } from '../../src/model/replayServer';
import { gog, oneErrorLine, type Run } from '../helpers/cli';
import { closedEndpoint, photo, tempDir } from '../helpers/fixtures';
import { deepFooter, honestParquet, repeatedGroups, sizeBomb, valuesBomb } from '../helpers/hostileParquet';
import { recording } from '../helpers/recordings';

const MAP = ['--map', 'question=question,answer=answer,image=image'];

describe('dataset files that would exhaust the reader', function () {
  this.timeout(120_000);
  const tmp = tempDir('gog-dataset-limits-');
  let rssProbe: string;
  let endpoint: string;

  before(async () => {
    // Loaded into the gog child: its peak resident memory, printed as it exits.
    rssProbe = path.join(tmp.dir, 'rss.cjs');
    // The process's own peak (VmHWM): getrusage's maxRSS keeps, across exec, the RSS the
    // child had when it was forked from this test process, which grows as the suite runs.
    await fs.writeFile(
      rssProbe,
      "process.on('exit', () => { const fs = require('fs'); let kb; try { kb = /VmHWM:\\s*(\\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]; } catch { kb = process.resourceUsage().maxRSS; } fs.writeSync(2, `\\ngog-test-maxrss-kb ${kb}\\n`); });\n",
    );
    // Nothing listens: a bench that gets as far as the endpoint has loaded its dataset.
    endpoint = await closedEndpoint();
  });
  after(tmp.cleanup);

  /** `gog bench` with its peak memory measured; killed (and so failed) past `killAfterMs`. */
  async function bench(args: string[], opts: { heapMb?: number; killAfterMs?: number } = {}): Promise<Run & { maxRssMb: number }> {
    const node = [`--require ${rssProbe}`, ...(opts.heapMb ? [`--max-old-space-size=${opts.heapMb}`] : [])].join(' ');
    let timer: NodeJS.Timeout | undefined;
    const run = await gog(['bench', ...args], {
      cwd: tmp.dir,
      env: { NODE_OPTIONS: node },
      started: (child) => (timer = setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs ?? 60_000)),
    });
    clearTimeout(timer);
    const kb = /gog-test-maxrss-kb (\d+)/.exec(run.stderr);
    return { ...run, maxRssMb: kb ? Number(kb[1]) / 1024 : Infinity, stderr: run.stderr.replace(/\n?gog-test-maxrss-kb \d+\n/, '') };
  }

  async function dataFolder(name: string): Promise<string> {
    const dir = path.join(tmp.dir, name);
    await fs.mkdir(dir, { recursive: true });
    await fs.copyFile(photo('rocket.jpg'), path.join(dir, 'photo.jpg'));
    return dir;
  }

  describe('Parquet: bounded before anything is decoded', () => {
    it('refuses a 5 MB file whose 20,000 row groups claim the same pages, at once and in bounded memory (--limit 1)', async () => {
      const dir = await dataFolder('repeated');
      const file = path.join(dir, 'repeated.parquet');
      await fs.writeFile(file, repeatedGroups(honestParquet(1000, 1000), 20_000));
      const run = await bench([file, ...MAP, '--limit', '1', '--endpoint', endpoint, '--out', path.join(dir, 'run')], { killAfterMs: 30_000 });
      assert.equal(run.code, 2, run.stderr);
      oneErrorLine(run, /^gog: repeated\.parquet: row group 0 \(column question\) and row group 1 \(column question\) claim the same bytes; .*refused$/);
      assert.ok(run.ms < 15_000, `took ${run.ms} ms`);
      assert.ok(run.maxRssMb < 600, `peak ${Math.round(run.maxRssMb)} MB`);
      await assert.rejects(fs.stat(path.join(dir, 'run')));
    });

    const bombs: [string, () => Buffer, RegExp][] = [
      [
        '50 million rows of RLE in 150 bytes',
        () => valuesBomb(50_000_000),
        /row group 0 declares 50000000 rows, more than the \d+ a row group may have; refused$/,
      ],
      [
        'one row whose page declares 20 million values',
        () => valuesBomb(20_000_000, 1),
        /row group 0, column question: its pages declare more than the \d+ values a row group may have; refused$/,
      ],
      ['a footer of 300,000 structs nested in one another', () => deepFooter(300_000), /its footer nests structures too deep to be Parquet metadata; refused$/],
      [
        'a 2-byte Snappy page that claims 1.4 GB',
        () => sizeBomb(1_500_000_000),
        /row group 0, column question: a page of 2 bytes claims to decode to 1\.4 GB, more than SNAPPY can make of it; refused$/,
      ],
    ];
    for (const [what, make, message] of bombs)
      it(`refuses a file that claims more than it holds, before allocating: ${what}`, async () => {
        const dir = await dataFolder('bomb');
        const file = path.join(dir, 'bomb.parquet');
        await fs.writeFile(file, make());
        const run = await bench([file, ...MAP, '--limit', '1', '--endpoint', endpoint, '--out', path.join(dir, 'run')], { killAfterMs: 30_000 });
        assert.equal(run.code, 2, run.stderr);
        oneErrorLine(run, new RegExp(`^gog: bomb\\.parquet: ${message.source}`));
        assert.ok(run.maxRssMb < 300, `peak ${Math.round(run.maxRssMb)} MB`);
      });

    it('with --limit 1 decodes only the first row group of a large file (a broken later group is never reached)', async () => {
      const dir = await dataFolder('honest');
      const file = path.join(dir, 'honest.parquet');
      const bytes = honestParquet(200_000, 10_000);
      // Break the second row group's pages: whoever decodes it fails.
      const { parquetMetadata } = await import('hyparquet');
      const second = parquetMetadata(bytes).row_groups[1]!.columns[0]!.meta_data!;
      const start = Number(second.dictionary_page_offset || second.data_page_offset);
      bytes.fill(0xff, start, start + 16);
      await fs.writeFile(file, bytes);

      const server = await startReplayServer([recording('What is shown in picture number 0?', ['<answer>answer 0</answer>'])]);
      try {
        const limited = await bench([file, ...MAP, '--limit', '1', '--endpoint', server.url, '--out', path.join(dir, 'run'), '--json']);
        assert.equal(limited.code, 0, limited.stderr);
        const out = JSON.parse(limited.stdout.trim().split('\n').at(-1)!);
        assert.equal(out.samples, 1);
        assert.equal(out.accuracy, 1);
        const meta = JSON.parse(await fs.readFile(path.join(dir, 'run', 'bench.json'), 'utf8'));
        assert.equal(meta.dataset.partial, true);
        assert.equal(meta.dataset.records, 1, 'the one record the limit needs');
      } finally {
        await server.close();
      }
      const whole = await bench([file, ...MAP, '--endpoint', endpoint, '--out', path.join(dir, 'run-all')]);
      assert.equal(whole.code, 2, whole.stderr);
      oneErrorLine(whole, /^gog: honest\.parquet: row group 1, column question: a page header is unreadable/);
    });
  });

  describe('a shard keeps only its own samples', () => {
    it('shard 1/3 holds the samples i ≡ 1 mod 3 of the whole file, numbered as the whole file numbers them', async () => {
      const { loadDataset, parseFieldMap } = await import('../../src/data/datasets');
      const dir = await dataFolder('shard');
      const file = path.join(dir, 'd.jsonl');
      // Record 4 names a missing image: it takes no index, in any shard.
      const lines = Array.from({ length: 12 }, (_, i) => JSON.stringify({ question: `q${i}?`, answer: `a${i}`, image: i === 4 ? 'missing.jpg' : 'photo.jpg' }));
      await fs.writeFile(file, lines.join('\n') + '\n');
      const map = parseFieldMap('question=question,answer=answer,image=image');
      const whole = await loadDataset(file, { map });
      const shard = await loadDataset(file, { map, shard: { index: 1, count: 3 } });
      assert.equal(whole.samples.length, 11);
      assert.deepEqual(
        shard.samples.map((s) => [s.index, s.question]),
        whole.samples.filter((s) => s.index % 3 === 1).map((s) => [s.index, s.question]),
      );
      assert.equal(shard.found, 11);
      assert.deepEqual(shard.problems, whole.problems);
      const limited = await loadDataset(file, { map, limit: 5, shard: { index: 1, count: 3 } });
      assert.deepEqual(
        limited.samples.map((s) => s.index),
        [1, 4],
      );
      assert.equal(limited.partial, true);
    });
  });

  describe('JSON Lines: read as a stream', () => {
    it('reads a 300 MB file under a 128 MB heap and stops at --limit 5', async () => {
      const dir = await dataFolder('big-jsonl');
      const file = path.join(dir, 'big.jsonl');
      const out = createWriteStream(file);
      const padding = 'x'.repeat(3000);
      for (let i = 0; i < 100_000; i++) {
        if (!out.write(JSON.stringify({ question: `question ${i}?`, answer: `answer ${i}`, image: 'photo.jpg', notes: padding }) + '\n'))
          await once(out, 'drain');
      }
      out.end();
      await once(out, 'finish');
      assert.ok((await fs.stat(file)).size > 300_000_000);
      const run = await bench([file, ...MAP, '--limit', '5', '--endpoint', endpoint, '--out', path.join(dir, 'run')], { heapMb: 128 });
      // It got as far as the endpoint: the dataset loaded.
      assert.equal(run.code, 2, run.stderr);
      oneErrorLine(run, /^gog: cannot reach the model endpoint/);
      assert.ok(run.maxRssMb < 400, `peak ${Math.round(run.maxRssMb)} MB`);
      await fs.rm(file);
    });

    it('names a broken line and a line too long to keep by number, and loads the rest', async () => {
      const dir = await dataFolder('lines');
      const file = path.join(dir, 'lines.jsonl');
      const line = (i: number) => JSON.stringify({ question: `question ${i}?`, answer: `answer ${i}`, image: 'photo.jpg' });
      const long = JSON.stringify({ question: 'long?', answer: 'a', image: 'photo.jpg', notes: 'y'.repeat(66 * 1024 * 1024) });
      await fs.writeFile(file, [line(0), '{"question": "cut', long, line(3)].join('\n') + '\n');
      const server = await startReplayServer([0, 3].map((i) => recording(`question ${i}?`, [`<answer>answer ${i}</answer>`])));
      try {
        const run = await bench([file, ...MAP, '--endpoint', server.url, '--out', path.join(dir, 'run'), '--json']);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stderr, /^gog: lines\.jsonl: line 2: not valid JSON \(.*\) \(skipped\)$/m);
        assert.match(run.stderr, /^gog: lines\.jsonl: line 3: a line of 66 MB, longer than the 64 MB a line may have \(skipped\)$/m);
        const out = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
        assert.deepEqual([out.samples, out.skipped, out.accuracy], [2, 2, 1]);
      } finally {
        await server.close();
      }
    });

    it('refuses a JSON file over 500 MB at once, saying to convert it to JSON Lines', async () => {
      const dir = await dataFolder('big-json');
      const file = path.join(dir, 'big.json');
      // Sparse: no disk is used.
      await fs.writeFile(file, '');
      await fs.truncate(file, 600 * 1024 * 1024);
      const run = await bench([file, ...MAP, '--endpoint', endpoint, '--out', path.join(dir, 'run')]);
      assert.equal(run.code, 2, run.stderr);
      oneErrorLine(
        run,
        /^gog: big\.json is one JSON value of 600 MB, over the 500 MB a JSON dataset may have; convert it to JSON Lines \(\.jsonl, one record a line\)/,
      );
      assert.ok(run.ms < 5_000, `took ${run.ms} ms`);
      assert.ok(run.maxRssMb < 300, `peak ${Math.round(run.maxRssMb)} MB`);
    });
  });

  describe('results.jsonl: read as a stream', () => {
    it('gog merge reads a 600 MB results.jsonl (past the 512 MB of one string), naming the line too long to keep', async () => {
      const { syntheticResults } = await import('../helpers/benchRuns');
      const shard = path.join(tmp.dir, 'big-results', 'shard');
      await fs.mkdir(shard, { recursive: true });
      const results = syntheticResults(2);
      const meta = {
        kind: 'gog-bench',
        schema: 1,
        started: '2026-01-01T00:00:00.000Z',
        dataset: { file: 'd.jsonl', sha256: 'ab', format: 'jsonl', layout: 'mapped', records: 2, samples: 2, problems: [], problemCount: 0 },
        limit: null,
        rollouts: 1,
        samples: 2,
        settings: {},
        endpoints: [],
        prompts: { source: 'built-in' },
        tools: {},
      };
      await fs.writeFile(path.join(shard, 'bench.json'), JSON.stringify(meta));
      // A first result, 600 MB of a line with no end (sparse: no disk used), a second result.
      const file = path.join(shard, 'results.jsonl');
      await fs.writeFile(file, JSON.stringify(results[0]) + '\n');
      await fs.truncate(file, 600 * 1024 * 1024);
      await fs.appendFile(file, '\n' + JSON.stringify(results[1]) + '\n');
      const out = path.join(tmp.dir, 'big-results', 'merged');
      const run = await gog(['merge', shard, '--out', out], { cwd: tmp.dir });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /^gog: \S+results\.jsonl line 2: longer than the 16 MB a results line may have; skipped$/m);
      assert.equal((await fs.readFile(path.join(out, 'results.jsonl'), 'utf8')).trim().split('\n').length, 2);
      await fs.rm(file);
    });
  });

  describe("a run folder's small files: regular and small, or refused", () => {
    for (const [what, make, message] of [
      ['a named pipe', (f: string) => execFileSync('mkfifo', [f]), /bench\.json is a named pipe \(FIFO\), not a regular file; not read$/],
      [
        'a 100 MB file',
        async (f: string) => (await fs.writeFile(f, ''), await fs.truncate(f, 100 * 1024 * 1024)),
        /bench\.json is 100 MB, more than the 64 MB it may hold; not read$/,
      ],
    ] as const)
      it(`gog merge refuses a bench.json that is ${what}, at once`, async () => {
        const shard = path.join(tmp.dir, `odd-bench-${what.replace(/\W+/g, '-')}`);
        await fs.mkdir(shard, { recursive: true });
        await make(path.join(shard, 'bench.json'));
        const run = await gog(['merge', shard, '--out', path.join(shard, '..', `${path.basename(shard)}-merged`)], {
          cwd: tmp.dir,
          started: (child) => setTimeout(() => child.kill('SIGKILL'), 20_000).unref(),
        });
        assert.equal(run.code, 2, run.stderr);
        oneErrorLine(run, message);
      });
  });

  describe('a corpus pages.jsonl: read a line at a time', () => {
    it('a 1.5 GB line (sparse) is named and skipped at once; the other pages are searched', async () => {
      const corpus = path.join(tmp.dir, 'corpus-long-line');
      await fs.mkdir(corpus, { recursive: true });
      const page = (i: number) => JSON.stringify({ id: `p${i}`, title: `Rocket launch ${i}`, url: `https://example.com/${i}`, text: 'A rocket launch.' });
      const file = path.join(corpus, 'pages.jsonl');
      await fs.writeFile(file, page(1) + '\n');
      await fs.truncate(file, 1536 * 1024 * 1024);
      await fs.appendFile(file, '\n' + page(3) + '\n');
      const server = await startReplayServer([recording('What launched?', ['<text_search>rocket launch</text_search>', '<answer>a rocket</answer>'])]);
      try {
        const run = await gog(
          [
            'ask',
            '--image',
            photo('rocket.jpg'),
            '--question',
            'What launched?',
            '--endpoint',
            server.url,
            '--corpus',
            corpus,
            '--cache',
            path.join(tmp.dir, 'corpus-cache'),
            '--box-format',
            'rel-1000',
            '--out',
            path.join(corpus, 'run'),
          ],
          { cwd: tmp.dir, started: (child) => setTimeout(() => child.kill('SIGKILL'), 60_000).unref() },
        );
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stderr, /pages\.jsonl:2: a line of 1536 MB, longer than the 64 MB a page may have/);
        const trajectory = await fs.readFile(path.join(corpus, 'run', 'trajectory.jsonl'), 'utf8');
        assert.match(trajectory, /Rocket launch 3/);
      } finally {
        await server.close();
        await fs.rm(file);
      }
    });
  });

  describe('an open trajectory, read again when it changes on disk', () => {
    it('is not waited on when it became a named pipe, nor read whole when it grew huge', async () => {
      const { compareWithDisk } = await import('../../src/review/trajectoryOnDisk');
      const dir = path.join(tmp.dir, 'on-disk');
      await fs.mkdir(dir, { recursive: true });
      const known = Buffer.from('{"type":"header"}\n');
      const pipe = path.join(dir, 'pipe.jsonl');
      execFileSync('mkfifo', [pipe]);
      const race = <T>(p: Promise<T>) => Promise.race([p, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 5000).unref())]);
      assert.deepEqual(await race(compareWithDisk(pipe, known)), { kind: 'replaced', why: 'it is a named pipe (FIFO), not a regular file' });
      const huge = path.join(dir, 'huge.jsonl');
      await fs.writeFile(huge, known);
      await fs.truncate(huge, 300 * 1024 * 1024);
      assert.deepEqual(await compareWithDisk(huge, known, 256 * 1024 * 1024), {
        kind: 'replaced',
        why: 'it is 300 MB, more than the 256 MB it may hold',
      });
    });
  });
});
