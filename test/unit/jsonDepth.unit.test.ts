// JSON nested too deep for the code after JSON.parse: every reader of files and network
// bodies refuses it through parseJson (src/core/json.ts), names the line and loads the rest,
// over nesting depths of 1e2 to 1e6 in arrays, objects and both, while brackets inside
// strings (escaped quotes too) do not count. Then end to end: `gog report` and `gog merge`
// on a trajectory and a results line nested 5,000 deep.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { jsonTooDeep, MAX_JSON_DEPTH, parseJson } from '../../src/core/json';
import { readTrajectory } from '../../src/core/trajectoryFile';
import { getDialect } from '../../src/core/dialects';
import { readBenchMeta, readSummary as readRunSummary } from '../../src/data/benchRun';
import { loadDataset } from '../../src/data/datasets';
import { jsonAnswerList } from '../../src/data/datasets/fields';
import { readRecords } from '../../src/data/import/readRecords';
import { readAllResults, readResults as streamResults, readSummary } from '../../src/data/resultsFile';
import { readResults } from '../../src/data/resultsLog';
import { restoreBackup, serializeBackup } from '../../src/review/backupFile';
import { summarize } from '../../src/review/queueIndex';
import { readQueueFile } from '../../src/review/queueFile';
import { readHeaderOnly } from '../../src/review/related';
import { loadRecordedRuns } from '../../src/run/recordedRuns';
import { readPages } from '../../src/search/pagesFile';
import { syntheticResults, summaryOf } from '../helpers/benchRuns';
import { CLI, gog } from '../helpers/cli';
import { DEMO, photo, tempDir } from '../helpers/fixtures';

const DEPTHS = [1e2, 1e3, 1e4, 1e5, 1e6];

/** Nested `depth` deep (a value), or brackets inside a string that must not count. */
const SHAPES: Record<string, { deep: boolean; value: (depth: number) => string }> = {
  arrays: { deep: true, value: (d) => '['.repeat(d) + ']'.repeat(d) },
  objects: { deep: true, value: (d) => '{"a":'.repeat(d) + '1' + '}'.repeat(d) },
  mixed: { deep: true, value: (d) => '[{"k":'.repeat(d / 2) + '0' + '}]'.repeat(d / 2) },
  'brackets in a string': { deep: false, value: (d) => JSON.stringify('['.repeat(d) + '{"'.repeat(d / 2)) },
  'escaped quotes in a string': { deep: false, value: (d) => JSON.stringify('\\"['.repeat(d) + '"{'.repeat(d / 2)) },
};

/** A JSON object's text with one more field holding `value`. */
const withField = (json: string, value: string) => `${json.slice(0, -1)},"extra":${value}}`;

const TOO_DEEP = /nested more than 64 levels deep/;

describe('JSON nested too deep', function () {
  this.timeout(120_000);
  const tmp = tempDir('gog-json-depth-');
  after(tmp.cleanup);

  describe('the depth scan', () => {
    it('allows 64 levels and refuses 65, in arrays and objects', () => {
      assert.equal(MAX_JSON_DEPTH, 64);
      assert.equal(jsonTooDeep('['.repeat(64) + ']'.repeat(64)), false);
      assert.equal(jsonTooDeep('['.repeat(65) + ']'.repeat(65)), true);
      assert.equal(jsonTooDeep('{"a":'.repeat(65) + '1' + '}'.repeat(65)), true);
      // Siblings do not add up: 100 arrays side by side are one level.
      assert.equal(jsonTooDeep(`[${'[],'.repeat(100)}[]]`), false);
      assert.deepEqual(parseJson('{"a":[1,{"b":"]]]}}}"}]}'), { a: [1, { b: ']]]}}}' }] });
    });

    for (const [shape, { deep, value }] of Object.entries(SHAPES))
      it(`${deep ? 'refuses' : 'does not count'} ${shape}, 1e2 to 1e6 deep, in time linear in the text`, () => {
        for (const depth of DEPTHS) {
          const text = value(depth);
          const t0 = performance.now();
          assert.equal(jsonTooDeep(text), deep, `${shape} ${depth}`);
          assert.ok(performance.now() - t0 < 500, `${shape} ${depth}: ${performance.now() - t0} ms`);
          if (deep) assert.throws(() => parseJson(text), TOO_DEEP);
          else assert.equal(typeof parseJson(text), 'string');
        }
      });
  });

  describe('every reader names the line and loads the rest', () => {
    let demoLines: string[];
    before(async () => {
      demoLines = (await fs.readFile(path.join(DEMO, 'recorded', '2-rocket-dscovr.trajectory.jsonl'), 'utf8')).trim().split('\n');
    });

    /** A reader: given a value text, read it in whatever file it reads; check the outcome. */
    interface Reader {
      name: string;
      read: (dir: string, value: string, deep: boolean) => Promise<void>;
    }

    const resultLines = () => syntheticResults(3).map((r) => JSON.stringify(r));

    const readers: Reader[] = [
      {
        name: 'trajectory.jsonl (readTrajectory)',
        read: async (dir, value, deep) => {
          const file = path.join(dir, 'trajectory.jsonl');
          const lines = [...demoLines];
          lines[1] = withField(lines[1]!, value);
          await fs.writeFile(file, lines.join('\n') + '\n');
          const t = await readTrajectory(file);
          assert.ok(t.header);
          if (deep) {
            assert.deepEqual(t.problems, [{ line: 2, message: 'nested more than 64 levels deep' }]);
            assert.equal(t.events.length, demoLines.length - 2);
          } else assert.deepEqual([t.problems, t.events.length], [[], demoLines.length - 1]);
        },
      },
      {
        name: 'a trajectory header (readTrajectory, readHeaderOnly)',
        read: async (dir, value, deep) => {
          const file = path.join(dir, 'header.jsonl');
          await fs.writeFile(file, [withField(demoLines[0]!, value), ...demoLines.slice(1)].join('\n') + '\n');
          const t = await readTrajectory(file);
          assert.equal(!!t.header, !deep);
          if (deep) assert.match(t.problems[0]!.message, TOO_DEEP);
          assert.equal(t.events.length, demoLines.length - 1);
          // Only a header of up to 256 KB is read there; a longer one is no header either.
          if (value.length < 200_000) assert.equal(!!(await readHeaderOnly(file)), !deep);
        },
      },
      {
        name: 'replay recordings (loadRecordedRuns)',
        read: async (dir, value, deep) => {
          const file = path.join(dir, 'recorded.trajectory.jsonl');
          const lines = [...demoLines];
          lines[2] = withField(lines[2]!, value);
          await fs.writeFile(file, lines.join('\n') + '\n');
          const warnings: string[] = [];
          const [run] = await loadRecordedRuns([file], (w) => warnings.push(w));
          assert.ok(run);
          if (deep) assert.deepEqual(warnings, [`${file}:3: nested more than 64 levels deep (skipped)`]);
          else assert.deepEqual(warnings, []);
        },
      },
      {
        name: 'results.jsonl (resume and merge: resultsLog.readResults)',
        read: async (dir, value, deep) => {
          const file = path.join(dir, 'results.jsonl');
          const lines = resultLines();
          lines[1] = withField(lines[1]!, value);
          await fs.writeFile(file, lines.join('\n') + '\n');
          const r = await readResults(file);
          if (deep) assert.deepEqual([r.results.length, r.problems], [2, [{ line: 2, message: 'nested more than 64 levels deep' }]]);
          else assert.deepEqual([r.results.length, r.problems], [3, []]);
        },
      },
      {
        name: 'results.jsonl (review: resultsFile.readResults, readAllResults)',
        read: async (dir, value, deep) => {
          const file = path.join(dir, 'results.jsonl');
          const lines = resultLines();
          lines[1] = withField(lines[1]!, value);
          await fs.writeFile(file, lines.join('\n') + '\n');
          let count = 0;
          const streamed = await streamResults(file, () => count++);
          const all = await readAllResults(file);
          if (deep) {
            assert.deepEqual([count, streamed.problems.map((p) => p.line), all.results.length], [2, [2], 2]);
            assert.match(streamed.problems[0]!.message, TOO_DEEP);
          } else assert.deepEqual([count, streamed.problems, all.results.length], [3, [], 3]);
        },
      },
      {
        name: 'summary.json (resultsFile.readSummary, benchRun.readSummary)',
        read: async (dir, value, deep) => {
          await fs.writeFile(path.join(dir, 'summary.json'), withField(JSON.stringify(summaryOf(syntheticResults(3))), value));
          const read = await readSummary(path.join(dir, 'summary.json'));
          assert.equal(read?.ok, !deep);
          if (read && !read.ok) assert.match(read.message, TOO_DEEP);
          assert.equal(!!(await readRunSummary(dir)), !deep);
        },
      },
      {
        name: 'bench.json (readBenchMeta)',
        read: async (dir, value, deep) => {
          const meta = {
            kind: 'gog-bench',
            schema: 1,
            started: '2026-01-01T00:00:00.000Z',
            dataset: { file: 'd.jsonl', sha256: 'ab', format: 'jsonl', layout: 'mapped', records: 3, samples: 3, problems: [], problemCount: 0 },
            limit: null,
            rollouts: 1,
            samples: 3,
            settings: {},
            endpoints: [],
            prompts: { source: 'built-in' },
            tools: {},
          };
          await fs.writeFile(path.join(dir, 'bench.json'), withField(JSON.stringify(meta), value));
          if (deep) await assert.rejects(readBenchMeta(dir), /bench\.json is nested more than 64 levels deep$/);
          else assert.equal((await readBenchMeta(dir)).samples, 3);
        },
      },
      {
        name: 'a dataset in JSON Lines (loadDataset)',
        read: async (dir, value, deep) => {
          await fs.copyFile(photo('rocket.jpg'), path.join(dir, 'photo.jpg'));
          const file = path.join(dir, 'data.jsonl');
          const lines = [0, 1, 2].map((i) => JSON.stringify({ question: `q${i}?`, answer: `a${i}`, image: 'photo.jpg' }));
          lines[1] = withField(lines[1]!, value);
          await fs.writeFile(file, lines.join('\n') + '\n');
          const ds = await loadDataset(file);
          if (deep) assert.deepEqual([ds.samples.length, ds.problems], [2, [{ where: 'line 2', message: 'nested more than 64 levels deep' }]]);
          else assert.deepEqual([ds.samples.length, ds.problems], [3, []]);
        },
      },
      {
        name: 'a dataset in JSON (loadDataset)',
        read: async (dir, value, deep) => {
          await fs.copyFile(photo('rocket.jpg'), path.join(dir, 'photo.jpg'));
          const file = path.join(dir, 'data.json');
          const records = [0, 1, 2].map((i) => JSON.stringify({ question: `q${i}?`, answer: `a${i}`, image: 'photo.jpg' }));
          records[1] = withField(records[1]!, value);
          await fs.writeFile(file, `[${records.join(',')}]`);
          if (deep) await assert.rejects(loadDataset(file), /^DatasetError: data\.json: nested more than 64 levels deep/);
          else assert.equal((await loadDataset(file)).samples.length, 3);
        },
      },
      {
        name: 'files to import (readRecords: JSON Lines and a JSON array)',
        read: async (dir, value, deep) => {
          const lines = [0, 1, 2].map((i) => JSON.stringify({ id: i }));
          lines[1] = withField(lines[1]!, value);
          await fs.writeFile(path.join(dir, 'in.jsonl'), lines.join('\n') + '\n');
          const got = [];
          for await (const r of readRecords(path.join(dir, 'in.jsonl'))) got.push(r);
          assert.equal(got.length, 3);
          if (deep) assert.deepEqual(got[1], { position: 'line 2', problem: 'nested more than 64 levels deep' });
          else assert.ok('value' in got[1]!);
          await fs.writeFile(path.join(dir, 'in.json'), `[${lines.join(',')}]`);
          const array = async () => {
            const out = [];
            for await (const r of readRecords(path.join(dir, 'in.json'))) out.push(r);
            return out;
          };
          if (deep) await assert.rejects(array(), /in\.json is nested more than 64 levels deep$/);
          else assert.equal((await array()).length, 3);
        },
      },
      {
        name: 'a review queue file (readQueueFile) and a queue index entry (summarize)',
        read: async (dir, value, deep) => {
          const file = path.join(dir, 'queue.json');
          await fs.writeFile(file, withField(JSON.stringify({ trajectories: ['a/trajectory.jsonl'] }), value));
          if (deep) await assert.rejects(readQueueFile(file), /the queue file queue\.json is not JSON/);
          else assert.deepEqual((await readQueueFile(file)).files, ['trajectory.jsonl']);
          const text = [demoLines[0]!, withField(demoLines[1]!, value), ...demoLines.slice(2)].join('\n');
          assert.equal(summarize('t.jsonl', text, text.length, 0).problems, deep ? 1 : 0);
        },
      },
      {
        name: 'an editor backup (restoreBackup)',
        read: async (_dir, value, deep) => {
          const bytes = Buffer.from('x\n');
          const r = restoreBackup(withField(serializeBackup(bytes, []), value), bytes);
          assert.equal(r.ok, !deep);
        },
      },
      {
        name: 'a corpus pages.jsonl (readPages)',
        read: async (dir, value, deep) => {
          const pagesFile = path.join(dir, 'pages.jsonl');
          const lines = [0, 1, 2].map((i) => JSON.stringify({ id: `p${i}`, title: `t${i}`, url: `https://example.com/${i}`, text: 'text' }));
          lines[1] = withField(lines[1]!, value);
          await fs.writeFile(pagesFile, lines.join('\n') + '\n');
          let pages = 0;
          const read = await readPages({ pagesFile, pagesStat: await fs.stat(pagesFile, { bigint: true }) }, () => pages++);
          if (deep) assert.deepEqual([pages, read.problems], [2, [{ line: 2, message: 'nested more than 64 levels deep' }]]);
          else assert.deepEqual([pages, read.problems], [3, []]);
        },
      },
      {
        name: "a model's tool-call arguments and a JSON-encoded answer list",
        read: async (_dir, value, deep) => {
          const turn = getDialect('tool-calls').parse({
            text: '',
            toolCalls: [{ id: 'c', type: 'function', function: { name: 'answer', arguments: withField('{"text":"Paris"}', value) } }],
          });
          assert.equal(turn.action.kind, deep ? 'parse_error' : 'answer');
          if (turn.action.kind === 'parse_error') assert.match(turn.action.message, TOO_DEEP);
          const list = jsonAnswerList(`[${value}]`);
          assert.ok(Array.isArray(list));
        },
      },
    ];

    for (const reader of readers)
      it(`${reader.name}: 1e2 to 1e6 deep in every shape`, async () => {
        for (const [shape, { deep, value }] of Object.entries(SHAPES))
          for (const depth of DEPTHS) {
            const dir = path.join(tmp.dir, reader.name.replace(/\W+/g, '-'), `${shape.replace(/\W+/g, '-')}-${depth}`);
            await fs.mkdir(dir, { recursive: true });
            try {
              await reader.read(dir, value(depth), deep);
            } catch (e) {
              throw new Error(`${shape}, ${depth} deep: ${(e as Error).message}`, { cause: e });
            }
            await fs.rm(dir, { recursive: true });
          }
      });
  });

  describe('end to end', () => {
    const deep5000 = '['.repeat(5000) + ']'.repeat(5000);

    it('gog report on a trajectory whose header holds a value 5,000 deep: one line naming line 1, no crash', async () => {
      const dir = path.join(tmp.dir, 'report-header');
      await fs.mkdir(dir);
      const lines = (await fs.readFile(path.join(DEMO, 'recorded', '2-rocket-dscovr.trajectory.jsonl'), 'utf8')).trim().split('\n');
      lines[0] = withField(lines[0]!, deep5000);
      await fs.writeFile(path.join(dir, 't.trajectory.jsonl'), lines.join('\n') + '\n');
      const run = await gog(['report', path.join(dir, 't.trajectory.jsonl'), '--out', path.join(dir, 'r.html')]);
      assert.doesNotMatch(run.stderr, /call stack/);
      assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
      assert.match(run.stderr, /^gog: \S+t\.trajectory\.jsonl has no trajectory header \(line 1: nested more than 64 levels deep\)$/m);
      assert.notEqual(run.code, 0);
      assert.ok(!existsSync(path.join(dir, 'r.html')));
    });

    it('gog report on a trajectory with an event 5,000 deep: the report is made without that line', async () => {
      const dir = path.join(tmp.dir, 'report-event');
      await fs.mkdir(dir);
      const lines = (await fs.readFile(path.join(DEMO, 'recorded', '2-rocket-dscovr.trajectory.jsonl'), 'utf8')).trim().split('\n');
      lines[1] = withField(lines[1]!, deep5000);
      await fs.writeFile(path.join(dir, 't.trajectory.jsonl'), lines.join('\n') + '\n');
      const run = await gog(['report', path.join(dir, 't.trajectory.jsonl'), '--out', path.join(dir, 'r.html')]);
      assert.equal(run.code, 0, run.stderr);
      const html = await fs.readFile(path.join(dir, 'r.html'), 'utf8');
      assert.match(html, /nested more than 64 levels deep/);
    });

    /** Two shard folders of a 6-sample run; the second's results line 2 holds `deep` when given. */
    async function shardFolders(name: string, deep?: string): Promise<string[]> {
      const shards = [0, 1].map((i) => path.join(tmp.dir, name, `shard-${i}`));
      const all = syntheticResults(6);
      for (const [i, dir] of shards.entries()) {
        await fs.mkdir(dir, { recursive: true });
        const mine = all.filter((r) => r.index % 2 === i);
        const meta = {
          kind: 'gog-bench',
          schema: 1,
          started: '2026-01-01T00:00:00.000Z',
          dataset: { file: 'd.jsonl', sha256: 'ab', format: 'jsonl', layout: 'mapped', records: 6, samples: 6, problems: [], problemCount: 0 },
          limit: null,
          shard: { index: i, count: 2 },
          rollouts: 1,
          samples: 3,
          settings: {},
          endpoints: [],
          prompts: { source: 'built-in' },
          tools: {},
        };
        await fs.writeFile(path.join(dir, 'bench.json'), JSON.stringify(meta));
        const lines = mine.map((r) => JSON.stringify(r));
        if (i === 1 && deep) lines[1] = withField(lines[1]!, deep);
        await fs.writeFile(path.join(dir, 'results.jsonl'), lines.join('\n') + '\n');
      }
      return shards;
    }

    it('gog merge with a results line 5,000 deep: the line named and skipped, the merged run complete otherwise (and said INCOMPLETE: exit 1)', async () => {
      const shards = await shardFolders('merge', deep5000);
      const out = path.join(tmp.dir, 'merge', 'merged');
      const run = await gog(['merge', ...shards, '--out', out]);
      assert.doesNotMatch(run.stderr, /call stack/);
      // The sample of the skipped line is missing: the merge is written, and says so.
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, /^gog: INCOMPLETE: \S+shard-1 has 1 of 3 without a final result/m);
      assert.match(run.stderr, /^gog: \S+shard-1\/results\.jsonl line 2: nested more than 64 levels deep; skipped$/m);
      const merged = (await fs.readFile(path.join(out, 'results.jsonl'), 'utf8')).trim().split('\n');
      assert.equal(merged.length, 5);
      assert.ok(existsSync(path.join(out, 'summary.json')));
    });

    it('gog merge that fails while writing leaves no merged folder behind', async () => {
      const shards = await shardFolders('merge-efbig');
      const out = path.join(tmp.dir, 'merge-efbig', 'merged');
      // Files may grow to 2 KB: bench.json is written, results.jsonl (about 6 KB) is not.
      const child = spawn('bash', ['-c', 'ulimit -f 2; exec "$0" "$@"', process.execPath, CLI, 'merge', ...shards, '--out', out], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const [code] = (await once(child, 'close')) as [number];
      assert.equal(code, 1, stderr);
      assert.match(stderr, /^gog: .*EFBIG/m);
      assert.ok(!existsSync(out), 'the merged folder is gone');
    });
  });
});
