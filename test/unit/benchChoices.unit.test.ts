// Run Benchmark…'s choices without VS Code: each is checked by the rule `gog bench` applies to
// its flag (the same message), a script's options are checked as a whole, what is remembered
// per dataset comes back as it was (and a stale field falls back, never fails), and a run
// folder of the dataset is found and taken up by the real runner with the choices it was made with.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { readBenchRun } from '../../src/data/benchRun';
import { startReplayServer } from '../../src/model/replayServer';
import { runBench } from '../../src/run/bench';
import {
  benchOptionsOf,
  choicesFromScript,
  choicesKey,
  choicesOfRun,
  choicesToRemember,
  DEFAULT_CHOICES,
  parseChoice,
  rememberedChoices,
  type BenchChoices,
} from '../../src/run/benchChoices';
import { runsOfDataset } from '../../src/run/datasetRuns';
import { settingDefaults } from '../../src/run/settingsSpec';
import { shardDir } from '../../src/run/shard';
import { benchArgs, writeBenchmark, type BenchFixture } from '../helpers/benchmarks';
import { gog } from '../helpers/cli';
import { ROOT, tempDir } from '../helpers/fixtures';

const error = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
};

describe("Run Benchmark…'s choices (no VS Code)", function () {
  this.timeout(120_000);
  const tmp = tempDir('gog-benchchoices-');
  after(tmp.cleanup);

  it('checks each choice by the rule of its gog bench flag, in the same words', async () => {
    const base = tmp.dir;
    assert.equal(parseChoice('concurrency', '6', base), 6);
    assert.equal(parseChoice('concurrency', 2, base), 2);
    assert.equal(parseChoice('limit', ' ', base), undefined);
    assert.equal(parseChoice('shard', ' 1 / 4 ', base), '1/4');
    assert.equal(parseChoice('map', 'question = q, answer=a ,image=img', base), 'question=q,answer=a,image=img');
    assert.equal(parseChoice('preset', 'mmsearch-r1', base), 'mmsearch-r1');
    assert.equal(parseChoice('resume', '.gog/runs/x', base), path.join(base, '.gog', 'runs', 'x'));
    assert.equal(
      error(() => parseChoice('concurrency', '0', base)),
      '--concurrency must be a whole number from 1 to 1024; got 0',
    );
    assert.equal(
      error(() => parseChoice('rollouts', '1001', base)),
      '--rollouts must be a whole number from 1 to 1000; got 1001',
    );
    assert.equal(
      error(() => parseChoice('preset', 'r2', base)),
      '--preset takes one of none, mmsearch-r1; got "r2"',
    );
    assert.match(
      error(() => parseChoice('shard', 'auto', base)),
      /not in a Kubernetes Indexed Job/,
    );
    assert.match(
      error(() => parseChoice('judgeEndpoint', 'ftp://judge', base)),
      /--judge-endpoint must be an http\(s\) URL/,
    );
    assert.match(
      error(() => parseChoice('judgeEndpoint', 'judge', base)),
      /--judge-endpoint must be an http\(s\) URL/,
    );
    // The CLI says the same about the same values: one rule, two places that ask.
    const cases: [string, string[], string][] = [
      ['concurrency', ['--concurrency', 'many'], 'many'],
      ['limit', ['--limit', '2.5'], '2.5'],
      ['shard', ['--shard', '3/3'], '3/3'],
      ['map', ['--map', 'question=q'], 'question=q'],
    ];
    for (const [field, flags, value] of cases) {
      const run = await gog(['bench', path.join(base, 'none.jsonl'), ...flags], { cwd: base });
      assert.equal(run.code, 2, run.stderr);
      const said = error(() => parseChoice(field as 'concurrency', value, base));
      assert.ok(run.stderr.includes(said), `${flags.join(' ')}: the CLI said ${run.stderr.trim()}, the choice ${said}`);
    }
  });

  it("checks a script's options as a whole, naming an unknown field", () => {
    const base = tmp.dir;
    const c = choicesFromScript({ concurrency: 2, rollouts: '2', judgeEndpoint: 'http://127.0.0.1:9/v1', judgeModel: 'judge' }, DEFAULT_CHOICES, base);
    assert.deepEqual(c, { concurrency: 2, rollouts: 2, judgeEndpoint: 'http://127.0.0.1:9/v1', judgeModel: 'judge' });
    assert.deepEqual(choicesFromScript({}, DEFAULT_CHOICES, base), { concurrency: 4, rollouts: 1 });
    assert.match(
      error(() => choicesFromScript({ concurency: 2 }, DEFAULT_CHOICES, base)),
      /unknown option "concurency"/,
    );
    assert.equal(
      error(() => choicesFromScript({ judgeModel: 'judge' }, DEFAULT_CHOICES, base)),
      '--judge-endpoint URL and --judge-model NAME go together',
    );
    assert.match(
      error(() => choicesFromScript({ shard: '0/2', resume: 'x' }, DEFAULT_CHOICES, base)),
      /a sharded run is taken up from the terminal/,
    );
    assert.match(
      error(() => choicesFromScript({ limit: -3 }, DEFAULT_CHOICES, base)),
      /--limit needs a whole number; got "-3"/,
    );
    assert.match(
      error(() => choicesFromScript({ rollouts: true }, DEFAULT_CHOICES, base)),
      /rollouts must be text or a number/,
    );
  });

  it('remembers the choices per dataset and starts from them; a stale field falls back to its default', () => {
    const base = tmp.dir;
    const chosen: BenchChoices = {
      concurrency: 3,
      limit: 12,
      shard: '1/2',
      rollouts: 4,
      judgeEndpoint: 'http://127.0.0.1:9/v1',
      judgeModel: 'judge',
      map: 'question=q,answer=a,image=img',
      preset: 'mmsearch-r1',
      promptsDir: path.join(base, 'prompts'),
    };
    // Stored as plain JSON (workspaceState's), under the dataset's resolved path.
    const stored = JSON.parse(JSON.stringify(choicesToRemember({ ...chosen, resume: path.join(base, 'run') }))) as unknown;
    assert.deepEqual(rememberedChoices(stored, base), chosen, 'all but the run taken up come back');
    assert.equal(choicesKey('data/../data/a.jsonl'), choicesKey(path.resolve('data/a.jsonl')));
    assert.notEqual(choicesKey('a.jsonl'), choicesKey('b.jsonl'));
    assert.deepEqual(rememberedChoices({ concurrency: 0, limit: 'x', rollouts: 2, judgeModel: 'judge', preset: 'gone' }, base), {
      concurrency: 4,
      rollouts: 2,
    });
    // A judge endpoint holding a token is not kept in workspace state.
    const tokened = choicesToRemember({ ...chosen, judgeEndpoint: 'http://127.0.0.1:9/v1?key=sk-judge-0123456789abcdef' });
    assert.ok(!JSON.stringify(tokened).includes('sk-judge'), JSON.stringify(tokened));
    assert.equal(tokened.judgeModel, undefined);
    assert.deepEqual(rememberedChoices(undefined, base), DEFAULT_CHOICES);
    assert.deepEqual(rememberedChoices([1, 2], base), DEFAULT_CHOICES);
  });

  describe('a run of the dataset, taken up', () => {
    let fx: BenchFixture;
    before(async () => (fx = await writeBenchmark('livevqa', path.join(tmp.dir, 'data'), 6)));

    it('is listed for its dataset, brings its rollouts and limit, and the runner resumes it there', async () => {
      const server = await startReplayServer(fx.recordings, { latencyMs: 100 });
      const runs = path.join(tmp.dir, '.gog', 'runs');
      const cache = path.join(tmp.dir, 'cache');
      try {
        const first = path.join(runs, 'a-first');
        // A run stopped after its first result: SIGINT, as Cancel or Ctrl-C stops it.
        const stopped = await gog(['bench', ...benchArgs(fx, server.url, first, cache, ['--limit', '5', '--rollouts', '2', '--concurrency', '1'])], {
          cwd: tmp.dir,
          started: (child) => {
            // Stopped once a result is on disk (polling the file the run appends to).
            const poll = setInterval(() => {
              if (existsSync(path.join(first, 'results.jsonl')) && readFileSync(path.join(first, 'results.jsonl'), 'utf8').trim()) {
                clearInterval(poll);
                child.kill('SIGINT');
              }
            }, 20);
            child.on('exit', () => clearInterval(poll));
          },
        });
        assert.notEqual(stopped.code, 0, 'the run was stopped');
        const before = (await readBenchRun(first)).results.length;
        assert.ok(before >= 1 && before < 10, `${before} results when stopped`);
        const other = await writeBenchmark('livevqa', path.join(tmp.dir, 'other'), 2);
        assert.equal((await gog(['bench', ...benchArgs(other, server.url, path.join(runs, 'b-other'), cache)], { cwd: tmp.dir })).code, 0);

        const found = await runsOfDataset(runs, fx.file);
        assert.deepEqual(
          found.map((r) => r.dir),
          [first],
          'only the runs of this dataset',
        );
        const c = choicesOfRun(found[0]!.meta, found[0]!.dir, { ...DEFAULT_CHOICES, limit: 99, concurrency: 2 });
        assert.deepEqual({ ...c }, { concurrency: 2, rollouts: 2, limit: 5, resume: first, ...(fx.map ? { map: c.map } : {}) });

        const parts = benchOptionsOf(c, path.join(runs, 'unused'), undefined);
        assert.equal(parts.resume, true);
        assert.equal(parts.runDir, first);
        const settings = {
          ...settingDefaults({ base: tmp.dir, defaults: { corpusDir: path.join(ROOT, 'media', 'demo', 'corpus') } }),
          endpoint: server.url,
          allowPrivateUrls: true,
        };
        const outcome = await runBench({ ...settings, ...parts, dataset: fx.file, cacheDir: cache });
        assert.equal(outcome.runDir, first);
        assert.ok(outcome.finished, 'the resumed run finished');
        const { results } = await readBenchRun(first);
        assert.equal(results.length, 10, 'five samples × two rollouts, none twice');
        assert.equal(new Set(results.map((r) => `${r.index}-${r.rollout}`)).size, 10);
      } finally {
        await server.close();
      }
    });

    it('a shard runs in its own folder under the run, and the judge gets its own key', () => {
      const parts = benchOptionsOf(
        { ...DEFAULT_CHOICES, shard: '1/3', judgeEndpoint: 'http://127.0.0.1:9/v1', judgeModel: 'judge' },
        path.join(tmp.dir, 'new-run'),
        'judge-key',
      );
      assert.deepEqual(parts.shard, { index: 1, count: 3 });
      assert.equal(parts.runDir, shardDir(path.join(tmp.dir, 'new-run'), { index: 1, count: 3 }));
      assert.deepEqual(parts.judge, { endpoint: 'http://127.0.0.1:9/v1', model: 'judge', apiKey: 'judge-key' });
      assert.equal(parts.resume, false);
    });
  });
});
