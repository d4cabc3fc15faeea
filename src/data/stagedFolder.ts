// An output folder that appears whole or not at all (an export, an import, a merged run):
// the command writes into a temporary folder beside `--out` (the same file system, so the
// last step is one rename), and renames it into place only when everything is written. A
// signal, an error or a full disk removes the temporary folder instead, so `--out` is left
// as it was (absent, or the empty folder it was) and a rerun into it just works.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { checkEmptyFolder, FolderTaken } from './emptyFolder';

export class StagedFolder {
  private done = false;

  private constructor(
    /** Where the output goes in the end. */
    readonly out: string,
    /** Where it is written meanwhile. */
    readonly dir: string,
    /** Folders above `out` made for it, removed again when nothing comes of it (innermost first). */
    private readonly made: string[],
    private readonly what: string,
  ) {}

  /** Checks `out` (new or empty, never a link: emptyFolder.ts) and makes the temporary folder beside it. */
  static async begin(out: string, what: string): Promise<StagedFolder> {
    const target = path.resolve(out);
    await checkEmptyFolder(target, what);
    const parent = path.dirname(target);
    const made: string[] = [];
    for (let p = parent; ; p = path.dirname(p)) {
      const exists = await fs.stat(p).then(
        () => true,
        () => false,
      );
      if (exists || path.dirname(p) === p) break;
      made.unshift(p);
    }
    await fs.mkdir(parent, { recursive: true });
    const dir = path.join(parent, `.${path.basename(target)}.${process.pid}-${randomBytes(4).toString('hex')}.partial`);
    await fs.mkdir(dir);
    return new StagedFolder(target, dir, made.reverse(), what);
  }

  /** Puts the finished output in place: one rename (over `out` when it is an empty folder). */
  async commit(): Promise<void> {
    if (this.done) throw new Error(`${this.out}: the ${this.what} was already finished`);
    try {
      await fs.rename(this.dir, this.out);
      this.done = true;
    } catch (e) {
      await this.discard();
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR' || code === 'EISDIR')
        throw new FolderTaken(`${this.out} was filled by something else while the ${this.what} was written; nothing was written there`);
      throw e;
    }
  }

  /** Removes everything written (and the folders made above `out`); `out` is left as it was. */
  async discard(): Promise<void> {
    if (this.done) return;
    this.done = true;
    await fs.rm(this.dir, { recursive: true, force: true });
    for (const p of this.made) await fs.rmdir(p).catch(() => undefined);
  }

  /** The final path of a file written at `file` in the temporary folder. */
  finalPath(file: string): string {
    const rel = path.relative(this.dir, file);
    return rel.startsWith('..') || path.isAbsolute(rel) ? file : path.join(this.out, rel);
  }
}
