// Small file-system steps shared by the writers of runs, results and caches.
import { open, promises as fs } from 'node:fs';
import * as path from 'node:path';

/** A raw file descriptor (for synchronous line writes), opened on the thread pool. */
export function openFd(file: string, flags: string): Promise<number> {
  return new Promise((resolve, reject) => open(file, flags, (e, fd) => (e ? reject(e) : resolve(fd))));
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
