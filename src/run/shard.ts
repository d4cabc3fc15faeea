// Which part of a benchmark this process runs: `--shard I/N` (0-based), or `--shard auto`
// from the array job it runs in: a Kubernetes Indexed Job (JOB_COMPLETION_INDEX) or a Slurm
// job array (SLURM_ARRAY_TASK_ID). Sample i belongs to shard i mod N.
//
// The shard count is the run's, not the array's: the first shard records it in the run's
// plan (shardPlan.ts, RUN_DIR/shards.json) and every later shard joins that plan. Without a
// plan the count is `--shards N`, else the N of I/N, else JOB_COMPLETIONS (Kubernetes does
// not give a pod the Job's completions), else the Slurm array's SLURM_ARRAY_TASK_COUNT. So a
// task re-submitted alone (`sbatch --array=1`, whose SLURM_ARRAY_TASK_COUNT is 1) runs shard
// 1 of the plan's 8, not shard 0 of 1.
//
// Slurm task ids map to shards as shard = (id − min) / step, min and step being the array's
// when it planned the run (SLURM_ARRAY_TASK_MIN and _STEP; the plan keeps them): with
// --array=0-7 the ids are the shards, with --array=1-8 id 1 is shard 0, with --array=0-6:2
// id 4 is shard 2. A run planned by `--shard I/N`, by Kubernetes, or by a Slurm array with
// fewer tasks than `--shards N` (a part of the run) maps ids as min 0, step 1: the id is the shard.
import * as path from 'node:path';
import type { Shard } from '../data/benchRun';

export class ShardError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShardError';
  }
}

/** How Slurm array task ids map to shards: shard = (id − min) / step. */
export interface TaskIds {
  min: number;
  step: number;
}

/** What the command line and the environment say about the shard, before the run's plan is read. */
export type ShardRequest = { shards?: number } & (
  | { kind: 'fixed'; spec: string; index: number; count: number }
  | { kind: 'indexed-job'; index: number; completions?: number }
  | { kind: 'slurm-array'; id: number; count: number; min: number; max: number; step: number }
);

/** What a plan fixes for the shards that join it (shardPlan.ts holds the rest). */
export interface ShardLayout {
  count: number;
  taskIds: TaskIds;
}

export interface ResolvedShard {
  shard: Shard;
  /** How this run's task ids map, for the plan the first shard writes. */
  taskIds: TaskIds;
}

function int(name: string, value: string | undefined): number {
  if (value === undefined || !/^\s*\d+\s*$/.test(value))
    throw new ShardError(`--shard auto: ${name} is ${value === undefined ? 'not set' : `"${value}", not a whole number`}`);
  return Number(value);
}

function checked(index: number, count: number, from: string): Shard {
  if (count < 1) throw new ShardError(`${from}: the shard count must be at least 1`);
  if (index < 0 || index >= count || !Number.isInteger(index)) throw new ShardError(`${from}: shard ${index} is not one of 0…${count - 1}`);
  return { index, count };
}

/** `--shard SPEC` (`I/N` or `auto`, reading `env`) and `--shards N`, checked as far as they go without the plan. */
export function parseShardRequest(spec: string, shards: number | undefined, env: Readonly<Record<string, string | undefined>>): ShardRequest {
  if (shards !== undefined && shards < 1) throw new ShardError(`--shards ${shards}: the shard count must be at least 1`);
  const extra = shards !== undefined ? { shards } : {};
  const explicit = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(spec);
  if (explicit) {
    const [index, count] = [Number(explicit[1]), Number(explicit[2])];
    checked(index, count, `--shard ${spec}`);
    if (shards !== undefined && shards !== count) throw new ShardError(`--shard ${spec} and --shards ${shards} disagree on the shard count`);
    return { kind: 'fixed', spec: spec.trim(), index, count, ...extra };
  }
  if (spec.trim() !== 'auto') throw new ShardError(`--shard takes I/N (0-based, e.g. 0/4) or auto; got "${spec}"`);
  if (env.JOB_COMPLETION_INDEX !== undefined) {
    const index = int('JOB_COMPLETION_INDEX', env.JOB_COMPLETION_INDEX);
    const completions = env.JOB_COMPLETIONS === undefined || env.JOB_COMPLETIONS === '' ? undefined : int('JOB_COMPLETIONS', env.JOB_COMPLETIONS);
    return { kind: 'indexed-job', index, ...(completions !== undefined ? { completions } : {}), ...extra };
  }
  if (env.SLURM_ARRAY_TASK_ID !== undefined) {
    const id = int('SLURM_ARRAY_TASK_ID', env.SLURM_ARRAY_TASK_ID);
    const count = int('SLURM_ARRAY_TASK_COUNT', env.SLURM_ARRAY_TASK_COUNT);
    const min = int('SLURM_ARRAY_TASK_MIN', env.SLURM_ARRAY_TASK_MIN);
    const max = int('SLURM_ARRAY_TASK_MAX', env.SLURM_ARRAY_TASK_MAX);
    const step = env.SLURM_ARRAY_TASK_STEP === undefined || env.SLURM_ARRAY_TASK_STEP === '' ? 1 : int('SLURM_ARRAY_TASK_STEP', env.SLURM_ARRAY_TASK_STEP);
    return { kind: 'slurm-array', id, count, min, max, step, ...extra };
  }
  throw new ShardError('--shard auto: not in a Kubernetes Indexed Job (JOB_COMPLETION_INDEX) or a Slurm job array (SLURM_ARRAY_TASK_ID)');
}

const IDS_ARE_SHARDS: TaskIds = { min: 0, step: 1 };

/** The task ids of a layout, in Slurm's words: 0-7, 1-8, 0-6:2. */
export function arraySpec(layout: ShardLayout): string {
  const { count, taskIds } = layout;
  const last = taskIds.min + (count - 1) * taskIds.step;
  return count === 1 ? String(taskIds.min) : `${taskIds.min}-${last}${taskIds.step > 1 ? `:${taskIds.step}` : ''}`;
}

/**
 * This process's shard: from the run's plan when there is one (its count and task ids; a
 * count given that disagrees is refused), else from the request alone. One-line ShardErrors.
 */
export function resolveShard(request: ShardRequest, plan: ShardLayout | undefined, planFile = 'the plan'): ResolvedShard {
  const count = plan?.count;
  const disagree = (what: string, n: number) =>
    new ShardError(`${what} says ${n} shards but the run is planned as ${count} (${planFile}); give ${count}, or another --out for another plan`);
  if (plan && request.shards !== undefined && request.shards !== plan.count) throw disagree(`--shards ${request.shards}`, request.shards);
  switch (request.kind) {
    case 'fixed':
      if (plan && request.count !== plan.count) throw disagree(`--shard ${request.spec}`, request.count);
      return { shard: checked(request.index, request.count, `--shard ${request.spec}`), taskIds: plan?.taskIds ?? IDS_ARE_SHARDS };
    case 'indexed-job': {
      if (plan && request.completions !== undefined && request.completions !== plan.count) throw disagree('JOB_COMPLETIONS', request.completions);
      const n = plan?.count ?? request.shards ?? request.completions;
      if (n === undefined)
        throw new ShardError(
          "--shard auto: JOB_COMPLETION_INDEX is set but the shard count is not: give --shards N (or JOB_COMPLETIONS) equal to the Job's completions (docs/k8s-indexed-job.yaml does)",
        );
      return { shard: checked(request.index, n, 'Kubernetes Indexed Job'), taskIds: plan?.taskIds ?? IDS_ARE_SHARDS };
    }
    case 'slurm-array': {
      const { id } = request;
      if (plan) {
        const at = (id - plan.taskIds.min) / plan.taskIds.step;
        if (!Number.isInteger(at) || at < 0 || at >= plan.count)
          throw new ShardError(
            `--shard auto: Slurm array task ${id} is not a task of the run planned in ${planFile} (${plan.count} shards, tasks --array=${arraySpec(plan)})`,
          );
        return { shard: { index: at, count: plan.count }, taskIds: plan.taskIds };
      }
      const { min, max, step } = request;
      // Only a regular range maps task ids to shards 0…COUNT−1 one to one; a list such as 1,3,8 does not.
      const regular = step >= 1 && (max - min) / step + 1 === request.count && (id - min) % step === 0;
      const n = request.shards ?? request.count;
      if (regular && request.count === n) return { shard: checked((id - min) / step, n, 'Slurm job array'), taskIds: { min, step } };
      // Part of a run of --shards N (no plan yet): the task id is the shard.
      if (request.shards !== undefined) return { shard: checked(id, n, `Slurm array task ${id} of --shards ${n}`), taskIds: IDS_ARE_SHARDS };
      throw new ShardError(
        `--shard auto: the Slurm array (tasks ${min}…${max} step ${step}, ${request.count} tasks) is not a regular range; use --array=A-B or A-B:STEP, or give --shards N`,
      );
    }
    default: {
      const never: never = request;
      return never;
    }
  }
}

/** The shard of `--shard SPEC` when the run has no plan yet (tests, and callers without a run folder). */
export function parseShard(spec: string, env: Readonly<Record<string, string | undefined>>): Shard {
  return resolveShard(parseShardRequest(spec, undefined, env), undefined).shard;
}

/** The folder a shard writes under the run's folder: shard-003-of-008. */
export function shardDir(runDir: string, shard: Shard): string {
  const width = String(shard.count - 1).length;
  return path.join(runDir, `shard-${String(shard.index).padStart(Math.max(3, width), '0')}-of-${String(shard.count).padStart(Math.max(3, width), '0')}`);
}
