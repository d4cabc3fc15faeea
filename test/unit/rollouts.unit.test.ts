// Rollouts and complexity levels: K trajectories per query from a scripted endpoint that is
// right on a known share of each query's rollouts, the reward (1−λ)·accuracy + λ·format,
// pass rates and levels, and `gog export-rl` writing the hard queries in the veRL layout,
// read back with hyparquet and loaded again as a benchmark.
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import sharp from 'sharp';
import { parseBenchArgs } from '../../src/cli/bench';
import { readBenchRun } from '../../src/data/benchRun';
import { loadDataset } from '../../src/data/datasets';
import { runBenchmark } from '../../src/run/bench';
import { benchArgs, writeBenchmark, type BenchFixture } from '../helpers/benchmarks';
import { gog } from '../helpers/cli';
import { tempDir } from '../helpers/fixtures';
import { completion, startWireServer, type WireServer } from '../helpers/wireServer';

const K = 3;
/** Rollouts of sample i that answer right: 0, 1, 2, 3, 0, 1, … so pass rates 0, 1/3, 2/3, 1. */
const rightOf = (i: number) => Math.min(i % 4, K);

describe('rollouts, levels and gog export-rl', function () {
  this.timeout(120_000);
  const tmp = tempDir('gog-rollouts-');
  let fx: BenchFixture;
  let server: WireServer;
  const out = () => path.join(tmp.dir, 'run');
  before(async () => {
    fx = await writeBenchmark('infoseek', path.join(tmp.dir, 'data'), 12);
    const asked = new Map<number, number>();
    let broke = false;
    server = await startWireServer((_req, res, body) => {
      const i = Number(/\[#(\d+)\]/.exec(body)![1]);
      // The first turn sample 5 gets breaks the format (no action); that rollout answers right on
      // its next turn, which has the first of sample 5's right answers kept for it, however the
      // rollouts' requests interleave.
      if (i === 5 && !broke) {
        broke = true;
        asked.set(i, (asked.get(i) ?? 0) + 1);
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(completion('Let me think about it.'));
      }
      const followUp = i === 5 && body.includes('Let me think about it.');
      const k = followUp ? 0 : (asked.get(i) ?? 0);
      if (!followUp) asked.set(i, k + 1);
      const answer = k < rightOf(i) ? fx.expected[i]!.gold[0]! : 'Nobody knows';
      res.writeHead(200, { 'content-type': 'application/json' }).end(completion(`<think>Sure.</think><answer>${answer}</answer>`));
    });
    const { options } = parseBenchArgs(
      benchArgs(fx, server.url, out(), path.join(tmp.dir, 'cache'), ['--rollouts', String(K), '--no-stream', '--temperature', '0.7']),
      {},
      tmp.dir,
    );
    await runBenchmark(options);
  });
  after(async () => {
    await server.close();
    tmp.cleanup();
  });

  it('records K rollouts per query with their rewards, pass rates and levels', async () => {
    const run = await readBenchRun(out());
    assert.equal(run.results.length, fx.expected.length * K);
    // One rollout broke the format and still answered right: its reward is 0.9, not 1.
    assert.deepEqual(
      run.results.filter((r) => r.scores.format === 0).map((r) => [r.index, r.parseErrors, r.scores.exactMatch, r.scores.reward]),
      [[5, 1, 1, 0.9]],
    );
    for (const r of run.results) {
      const acc = r.scores.exactMatch;
      assert.equal(r.scores.reward, Math.round((0.9 * acc + 0.1 * r.scores.format) * 10000) / 10000, JSON.stringify(r.scores));
    }
    const queries = (await fs.readFile(path.join(out(), 'queries.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { index: number; passRate: number; level: number; rollouts: number });
    assert.equal(queries.length, fx.expected.length);
    for (const q of queries) {
      assert.equal(q.rollouts, K);
      assert.equal(q.passRate, Math.round((rightOf(q.index) / K) * 10000) / 10000);
      assert.equal(q.level, rightOf(q.index) / K < 0.5 ? 2 : 1);
    }
    const levels = (run.summary as { levels?: { level1: number; level2: number } }).levels!;
    assert.deepEqual([levels.level1, levels.level2], [6, 6]);
  });

  it('exports the hard queries in the veRL layout, readable by hyparquet and loadable as a benchmark', async () => {
    const file = path.join(tmp.dir, 'hard.parquet');
    const run = await gog(['export-rl', out(), '--out', file], { cwd: tmp.dir });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^6 of 12 queries are hard/);
    const bytes = await fs.readFile(file);
    const rows = await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), utf8: false });
    const hard = fx.expected.map((_, i) => i).filter((i) => rightOf(i) / K < 0.5);
    assert.equal(rows.length, hard.length);
    for (const [n, row] of rows.entries()) {
      const e = fx.expected[hard[n]!]!;
      assert.equal(row.data_source, 'mmsearch_r1/infoseek');
      assert.deepEqual(row.prompt, [{ content: e.question, role: 'user' }]);
      const reward = row.reward_model as { ground_truth: string; candidate_answers: string; style: string };
      assert.deepEqual([reward.ground_truth, ...(JSON.parse(reward.candidate_answers) as string[])], e.gold);
      assert.equal(reward.style, 'rule');
      const extra = row.extra_info as { index: bigint; pass_rate: number; rollouts: number };
      assert.equal(Number(extra.index), hard[n]);
      assert.equal(extra.rollouts, K);
      const images = row.images as { bytes: Uint8Array }[];
      assert.equal(images.length, 1);
      assert.equal((await sharp(images[0]!.bytes).metadata()).width, 256);
    }
    // The export is a benchmark in its turn: our loader reads it as the veRL layout.
    const again = await loadDataset(file);
    assert.equal(again.layout, 'verl');
    assert.deepEqual(
      again.samples.map((s) => s.question),
      hard.map((i) => fx.expected[i]!.question),
    );
    const bad = await gog(['export-rl', path.join(tmp.dir, 'data'), '--out', path.join(tmp.dir, 'bad.parquet')], { cwd: tmp.dir });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not a benchmark run/);
  });
});
