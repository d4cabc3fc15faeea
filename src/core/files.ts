// Small file-system steps shared by the writers of runs, results and caches. Every write is
// checked: a write that fails (a full disk, a quota, a folder removed) becomes a WriteFailed
// naming the file and the cause in one line, and a file this code was creating is removed
// rather than left half written.
import { open, promises as fs } from 'node:fs';
import * as path from 'node:path';

/** A raw file descriptor (for synchronous line writes), opened on the thread pool. */
export function openFd(file: string, flags: string | number): Promise<number> {
  return new Promise((resolve, reject) => open(file, flags, 0o666, (e, fd) => (e ? reject(e) : resolve(fd))));
}

/**
 * Runs `create` (which makes `file`); when `file`'s folder is missing, makes it and runs it
 * once more. The folder is made only when needed: one system call fewer on every write.
 */
export async function inFolder<T>(file: string, create: () => Promise<T>): Promise<T> {
  try {
    return await create();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    await fs.mkdir(path.dirname(file), { recursive: true });
    return create();
  }
}

/** A write that did not happen whole: `no space left on device (ENOSPC) writing <file>`. */
export class WriteFailed extends Error {
  /** Set by whoever cleaned up: nothing of the job is left on disk (a run that could not start). */
  nothingWritten = false;

  constructor(
    readonly file: string,
    readonly code: string | undefined,
    cause: string,
  ) {
    super(`${cause}${code ? ` (${code})` : ''} writing ${file}`);
    this.name = 'WriteFailed';
  }
}

/** The error of a failed write, as a WriteFailed naming `file` (one already is stays as it is). */
export function writeFailed(e: unknown, file: string): Error {
  if (e instanceof WriteFailed) return e;
  const err = e as NodeJS.ErrnoException | undefined;
  const code = typeof err?.code === 'string' ? err.code : undefined;
  if (!code) return e instanceof Error ? e : new Error(String(e));
  // Node's text is "ENOSPC: no space left on device, write": the words in the middle say it.
  const words = /^[A-Z0-9_]+: ([^,]+)/.exec(err?.message ?? '')?.[1];
  return new WriteFailed(file, code, words ?? 'could not write');
}

/** Writes all of `data` at the handle's position, however many writes it takes (a short write is finished or fails). */
export async function writeAll(handle: fs.FileHandle, data: string | Uint8Array, file: string): Promise<void> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  try {
    for (let at = 0; at < bytes.length;) {
      const { bytesWritten } = await handle.write(bytes, at, bytes.length - at);
      if (bytesWritten <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      at += bytesWritten;
    }
  } catch (e) {
    throw writeFailed(e, file);
  }
}

/**
 * Appends `data` at the end of a file opened for appending (it held `size` bytes) and fsyncs.
 * A write or fsync that fails (a full disk) cuts the file back to `size`, so nothing half
 * written stays after its last whole line, and throws the failure naming `file`.
 */
export async function appendSynced(handle: fs.FileHandle, data: string | Uint8Array, size: number, file: string): Promise<void> {
  try {
    await writeAll(handle, data, file);
    await handle.sync().catch((e: unknown) => Promise.reject(writeFailed(e, file)));
  } catch (e) {
    await handle.truncate(size).catch(() => undefined);
    throw e;
  }
}

/** Closes a handle written to; a failure to close (some file systems report a full disk only then) is a failed write. */
export async function closeChecked(handle: fs.FileHandle, file: string): Promise<void> {
  try {
    await handle.close();
  } catch (e) {
    throw writeFailed(e, file);
  }
}

/** Opens a new file for writing (EEXIST when there is one; ENOENT, raw, when its folder is missing). */
export async function openNew(file: string): Promise<fs.FileHandle> {
  try {
    return await fs.open(file, 'wx');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw code === 'EEXIST' || code === 'ENOENT' ? e : writeFailed(e, file);
  }
}

/**
 * Creates `file` (never over an existing one: EEXIST) holding `data`, or nothing: a write
 * that fails part way removes what it wrote. `durable`: fsync before closing.
 */
export async function writeNewFile(file: string, data: string | Uint8Array, options: { durable?: boolean } = {}): Promise<void> {
  const handle = await openNew(file);
  try {
    await writeAll(handle, data, file);
    if (options.durable) await handle.sync().catch((e: unknown) => Promise.reject(writeFailed(e, file)));
  } catch (e) {
    await handle.close().catch(() => undefined);
    await fs.rm(file, { force: true }).catch(() => undefined);
    throw e;
  }
  try {
    await closeChecked(handle, file);
  } catch (e) {
    await fs.rm(file, { force: true }).catch(() => undefined);
    throw e;
  }
}
