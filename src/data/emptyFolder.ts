// Folders a command fills from scratch (an export, an import): new or empty, so nothing in
// them is ever written over and a half-finished one can be cleared without losing anything.
import { promises as fs } from 'node:fs';

export class FolderTaken extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FolderTaken';
  }
}

/** Creates `dir`, or accepts it when it is an empty folder; `what` names the job in the message. */
export async function claimEmptyFolder(dir: string, what: string): Promise<void> {
  const stat = await fs.stat(dir).catch(() => undefined);
  if (stat && !stat.isDirectory()) throw new FolderTaken(`${dir} is a file; give a new or empty folder for the ${what}`);
  const entries = stat ? await fs.readdir(dir) : [];
  if (entries.length)
    throw new FolderTaken(
      `${dir} is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}); an ${what} goes into a new or empty folder and never writes over files`,
    );
  await fs.mkdir(dir, { recursive: true });
}
