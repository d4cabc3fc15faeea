// Where a command writes its output (`--out`): a folder it fills from scratch (an export, an
// import, a merged run), new or empty, so nothing in it is ever written over and a
// half-finished one can be cleared without losing anything; or a new file. Checked before
// anything is written, and decided on what the path is (lstat), not on what it points to: a
// symbolic link is refused, dangling or not, so an output never lands somewhere else.
import { constants as fsConstants, promises as fs } from 'node:fs';
import * as path from 'node:path';

export class FolderTaken extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FolderTaken';
  }
}

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * For a path that does not exist yet: the nearest folder above it that does must be a folder
 * we may create files in. Throws FolderTaken saying why not.
 */
export async function checkCreatable(target: string): Promise<void> {
  let existing = target;
  for (;;) {
    const parent = path.dirname(existing);
    if (parent === existing) break;
    existing = parent;
    let stat;
    try {
      stat = await fs.stat(existing);
    } catch (e) {
      if (errno(e) === 'ENOENT') continue;
      throw new FolderTaken(`cannot create ${target}: ${existing} cannot be read (${errno(e) ?? 'unknown error'})`);
    }
    if (!stat.isDirectory()) throw new FolderTaken(`cannot create ${target}: ${existing} is a file, not a folder`);
    break;
  }
  await checkWritable(existing, target);
}

async function checkWritable(folder: string, target: string): Promise<void> {
  try {
    await fs.access(folder, fsConstants.W_OK | fsConstants.X_OK);
  } catch (e) {
    throw new FolderTaken(`cannot write to ${target}: ${folder} is not writable${errno(e) === 'EROFS' ? ' (a read-only file system)' : ''}`);
  }
}

async function linkMessage(target: string, flag: string, wanted: string): Promise<string> {
  const to = await fs.stat(target).catch(() => undefined);
  return `${flag} ${target} is a symbolic link${to ? '' : ' to nothing'}; give ${wanted} itself, not a link`;
}

/**
 * Checks, writing nothing, that `dir` can be an output folder: absent (and creatable) or an
 * empty, writable folder; never a link. `what` names the job ("export"), `flag` the option.
 */
export async function checkEmptyFolder(dir: string, what: string, flag = '--out'): Promise<'absent' | 'empty'> {
  let stat;
  try {
    stat = await fs.lstat(dir);
  } catch (e) {
    if (errno(e) !== 'ENOENT' && errno(e) !== 'ENOTDIR') throw new FolderTaken(`cannot use ${dir} for the ${what}: ${errno(e) ?? 'unknown error'}`);
    await checkCreatable(dir);
    return 'absent';
  }
  if (stat.isSymbolicLink()) throw new FolderTaken(await linkMessage(dir, flag, `a new or empty folder for the ${what}`));
  if (!stat.isDirectory()) throw new FolderTaken(`${dir} is a file; give a new or empty folder for the ${what}`);
  const entries = await fs.readdir(dir);
  if (entries.length)
    throw new FolderTaken(
      `${dir} is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}); ${/^[aeiou]/.test(what) ? 'an' : 'a'} ${what} goes into a new or empty folder and never writes over files`,
    );
  await checkWritable(dir, dir);
  return 'empty';
}

/** Creates `dir`, or accepts it when it is an empty folder; `what` names the job in the message. */
export async function claimEmptyFolder(dir: string, what: string): Promise<void> {
  await checkEmptyFolder(dir, what);
  await fs.mkdir(dir, { recursive: true });
}

/**
 * Checks, writing nothing, that `file` can be a new output file: nothing is there (a file is
 * never written over), and its folder can be written. `what` names the output ("report").
 */
export async function checkNewFile(file: string, what: string, flag = '--out'): Promise<void> {
  let stat;
  try {
    stat = await fs.lstat(file);
  } catch (e) {
    if (errno(e) !== 'ENOENT' && errno(e) !== 'ENOTDIR') throw new FolderTaken(`cannot write the ${what} to ${file}: ${errno(e) ?? 'unknown error'}`);
    await checkCreatable(file);
    return;
  }
  if (stat.isSymbolicLink()) throw new FolderTaken(await linkMessage(file, flag, `the name of a new file for the ${what}`));
  if (stat.isDirectory()) throw new FolderTaken(`${flag} ${file} is a folder; give the name of a new file for the ${what}`);
  throw new FolderTaken(`${flag} ${file} already exists; give a new file name (the ${what} is never written over a file)`);
}
