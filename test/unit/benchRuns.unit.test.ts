// Benchmark runs that go wrong and runs spread out, over real HTTP: an endpoint with faults,
// the per-sample time limit, the `gog` process killed (SIGKILL) and resumed, stopped with
// SIGINT, shards merged, and an LLM judge on a wire server.
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseBenchArgs } from '../../src/cli/bench';
import { judgePrompt } from '../../src/data/judge';
import { readBenchRun } from '../../src/data/benchRun';
import type { SampleResult } from '../../src/data/results';
import { startReplayServer } from '../../src/model/replayServer';
import { runBenchmark } from '../../src/run/bench';
import { parseShard } from '../../src/run/shard';
import { normalizeAnswer } from '../../src/core/scoring';
import { benchArgs, checkResults, startImageServer, writeBenchmark, type BenchFixture } from '../helpers/benchmarks';
import { gog } from '../helpers/cli';
import { tempDir } from '../helpers/fixtures';
import { completion, startWireServer } from '../helpers/wireServer';

const keys = (rs: readonly SampleResult[]) => rs.map((r) => `${r.index}-${r.rollout}`);

/** Results with what may differ between two runs of the same samples (time) left out. */
const comparable = (rs: readonly SampleResult[]) =>
  [...rs].sort((a, b) => a.index - b.index || a.rollout - b.rollout).map(({ ms: _ms, ...r }) => JSON.stringify(r));

async function lines(file: string): Promise<number> {
  try {
    return (await fs.readFile(file, 'utf8')).split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

async function until(what: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('benchmark runs: faults, kills, resumes, shards, the judge', function () {
  this.timeout(240_000);
  const tmp = tempDir('gog-benchruns-');
  let fx: BenchFixture;
  let n = 0;
  const fresh = () => path.join(tmp.dir, `run${++n}`);
  const cache = () => path.join(tmp.dir, 'cache');
  before(async () => (fx = await writeBenchmark('mmsearch', path.join(tmp.dir, 'data'), 50)));
  after(tmp.cleanup);

  it('an endpoint with faults: retried ones recover, the rest are recorded errors; every sample once', async () => {
    const server = await startReplayServer(fx.recordings, { faults: { 2: '429', 5: '500', 9: 'cut', 14: 'malformed', 30: '500', 31: '500', 32: '500' } });
    try {
      const out = fresh();
      const { options } = parseBenchArgs(benchArgs(fx, server.url, out, cache(), ['--concurrency', '4', '--retries', '2']), {}, tmp.dir);
      const outcome = await runBenchmark(options);
      const { results } = await readBenchRun(out);
      assert.equal(new Set(keys(results)).size, fx.expected.length);
      const failed = results.filter((r) => r.stopReason === 'error');
      // The endpoint's failures are not final: the run is unfinished until they run again (--resume).
      assert.equal(outcome.finished, failed.length === 0);
      assert.equal(outcome.errors, failed.length);
      for (const r of failed) assert.equal(r.errorKind, 'endpoint');
      // Each fault took a request of its own, and at most two samples failed for them (three 500s in a row may exhaust one sample's two retries).
      assert.ok(failed.length <= 2, JSON.stringify(failed.map((r) => r.error)));
      const turns = fx.expected.reduce((sum, e, i) => sum + (failed.some((f) => f.index === i) ? 0 : e.turns), 0);
      assert.ok(server.stats.chatRequests >= turns + 7 - 3 * failed.length, `${server.stats.chatRequests} requests for ${turns} turns`);
      for (const r of failed) {
        assert.equal(r.cause, 'error');
        assert.ok(r.error && r.error.length < 400 && !r.error.includes('\n'), r.error);
      }
      checkResults(
        results.filter((r) => r.stopReason !== 'error'),
        fx,
        failed.map((r) => r.index),
      );
    } finally {
      await server.close();
    }
  });

  it('the per-sample time limit: a slow sample stops and is recorded as timed out', async () => {
    const server = await startReplayServer(fx.recordings, { latencyMs: 1500 });
    try {
      const out = fresh();
      const { options } = parseBenchArgs(benchArgs(fx, server.url, out, cache(), ['--limit', '4', '--concurrency', '4', '--sample-timeout', '1']), {}, tmp.dir);
      const t0 = Date.now();
      const outcome = await runBenchmark(options);
      assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
      assert.equal(outcome.finished, true);
      const { results } = await readBenchRun(out);
      assert.equal(results.length, 4);
      for (const r of results) {
        assert.equal(r.timedOut, true);
        assert.equal(r.cause, 'timeout');
        assert.equal(r.answer, null);
      }
    } finally {
      await server.close();
    }
  });

  it('killed with SIGKILL mid-run, then --resume: no duplicates, no gaps, same results as scripted', async () => {
    const server = await startReplayServer(fx.recordings, { latencyMs: 40 });
    try {
      const out = fresh();
      const args = ['bench', ...benchArgs(fx, server.url, out, cache(), ['--concurrency', '4'])];
      const killed = await gog(args, {
        cwd: tmp.dir,
        started: (child) => void until(async () => (await lines(path.join(out, 'results.jsonl'))) >= 12, 60_000).then(() => child.kill('SIGKILL')),
      });
      assert.equal(killed.signal, 'SIGKILL');
      const before = await readBenchRun(out);
      assert.ok(before.results.length >= 12 && before.results.length < fx.expected.length, String(before.results.length));
      // A kill in the middle of a write leaves half a line: the resume cuts it off and runs that sample again.
      await fs.appendFile(path.join(out, 'results.jsonl'), JSON.stringify(before.results[0]).slice(0, 40));
      const resumed = await gog([...args, '--resume', '--json'], { cwd: tmp.dir });
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.match(resumed.stderr, /cut short/);
      const line = JSON.parse(resumed.stdout.trim()) as Record<string, unknown>;
      const after = await readBenchRun(out);
      assert.deepEqual(after.problems, []);
      assert.equal(new Set(keys(after.results)).size, after.results.length, 'no duplicates');
      checkResults(after.results, fx);
      assert.deepEqual(
        { samples: line.samples, done: line.done, accuracy: line.accuracy, run: line.run },
        { samples: fx.expected.length, done: fx.expected.length, accuracy: after.summary.all.accuracy, run: out },
      );
      // What finished before the kill is kept as it was.
      for (const r of before.results) assert.ok(after.results.some((a) => JSON.stringify(a) === JSON.stringify(r)));
      // Every result's trajectory is whole: one header, an answer.
      for (const r of after.results) assert.match(await fs.readFile(path.join(out, r.trajectory), 'utf8'), /"type":"final"/);
    } finally {
      await server.close();
    }
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    it(`${signal} stops promptly, keeping what finished; a resume finishes the rest`, async () => {
      const server = await startReplayServer(fx.recordings, { latencyMs: 300 });
      try {
        const out = fresh();
        const args = ['bench', ...benchArgs(fx, server.url, out, cache(), ['--concurrency', '4'])];
        let signalled = 0;
        const stopped = await gog(args, {
          cwd: tmp.dir,
          started: (child) =>
            void until(async () => (await lines(path.join(out, 'results.jsonl'))) >= 4, 60_000).then(() => {
              signalled = Date.now();
              child.kill(signal);
            }),
        });
        assert.ok(Date.now() - signalled < 3000, `stopped ${Date.now() - signalled} ms after ${signal}`);
        assert.equal(stopped.code, 1, stopped.stderr);
        assert.match(stopped.stderr, /--resume/);
        const before = await readBenchRun(out);
        assert.ok(before.results.length < fx.expected.length);
        assert.equal(before.summary.finished, false);
        const resumed = await gog([...args, '--resume'], { cwd: tmp.dir });
        assert.equal(resumed.code, 0, resumed.stderr);
        checkResults((await readBenchRun(out)).results, fx);
      } finally {
        await server.close();
      }
    });

  it("an image URL that fails is that sample's recorded error; a changed dataset is not resumed", async () => {
    const images = await startImageServer();
    try {
      const dyn = await writeBenchmark('dynvqa', path.join(tmp.dir, 'dyn'), 12, images.url);
      const text = await fs.readFile(dyn.file, 'utf8');
      await fs.writeFile(dyn.file, text.replace(`${images.url}/img/astronaut.png.jpg`, `${images.url}/img/missing.jpg`));
      const server = await startReplayServer(dyn.recordings);
      try {
        const out = fresh();
        const args = benchArgs(dyn, server.url, out, path.join(tmp.dir, 'dyn-cache'));
        await runBenchmark(parseBenchArgs(args, {}, tmp.dir).options);
        const { results } = await readBenchRun(out);
        const failed = results.filter((r) => r.stopReason === 'error');
        // Samples 0, 5 and 10 show the astronaut: the first URL changed (one line), so only sample 0 fails.
        assert.deepEqual(
          failed.map((r) => [r.index, r.cause, r.trajectory]),
          [[0, 'error', '']],
        );
        assert.match(failed[0]!.error!, /missing\.jpg answered HTTP 404/);
        checkResults(
          results.filter((r) => r.index !== 0),
          dyn,
          [0],
        );
        // The dataset changes under a stopped run: the resume says so and runs nothing.
        await fs.appendFile(
          dyn.file,
          JSON.stringify({ image_url: `${images.url}/img/rocket.jpg.jpg`, question: 'new', question_id: 'en99', answer: ['x'] }) + '\n',
        );
        await assert.rejects(runBenchmark(parseBenchArgs([...args, '--resume'], {}, tmp.dir).options), /the datasets differ/);
      } finally {
        await server.close();
      }
    } finally {
      await images.close();
    }
  });

  it('three shards, merged with gog merge, equal the run unsharded', async () => {
    const server = await startReplayServer(fx.recordings);
    try {
      const whole = fresh();
      await runBenchmark(parseBenchArgs(benchArgs(fx, server.url, whole, cache()), {}, tmp.dir).options);
      const base = fresh();
      // Shard 1 the way an Indexed Job runs it: --shard auto from the environment.
      const envs = [{}, { JOB_COMPLETION_INDEX: '1', JOB_COMPLETIONS: '3' }, {}];
      const specs = ['0/3', 'auto', '2/3'];
      for (const [i, spec] of specs.entries())
        await runBenchmark(parseBenchArgs(benchArgs(fx, server.url, base, cache(), ['--shard', spec]), envs[i]!, tmp.dir).options);
      const shards = (await fs.readdir(base)).filter((n) => n.startsWith('shard-')).sort();
      assert.deepEqual(shards, ['shard-000-of-003', 'shard-001-of-003', 'shard-002-of-003']);
      const merged = path.join(tmp.dir, 'merged');
      const m = await gog(['merge', ...shards.map((s) => path.join(base, s)), '--out', merged, '--json'], { cwd: tmp.dir });
      assert.equal(m.code, 0, m.stderr);
      const a = await readBenchRun(whole);
      const b = await readBenchRun(merged);
      assert.deepEqual(comparable(b.results), comparable(a.results));
      const { latencyMs: _la, ...sa } = a.summary.all;
      const { latencyMs: _lb, ...sb } = b.summary.all;
      assert.deepEqual(sb, sa);
      for (const r of b.results) await fs.access(path.join(merged, r.trajectory));
      // A shard given twice, or a folder that is no shard of this run, is refused in one line.
      const twice = await gog(['merge', path.join(base, shards[0]!), path.join(base, shards[0]!), '--out', path.join(tmp.dir, 'm2')], { cwd: tmp.dir });
      assert.equal(twice.code, 2);
      assert.match(twice.stderr, /both shard 0/);
    } finally {
      await server.close();
    }
  });

  it('reads --shard auto from a Kubernetes Indexed Job or a Slurm array, and refuses what it cannot map', () => {
    assert.deepEqual(parseShard('auto', { JOB_COMPLETION_INDEX: '3', JOB_COMPLETIONS: '8' }), { index: 3, count: 8 });
    assert.deepEqual(
      parseShard('auto', {
        SLURM_ARRAY_TASK_ID: '5',
        SLURM_ARRAY_TASK_COUNT: '4',
        SLURM_ARRAY_TASK_MIN: '1',
        SLURM_ARRAY_TASK_MAX: '7',
        SLURM_ARRAY_TASK_STEP: '2',
      }),
      { index: 2, count: 4 },
    );
    assert.throws(() => parseShard('auto', { JOB_COMPLETION_INDEX: '3' }), /JOB_COMPLETIONS/);
    assert.throws(() => parseShard('auto', {}), /not in a Kubernetes Indexed Job/);
    assert.throws(() => parseShard('4/4', {}), /not one of 0…3/);
  });

  it('an LLM judge on an OpenAI-compatible server: the prompt carries question, gold and prediction; the whole reply is kept', async () => {
    const model = await startReplayServer(fx.recordings);
    const prompts: string[] = [];
    // The judge accepts a prediction that contains a gold answer (so "The Hubble" passes where exact match fails), and mumbles once.
    const judge = await startWireServer((_req, res, body) => {
      const prompt = (JSON.parse(body) as { messages: { content: string }[] }).messages[0]!.content;
      prompts.push(prompt);
      const prediction = normalizeAnswer(/^Prediction: (.*)$/m.exec(prompt)![1]!);
      const golds = [/^Ground truth: (.*)$/m.exec(prompt)![1]!, .../^Candidate answers: (.*)$/m.exec(prompt)![1]!.split(' | ')].map(normalizeAnswer);
      const yes = golds.some((g) => g && prediction.includes(g));
      const reply = prompt.includes('[#7]') ? 'I am not sure.' : `<judge>${yes ? 'Yes' : 'No'}</judge><reason>compared with the ground truth</reason>`;
      res.writeHead(200, { 'content-type': 'application/json' }).end(completion(reply));
    }, 'judge-model');
    try {
      const out = fresh();
      const { options } = parseBenchArgs(
        benchArgs(fx, model.url, out, cache(), ['--limit', '12', '--judge-endpoint', judge.url, '--judge-model', 'judge-model']),
        { OPENAI_API_KEY: 'sk-model-key-0123456789', GOG_JUDGE_API_KEY: 'sk-judge-key-0123456789' },
        tmp.dir,
      );
      const outcome = await runBenchmark(options);
      assert.equal(prompts.length, 12);
      const { results, meta } = await readBenchRun(out);
      assert.equal(meta.judge?.model, 'judge-model');
      let agree = 0;
      for (const r of results) {
        const e = fx.expected[r.index]!;
        const j = r.scores.judge!;
        assert.ok(prompts.includes(judgePrompt({ question: e.question, gold: e.gold, prediction: e.answer })));
        if (r.index === 7) {
          assert.deepEqual([j.correct, j.reply, j.verdict], [false, 'I am not sure.', 'unreadable']);
          continue;
        }
        assert.match(j.reply, /^<judge>(Yes|No)<\/judge><reason>compared with the ground truth<\/reason>$/);
        assert.equal(j.correct, e.exactMatch === 1, `${r.index}: ${r.answer}`);
        if (j.correct === r.scores.exactMatch > 0) agree++;
        // The reward follows the judge: (1 − 0.1)·judge + 0.1·format.
        assert.equal(r.scores.reward, Math.round((0.9 * (j.correct ? 1 : 0) + 0.1 * r.scores.format) * 10000) / 10000);
      }
      assert.equal(agree, 11);
      assert.ok(Math.abs(outcome.summary.all.judge! - results.filter((r) => r.scores.judge!.correct).length / 12) < 1e-9);
      // Each server got its own key, and neither key is in the run folder.
      for (const r of judge.requests) assert.equal(r.headers?.authorization, 'Bearer sk-judge-key-0123456789');
      const all = JSON.stringify(await readBenchRun(out)) + (await fs.readFile(path.join(out, 'bench.json'), 'utf8'));
      assert.ok(!all.includes('sk-model-key') && !all.includes('sk-judge-key'));
    } finally {
      await model.close();
      await judge.close();
    }
  });
});
