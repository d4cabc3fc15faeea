// The commit a workspace is at, read from its .git files: a run records the state of the
// code and prompts it was run from. Read, never run: `git` in a cloned workspace would obey
// that repository's own config (fsmonitor, filters), which a stranger's clone may set.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export interface GitHead {
  commit: string;
  /** The branch checked out; absent on a detached HEAD. */
  branch?: string;
}

const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
/** HEAD, a ref or a .git file: a line. packed-refs: a big repository's many tags. */
const MAX_SMALL = 64 * 1024;
const MAX_PACKED_REFS = 32 * 1024 * 1024;

export async function readSmall(file: string, max = MAX_SMALL): Promise<string | undefined> {
  const st = await fs.stat(file).catch(() => undefined);
  if (!st?.isFile() || st.size > max) return undefined;
  return fs.readFile(file, 'utf8').catch(() => undefined);
}

/** The git folder for `dir`: its .git folder, or where a .git file (a worktree, a submodule) points. */
export async function gitDirOf(dir: string): Promise<string | undefined> {
  let at = path.resolve(dir);
  for (let depth = 0; depth < 64; depth++) {
    const dotGit = path.join(at, '.git');
    const st = await fs.stat(dotGit).catch(() => undefined);
    if (st?.isDirectory()) return dotGit;
    if (st?.isFile()) {
      const m = /^gitdir: *(.+?)\s*$/m.exec((await readSmall(dotGit)) ?? '');
      return m ? path.resolve(at, m[1]!) : undefined;
    }
    const up = path.dirname(at);
    if (up === at) return undefined;
    at = up;
  }
  return undefined;
}

async function resolveRef(gitDir: string, commonDir: string, ref: string): Promise<string | undefined> {
  // Names git would never write: nothing outside the git folder is read for a ref.
  if (!/^refs\/[\w./-]+$/.test(ref) || ref.includes('..')) return undefined;
  for (const dir of [gitDir, commonDir]) {
    const value = (await readSmall(path.join(dir, ref)))?.trim();
    if (value && SHA.test(value)) return value;
  }
  const packed = await readSmall(path.join(commonDir, 'packed-refs'), MAX_PACKED_REFS);
  for (const line of packed?.split('\n') ?? []) {
    const [sha, name] = line.trim().split(' ');
    if (name === ref && sha && SHA.test(sha)) return sha;
  }
  return undefined;
}

/** The commit `dir`'s repository is at, if it is in one whose HEAD can be read; never throws. */
export async function gitHead(dir: string): Promise<GitHead | undefined> {
  try {
    const gitDir = await gitDirOf(dir);
    if (!gitDir) return undefined;
    const common = (await readSmall(path.join(gitDir, 'commondir')))?.trim();
    const commonDir = common ? path.resolve(gitDir, common) : gitDir;
    const head = (await readSmall(path.join(gitDir, 'HEAD')))?.trim();
    if (!head) return undefined;
    if (SHA.test(head)) return { commit: head };
    const ref = /^ref: *(\S+)$/.exec(head)?.[1];
    if (!ref) return undefined;
    const commit = await resolveRef(gitDir, commonDir, ref);
    if (!commit) return undefined;
    return { commit, ...(ref.startsWith('refs/heads/') ? { branch: ref.slice('refs/heads/'.length) } : {}) };
  } catch {
    return undefined;
  }
}
