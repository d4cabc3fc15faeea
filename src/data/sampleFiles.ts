// The files a run's results name: a sample's trajectory, and review queues of them. A run
// folder may come from someone else, so a trajectory path from results.jsonl is followed
// only when it stays inside the run folder (real paths compared, so a symlink out is
// refused too: folderFile.ts) and names a regular .jsonl file.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { checkFolderFile, FolderFileRefused } from '../core/folderFile';
import { writeFileAtomic } from '../core/atomicFile';

export async function sampleTrajectory(runDir: string, rel: string): Promise<string> {
  if (!rel || path.isAbsolute(rel) || !rel.endsWith('.jsonl'))
    throw new Error(`results.jsonl names "${rel.slice(0, 120)}", which is not a trajectory in the run folder`);
  let checked;
  try {
    checked = await checkFolderFile(runDir, path.resolve(runDir, rel));
  } catch (e) {
    if (!(e instanceof FolderFileRefused)) throw e;
    if (e.reason.startsWith('links to a file outside')) throw new Error(`the trajectory ${rel} is outside the run folder; not opened`, { cause: e });
    throw new Error(`the trajectory ${rel} ${e.reason}`, { cause: e });
  }
  if (!checked) throw new Error(`the trajectory ${rel} is missing from the run folder`);
  return checked.file;
}

/** `.gog/queues/`: where review queues are written, under the workspace (or the folder holding `.gog/runs/`). */
export function queuesDir(base: string): string {
  return path.join(base, '.gog', 'queues');
}

/** The folder a run belongs to: the one holding its `.gog/runs/`, or else the run's parent. */
export function projectOf(runDir: string): string {
  const parts = path.resolve(runDir).split(path.sep);
  const at = parts.lastIndexOf('.gog');
  return at > 0 && parts[at + 1] === 'runs' ? parts.slice(0, at).join(path.sep) || path.sep : path.dirname(path.resolve(runDir));
}

/** Characters of a queue's file name each of its parts (the run, the filter) may take. */
const MAX_NAME_PART = 80;

/**
 * A file name from a run and the filter that chose the samples: `20261124-fvqa-wrong-answer`.
 * A part too long for a file name is cut where a word ends, with "…" (the whole of it is the
 * queue's title, in the file).
 */
export function queueName(run: string, label: string): string {
  const slug = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '');
  const short = (s: string) => {
    if (s.length <= MAX_NAME_PART) return s;
    const end = s.lastIndexOf('-', MAX_NAME_PART - 1);
    return `${s.slice(0, end > 0 ? end : MAX_NAME_PART - 1)}…`;
  };
  return [short(slug(run)), short(slug(label))].filter(Boolean).join('-') || 'queue';
}

/**
 * Writes a queue: a JSON list of trajectory paths, or with a title (what chose them, in full)
 * `{ "title": …, "trajectories": [...] }`, which the queue reader takes too. Never over
 * another queue: `-2`, `-3`…
 */
export async function writeQueue(dir: string, name: string, trajectories: readonly string[], title?: string): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  for (let n = 1; ; n++) {
    const file = path.join(dir, `${name}${n > 1 ? `-${n}` : ''}.json`);
    const taken = await fs.stat(file).then(
      () => true,
      () => false,
    );
    if (taken) continue;
    await writeFileAtomic(file, JSON.stringify(title === undefined ? trajectories : { title, trajectories }, null, 2) + '\n');
    return file;
  }
}
