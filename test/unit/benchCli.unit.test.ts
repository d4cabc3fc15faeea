// `gog bench` from the terminal: samples spread over several endpoints, one-line errors for
// bad input (nothing written), and the progress display (bar, rate, time left).
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { progressDisplay, progressText } from '../../src/cli/progressBar';
import { readBenchRun } from '../../src/data/benchRun';
import { startReplayServer } from '../../src/model/replayServer';
import type { BenchProgress } from '../../src/run/bench';
import { benchArgs, checkResults, writeBenchmark, type BenchFixture } from '../helpers/benchmarks';
import { gog, oneErrorLine } from '../helpers/cli';
import { closedEndpoint, tempDir } from '../helpers/fixtures';

describe('gog bench on the command line', function () {
  this.timeout(120_000);
  const tmp = tempDir('gog-benchcli-');
  let fx: BenchFixture;
  before(async () => (fx = await writeBenchmark('livevqa', path.join(tmp.dir, 'data'), 24)));
  after(tmp.cleanup);

  it('spreads samples over every --endpoint given', async () => {
    const a = await startReplayServer(fx.recordings, { latencyMs: 20 });
    const b = await startReplayServer(fx.recordings, { latencyMs: 20 });
    try {
      const out = path.join(tmp.dir, 'spread');
      const run = await gog(['bench', ...benchArgs(fx, a.url, out, path.join(tmp.dir, 'cache'), ['--endpoint', b.url, '--concurrency', '6', '--json'])], {
        cwd: tmp.dir,
      });
      assert.equal(run.code, 0, run.stderr);
      // Both got a fair share (each sample's turns go to one endpoint).
      assert.ok(a.stats.chatRequests >= 8 && b.stats.chatRequests >= 8, `${a.stats.chatRequests} and ${b.stats.chatRequests}`);
      const { results, meta } = await readBenchRun(out);
      checkResults(results, fx);
      assert.equal(meta.endpoints.length, 2);
      // Broken records are named on stderr with their position.
      assert.match(run.stderr, /benchmark\.json: record 1.*outside the dataset folder.*\(skipped\)/);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('refuses bad input in one line, writing nothing', async () => {
    const server = await startReplayServer(fx.recordings);
    try {
      const cache = path.join(tmp.dir, 'cache');
      const cases: [string[], RegExp][] = [
        [['bench'], /needs a DATASET/],
        [['bench', 'nope.jsonl', '--endpoint', server.url], /dataset not found: \S*nope\.jsonl$/],
        [['bench', fx.file, '--endpoint', server.url, '--shard', '3/3'], /shard 3 is not one of 0…2/],
        [['bench', fx.file, '--endpoint', server.url, '--shard', 'auto'], /not in a Kubernetes Indexed Job/],
        [['bench', fx.file, '--endpoint', server.url, '--map', 'question=q'], /--map needs answer=FIELD/],
        [['bench', fx.file, '--endpoint', server.url, '--concurrency', 'many'], /--concurrency needs a whole number/],
        [['bench', fx.file, '--endpoint', server.url, '--resume'], /--resume takes up a run: give its folder with --out/],
        [['bench', fx.file, '--endpoint', server.url, '--judge-model', 'x'], /--judge-endpoint URL and --judge-model NAME go together/],
        [['bench', fx.file, '--endpoint', await closedEndpoint(), '--out', path.join(tmp.dir, 'closed')], /.+/],
        [['bench', fx.file, '--endpoint', server.url, '--out', path.join(tmp.dir, 'data')], /not empty and holds no benchmark run/],
      ];
      for (const [args, pattern] of cases) {
        const run = await gog([...args, '--cache', cache], { cwd: tmp.dir });
        assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
        oneErrorLine(run, pattern);
      }
      await assert.rejects(fs.access(path.join(tmp.dir, 'closed')));
      // A finished run is not run over, and a resume with other settings is refused.
      const out = path.join(tmp.dir, 'once');
      assert.equal((await gog(['bench', ...benchArgs(fx, server.url, out, cache, ['--limit', '3'])], { cwd: tmp.dir })).code, 0);
      oneErrorLine(
        await gog(['bench', ...benchArgs(fx, server.url, out, cache, ['--limit', '3'])], { cwd: tmp.dir }),
        /already holds a benchmark run; pass --resume/,
      );
      oneErrorLine(
        await gog(['bench', ...benchArgs(fx, server.url, out, cache, ['--limit', '3', '--resume', '--max-turns', '3'])], { cwd: tmp.dir }),
        /cannot resume .*: the setting maxTurns differs \(8 vs 3\)/,
      );
    } finally {
      await server.close();
    }
  });

  it('shows a bar with done, rate, time left and accuracy; a line per tenth when not on a terminal', () => {
    const p = (done: number, elapsedMs: number): BenchProgress => ({
      total: 200,
      done,
      resumed: 20,
      running: 8,
      correct: Math.floor(done / 2),
      errors: 1,
      elapsedMs,
      rate: ((done - 20) * 1000) / elapsedMs,
      etaMs: ((200 - done) / (((done - 20) * 1000) / elapsedMs)) * 1000,
    });
    // 80 fresh results in 40 s: 2/s, 100 left: 50 s.
    assert.equal(progressText(p(100, 40_000), 10), '[#####.....] 100/200 50% · 2.0/s · ETA 50s · right 50.0% · 1 failed · 8 running');
    let now = 0;
    const lines: string[] = [];
    const plain = progressDisplay((t) => lines.push(t), { tty: false, width: 80, now: () => now });
    for (let done = 20; done <= 200; done += 2) {
      now += 100;
      plain.update(p(done, now));
    }
    plain.end();
    assert.equal(lines.length, 10);
    assert.ok(lines.every((l) => l.startsWith('gog bench: ') && l.endsWith('\n')));
    const drawn: string[] = [];
    const tty = progressDisplay((t) => drawn.push(t), { tty: true, width: 120, now: () => now });
    tty.update(p(100, 40_000));
    tty.end();
    assert.ok(drawn[0]!.startsWith('\r['));
    assert.ok(drawn.at(-1)!.endsWith('\n'));
  });
});
