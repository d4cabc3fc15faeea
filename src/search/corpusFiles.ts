// What the local corpus may read: regular files whose real path lies inside the corpus
// folder's real path, nothing else. A symbolic link that leaves the folder, a folder, a
// FIFO or a device named as a page image is refused with a message naming it; a FIFO
// named pages.jsonl is refused before it is opened (opening one for reading blocks).
import { constants, promises as fs, type BigIntStats, type Stats } from 'node:fs';
import * as path from 'node:path';

export const PAGES_FILE = 'pages.jsonl';
/** Generous: a benchmark's cached search pages run to a few hundred megabytes. */
export const MAX_PAGES_BYTES = 2 * 1024 ** 3;
/** No photograph a page shows comes near this; a bigger "image" is not one. */
export const MAX_IMAGE_BYTES = 256 * 1024 ** 2;

// O_NOFOLLOW: the last component of a resolved path must not have become a link since.
// O_NONBLOCK: a FIFO swapped in after the check does not hang the open.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

export class CorpusError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CorpusError';
  }
}

export interface CorpusFolder {
  /** Real path of the corpus folder. */
  root: string;
  /** Real path of its pages.jsonl, inside root. */
  pagesFile: string;
  pagesStat: BigIntStats;
}

/** What a file that is not a regular file is, in words. */
export function kindOf(st: Stats | BigIntStats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${n} bytes`;
}

export function isInside(root: string, real: string): boolean {
  return real.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

/** The cheap check at the start of a run: the folder exists and holds a regular pages.jsonl of sane size. */
export async function openCorpusFolder(dir: string): Promise<CorpusFolder> {
  let root: string;
  try {
    root = await fs.realpath(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CorpusError(code === 'ENOENT' ? `the corpus folder ${dir} does not exist` : `cannot open the corpus folder ${dir}: ${(e as Error).message}`);
  }
  const rootStat = await fs.stat(root);
  if (!rootStat.isDirectory()) throw new CorpusError(`the corpus folder ${dir} is ${kindOf(rootStat)}, not a folder`);
  const named = path.join(root, PAGES_FILE);
  let pagesFile: string;
  try {
    pagesFile = await fs.realpath(named);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CorpusError(code === 'ENOENT' ? `the corpus folder ${dir} has no ${PAGES_FILE}` : `cannot read ${named}: ${(e as Error).message}`);
  }
  if (!isInside(root, pagesFile)) throw new CorpusError(`${named} links outside the corpus folder`);
  const pagesStat = await fs.stat(pagesFile, { bigint: true });
  if (!pagesStat.isFile()) throw new CorpusError(`${named} is ${kindOf(pagesStat)}, not a file of pages`);
  if (pagesStat.size > BigInt(MAX_PAGES_BYTES)) {
    throw new CorpusError(
      `${named} is ${formatBytes(Number(pagesStat.size))}, over the ${formatBytes(MAX_PAGES_BYTES)} a corpus may hold; split it into several corpus folders`,
    );
  }
  return { root, pagesFile, pagesStat };
}

/**
 * Opens a file checked to be regular (pages.jsonl, a page image) and checks again on the
 * open descriptor that it is the same regular file, so nothing swapped in meanwhile is read.
 */
export async function openChecked(file: string, expected: { dev: number | bigint; ino: number | bigint }): Promise<fs.FileHandle> {
  const handle = await fs.open(file, OPEN_FLAGS);
  try {
    const st = await handle.stat({ bigint: true });
    if (!st.isFile()) throw new Error(`${file} is ${kindOf(st)}`);
    if (st.dev !== BigInt(expected.dev) || st.ino !== BigInt(expected.ino)) throw new Error(`${file} changed while it was being read`);
    return handle;
  } catch (e) {
    await handle.close();
    throw e;
  }
}

export type ResolvedImage = { ok: true; path: string; size: number; mtimeMs: number; dev: number; ino: number } | { ok: false; message: string };

/**
 * Resolves a page's image as written in pages.jsonl to a regular file inside the corpus
 * folder, following links only as far as they stay inside it. Messages name the image as
 * written; the caller adds the line number.
 */
export async function resolveImage(root: string, written: string): Promise<ResolvedImage> {
  const quoted = JSON.stringify(written);
  const lexical = path.resolve(root, written);
  if (path.isAbsolute(written) || !isInside(root, lexical)) return { ok: false, message: `image ${quoted} is outside the corpus folder` };
  let real: string;
  try {
    real = await fs.realpath(lexical);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, message: `image ${quoted} not found` };
    if (code === 'ELOOP') return { ok: false, message: `image ${quoted} is a loop of symbolic links` };
    return { ok: false, message: `image ${quoted} could not be read (${code ?? (e as Error).message})` };
  }
  if (!isInside(root, real)) return { ok: false, message: `image ${quoted} links outside the corpus folder` };
  let st: Stats;
  try {
    st = await fs.stat(real);
  } catch (e) {
    return { ok: false, message: `image ${quoted} could not be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
  }
  if (!st.isFile()) return { ok: false, message: `image ${quoted} is ${kindOf(st)}, not an image file` };
  if (st.size > MAX_IMAGE_BYTES) return { ok: false, message: `image ${quoted} is ${formatBytes(st.size)}, over the ${formatBytes(MAX_IMAGE_BYTES)} limit` };
  return { ok: true, path: real, size: st.size, mtimeMs: st.mtimeMs, dev: st.dev, ino: st.ino };
}

/** The bytes of a resolved image, read through a descriptor that is checked to be that file. */
export async function readImageFile(image: { path: string; dev: number; ino: number }): Promise<Buffer> {
  const handle = await openChecked(image.path, image);
  try {
    const st = await handle.stat();
    if (st.size > MAX_IMAGE_BYTES) throw new Error(`${formatBytes(st.size)}, over the ${formatBytes(MAX_IMAGE_BYTES)} limit`);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}
