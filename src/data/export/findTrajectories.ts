// The trajectory files under the paths a user gives: files as named, folders searched
// recursively for `trajectory.jsonl` and `*.trajectory.jsonl`. Inside a folder a symbolic
// link is followed only when it resolves inside that folder (a link out of it is noted and
// skipped), so exporting or searching a folder from someone else never reads elsewhere on
// the machine. `trajectoryFiles` yields them as the walk finds them (a search over 10,000
// runs starts on the first); `findTrajectories` lists them all, sorted.
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

/** One trajectory file found. */
export interface FoundFile {
  /** The path as found (absolute; a link to a file is given as its real path). */
  file: string;
  /** The real path of the folder it was found in, which it must stay inside when opened: the folder given, or a named file's own folder. */
  root: string;
}

function inside(root: string, real: string): boolean {
  return real === root || real.startsWith(root + path.sep);
}

/** The trajectory files under `paths`, each once (by its real path), in the order the walk finds them. */
export async function* trajectoryFiles(paths: readonly string[], cwd: string, note: (line: string) => void): AsyncGenerator<FoundFile> {
  const seenFiles = new Set<string>();
  const seenDirs = new Set<string>();

  async function* walk(dir: string, realDir: string, root: string): AsyncGenerator<FoundFile> {
    if (seenDirs.has(realDir)) return;
    seenDirs.add(realDir);
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (e) {
      note(`${dir}: not searched (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`);
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED.has(entry.name)) yield* walk(p, path.join(realDir, entry.name), root);
      } else if (entry.isFile()) {
        const real = path.join(realDir, entry.name);
        if (isTrajectoryName(entry.name) && !seenFiles.has(real)) {
          seenFiles.add(real);
          yield { file: p, root };
        }
      } else if (entry.isSymbolicLink()) {
        const real = await fs.realpath(p).catch(() => undefined);
        if (!real) continue; // a dangling link holds nothing
        if (!inside(root, real)) {
          note(`${p}: a link out of ${root}; not followed`);
          continue;
        }
        const stat = await fs.stat(real).catch(() => undefined);
        if (stat?.isDirectory()) yield* walk(p, real, root);
        // A link to a file is taken at its real path: its run folder is the one it is in.
        else if (stat?.isFile() && isTrajectoryName(entry.name) && !seenFiles.has(real)) {
          seenFiles.add(real);
          yield { file: real, root };
        }
      }
    }
  }

  for (const given of paths) {
    const p = path.resolve(cwd, given);
    const stat = await fs.stat(p).catch(() => undefined);
    if (!stat) note(`${given}: no such file or folder`);
    else if (stat.isDirectory()) {
      const root = await fs.realpath(p);
      yield* walk(p, root, root);
    } else if (stat.isFile()) {
      const real = await fs.realpath(p);
      if (!seenFiles.has(real)) {
        seenFiles.add(real);
        yield { file: p, root: path.dirname(real) };
      }
    } else note(`${given}: not a file or folder`);
  }
}

export async function findTrajectories(paths: readonly string[], cwd: string): Promise<FoundTrajectories> {
  const files: string[] = [];
  const notes: string[] = [];
  for await (const found of trajectoryFiles(paths, cwd, (line) => notes.push(line))) files.push(found.file);
  return { files: files.sort(), notes };
}
