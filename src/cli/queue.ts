// `gog queue split PATH --annotators a,b,c --overlap 0.2 --out DIR [--seed N]`: one queue
// file per annotator (DIR/<name>.json, the format of review/queueFile.ts) from a queue file
// or a folder of trajectories, a share of the samples given to two annotators
// (review/queueSplit.ts). Everything is checked before anything is written; a queue file
// already there is never written over; each file is written whole (atomicFile.ts), and a
// failure part way removes the ones this run wrote.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { oneLine } from '../core/agent';
import { writeFileAtomic } from '../core/atomicFile';
import { baseOf, readQueueFile } from '../review/queueFile';
import { findTrajectories } from '../review/queueIndex';
import { ANNOTATOR_NAME, MAX_ANNOTATORS, splitQueue } from '../review/queueSplit';
import { relativeToCwd, UsageError, type Io } from './io';
import { parseCommandArgs } from './args';
import { QUEUE } from './commands';

const USAGE = 'gog queue split PATH --annotators a,b,c --overlap 0.2 --out DIR [--seed N]';

function parseAnnotators(given: string | undefined): string[] {
  if (given === undefined) throw new UsageError(`give the annotators: ${USAGE}`);
  const names = given.split(',').map((n) => n.trim());
  for (const n of names)
    if (!ANNOTATOR_NAME.test(n))
      throw new UsageError(`--annotators: "${n}" is not a name a queue file can take (letters, digits, then also . _ -, at most 64)`);
  const repeated = names.find((n, i) => names.indexOf(n) !== i);
  if (repeated) throw new UsageError(`--annotators: ${repeated} is named twice`);
  if (names.length < 2) throw new UsageError('--annotators: a split needs two or more annotators');
  if (names.length > MAX_ANNOTATORS) throw new UsageError(`--annotators: at most ${MAX_ANNOTATORS}`);
  return names;
}

function parseOverlap(given: string | undefined): number {
  if (given === undefined) return 0;
  const v = Number(given);
  if (!given.trim() || !Number.isFinite(v) || v < 0 || v > 1)
    throw new UsageError(`--overlap takes the share of samples given to two annotators, from 0 to 1; got "${given}"`);
  return v;
}

function parseSeed(given: string | undefined): number {
  if (given === undefined) return 0;
  if (!/^\d{1,10}$/.test(given) || Number(given) > 0xffffffff) throw new UsageError(`--seed takes a whole number from 0 to 4294967295; got "${given}"`);
  return Number(given);
}

/** The trajectories PATH names, absolute: a queue file's list, or the trajectory files under a folder. */
async function samplesOf(target: string, cwd: string): Promise<string[]> {
  const given = path.resolve(cwd, target);
  const stat = await fs.stat(given).catch(() => undefined);
  if (!stat) throw new UsageError(`${target}: no such file or folder`);
  if (stat.isDirectory()) return (await findTrajectories(given)).map((rel) => path.join(given, rel));
  if (!stat.isFile() || !given.endsWith('.json')) throw new UsageError(`${target} is neither a queue file (.json) nor a folder of trajectories`);
  try {
    const list = await readQueueFile(given);
    return list.files.map((rel) => path.join(list.root, rel));
  } catch (e) {
    throw new UsageError(oneLine(e));
  }
}

export async function runQueue(argv: string[], io: Io, cwd: string): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'split') throw new UsageError(sub === undefined ? `give a queue command: ${USAGE}` : `unknown queue command "${sub}": ${USAGE}`);
  const { values, positionals } = parseCommandArgs(rest, QUEUE);
  if (positionals.length !== 1) throw new UsageError(`give one queue file or folder: ${USAGE}`);
  const annotators = parseAnnotators(values.annotators);
  const overlap = parseOverlap(values.overlap);
  const seed = parseSeed(values.seed);
  if (!values.out) throw new UsageError(`give the folder the queues go to: --out DIR (e.g. .gog/queues/)`);
  const out = path.resolve(cwd, values.out);
  const outStat = await fs.stat(out).catch(() => undefined);
  if (outStat && !outStat.isDirectory()) throw new UsageError(`--out ${values.out} is not a folder`);
  const samples = await samplesOf(positionals[0]!, cwd);
  if (!samples.length) throw new UsageError(`no trajectory files under ${positionals[0]}`);
  const targets = annotators.map((name) => path.join(out, `${name}.json`));
  for (const t of targets)
    if (await fs.lstat(t).catch(() => undefined))
      throw new UsageError(`${relativeToCwd(t)} already exists; a split never writes over a queue: remove it or choose another --out`);

  const split = splitQueue(samples, annotators, overlap, seed);
  await fs.mkdir(out, { recursive: true });
  const written: string[] = [];
  try {
    for (const [i, name] of annotators.entries()) {
      const file = targets[i]!;
      // Paths as the queue file's reader takes them: from the project of .gog/queues/, else from the file's folder.
      const base = baseOf(file);
      const trajectories = split.queues.get(name)!.map((f) => path.relative(base, f).split(path.sep).join('/'));
      await writeFileAtomic(file, JSON.stringify({ annotator: name, seed, overlap, trajectories }, null, 1) + '\n');
      written.push(file);
    }
  } catch (e) {
    await Promise.all(written.map((f) => fs.rm(f, { force: true })));
    io.stderr(`gog: ${oneLine(e)}; no queue was left behind`);
    return 1;
  }
  const share = samples.length ? (100 * split.overlapped) / samples.length : 0;
  io.stdout(
    `split ${samples.length.toLocaleString('en')} trajectories among ${annotators.length} annotators, ${split.overlapped.toLocaleString('en')} (${share.toFixed(1)}%) given to two: ${annotators.map((n) => `${n} ${split.queues.get(n)!.length}`).join(', ')} → ${relativeToCwd(out)}${path.sep}{${annotators.join(',')}}.json (seed ${seed})`,
  );
  return 0;
}
