// A folder tree as it is on disk, links not followed: to show that a command changed nothing
// in a folder (a victim outside a cache, a working directory), or exactly what it added.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/** Relative path → "dir", "link -> target" or the file's bytes as base64; links are never followed. */
export async function snapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (dir: string): Promise<void> => {
    for (const e of await fs.readdir(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      const rel = path.relative(root, p);
      if (e.isSymbolicLink()) out[rel] = `link -> ${await fs.readlink(p)}`;
      else if (e.isDirectory()) {
        out[rel] = 'dir';
        await walk(p);
      } else if (e.isFile()) out[rel] = (await fs.readFile(p)).toString('base64');
      else out[rel] = 'special';
    }
  };
  await walk(root);
  return out;
}
