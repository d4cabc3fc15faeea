// Whole-file writes that never leave a half-written file: write a temporary file in the
// same folder, fsync it (unless the caller can do without), rename it over the target.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { inFolder } from '../core/files';

export async function writeFileAtomic(file: string, data: string | Uint8Array, options: { durable?: boolean } = {}): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await inFolder(tmp, () => fs.open(tmp, 'wx'));
  try {
    await handle.writeFile(data);
    // Not durable: after a crash the file may be empty, never half of the new content (a cache, which reads that as a miss).
    if (options.durable !== false) await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}
