// The trajectory files under the paths a user gives: files as named, folders searched
// recursively for `trajectory.jsonl` and `*.trajectory.jsonl`. Inside a folder a symbolic
// link is followed only when it resolves inside that folder (a link out of it is noted and
// skipped), so exporting a folder from someone else never reads elsewhere on the machine.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export function isTrajectoryName(name: string): boolean {
  return name === 'trajectory.jsonl' || name.endsWith('.trajectory.jsonl');
}

/** Folders never searched: other tools' trees, never runs. */
const SKIPPED = new Set(['node_modules', '.git']);

export interface FoundTrajectories {
  /** Absolute paths, sorted, each file once (by its real path). */
  files: string[];
  /** Paths that were not searched, one line each. */
  notes: string[];
}

function inside(root: string, real: string): boolean {
  return real === root || real.startsWith(root + path.sep);
}

export async function findTrajectories(paths: readonly string[], cwd: string): Promise<FoundTrajectories> {
  const files = new Map<string, string>(); // real path -> path as found
  const notes: string[] = [];
  const seenDirs = new Set<string>();

  const walk = async (dir: string, realDir: string, root: string): Promise<void> => {
    if (seenDirs.has(realDir)) return;
    seenDirs.add(realDir);
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (e) {
      notes.push(`${dir}: not searched (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`);
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED.has(entry.name)) await walk(p, path.join(realDir, entry.name), root);
      } else if (entry.isFile()) {
        if (isTrajectoryName(entry.name)) files.set(path.join(realDir, entry.name), p);
      } else if (entry.isSymbolicLink()) {
        const real = await fs.realpath(p).catch(() => undefined);
        if (!real) continue; // a dangling link holds nothing
        if (!inside(root, real)) {
          notes.push(`${p}: a link out of ${root}; not followed`);
          continue;
        }
        const stat = await fs.stat(real);
        if (stat.isDirectory()) await walk(p, real, root);
        // A link to a file is taken at its real path: its run folder is the one it is in.
        else if (stat.isFile() && isTrajectoryName(entry.name)) files.set(real, real);
      }
    }
  };

  for (const given of paths) {
    const p = path.resolve(cwd, given);
    const stat = await fs.stat(p).catch(() => undefined);
    if (!stat) notes.push(`${given}: no such file or folder`);
    else if (stat.isDirectory()) {
      const root = await fs.realpath(p);
      await walk(p, root, root);
    } else if (stat.isFile()) files.set(await fs.realpath(p), p);
    else notes.push(`${given}: not a file or folder`);
  }
  return { files: [...files.values()].sort(), notes };
}
