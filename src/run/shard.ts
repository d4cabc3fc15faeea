// Which part of a benchmark this process runs: `--shard I/N` (0-based), or `--shard auto`
// from the array job it runs in, a Kubernetes Indexed Job (JOB_COMPLETION_INDEX, with the
// shard count given as JOB_COMPLETIONS, which the manifest sets) or a Slurm job array
// (SLURM_ARRAY_TASK_ID among SLURM_ARRAY_TASK_MIN…MAX in steps of SLURM_ARRAY_TASK_STEP:
// indices need not start at 0). Sample i belongs to shard i mod N.
import * as path from 'node:path';
import type { Shard } from '../data/benchRun';

export class ShardError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShardError';
  }
}

function int(name: string, value: string | undefined): number {
  if (value === undefined || !/^\s*\d+\s*$/.test(value))
    throw new ShardError(`--shard auto: ${name} is ${value === undefined ? 'not set' : `"${value}", not a whole number`}`);
  return Number(value);
}

function checked(index: number, count: number, from: string): Shard {
  if (count < 1) throw new ShardError(`${from}: the shard count must be at least 1`);
  if (index < 0 || index >= count) throw new ShardError(`${from}: shard ${index} is not one of 0…${count - 1}`);
  return { index, count };
}

/** The shard of `--shard SPEC` (`I/N` or `auto`, reading `env`). */
export function parseShard(spec: string, env: Readonly<Record<string, string | undefined>>): Shard {
  const explicit = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(spec);
  if (explicit) return checked(Number(explicit[1]), Number(explicit[2]), `--shard ${spec}`);
  if (spec.trim() !== 'auto') throw new ShardError(`--shard takes I/N (0-based, e.g. 0/4) or auto; got "${spec}"`);
  if (env.JOB_COMPLETION_INDEX !== undefined) {
    if (env.JOB_COMPLETIONS === undefined)
      throw new ShardError(
        "--shard auto: JOB_COMPLETION_INDEX is set but JOB_COMPLETIONS is not; set it to the Job's completions (docs/k8s-indexed-job.yaml does)",
      );
    return checked(int('JOB_COMPLETION_INDEX', env.JOB_COMPLETION_INDEX), int('JOB_COMPLETIONS', env.JOB_COMPLETIONS), 'Kubernetes Indexed Job');
  }
  if (env.SLURM_ARRAY_TASK_ID !== undefined) {
    const id = int('SLURM_ARRAY_TASK_ID', env.SLURM_ARRAY_TASK_ID);
    const count = int('SLURM_ARRAY_TASK_COUNT', env.SLURM_ARRAY_TASK_COUNT);
    const min = int('SLURM_ARRAY_TASK_MIN', env.SLURM_ARRAY_TASK_MIN);
    const max = int('SLURM_ARRAY_TASK_MAX', env.SLURM_ARRAY_TASK_MAX);
    const step = env.SLURM_ARRAY_TASK_STEP === undefined ? 1 : int('SLURM_ARRAY_TASK_STEP', env.SLURM_ARRAY_TASK_STEP);
    // Only a regular range maps task ids to shards 0…COUNT−1 one to one; a list such as 1,3,8 does not.
    if (step < 1 || (max - min) / step + 1 !== count || (id - min) % step !== 0)
      throw new ShardError(
        `--shard auto: the Slurm array (tasks ${min}…${max} step ${step}, ${count} tasks) is not a regular range; use --array=A-B or A-B:STEP`,
      );
    return checked((id - min) / step, count, 'Slurm job array');
  }
  throw new ShardError('--shard auto: not in a Kubernetes Indexed Job (JOB_COMPLETION_INDEX) or a Slurm job array (SLURM_ARRAY_TASK_ID)');
}

/** The folder a shard writes under the run's folder: shard-003-of-008. */
export function shardDir(runDir: string, shard: Shard): string {
  const width = String(shard.count - 1).length;
  return path.join(runDir, `shard-${String(shard.index).padStart(Math.max(3, width), '0')}-of-${String(shard.count).padStart(Math.max(3, width), '0')}`);
}
