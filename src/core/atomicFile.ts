// Whole-file writes that never leave a half-written file: write a temporary file in the
// same folder, fsync it (unless the caller can do without), rename it over the target. A
// write that fails (a full disk) removes the temporary file and throws a WriteFailed naming
// the target; the target keeps what it held.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { closeChecked, inFolder, openNew, writeAll, writeFailed } from './files';

export async function writeFileAtomic(file: string, data: string | Uint8Array, options: { durable?: boolean } = {}): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let handle: fs.FileHandle;
  try {
    handle = await inFolder(tmp, () => openNew(tmp));
  } catch (e) {
    throw writeFailed(e, file);
  }
  try {
    try {
      await writeAll(handle, data, file);
      // Not durable: after a crash the file may be empty, never half of the new content (a cache, which reads that as a miss).
      if (options.durable !== false) await handle.sync().catch((e: unknown) => Promise.reject(writeFailed(e, file)));
    } catch (e) {
      await handle.close().catch(() => undefined);
      throw e;
    }
    await closeChecked(handle, file);
    await fs.rename(tmp, file).catch((e: unknown) => Promise.reject(writeFailed(e, file)));
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}
