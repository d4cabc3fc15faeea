// Two processes on one shard on different hosts, for real: the second `gog bench` runs in a
// UTS namespace of its own (`unshare --uts`, then `hostname other-host`), so os.hostname()
// differs as it does on another machine of a cluster sharing the run folder; the pids are in
// one namespace, which is why the lock must go by its holder's heartbeat, not by its pid.
// Needs root (CAP_SYS_ADMIN for unshare), as CI has.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readBenchRun } from '../../src/data/benchRun';
import type { SampleResult } from '../../src/data/results';
import { startReplayServer, type ReplayServer } from '../../src/model/replayServer';
import { benchArgs, checkResults, writeBenchmark, type BenchFixture } from '../helpers/benchmarks';
import { CLI, gog, type GogOptions, type Run } from '../helpers/cli';
import { tempDir } from '../helpers/fixtures';

/** `gog` as another machine runs it: its own host name, the same files. */
function gogOnHost(host: string, args: string[], o: GogOptions = {}): Promise<Run> {
  const started = Date.now();
  const child = spawn('unshare', ['--uts', '--', 'sh', '-c', 'hostname "$0" && exec "$@"', host, process.execPath, CLI, ...args], {
    cwd: o.cwd,
    env: { ...process.env, NO_COLOR: '1', OPENAI_API_KEY: '', OPENAI_BASE_URL: '', ...o.env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  o.started?.(child, { stdout: () => stdout, stderr: () => stderr });
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - started })));
}

async function lines(file: string): Promise<string[]> {
  try {
    return (await fs.readFile(file, 'utf8')).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

async function until(what: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const keyOf = (l: string) => {
  const r = JSON.parse(l) as SampleResult;
  return `${r.index}-${r.rollout}`;
};

describe('the run lock across hosts (a second process in its own UTS namespace)', function () {
  this.timeout(180_000);
  const tmp = tempDir('gog-lock-');
  let fx: BenchFixture;
  let slow: ReplayServer;
  let n = 0;
  const fresh = () => path.join(tmp.dir, `run${++n}`);
  // A fast heartbeat, so another host decides within a second (3 beats of 0.3 s).
  const env = { GOG_LOCK_HEARTBEAT_SECONDS: '0.3' };
  before(async () => {
    fx = await writeBenchmark('mmsearch', path.join(tmp.dir, 'data'), 16);
    // Slow enough that a run outlasts another host's 0.9 s of watching its heartbeat.
    slow = await startReplayServer(fx.recordings, { latencyMs: 700 });
    const probe = await gogOnHost('probe-host', ['help']);
    assert.equal(probe.code, 0, `unshare --uts must work here (run as root): ${probe.stderr}`);
  });
  after(async () => {
    await slow?.close();
    tmp.cleanup();
  });

  const argsFor = (out: string, endpoint = slow.url) => [
    'bench',
    ...benchArgs(fx, endpoint, out, path.join(tmp.dir, 'cache'), ['--shard', '1/2', '--concurrency', '2']),
  ];

  /** The shard's results: each sample once, each as scripted (the shard's samples, every other one); the run read back. */
  async function checkShard(shard: string): Promise<Awaited<ReturnType<typeof readBenchRun>>> {
    const written = await lines(path.join(shard, 'results.jsonl'));
    assert.equal(new Set(written.map(keyOf)).size, written.length, 'no sample twice');
    const run = await readBenchRun(shard);
    checkResults(
      run.results,
      fx,
      fx.expected.map((_, i) => i).filter((i) => i % 2 === 0),
    );
    return run;
  }

  it("a second process on another host is refused while the holder's heartbeat is live; the holder finishes, each sample once", async () => {
    const base = fresh();
    const shard = path.join(base, 'shard-001-of-002');
    let second: Run | undefined;
    const first = await gog(argsFor(base), {
      cwd: tmp.dir,
      env,
      started: () =>
        void until(async () => (await lines(path.join(shard, 'results.jsonl'))).length >= 2, 60_000).then(async () => {
          second = await gogOnHost('other-host', [...argsFor(base), '--resume'], { cwd: tmp.dir, env });
        }),
    });
    assert.equal(first.code, 0, first.stderr);
    await until(async () => second !== undefined, 30_000);
    assert.equal(second!.code, 2, second!.stderr);
    assert.match(second!.stderr, /watching its heartbeat for 0\.9 s/);
    assert.match(second!.stderr, new RegExp(`^gog: .*shard-001-of-002 is being run by process \\d+ on host ${os.hostname()} \\(its heartbeat is live\\)`, 'm'));
    await checkShard(shard);
  });

  it('on this machine: a second process waits a few seconds for a holder that is stopping (a requeued task), then runs; one that runs on is refused', async () => {
    const base = fresh();
    const shard = path.join(base, 'shard-001-of-002');
    // Slow enough that the holder outlasts the 8 s a second process gives it.
    const slower = await startReplayServer(fx.recordings, { latencyMs: 3000 });
    try {
      const args = (out: string) => argsFor(out, slower.url);
      let pid = 0;
      const first = gog(args(base), { cwd: tmp.dir, env, started: (child) => (pid = child.pid!) });
      await until(async () => (await lines(path.join(shard, 'results.jsonl'))).length >= 1, 60_000);
      // The holder runs on: refused, after the few seconds it is given to end.
      const refused = await gog([...args(base), '--resume'], { cwd: tmp.dir, env });
      assert.equal(refused.code, 2, refused.stderr);
      assert.match(refused.stderr, new RegExp(`held by process ${pid} on this machine; giving it 8 s to end`));
      assert.match(refused.stderr, new RegExp(`^gog: .*shard-001-of-002 is being run by process ${pid} on this machine; wait for it or stop it first$`, 'm'));
      assert.ok(refused.ms >= 8000, `${refused.ms} ms`);
      // The holder is stopped (SIGTERM) while the next one waits for it: the next one takes the shard up.
      const second = gog([...args(base), '--resume'], {
        cwd: tmp.dir,
        env,
        started: (_child, out) => void until(async () => /giving it 8 s to end/.test(out.stderr()), 60_000).then(() => process.kill(pid, 'SIGTERM')),
      });
      const stopped = await first;
      assert.equal(stopped.code, 1, stopped.stderr);
      assert.match(stopped.stderr, /^gog: stopped with \d+ of 8 done; to finish, run again with --resume/m);
      const done = await second;
      assert.equal(done.code, 0, done.stderr);
      await checkShard(shard);
    } finally {
      await slower.close();
    }
  });

  it('a sample folder another process made under the run (a stopped holder, between its lock check and its mkdir) is set aside whole, and the sample runs', async () => {
    const base = fresh();
    const shard = path.join(base, 'shard-001-of-002');
    // The shard's last sample (its indexes are every other one, from the first result's), long before it starts.
    let last = -1;
    let planted = false;
    const run = await gog(argsFor(base), {
      cwd: tmp.dir,
      env,
      started: () =>
        void until(async () => (await lines(path.join(shard, 'results.jsonl'))).length >= 1, 60_000).then(async () => {
          const first = JSON.parse((await lines(path.join(shard, 'results.jsonl')))[0]!) as SampleResult;
          last = fx.expected.length - 1 - ((fx.expected.length - 1 - first.index) % 2);
          const stale = path.join(shard, 'samples', `${last}-0`);
          await fs.mkdir(stale);
          await fs.writeFile(path.join(stale, 'trajectory.jsonl'), 'stale\n');
          planted = true;
        }),
    });
    assert.ok(planted, 'the folder was made before its sample started');
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      new RegExp(`samples/${last}-0 was made by another process, not by this run; set aside as aside/${last}-0-\\d{8}T\\d{6}Z, and the sample runs again`),
    );
    await checkShard(shard);
    const aside = (await fs.readdir(path.join(shard, 'aside'))).filter((n) => n.startsWith(`${last}-0-`));
    assert.equal(aside.length, 1);
    assert.equal(await fs.readFile(path.join(shard, 'aside', aside[0]!, 'trajectory.jsonl'), 'utf8'), 'stale\n', 'kept whole');
    assert.ok((await fs.readdir(path.join(shard, 'samples'))).includes(`${last}-0`), 'the sample ran in its own folder');
  });

  it('a holder that stops beating (SIGSTOP) is taken over by another host; woken while the new holder runs, it stops without writing', async () => {
    const base = fresh();
    const shard = path.join(base, 'shard-001-of-002');
    let pid = 0;
    const first = gog(argsFor(base), { cwd: tmp.dir, env, started: (child) => (pid = child.pid!) });
    await until(async () => (await lines(path.join(shard, 'results.jsonl'))).length >= 2, 60_000);
    process.kill(pid, 'SIGSTOP');
    const written = await lines(path.join(shard, 'results.jsonl'));
    let tookOver = false;
    const second = gogOnHost('other-host', [...argsFor(base), '--resume'], {
      cwd: tmp.dir,
      env,
      started: (_child, out) => void until(async () => /took over the lock/.test(out.stderr()), 60_000).then(() => (tookOver = true)),
    });
    await until(async () => tookOver, 60_000);
    // The old holder wakes while the new one runs: its samples in flight finish, and it writes none of them.
    process.kill(pid, 'SIGCONT');
    const woken = await first;
    assert.equal(woken.code, 1, woken.stderr);
    assert.match(woken.stderr, /^gog: process \d+ on host other-host took over .*shard-001-of-002; this process stopped without writing more$/m);
    const done = await second;
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stderr, new RegExp(`took over the lock of process ${pid} on host ${os.hostname()}, which had stopped`));
    const after = await lines(path.join(shard, 'results.jsonl'));
    for (const l of written) assert.ok(after.includes(l), 'what it wrote before it stopped is kept');
    const run = await checkShard(shard);
    assert.equal((run.summary as Record<string, unknown>).finished, true, 'the summary is the new holder’s');
    // Every result's trajectory is its own, whole: the woken process made no sample folder in the run.
    for (const r of run.results) {
      const final = (await lines(path.join(shard, r.trajectory)))
        .map((l) => JSON.parse(l) as { type: string; answer?: unknown })
        .filter((e) => e.type === 'final');
      assert.deepEqual(
        final.map((e) => e.answer),
        [r.answer],
        r.trajectory,
      );
    }
    // The lock went with its last holder.
    assert.ok(!(await fs.readdir(shard)).includes('bench.lock'));
  });

  it('a holder killed (SIGKILL) on another host is taken over once its heartbeat is silent; two hosts taking it over at once: one runs, one is refused', async () => {
    const base = fresh();
    const shard = path.join(base, 'shard-001-of-002');
    const first = await gogOnHost('dead-host', argsFor(base), {
      cwd: tmp.dir,
      env,
      started: (child) => void until(async () => (await lines(path.join(shard, 'results.jsonl'))).length >= 2, 60_000).then(() => child.kill('SIGKILL')),
    });
    assert.equal(first.signal, 'SIGKILL');
    const [a, b] = await Promise.all(['host-a', 'host-b'].map((h) => gogOnHost(h, [...argsFor(base), '--resume'], { cwd: tmp.dir, env })));
    const ran = [a!, b!].filter((r) => r.code === 0);
    const refused = [a!, b!].filter((r) => r.code === 2);
    assert.equal(ran.length, 1, `${a!.stderr}\n---\n${b!.stderr}`);
    assert.equal(refused.length, 1, `${a!.stderr}\n---\n${b!.stderr}`);
    assert.match(ran[0]!.stderr, /took over the lock of process \d+ on host dead-host, which had stopped/);
    assert.match(refused[0]!.stderr, /is being run by process \d+ on host host-[ab] \(its heartbeat is live\)/);
    await checkShard(shard);
  });
});
