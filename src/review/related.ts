// The trajectories related to one: the run it branched from (its header's `parent`) and the
// branches re-run from its steps (`branches/*/trajectory.jsonl` beside it). Only headers and
// final answers are read; a branch that cannot be read is listed with why.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { TrajectoryHeader } from '../core/trajectory';
import { readTrajectory } from '../core/trajectoryFile';

export interface Related {
  /** Relative to the folder of the trajectory shown. */
  file: string;
  label: string;
  step?: number;
  answer?: string | null;
  missing?: boolean;
}

/** Branches listed at most; a folder with more is not one a person reads as a list. */
const MAX_BRANCHES = 100;
/** Branch files larger than this are listed without reading them. */
const MAX_BRANCH_BYTES = 32 * 1024 * 1024;

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

export async function relatedTrajectories(file: string, header: TrajectoryHeader | undefined): Promise<{ parent?: Related; branches: Related[] }> {
  const dir = path.dirname(file);
  const parent = header?.parent ? { ...(await describe(dir, header.parent.file)), step: header.parent.step } : undefined;
  const names = await fs.readdir(path.join(dir, 'branches'), { withFileTypes: true }).catch(() => []);
  const branches = await Promise.all(
    names
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort()
      .slice(0, MAX_BRANCHES)
      .map((name) => describe(dir, `branches/${name}/trajectory.jsonl`)),
  );
  return { ...(parent ? { parent } : {}), branches: branches.filter((b) => !b.missing).sort((a, b) => (a.step ?? 0) - (b.step ?? 0)) };
}
