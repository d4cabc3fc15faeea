// `gog bench` end to end over real HTTP: a recorded benchmark of 50 samples in every layout,
// run against the replay endpoint (the OpenAI wire format on 127.0.0.1), scored, and checked
// sample by sample against what the script makes the model do.
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readBenchRun } from '../../src/data/benchRun';
import { summarySchema } from '../../src/data/results';
import { startReplayServer, type ReplayServer } from '../../src/model/replayServer';
import { parseBenchArgs } from '../../src/cli/bench';
import { runBenchmark, type BenchProgress } from '../../src/run/bench';
import { benchArgs, checkResults, LAYOUT_NAMES, SAMPLES, startImageServer, writeBenchmark } from '../helpers/benchmarks';
import { tempDir } from '../helpers/fixtures';

describe('gog bench over the replay endpoint', function () {
  this.timeout(240_000);
  const tmp = tempDir('gog-bench-');
  let images: Awaited<ReturnType<typeof startImageServer>>;
  before(async () => (images = await startImageServer()));
  after(async () => {
    await images.close();
    tmp.cleanup();
  });

  for (const layout of LAYOUT_NAMES) {
    it(`runs ${SAMPLES} samples in the ${layout} layout: results, scores and summary as scripted`, async () => {
      const fx = await writeBenchmark(layout, path.join(tmp.dir, layout, 'data'), SAMPLES, images.url);
      const server: ReplayServer = await startReplayServer(fx.recordings);
      try {
        const out = path.join(tmp.dir, layout, 'run');
        const { options } = parseBenchArgs(benchArgs(fx, server.url, out, path.join(tmp.dir, 'cache'), ['--concurrency', '8']), {}, tmp.dir);
        const seen: BenchProgress[] = [];
        const outcome = await runBenchmark(options, { onProgress: (p) => seen.push(p) });
        assert.equal(outcome.finished, true);
        assert.equal(outcome.samples, fx.expected.length);
        assert.equal(outcome.problems.length, fx.broken);
        const run = await readBenchRun(out);
        assert.deepEqual(run.problems, []);
        checkResults(run.results, fx);
        const summary = summarySchema.parse(JSON.parse(await fs.readFile(path.join(out, 'summary.json'), 'utf8')));
        const right = fx.expected.filter((e) => e.exactMatch).length;
        assert.equal(summary.done, fx.expected.length);
        assert.ok(Math.abs(summary.all.accuracy - right / fx.expected.length) < 1e-9);
        assert.equal(seen.at(-1)!.done, fx.expected.length);
        assert.ok(seen.every((p, i) => i === 0 || p.done >= seen[i - 1]!.done));
        for (const r of run.results) {
          const lines = (await fs.readFile(path.join(out, r.trajectory), 'utf8')).trim().split('\n');
          assert.equal(JSON.parse(lines[0]!).type, 'header');
        }
      } finally {
        await server.close();
      }
    });
  }

  it('keeps at most --concurrency model requests under way, while more samples do their local work', async () => {
    const fx = await writeBenchmark('mmsearch', path.join(tmp.dir, 'slots', 'data'), SAMPLES, images.url);
    const server = await startReplayServer(fx.recordings, { latencyMs: 30 });
    try {
      const out = path.join(tmp.dir, 'slots', 'run');
      const { options } = parseBenchArgs(benchArgs(fx, server.url, out, path.join(tmp.dir, 'cache'), ['--concurrency', '4']), {}, tmp.dir);
      const seen: BenchProgress[] = [];
      const outcome = await runBenchmark(options, { onProgress: (p) => seen.push(p) });
      assert.equal(outcome.finished, true);
      checkResults((await readBenchRun(out)).results, fx);
      assert.ok(server.stats.peakInFlight <= 4, `${server.stats.peakInFlight} requests under way at once`);
      assert.equal(server.stats.peakInFlight, 4, 'the endpoint was never kept busy');
      const running = Math.max(...seen.map((p) => p.running));
      assert.ok(running > 4 && running <= 6, `${running} samples at once: more than the 4 requests, at most half as many again`);
    } finally {
      await server.close();
    }
  });
});
