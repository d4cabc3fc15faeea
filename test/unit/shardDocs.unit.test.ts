// The Kubernetes Jobs and the sbatch script shipped in docs/, as far as they go without a
// cluster: the manifests parse and hold what a sharded run needs (Indexed, one shard count,
// podReplacementPolicy: Failed, the merge step on the same volume), and the commands in each
// are run for real, with the environment Kubernetes and Slurm give each pod or task
// (JOB_COMPLETION_INDEX; SLURM_ARRAY_TASK_* for --array=1-4, 0-9%2, 0-6:2 and a task
// re-submitted alone), against a small dataset and the replay endpoint: every shard once,
// and the merge complete. The real Slurm runs are in test/slurm/.
// `npx gog` is npm's own launcher in the first pod and task of each file; in the others a
// stand-in `npx` first on PATH starts the same dist/cli.js without npm's seconds of start-up.
import { strict as assert } from 'node:assert';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { parseBenchArgs } from '../../src/cli/bench';
import { readBenchRun } from '../../src/data/benchRun';
import { startReplayServer, type ReplayServer } from '../../src/model/replayServer';
import { checkResults, writeBenchmark, type BenchFixture } from '../helpers/benchmarks';
import { ROOT, tempDir } from '../helpers/fixtures';
import type { Run } from '../helpers/cli';

interface Container {
  command: string[];
  workingDir?: string;
  env?: { name: string; value?: string }[];
  volumeMounts: { name: string; mountPath: string }[];
}
interface JobManifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    completionMode?: string;
    completions?: number;
    parallelism?: number;
    backoffLimit?: number;
    podReplacementPolicy?: string;
    template: { spec: { restartPolicy: string; containers: Container[]; volumes: { name: string; persistentVolumeClaim: { claimName: string } }[] } };
  };
}

const readJob = (name: string) => parse(readFileSync(path.join(ROOT, 'docs', name), 'utf8')) as JobManifest;

/** A command run as a pod or a Slurm task runs it: in the repository (the image's /app), with `env` over this process's. */
function run(command: string, args: string[], env: Record<string, string>, cwd = ROOT): Promise<Run> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(command, args, { cwd, env: { ...process.env, NO_COLOR: '1', OPENAI_API_KEY: '', OPENAI_BASE_URL: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - started }));
  });
}

/** Runs `jobs` at most `width` at a time, as a throttled array does. */
async function throttled<T>(jobs: (() => Promise<T>)[], width: number): Promise<T[]> {
  const out: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < jobs.length) {
        const i = next++;
        out[i] = await jobs[i]!();
      }
    }),
  );
  return out;
}

/** The environment Slurm gives task `id` of `--array=MIN-MAX[:STEP]` (one index: MIN = MAX). */
function slurmTask(id: number, min: number, max: number, step = 1): Record<string, string> {
  return {
    SLURM_JOB_ID: String(500 + id),
    SLURM_ARRAY_JOB_ID: '500',
    SLURM_ARRAY_TASK_ID: String(id),
    SLURM_ARRAY_TASK_COUNT: String(Math.floor((max - min) / step) + 1),
    SLURM_ARRAY_TASK_MIN: String(min),
    SLURM_ARRAY_TASK_MAX: String(max),
    SLURM_ARRAY_TASK_STEP: String(step),
  };
}

describe('the shard examples in docs/', function () {
  this.timeout(240_000);
  const tmp = tempDir('gog-sharddocs-');
  let fx: BenchFixture;
  let server: ReplayServer;
  /** PATH with the quick `npx` first. */
  let quick: Record<string, string>;
  before(async () => {
    fx = await writeBenchmark('mmsearch', path.join(tmp.dir, 'data'), 12);
    server = await startReplayServer(fx.recordings);
    // `npx gog` runs this checkout's build.
    assert.ok(existsSync(path.join(ROOT, 'dist', 'cli.js')), 'npm run build first');
    const bin = path.join(tmp.dir, 'bin');
    await fs.mkdir(bin);
    const npx = execFileSync('bash', ['-c', 'command -v npx']).toString().trim();
    await fs.writeFile(
      path.join(bin, 'npx'),
      `#!/bin/sh\nif [ "$1" = gog ]; then shift; exec "${process.execPath}" "${path.join(ROOT, 'dist', 'cli.js')}" "$@"; fi\nexec "${npx}" "$@"\n`,
      { mode: 0o755 },
    );
    quick = { PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` };
  });
  after(async () => {
    await server?.close();
    tmp.cleanup();
  });

  /** Merges the shard folders under `runDir` with `gog merge`, as the docs say, and checks the run is whole. */
  async function mergedWhole(runDir: string, count: number): Promise<void> {
    const shards = (await fs.readdir(runDir)).filter((f) => f.startsWith('shard-')).sort();
    const w = String(count).length > 3 ? String(count).length : 3;
    assert.deepEqual(
      shards,
      Array.from({ length: count }, (_, i) => `shard-${String(i).padStart(w, '0')}-of-${String(count).padStart(w, '0')}`),
    );
    const out = `${runDir}-merged`;
    const m = await run(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'merge', ...shards.map((s) => path.join(runDir, s)), '--out', out], {});
    assert.equal(m.code, 0, m.stderr);
    assert.doesNotMatch(m.stderr, /INCOMPLETE/);
    const merged = await readBenchRun(out);
    assert.equal((merged.summary as Record<string, unknown>).finished, true);
    checkResults(merged.results, fx);
  }

  describe('docs/k8s-indexed-job.yaml and docs/k8s-merge-job.yaml', () => {
    const job = readJob('k8s-indexed-job.yaml');
    const merge = readJob('k8s-merge-job.yaml');
    const [container] = job.spec.template.spec.containers;
    const [merger] = merge.spec.template.spec.containers;

    it('an Indexed Job whose pods are replaced only once gone, with one shard count (GOG_SHARDS, given as --shards) equal to its completions', () => {
      assert.equal(job.apiVersion, 'batch/v1');
      assert.equal(job.kind, 'Job');
      assert.equal(job.spec.completionMode, 'Indexed');
      assert.equal(job.spec.podReplacementPolicy, 'Failed');
      assert.ok(['Never', 'OnFailure'].includes(job.spec.template.spec.restartPolicy));
      const n = job.spec.completions!;
      assert.ok(job.spec.parallelism! <= n);
      assert.equal(container!.env?.find((e) => e.name === 'GOG_SHARDS')?.value, String(n));
      assert.ok(!container!.env?.some((e) => e.name === 'JOB_COMPLETIONS'), 'the count is given once');
      const args = container!.command;
      assert.deepEqual(args.slice(0, 3), ['npx', 'gog', 'bench']);
      assert.deepEqual(args.slice(args.indexOf('--shard'), args.indexOf('--shard') + 4), ['--shard', 'auto', '--shards', '$(GOG_SHARDS)']);
      assert.ok(args.includes('--resume'));
      // The runs volume is shared by pods on many nodes: the manifest says it must be ReadWriteMany.
      assert.match(readFileSync(path.join(ROOT, 'docs', 'k8s-indexed-job.yaml'), 'utf8'), /The runs volume must be ReadWriteMany/);
    });

    it('the merge Job runs gog merge over the shard folders of the same volume, once, after the Indexed Job', () => {
      assert.equal(merge.kind, 'Job');
      assert.equal(merge.spec.backoffLimit, 0);
      assert.equal(merge.spec.template.spec.restartPolicy, 'Never');
      const out = container!.command[container!.command.indexOf('--out') + 1]!;
      assert.deepEqual(merger!.command.slice(0, 2), ['sh', '-c']);
      assert.equal(merger!.command[2], `exec npx gog merge ${out}/shard-* --out ${out}-merged --json`);
      const claim = (j: JobManifest, c: Container) => {
        const mount = c.volumeMounts.find((m) => out.startsWith(m.mountPath + '/'))!;
        return [mount.mountPath, j.spec.template.spec.volumes.find((v) => v.name === mount.name)!.persistentVolumeClaim.claimName];
      };
      assert.deepEqual(claim(merge, merger!), claim(job, container!));
      assert.match(
        readFileSync(path.join(ROOT, 'docs', 'k8s-merge-job.yaml'), 'utf8'),
        /kubectl wait --for=condition=complete --timeout=\S+ job\/gog-bench-mmsearch/,
      );
      assert.ok(readFileSync(path.join(ROOT, 'docs', 'k8s-merge-job.yaml'), 'utf8').includes(`job/${job.metadata.name}`));
    });

    it('runs: each pod of the Job (the env as Kubernetes sets it, $(GOG_SHARDS) expanded), then the merge Job: complete', async () => {
      const n = job.spec.completions!;
      const runs = path.join(tmp.dir, 'k8s-runs');
      const volume = (a: string) =>
        a
          .replace(/^\/runs\//, `${runs}/`)
          .replace(/^\/data\/end2end\.parquet$/, fx.file)
          .replace(/^http:\/\/vllm\.default\.svc:8000\/v1$/, server.url);
      const podEnv = Object.fromEntries(container!.env!.filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));
      // Kubernetes expands $(VAR) in a container's command from its env.
      const command = container!.command.map((a) => a.replace(/\$\((\w+)\)/g, (_, v: string) => podEnv[v] ?? `$(${v})`)).map(volume);
      const pods = await throttled(
        Array.from(
          { length: n },
          (_, i) => () =>
            run(command[0]!, [...command.slice(1), '--cache', path.join(tmp.dir, 'cache')], {
              ...podEnv,
              JOB_COMPLETION_INDEX: String(i),
              ...(i ? quick : {}),
            }),
        ),
        job.spec.parallelism!,
      );
      for (const p of pods) assert.equal(p.code, 0, p.stderr);
      const out = volume(container!.command[container!.command.indexOf('--out') + 1]!);
      const m = await run(merger!.command[0]!, [merger!.command[1]!, merger!.command[2]!.replace(/ \/runs\//g, ` ${runs}/`)], {});
      assert.equal(m.code, 0, m.stderr);
      assert.doesNotMatch(m.stderr, /INCOMPLETE/);
      const merged = await readBenchRun(`${out}-merged`);
      assert.equal((merged.summary as Record<string, unknown>).finished, true);
      checkResults(merged.results, fx);
    });
  });

  describe('docs/slurm-bench.sbatch', () => {
    const file = path.join(ROOT, 'docs', 'slurm-bench.sbatch');
    const text = readFileSync(file, 'utf8');
    const sbatch = (name: string) => new RegExp(`^#SBATCH --${name}=(.+)$`, 'm').exec(text)?.[1];

    it('valid bash; its log goes to a folder every clone has (Slurm makes none), appended to on requeue', () => {
      execFileSync('bash', ['-n', file]);
      const output = sbatch('output')!;
      // Relative to the submit folder, with no folder of its own (logs/ is not in a fresh clone).
      assert.ok(!output.includes('/'), output);
      assert.equal(sbatch('open-mode'), 'append');
      assert.match(text, /^#SBATCH --requeue$/m);
      assert.equal(sbatch('array'), '0-7');
      // The defaults documented stay the defaults.
      for (const [v, d] of [
        ['GOG_DATASET', 'data/end2end.parquet'],
        ['GOG_OUT', 'runs/mmsearch'],
        ['GOG_ENDPOINT', 'http://127.0.0.1:8000/v1'],
        ['GOG_CACHE', '.gog/cache'],
      ])
        assert.ok(text.includes(`"\${${v}:-${d}}"`), v);
      // Its --array=0-7 tasks map to the 8 shards, each once.
      const command = /^npx gog bench ((?:.*\\\n)*.*)$/m
        .exec(text)![1]!
        .replace(/\\\n/g, ' ')
        .replace(/"\$\{\w+:-([^}]+)\}"/g, '$1')
        .split(/\s+/)
        .filter(Boolean);
      const folders = Array.from({ length: 8 }, (_, i) => {
        const { options } = parseBenchArgs(command, slurmTask(i, 0, 7), '/work');
        return path.basename(options.runDir);
      });
      assert.deepEqual(
        folders,
        Array.from({ length: 8 }, (_, i) => `shard-00${i}-of-008`),
      );
    });

    const task = (out: string, env: Record<string, string>, npx = quick) =>
      run('bash', [file], { ...env, ...npx, GOG_DATASET: fx.file, GOG_OUT: out, GOG_ENDPOINT: server.url, GOG_CACHE: path.join(tmp.dir, 'cache') });

    for (const [array, ids, width, min, max, step, count] of [
      ['1-4', [1, 2, 3, 4], 4, 1, 4, 1, 4],
      ['0-9%2', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 2, 0, 9, 1, 10],
    ] as const)
      it(`runs: --array=${array}, each task as Slurm starts it (${width} at a time), then gog merge: complete`, async () => {
        const out = path.join(tmp.dir, `slurm-${array.replace(/\W/g, '_')}`);
        const tasks = await throttled(
          ids.map((id, i) => () => task(out, slurmTask(id, min, max, step), array === '1-4' && i === 0 ? {} : quick)),
          width,
        );
        for (const t of tasks) assert.equal(t.code, 0, t.stderr);
        await mergedWhole(out, count);
      });

    it('runs: --array=0-6:2 with task 4 failing (the merge INCOMPLETE), then that index re-submitted alone (--array=4): it joins as shard 2 of 4, the merge complete', async () => {
      const out = path.join(tmp.dir, 'slurm-0-6-2');
      const tasks = await Promise.all([0, 2, 6].map((id) => task(out, slurmTask(id, 0, 6, 2))));
      for (const t of tasks) assert.equal(t.code, 0, t.stderr);
      const partial = await run(
        process.execPath,
        [path.join(ROOT, 'dist', 'cli.js'), 'merge', ...['000', '001', '003'].map((i) => path.join(out, `shard-${i}-of-004`)), '--out', `${out}-partial`],
        {},
      );
      assert.equal(partial.code, 1, partial.stderr);
      assert.match(partial.stderr, /INCOMPLETE: shard 2 of 4 missing/);
      // Slurm gives the re-submitted task SLURM_ARRAY_TASK_COUNT=1 and MIN = MAX = 4.
      const again = await task(out, slurmTask(4, 4, 4));
      assert.equal(again.code, 0, again.stderr);
      await mergedWhole(out, 4);
    });
  });
});
