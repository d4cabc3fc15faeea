// A sharded run's plan, RUN_DIR/shards.json: the dataset (its hash), the limit, the shard
// count and how Slurm array task ids map to shards (shard.ts). The first shard to start
// writes it; every other shard, started at once on another machine or re-submitted days
// later, joins it: takes its count from it and is refused, in one line, when it disagrees.
// Written whole or not at all and never over another's: the plan is written to a file of its
// own and hard-linked into place (link(2) fails when the name exists, on NFS too), so of two
// shards starting at once one writes it and the other reads the winner's and checks it.
import { closeSync, constants, fstatSync, openSync, promises as fs, readSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { z } from 'zod';
import { writeFailed, writeNewFile } from '../core/files';
import { jsonProblem, parseJson } from '../core/json';
import { arraySpec, ShardError, type ShardLayout } from './shard';

export const PLAN_FILE = 'shards.json';
const MAX_PLAN_BYTES = 64 * 1024;

const planSchema = z.looseObject({
  kind: z.literal('gog-shards'),
  schema: z.literal(1),
  created: z.string(),
  count: z.number().int().min(1),
  /** Slurm array task id → shard: (id − min) / step. */
  taskIds: z.looseObject({ min: z.number().int().min(0), step: z.number().int().min(1) }),
  dataset: z.looseObject({ file: z.string(), sha256: z.string() }),
  limit: z.number().int().min(1).nullable(),
});
export type ShardPlan = z.infer<typeof planSchema>;

export function planFile(dir: string): string {
  return path.join(dir, PLAN_FILE);
}

/**
 * The plan in `dir`, or undefined when there is none. Read synchronously (it is a few hundred
 * bytes, read once as the command line is read), never through a link; a plan that is not
 * one is a ShardError naming it.
 */
export function readPlan(dir: string): ShardPlan | undefined {
  const file = planFile(dir);
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    if (code === 'ELOOP') throw new ShardError(`${file} is a symbolic link; the run's plan must be its own file`);
    throw new ShardError(`cannot read ${file} (${code ?? (e as Error).message})`);
  }
  let text: string;
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new ShardError(`${file} is not a regular file; the run's plan must be one`);
    if (st.size > MAX_PLAN_BYTES) throw new ShardError(`${file} is ${st.size} bytes; a run's plan is a few hundred`);
    const buf = Buffer.alloc(st.size);
    let at = 0;
    while (at < buf.length) {
      const n = readSync(fd, buf, at, buf.length - at, at);
      if (n <= 0) break;
      at += n;
    }
    text = buf.subarray(0, at).toString('utf8');
  } finally {
    closeSync(fd);
  }
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (e) {
    throw new ShardError(`${file} is ${jsonProblem(e)}; remove it to plan the run again`);
  }
  const r = planSchema.safeParse(value);
  if (!r.success) throw new ShardError(`${file} is not a run's plan: ${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message}`);
  return r.data;
}

/** What differs between the run's plan and this shard's, in one line, or undefined when they agree. */
export function planMismatch(plan: ShardPlan, mine: ShardPlan): string | undefined {
  if (plan.dataset.sha256 !== mine.dataset.sha256)
    return `the run was planned for another dataset (${path.basename(plan.dataset.file)} ${plan.dataset.sha256.slice(0, 12)}; this is ${path.basename(mine.dataset.file)} ${mine.dataset.sha256.slice(0, 12)})`;
  if (plan.limit !== mine.limit) return `the run was planned with --limit ${plan.limit ?? 'none'}; this shard has ${mine.limit ?? 'none'}`;
  if (plan.count !== mine.count) return `the run was planned as ${plan.count} shards; this shard counts ${mine.count}`;
  if (plan.taskIds.min !== mine.taskIds.min || plan.taskIds.step !== mine.taskIds.step)
    return `the run's Slurm tasks are --array=${arraySpec(plan)}; this shard was started as one of --array=${arraySpec(mine)}`;
  return undefined;
}

export function layoutOf(plan: ShardPlan): ShardLayout {
  return { count: plan.count, taskIds: { min: plan.taskIds.min, step: plan.taskIds.step } };
}

/**
 * Records `mine` as the run's plan in `dir`, unless there is one: then it must agree. Throws a
 * ShardError naming the difference (nothing written), or a WriteFailed.
 */
export async function settlePlan(dir: string, mine: ShardPlan): Promise<void> {
  const file = planFile(dir);
  const check = () => {
    const there = readPlan(dir);
    if (!there) return false;
    const differs = planMismatch(there, mine);
    if (differs) throw new ShardError(`${file}: ${differs}; give another --out for another run`);
    return true;
  };
  if (check()) return;
  await fs.mkdir(dir, { recursive: true }).catch((e: unknown) => Promise.reject(writeFailed(e, file)));
  const tmp = path.join(dir, `.${PLAN_FILE}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  await writeNewFile(tmp, JSON.stringify(mine, null, 2) + '\n', { durable: true });
  try {
    await fs.link(tmp, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw writeFailed(e, file);
    // Another shard planned the run first: join its plan, or refuse.
    if (!check()) throw new ShardError(`${file} appeared and vanished while this shard planned the run; start it again`);
  } finally {
    await fs.rm(tmp, { force: true });
  }
}
