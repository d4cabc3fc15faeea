// The Kubernetes Indexed Job and the sbatch script shipped in docs/: the manifest parses, its
// shard count matches JOB_COMPLETIONS, and the command in each is one `gog bench` accepts,
// giving every index its own shard and folder.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { parseBenchArgs } from '../../src/cli/bench';
import { ROOT } from '../helpers/fixtures';

interface Container {
  command: string[];
  env: { name: string; value?: string }[];
}
interface JobManifest {
  apiVersion: string;
  kind: string;
  spec: { completionMode: string; completions: number; parallelism: number; template: { spec: { restartPolicy: string; containers: Container[] } } };
}

/** Each shard's folder, as `gog bench` would write it for these environments. */
function shardFolders(args: string[], envs: NodeJS.ProcessEnv[]): string[] {
  return envs.map((env) => {
    const { options } = parseBenchArgs(args, env, '/work');
    assert.ok(options.shard && options.resume);
    return path.relative(options.runDir.replace(/\/shard-[^/]+$/, ''), options.runDir);
  });
}

describe('the shard examples in docs/', () => {
  it('docs/k8s-indexed-job.yaml: an Indexed Job whose JOB_COMPLETIONS is its completions, one shard per index', () => {
    const job = parse(readFileSync(path.join(ROOT, 'docs', 'k8s-indexed-job.yaml'), 'utf8')) as JobManifest;
    assert.equal(job.apiVersion, 'batch/v1');
    assert.equal(job.kind, 'Job');
    assert.equal(job.spec.completionMode, 'Indexed');
    assert.ok(['Never', 'OnFailure'].includes(job.spec.template.spec.restartPolicy));
    const [container] = job.spec.template.spec.containers;
    const n = job.spec.completions;
    assert.equal(container!.env.find((e) => e.name === 'JOB_COMPLETIONS')?.value, String(n));
    assert.ok(job.spec.parallelism <= n);
    assert.deepEqual(container!.command.slice(0, 3), ['npx', 'gog', 'bench']);
    const folders = shardFolders(
      container!.command.slice(3),
      Array.from({ length: n }, (_, i) => ({ JOB_COMPLETION_INDEX: String(i), JOB_COMPLETIONS: String(n) })),
    );
    assert.deepEqual(
      folders,
      Array.from({ length: n }, (_, i) => `shard-${String(i).padStart(3, '0')}-of-${String(n).padStart(3, '0')}`),
    );
  });

  it('docs/slurm-bench.sbatch: valid bash, an array whose tasks map to every shard once', () => {
    const file = path.join(ROOT, 'docs', 'slurm-bench.sbatch');
    execFileSync('bash', ['-n', file]);
    const text = readFileSync(file, 'utf8');
    const [, min, max] = /^#SBATCH --array=(\d+)-(\d+)$/m.exec(text)!.map(Number);
    const command = /^npx gog bench ((?:.*\\\n)*.*)$/m
      .exec(text)![1]!
      .replace(/\\\n/g, ' ')
      .replace(/"\$\{GOG_ENDPOINT:-([^}]+)\}"/, '$1')
      .split(/\s+/)
      .filter(Boolean);
    const count = max! - min! + 1;
    const envs = Array.from({ length: count }, (_, i) => ({
      SLURM_ARRAY_TASK_ID: String(min! + i),
      SLURM_ARRAY_TASK_COUNT: String(count),
      SLURM_ARRAY_TASK_MIN: String(min),
      SLURM_ARRAY_TASK_MAX: String(max),
    }));
    assert.deepEqual(
      shardFolders(command, envs),
      Array.from({ length: count }, (_, i) => `shard-${String(i).padStart(3, '0')}-of-${String(count).padStart(3, '0')}`),
    );
  });
});
