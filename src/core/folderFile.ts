// Files read from a folder that may come from someone else: a run folder, a benchmark run,
// a cache. A name in such a folder is read only when it resolves to a regular file whose
// real path lies inside the folder's real path. A symbolic link to /etc/passwd, or to
// anything else outside, is refused and never opened; a hard link is a regular file inside
// the folder, and is read like any other (the decision is on the real path, not on how the
// name is spelled). The check and the read are one step: the file is opened by its real path
// with O_NOFOLLOW (a link planted since the check is not followed) and O_NONBLOCK (a named
// pipe swapped in does not hang the open), and the open file must be the one checked.
import { constants, promises as fs, type Stats } from 'node:fs';
import * as path from 'node:path';

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** A file of the folder that may not be read; the message names it (relative to the folder) and says why. */
export class FolderFileRefused extends Error {
  constructor(
    /** The file as shown: relative to the folder when inside it. */
    readonly shown: string,
    /** Why, without the name: "links to a file outside the run folder". */
    readonly reason: string,
  ) {
    super(`${shown} ${reason}; not read`);
    this.name = 'FolderFileRefused';
  }
}

/** Whether `real` lies inside the folder `root` (both real paths). */
export function isInside(root: string, real: string): boolean {
  return real.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

/** What a file that is not a regular file is, in words. */
export function kindOf(st: Pick<Stats, 'isDirectory' | 'isFIFO' | 'isSocket' | 'isCharacterDevice' | 'isBlockDevice'>): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

function shownName(root: string, file: string): string {
  const rel = path.relative(root, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : file;
}

export interface CheckedFile {
  /** The real path, inside the folder's real path. */
  file: string;
  /** As named, for messages. */
  shown: string;
  stat: Stats;
}

/**
 * Checks `file`, a path inside the folder `root` (`what` names the folder in messages: "run
 * folder"). Returns undefined when there is no such file (nor a folder); throws a
 * FolderFileRefused when there is one that may not be read.
 */
export async function checkFolderFile(root: string, file: string, what = 'run folder'): Promise<CheckedFile | undefined> {
  const shown = shownName(root, file);
  let realRoot: string;
  try {
    realRoot = await fs.realpath(root);
  } catch {
    return undefined;
  }
  let real: string;
  try {
    real = await fs.realpath(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // Absent, or a link to nothing: there is no file to read.
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    if (code === 'ELOOP') throw new FolderFileRefused(shown, 'is a loop of symbolic links');
    throw new FolderFileRefused(shown, `cannot be read (${code ?? (e as Error).message})`);
  }
  if (!isInside(realRoot, real)) throw new FolderFileRefused(shown, `links to a file outside the ${what}`);
  const stat = await fs.stat(real);
  if (!stat.isFile()) throw new FolderFileRefused(shown, `is ${kindOf(stat)}, not a regular file`);
  return { file: real, shown, stat };
}

/**
 * Opens a checked file of the folder (see checkFolderFile); undefined when it is absent. The
 * caller closes the handle.
 */
export async function openFolderFile(root: string, file: string, what = 'run folder'): Promise<{ handle: fs.FileHandle; stat: Stats } | undefined> {
  const checked = await checkFolderFile(root, file, what);
  if (!checked) return undefined;
  return { handle: await openChecked(checked), stat: checked.stat };
}

/** Opens a checked file, and makes sure what was opened is that same regular file. */
export async function openChecked(checked: CheckedFile): Promise<fs.FileHandle> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(checked.file, OPEN_FLAGS);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new FolderFileRefused(checked.shown, 'became a symbolic link while it was opened');
    throw e;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile() || st.dev !== checked.stat.dev || st.ino !== checked.stat.ino) throw new FolderFileRefused(checked.shown, 'changed while it was opened');
    return handle;
  } catch (e) {
    await handle.close();
    throw e;
  }
}

/** The bytes of a file of the folder; undefined when it is absent. `maxBytes`: refused when larger. */
export async function readFolderFile(root: string, file: string, options: { what?: string; maxBytes?: number } = {}): Promise<Buffer | undefined> {
  const opened = await openFolderFile(root, file, options.what);
  if (!opened) return undefined;
  try {
    if (options.maxBytes !== undefined && opened.stat.size > options.maxBytes)
      throw new FolderFileRefused(
        shownName(root, file),
        `is ${Math.ceil(opened.stat.size / 1024 / 1024)} MB, more than the ${Math.round(options.maxBytes / 1024 / 1024)} MB it may hold`,
      );
    return await opened.handle.readFile();
  } finally {
    await opened.handle.close();
  }
}
