// Reading a small text file someone else may have made (a run's bench.json, summary.json,
// lock; an index folder's records): regular files only, opened without blocking so a named
// pipe is refused rather than waited on, and no more than `maxBytes` read. A whole-file
// read of a device or a multi-GB file would hang or exhaust memory.
import { constants as fsConstants, promises as fs } from 'node:fs';

export class SmallFileError extends Error {
  constructor(
    readonly code: 'ENOENT' | 'not_file' | 'too_large',
    message: string,
  ) {
    super(message);
    this.name = 'SmallFileError';
  }
}

export async function readSmallTextFile(file: string, maxBytes: number): Promise<string> {
  return (await readSmallFile(file, maxBytes)).toString('utf8');
}

export async function readSmallFile(file: string, maxBytes: number): Promise<Buffer> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new SmallFileError('ENOENT', `${file} does not exist`);
    throw e;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new SmallFileError('not_file', `${file} is not a regular file`);
    if (stat.size > maxBytes)
      throw new SmallFileError(
        'too_large',
        `${file} is ${Math.round(stat.size / 1024 / 1024)} MB, more than the ${Math.round(maxBytes / 1024 / 1024)} MB it may have`,
      );
    const bytes = Buffer.alloc(stat.size);
    let done = 0;
    while (done < bytes.length) {
      const { bytesRead } = await handle.read(bytes, done, bytes.length - done, done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return bytes.subarray(0, done);
  } finally {
    await handle.close();
  }
}
