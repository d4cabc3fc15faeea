// Sharded runs that cannot finish wrong, on the built `gog` over the replay endpoint: a task
// re-submitted alone joins its run's plan, the hint after a stop is the command that finishes
// the shard, a refused resume changes nothing, duplicate result lines are compacted, an
// incomplete merge says INCOMPLETE and exits 1, and samples that ended in an endpoint error
// are counted, fail the run and run again on resume (a sample's own failure does not).
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseBenchArgs } from '../../src/cli/bench';
import { readBenchRun } from '../../src/data/benchRun';
import type { SampleResult } from '../../src/data/results';
import { startReplayServer, type ReplayServer } from '../../src/model/replayServer';
import { benchArgs, checkResults, startImageServer, writeBenchmark, type BenchFixture } from '../helpers/benchmarks';
import { CLI, gog, oneErrorLine, type Run } from '../helpers/cli';
import { tempDir } from '../helpers/fixtures';
import { startGateEndpoint } from '../helpers/gateEndpoint';
import { startWireServer } from '../helpers/wireServer';

/** The environment Slurm gives task `id` of `sbatch --array=MIN-MAX[:STEP]` (a single index: MIN = MAX). */
export function slurmTask(id: number, min: number, max: number, step = 1): Record<string, string> {
  return {
    SLURM_JOB_ID: String(1000 + id),
    SLURM_ARRAY_JOB_ID: '1000',
    SLURM_ARRAY_TASK_ID: String(id),
    SLURM_ARRAY_TASK_COUNT: String(Math.floor((max - min) / step) + 1),
    SLURM_ARRAY_TASK_MIN: String(min),
    SLURM_ARRAY_TASK_MAX: String(max),
    SLURM_ARRAY_TASK_STEP: String(step),
  };
}

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

/** Every file and folder under `dir` with its bytes' hash: two snapshots are equal when nothing changed. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string) => {
    for (const e of await fs.readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const rel = path.relative(dir, p);
      if (e.isDirectory()) {
        out[rel + '/'] = 'dir';
        await walk(p);
      } else
        out[rel] = createHash('sha256')
          .update(await fs.readFile(p))
          .digest('hex');
    }
  };
  await walk(dir);
  return out;
}

const keys = (rs: readonly SampleResult[]) => rs.map((r) => `${r.index}-${r.rollout}`);

describe('sharded runs that cannot finish wrong', function () {
  this.timeout(180_000);
  const tmp = tempDir('gog-sharded-');
  let fx: BenchFixture;
  let server: ReplayServer;
  let n = 0;
  const fresh = () => path.join(tmp.dir, `run${++n}`);
  const cache = () => path.join(tmp.dir, 'cache');
  const shardsOf = async (base: string) => (await fs.readdir(base)).filter((f) => f.startsWith('shard-')).sort();
  before(async () => {
    fx = await writeBenchmark('mmsearch', path.join(tmp.dir, 'data'), 16);
    server = await startReplayServer(fx.recordings);
  });
  after(async () => {
    await server?.close();
    tmp.cleanup();
  });

  describe('the plan: a re-submitted task joins its run', () => {
    it('Slurm --array=0-3 with task 1 failing, then `sbatch --array=1` (SLURM_ARRAY_TASK_COUNT=1): shard 1 of 4 runs, and the merge is complete', async () => {
      const base = fresh();
      const args = ['bench', ...benchArgs(fx, server.url, base, cache(), ['--shard', 'auto', '--resume', '--json'])];
      // Tasks 0, 2 and 3 start at once (the first of them plans the run); task 1 never ran.
      const first = await Promise.all([0, 2, 3].map((id) => gog(args, { cwd: tmp.dir, env: slurmTask(id, 0, 3) })));
      for (const r of first) assert.equal(r.code, 0, r.stderr);
      const plan = JSON.parse(await fs.readFile(path.join(base, 'shards.json'), 'utf8')) as Record<string, unknown>;
      assert.deepEqual([plan.count, plan.taskIds], [4, { min: 0, step: 1 }]);
      // Task 1 re-submitted alone: Slurm says it is the only task, min = max = 1.
      const again = await gog(args, { cwd: tmp.dir, env: slurmTask(1, 1, 1) });
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual(await shardsOf(base), ['shard-000-of-004', 'shard-001-of-004', 'shard-002-of-004', 'shard-003-of-004']);
      const merged = path.join(tmp.dir, 'merged-plan');
      const m = await gog(['merge', ...(await shardsOf(base)).map((s) => path.join(base, s)), '--out', merged, '--json'], { cwd: tmp.dir });
      assert.equal(m.code, 0, m.stderr);
      assert.doesNotMatch(m.stderr, /INCOMPLETE/);
      assert.equal((JSON.parse(m.stdout) as { finished: boolean }).finished, true);
      checkResults((await readBenchRun(merged)).results, fx);
    });

    it("maps task ids through the plan's array (1-4, 0-6:2, a list), takes Kubernetes' count from it, and refuses a count that disagrees", async () => {
      const plan = (count: number, min: number, step: number) => ({
        kind: 'gog-shards',
        schema: 1,
        created: '2026-12-05T10:00:00.000Z',
        count,
        taskIds: { min, step },
        dataset: { file: fx.file, sha256: '0'.repeat(64) },
        limit: null,
      });
      const folderOf = async (p: ReturnType<typeof plan>, env: Record<string, string>, extra: string[] = []) => {
        const base = fresh();
        await fs.mkdir(base, { recursive: true });
        await fs.writeFile(path.join(base, 'shards.json'), JSON.stringify(p));
        const { options } = parseBenchArgs(benchArgs(fx, server.url, base, cache(), ['--shard', 'auto', '--resume', ...extra]), env, tmp.dir);
        return path.relative(base, options.runDir);
      };
      // Planned by --array=1-4: ids 1…4 are shards 0…3; --array=4 alone is shard 3.
      assert.equal(await folderOf(plan(4, 1, 1), slurmTask(4, 4, 4)), 'shard-003-of-004');
      // Planned by --array=0-6:2: id 4 is shard 2.
      assert.equal(await folderOf(plan(4, 0, 2), slurmTask(4, 4, 4)), 'shard-002-of-004');
      // Planned by --array=0-9%2 (a throttle, not a step): id 7 of a re-submitted list 3,7 is shard 7.
      assert.equal(
        await folderOf(plan(10, 0, 1), {
          ...slurmTask(7, 3, 7),
          SLURM_ARRAY_TASK_COUNT: '2',
          SLURM_ARRAY_TASK_STEP: '4',
        }),
        'shard-007-of-010',
      );
      // A Kubernetes pod with no count of its own joins the plan's.
      assert.equal(await folderOf(plan(8, 0, 1), { JOB_COMPLETION_INDEX: '5' }), 'shard-005-of-008');
      // Without a plan, --shards N with a part of the array: the id is the shard.
      const base = fresh();
      const { options } = parseBenchArgs(benchArgs(fx, server.url, base, cache(), ['--shard', 'auto', '--shards', '8']), slurmTask(1, 1, 1), tmp.dir);
      assert.equal(path.relative(base, options.runDir), 'shard-001-of-008');

      // Refused in one line, nothing written: a task that is not one of the plan's, a count that disagrees.
      const refused = async (p: ReturnType<typeof plan>, env: Record<string, string>, extra: string[], pattern: RegExp) => {
        const dir = fresh();
        await fs.mkdir(dir);
        await fs.writeFile(path.join(dir, 'shards.json'), JSON.stringify(p));
        const run = await gog(['bench', ...benchArgs(fx, server.url, dir, cache(), ['--shard', 'auto', '--resume', ...extra])], { cwd: tmp.dir, env });
        assert.equal(run.code, 2, run.stderr);
        oneErrorLine(run, pattern);
        assert.deepEqual(await fs.readdir(dir), ['shards.json']);
      };
      await refused(
        plan(4, 0, 2),
        slurmTask(3, 3, 3),
        [],
        /Slurm array task 3 is not a task of the run planned in .*shards\.json \(4 shards, tasks --array=0-6:2\)/,
      );
      await refused(plan(8, 0, 1), slurmTask(1, 1, 1), ['--shards', '3'], /--shards 3 says 3 shards but the run is planned as 8/);
      await refused(plan(8, 0, 1), { JOB_COMPLETION_INDEX: '1', JOB_COMPLETIONS: '4' }, [], /JOB_COMPLETIONS says 4 shards but the run is planned as 8/);
    });

    it('a shard of another dataset, or another --limit, is refused by the plan in one line, before the endpoint is asked anything', async () => {
      const base = fresh();
      const first = await gog(['bench', ...benchArgs(fx, server.url, base, cache(), ['--shard', '0/2', '--limit', '6'])], { cwd: tmp.dir });
      assert.equal(first.code, 0, first.stderr);
      const other = await writeBenchmark('mmsearch', path.join(tmp.dir, 'other-data'), 7);
      const canary = await startWireServer((_q, res) => res.writeHead(500).end());
      try {
        for (const [fixture, extra, pattern] of [
          [other, ['--limit', '6'], /shards\.json: the run was planned for another dataset/],
          [fx, ['--limit', '8'], /shards\.json: the run was planned with --limit 6; this shard has 8/],
        ] as const) {
          const run = await gog(['bench', ...benchArgs(fixture, canary.url, base, cache(), ['--shard', '1/2', ...extra])], { cwd: tmp.dir });
          assert.equal(run.code, 2, run.stderr);
          oneErrorLine(run, pattern);
        }
        assert.equal(canary.requests.length, 0, 'the endpoint heard nothing');
        assert.deepEqual(await shardsOf(base), ['shard-000-of-002']);
      } finally {
        await canary.close();
      }
    });
  });

  it('the hint after a stop is the command that finishes the shard: --shard and --out RUN_DIR as given, with --resume', async () => {
    const slow = await startReplayServer(fx.recordings, { latencyMs: 300 });
    try {
      const base = fresh();
      const args = ['bench', ...benchArgs(fx, slow.url, base, cache(), ['--shard', '1/2', '--concurrency', '2'])];
      const stopped = await gog(args, {
        cwd: tmp.dir,
        started: (child) =>
          void until(async () => (await lines(path.join(base, 'shard-001-of-002', 'results.jsonl'))) >= 2, 60_000).then(() => child.kill('SIGTERM')),
      });
      assert.equal(stopped.code, 1, stopped.stderr);
      const hint = /to finish, run again with --resume: (gog bench .*)$/m.exec(stopped.stderr)?.[1];
      assert.ok(hint, stopped.stderr);
      assert.match(hint, /--shard 1\/2/);
      assert.ok(hint.includes(`--out ${base} `), hint);
      assert.match(hint, /--resume$/);
      // The hint, run as printed (with this checkout's gog), finishes the shard.
      const resumed = await shell(`gog() { "${process.execPath}" "${CLI}" "$@"; }; ${hint}`, tmp.dir);
      assert.equal(resumed.code, 0, resumed.stderr);
      const other = await gog(['bench', ...benchArgs(fx, server.url, base, cache(), ['--shard', '0/2'])], { cwd: tmp.dir });
      assert.equal(other.code, 0, other.stderr);
      const merged = path.join(tmp.dir, 'merged-hint');
      const m = await gog(['merge', ...(await shardsOf(base)).map((s) => path.join(base, s)), '--out', merged], { cwd: tmp.dir });
      assert.equal(m.code, 0, m.stderr);
      checkResults((await readBenchRun(merged)).results, fx);
    } finally {
      await slow.close();
    }
  });

  it('a resume refused (another setting) changes nothing on disk: no folder moved, no line cut, the lock left as it was', async () => {
    const slow = await startReplayServer(fx.recordings, { latencyMs: 200 });
    try {
      const out = fresh();
      const args = ['bench', ...benchArgs(fx, slow.url, out, cache(), ['--concurrency', '3'])];
      const killed = await gog(args, {
        cwd: tmp.dir,
        started: (child) => void until(async () => (await lines(path.join(out, 'results.jsonl'))) >= 3, 60_000).then(() => child.kill('SIGKILL')),
      });
      assert.equal(killed.signal, 'SIGKILL');
      // Half a line, as a kill in the middle of a write leaves it.
      await fs.appendFile(path.join(out, 'results.jsonl'), '{"id":"mm');
      const before = await snapshot(out);
      assert.ok(
        Object.keys(before).some((k) => k.startsWith('bench.lock/')),
        'the killed run left its lock',
      );
      const refused = await gog([...args, '--resume', '--max-turns', '5'], { cwd: tmp.dir });
      assert.equal(refused.code, 2, refused.stderr);
      oneErrorLine(refused, /cannot resume .*: the setting maxTurns differs \(8 vs 5\)/);
      assert.deepEqual(await snapshot(out), before);
      assert.ok(!existsSync(path.join(out, 'aside')));
      // The same resume with the run's settings takes it up.
      const resumed = await gog([...args, '--resume'], { cwd: tmp.dir });
      assert.equal(resumed.code, 0, resumed.stderr);
      checkResults((await readBenchRun(out)).results, fx);
    } finally {
      await slow.close();
    }
  });

  it('--resume compacts duplicate result lines atomically: identical ones kept once, of differing ones the one its trajectory agrees with; the lines dropped kept in aside/', async () => {
    const out = fresh();
    const args = ['bench', ...benchArgs(fx, server.url, out, cache(), ['--limit', '6'])];
    assert.equal((await gog(args, { cwd: tmp.dir })).code, 0);
    const file = path.join(out, 'results.jsonl');
    const original = (await fs.readFile(file, 'utf8')).trim().split('\n');
    const byKey = new Map(original.map((l) => [keys([JSON.parse(l) as SampleResult])[0]!, l]));
    // Two processes ran sample 2 the same way, and sample 4 two ways: the copy its folder does not hold came first.
    const other = { ...(JSON.parse(byKey.get('4-0')!) as SampleResult), answer: 'Jupiter', ms: 1 };
    const doubled = [...original.filter((l) => l !== byKey.get('4-0')), byKey.get('2-0')!, JSON.stringify(other), byKey.get('4-0')!];
    await fs.writeFile(file, doubled.join('\n') + '\n');
    const twice = doubled.indexOf(byKey.get('2-0')!) + 1;
    // The merge of such a shard is refused, naming the file and both lines.
    const refused = await gog(['merge', out, '--out', path.join(tmp.dir, 'merged-dup')], { cwd: tmp.dir });
    assert.equal(refused.code, 2, refused.stderr);
    oneErrorLine(refused, /sample 4-0 is in .*results\.jsonl twice with different results \(lines 7 and 8\)/);

    const resumed = await gog([...args, '--resume'], { cwd: tmp.dir });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.ok(resumed.stderr.includes(`has sample 2-0 2 times, identical (lines ${twice}, 6); the first is kept`), resumed.stderr);
    assert.match(resumed.stderr, /has sample 4-0 2 times, differing \(lines 7, 8\); line 8 is kept: it agrees with samples\/4-0\/trajectory\.jsonl/);
    const after = (await fs.readFile(file, 'utf8')).trim().split('\n');
    assert.deepEqual([...after].sort(), [...original].sort(), 'each sample once, as the run wrote it');
    const aside = await fs.readdir(path.join(out, 'aside'));
    const dropped = aside.filter((f) => f.startsWith('results-dropped-'));
    assert.equal(dropped.length, 1, aside.join(', '));
    assert.deepEqual((await fs.readFile(path.join(out, 'aside', dropped[0]!), 'utf8')).trim().split('\n'), [byKey.get('2-0')!, JSON.stringify(other)]);
    // Nothing half-made was left beside it.
    assert.deepEqual(
      (await fs.readdir(out)).filter((f) => f.endsWith('.tmp')),
      [],
    );
    const merged = await gog(['merge', out, '--out', path.join(tmp.dir, 'merged-compacted')], { cwd: tmp.dir });
    assert.equal(merged.code, 0, merged.stderr);
  });

  it('eight shards starting at once on one search cache (as the sbatch and the Job share it): every image search answers, nothing half-made is left', async () => {
    // The local corpus's indexes are built by whichever shard searches first; the others must not throw them away under each other.
    {
      const base = fresh();
      const shared = path.join(tmp.dir, 'shared-cache');
      const runs = await Promise.all(
        Array.from({ length: 8 }, (_, i) => gog(['bench', ...benchArgs(fx, server.url, base, shared, ['--shard', `${i}/8`])], { cwd: tmp.dir })),
      );
      for (const r of runs) assert.equal(r.code, 0, r.stderr);
      const merged = `${base}-merged`;
      const m = await gog(['merge', ...(await shardsOf(base)).map((s) => path.join(base, s)), '--out', merged], { cwd: tmp.dir });
      assert.equal(m.code, 0, m.stderr);
      const { results } = await readBenchRun(merged);
      const failed = results.filter((r) => r.toolErrors > 0);
      assert.deepEqual(
        await Promise.all(failed.map(async (r) => (await fs.readFile(path.join(merged, r.trajectory), 'utf8')).match(/"error":"[^"]*"/)?.[0])),
        [],
      );
      checkResults(results, fx);
      assert.deepEqual(
        (await fs.readdir(path.join(shared, 'index'))).filter((f) => f.endsWith('.tmp')),
        [],
        'nothing half-made left',
      );
    }
  });

  describe('gog merge', () => {
    it('the same result twice (two processes on one shard) is merged once, said in a line', async () => {
      const base = fresh();
      for (const spec of ['0/2', '1/2'])
        assert.equal((await gog(['bench', ...benchArgs(fx, server.url, base, cache(), ['--shard', spec])], { cwd: tmp.dir })).code, 0);
      const file = path.join(base, 'shard-001-of-002', 'results.jsonl');
      const first = (await fs.readFile(file, 'utf8')).split('\n')[0]!;
      await fs.appendFile(file, first + '\n');
      const merged = path.join(tmp.dir, 'merged-same');
      const m = await gog(['merge', ...(await shardsOf(base)).map((s) => path.join(base, s)), '--out', merged], { cwd: tmp.dir });
      assert.equal(m.code, 0, m.stderr);
      assert.match(
        m.stderr,
        /sample \d+-0 is in .*shard-001-of-002\/results\.jsonl line 1 and .*shard-001-of-002\/results\.jsonl line \d+, the same result; merged once/,
      );
      checkResults((await readBenchRun(merged)).results, fx);
    });

    it('a shard missing or unfinished: written with finished: false, a line saying INCOMPLETE and what is missing, exit 1; --allow-partial exits 0 and still says it', async () => {
      const base = fresh();
      for (const spec of ['0/3', '2/3'])
        assert.equal((await gog(['bench', ...benchArgs(fx, server.url, base, cache(), ['--shard', spec])], { cwd: tmp.dir })).code, 0);
      const shards = (await shardsOf(base)).map((s) => path.join(base, s));
      const check = async (run: Run, out: string, code: number, pattern: RegExp) => {
        assert.equal(run.code, code, run.stderr);
        const line = run.stderr.split('\n').find((l) => l.startsWith('gog: INCOMPLETE: '));
        assert.ok(line, run.stderr);
        assert.match(line, pattern);
        const summary = JSON.parse(await fs.readFile(path.join(out, 'summary.json'), 'utf8')) as { finished: boolean };
        assert.equal(summary.finished, false);
      };
      const missingOut = path.join(tmp.dir, 'merged-missing');
      const missing = await gog(['merge', ...shards, '--out', missingOut, '--json'], { cwd: tmp.dir });
      await check(missing, missingOut, 1, /shard 1 of 3 missing \(no folder given\); the merged run has 11 of 16 final results/);
      assert.equal((JSON.parse(missing.stdout) as { finished: boolean }).finished, false);
      const partialOut = path.join(tmp.dir, 'merged-partial');
      await check(
        await gog(['merge', ...shards, '--out', partialOut, '--allow-partial'], { cwd: tmp.dir }),
        partialOut,
        0,
        /merged as it is \(--allow-partial\)/,
      );
      // The missing shard started but was stopped: its folder is there, its samples are not all.
      const file = path.join(base, 'shard-000-of-003', 'results.jsonl');
      const text = (await fs.readFile(file, 'utf8')).split('\n').filter(Boolean);
      await fs.writeFile(file, text.slice(0, 2).join('\n') + '\n');
      assert.equal((await gog(['bench', ...benchArgs(fx, server.url, base, cache(), ['--shard', '1/3'])], { cwd: tmp.dir })).code, 0);
      const unfinishedOut = path.join(tmp.dir, 'merged-unfinished');
      await check(
        await gog(['merge', ...(await shardsOf(base)).map((s) => path.join(base, s)), '--out', unfinishedOut], { cwd: tmp.dir }),
        unfinishedOut,
        1,
        /shard-000-of-003 has 4 of 6 without a final result/,
      );
    });
  });

  describe('errors', () => {
    it('samples that end in an endpoint error (503 after retries): counted in --json and summary.json, exit 1 with the resume command; --resume runs them again', async () => {
      // The endpoint refuses samples 3 and 7 until it recovers.
      const gate = await startGateEndpoint(server.url, (body) => /\[#(3|7)\]/.test(body));
      try {
        const out = fresh();
        const args = ['bench', ...benchArgs(fx, gate.url, out, cache(), ['--limit', '10', '--retries', '1', '--json'])];
        const failed = await gog(args, { cwd: tmp.dir });
        assert.equal(failed.code, 1, failed.stderr);
        const line = JSON.parse(failed.stdout) as Record<string, unknown>;
        assert.deepEqual([line.done, line.errors, line.sampleErrors, line.finished], [10, 2, 0, false]);
        assert.match(
          failed.stderr,
          /^gog: 2 samples ended in an endpoint error \(the model endpoint .* answered 503: the server is overloaded\); to run them again, run again with --resume: gog bench .*--resume$/m,
        );
        assert.equal(gate.refused, 4, 'each refused request was tried again once');
        const summary = JSON.parse(await fs.readFile(path.join(out, 'summary.json'), 'utf8')) as Record<string, unknown>;
        assert.deepEqual([summary.errors, summary.sampleErrors, summary.finished], [2, 0, false]);
        const { results } = await readBenchRun(out);
        assert.deepEqual(
          results
            .filter((r) => r.errorKind)
            .sort((a, b) => a.index - b.index)
            .map((r) => [r.index, r.errorKind, r.cause]),
          [
            [3, 'endpoint', 'error'],
            [7, 'endpoint', 'error'],
          ],
        );
        // A merge of it is not complete either.
        const merged = await gog(['merge', out, '--out', path.join(tmp.dir, 'merged-errors')], { cwd: tmp.dir });
        assert.equal(merged.code, 1, merged.stderr);
        assert.match(merged.stderr, /INCOMPLETE: .* has 2 of 10 without a final result \(2 ended in an endpoint error\)/);

        gate.refuse = () => false;
        const resumed = await gog([...args, '--resume'], { cwd: tmp.dir });
        assert.equal(resumed.code, 0, resumed.stderr);
        assert.match(resumed.stderr, /2 results ended in an endpoint error; set aside, their samples run again/);
        assert.deepEqual((JSON.parse(resumed.stdout) as Record<string, unknown>).errors, 0);
        const after = await readBenchRun(out);
        assert.equal(after.results.length, 10);
        checkResults(after.results, { ...fx, expected: fx.expected.slice(0, 10) });
        assert.equal((after.summary as Record<string, unknown>).finished, true);
        // Their first tries are kept aside: the lines, and the sample folders.
        const aside = await fs.readdir(path.join(out, 'aside'));
        assert.ok(aside.some((f) => f.startsWith('3-0-')) && aside.some((f) => f.startsWith('7-0-')), aside.join(', '));
        const dropped = aside.find((f) => f.startsWith('results-dropped-'))!;
        assert.equal(await lines(path.join(out, 'aside', dropped)), 2);
      } finally {
        await gate.close();
      }
    });

    it('rollouts the endpoint failed are no evidence of a hard query: left out of the pass rates in queries.jsonl, so gog export-rl does not take them for Level 2', async () => {
      // Sample 2's rollouts all fail at the endpoint; sample 4's first request too (its first rollout, or its second).
      let first4 = true;
      const gate = await startGateEndpoint(server.url, (body) => {
        if (/\[#2\]/.test(body)) return true;
        if (/\[#4\]/.test(body) && first4) return !(first4 = false);
        return false;
      });
      try {
        const out = fresh();
        const run = await gog(['bench', ...benchArgs(fx, gate.url, out, cache(), ['--limit', '6', '--rollouts', '2', '--retries', '0'])], { cwd: tmp.dir });
        assert.equal(run.code, 1, run.stderr);
        const levels = (await fs.readFile(path.join(out, 'queries.jsonl'), 'utf8'))
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { index: number; rollouts: number; passRate: number; level: number });
        assert.deepEqual(
          levels.map((l) => l.index),
          [0, 1, 3, 4, 5],
          'sample 2 has no level yet',
        );
        // Sample 4 is answered right (its script): one rollout counted, passed.
        assert.deepEqual(
          levels.filter((l) => l.index === 4).map((l) => [l.rollouts, l.passRate, l.level]),
          [[1, 1, 1]],
        );
      } finally {
        await gate.close();
      }
    });

    it("a sample's own failure (its image URL answers 404) is final: counted in sampleErrors, exit 0, not run again on resume", async () => {
      const images = await startImageServer();
      try {
        const dyn = await writeBenchmark('dynvqa', path.join(tmp.dir, 'dyn'), 6, images.url);
        const text = await fs.readFile(dyn.file, 'utf8');
        await fs.writeFile(dyn.file, text.replace(`${images.url}/img/astronaut.png.jpg`, `${images.url}/img/missing.jpg`));
        const replay = await startReplayServer(dyn.recordings);
        try {
          const out = fresh();
          const args = ['bench', ...benchArgs(dyn, replay.url, out, path.join(tmp.dir, 'dyn-cache'), ['--json'])];
          const run = await gog(args, { cwd: tmp.dir });
          assert.equal(run.code, 0, run.stderr);
          const line = JSON.parse(run.stdout) as Record<string, unknown>;
          assert.deepEqual([line.errors, line.sampleErrors, line.finished], [0, 1, true]);
          const { results } = await readBenchRun(out);
          assert.deepEqual(
            results.filter((r) => r.stopReason === 'error').map((r) => [r.index, r.errorKind]),
            [[0, 'sample']],
          );
          const asked = images.requests.filter((u) => u.includes('missing')).length;
          const resumed = await gog([...args, '--resume'], { cwd: tmp.dir });
          assert.equal(resumed.code, 0, resumed.stderr);
          assert.match(resumed.stderr, /6 already done/);
          assert.equal(images.requests.filter((u) => u.includes('missing')).length, asked, 'the image was not asked for again');
        } finally {
          await replay.close();
        }
      } finally {
        await images.close();
      }
    });
  });
});

/** A command line run by bash, as a user pastes it. */
function shell(command: string, cwd: string): Promise<Run> {
  return import('node:child_process').then(
    ({ spawn }) =>
      new Promise<Run>((resolve) => {
        const started = Date.now();
        const child = spawn('bash', ['-c', command], { cwd, env: { ...process.env, NO_COLOR: '1', OPENAI_API_KEY: '', OPENAI_BASE_URL: '' } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - started }));
      }),
  );
}
