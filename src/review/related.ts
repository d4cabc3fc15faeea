// The trajectories related to one: the run it branched from (its header's `parent`) and the
// branches re-run from its steps: trajectories in `branches/*/` beside it (where a re-run
// writes by default) or in sibling folders, whose header's `parent.file` is this file. Only
// the first line of a candidate is read to tell; a branch's final answer is read to show.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { headerSchema, type TrajectoryHeader } from '../core/trajectory';
import { openFolderFile } from '../core/folderFile';
import { readTrajectory } from '../core/trajectoryFile';
import { parseJson } from '../core/json';

export interface Related {
  /** Relative to the folder of the trajectory shown. */
  file: string;
  label: string;
  step?: number;
  answer?: string | null;
  missing?: boolean;
}

/** Folders looked into at most, and branches listed at most. */
const MAX_CANDIDATES = 400;
const MAX_BRANCHES = 100;
/** Branch files larger than this are listed without reading their answer. */
const MAX_BRANCH_BYTES = 32 * 1024 * 1024;
/** A header line longer than this is not one. */
const MAX_HEADER_BYTES = 256 * 1024;

async function describe(dir: string, rel: string): Promise<Related> {
  const file = path.resolve(dir, rel);
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) return { file: rel, label: 'not a file', missing: true };
    if (stat.size > MAX_BRANCH_BYTES) return { file: rel, label: `${Math.round(stat.size / 1024 / 1024)} MB, not read here` };
    const t = await readTrajectory(file);
    const final = [...t.events].reverse().find((e) => e.type === 'final');
    return {
      file: rel,
      label: t.header?.question ?? 'no readable header',
      ...(t.header?.parent ? { step: t.header.parent.step } : {}),
      ...(final?.type === 'final' ? { answer: final.answer } : {}),
    };
  } catch {
    return { file: rel, label: 'not found', missing: true };
  }
}

/** A file's header, from its first line only. */
export async function readHeaderOnly(file: string): Promise<TrajectoryHeader | undefined> {
  let handle: fs.FileHandle | undefined;
  try {
    // Only a regular file inside its own folder (folderFile.ts): never through a link out, never a pipe.
    handle = (await openFolderFile(path.dirname(file), file))?.handle;
    if (!handle) return undefined;
    const buf = Buffer.alloc(MAX_HEADER_BYTES);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const end = buf.subarray(0, bytesRead).indexOf(0x0a);
    const parsed = headerSchema.safeParse(parseJson(buf.subarray(0, end === -1 ? bytesRead : end).toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}

async function realOrSelf(file: string): Promise<string> {
  return fs.realpath(file).catch(() => path.resolve(file));
}

/** Trajectory files one folder down: `<folder>/*\/trajectory.jsonl`. */
async function childTrajectories(folder: string, skip: string): Promise<string[]> {
  const names = await fs.readdir(folder, { withFileTypes: true }).catch(() => []);
  return names
    .filter((d) => d.isDirectory() && path.join(folder, d.name) !== skip)
    .map((d) => path.join(folder, d.name, 'trajectory.jsonl'))
    .sort();
}

/** Whether `candidate`'s header names `real` as its parent. */
async function isBranchOf(candidate: string, real: string): Promise<{ step: number } | undefined> {
  const header = await readHeaderOnly(candidate);
  if (!header?.parent) return undefined;
  const parent = await realOrSelf(path.resolve(path.dirname(candidate), header.parent.file));
  return parent === real ? { step: header.parent.step } : undefined;
}

export async function relatedTrajectories(file: string, header: TrajectoryHeader | undefined): Promise<{ parent?: Related; branches: Related[] }> {
  const dir = path.dirname(file);
  const real = await realOrSelf(file);
  const parent = header?.parent ? { ...(await describe(dir, header.parent.file)), step: header.parent.step } : undefined;
  const candidates = [...(await childTrajectories(path.join(dir, 'branches'), '')), ...(await childTrajectories(path.dirname(dir), dir))].slice(
    0,
    MAX_CANDIDATES,
  );
  const found: string[] = [];
  for (const c of candidates) {
    if (found.length >= MAX_BRANCHES) break;
    if (await isBranchOf(c, real)) found.push(c);
  }
  const branches = await Promise.all(found.map((c) => describe(dir, path.relative(dir, c).split(path.sep).join('/'))));
  return { ...(parent ? { parent } : {}), branches: branches.filter((b) => !b.missing).sort((a, b) => (a.step ?? 0) - (b.step ?? 0)) };
}
