// A queue file: a JSON list of trajectory paths (what the run review writes under
// `.gog/queues/` for a filtered set of samples), read into the folder the listed files share
// and their paths relative to it. Relative paths are taken from the project the queue
// belongs to (the folder holding `.gog/`), else from the queue file's folder.
import * as path from 'node:path';
import { checkFolderFile, FolderFileRefused, openChecked } from '../core/folderFile';
import { z } from 'zod';
import { parseJson } from '../core/json';

/** A queue file larger than this is not a list someone reviews. */
const MAX_QUEUE_FILE_BYTES = 16 * 1024 * 1024;
const MAX_QUEUE_ENTRIES = 100_000;

const queueFileSchema = z.union([z.array(z.string().min(1)), z.object({ trajectories: z.array(z.string().min(1)) })]);

export interface QueueList {
  /** The deepest folder holding every listed file. */
  root: string;
  /** The listed `.jsonl` files relative to `root`, forward slashes, in the file's order, without repeats. */
  files: string[];
}

/** Where relative paths in a queue file start: the project of `<project>/.gog/queues/x.json`, else the file's folder. */
export function baseOf(queueFile: string): string {
  const dir = path.dirname(path.resolve(queueFile));
  return path.basename(dir) === 'queues' && path.basename(path.dirname(dir)) === '.gog' ? path.dirname(path.dirname(dir)) : dir;
}

function commonFolder(files: readonly string[]): string {
  let root = path.dirname(files[0]!);
  for (const f of files) while (path.relative(root, f).startsWith('..') || path.isAbsolute(path.relative(root, f))) root = path.dirname(root);
  return root;
}

export async function readQueueFile(queueFile: string): Promise<QueueList> {
  const name = path.basename(queueFile);
  // A regular file in its folder only (folderFile.ts): not a link elsewhere, not a pipe or a device that never ends.
  const checked = await checkFolderFile(path.dirname(queueFile), queueFile, 'queue folder').catch((e: unknown) => {
    throw new Error(`the queue file ${e instanceof FolderFileRefused ? `${name} ${e.reason}` : `${name} cannot be read`}`, { cause: e });
  });
  if (!checked) throw new Error(`the queue file ${name} does not exist`);
  if (checked.stat.size > MAX_QUEUE_FILE_BYTES)
    throw new Error(`the queue file ${name} is ${Math.round(checked.stat.size / 1024 / 1024)} MB, more than a queue holds`);
  let json: unknown;
  try {
    const handle = await openChecked(checked);
    try {
      json = parseJson(await handle.readFile('utf8'));
    } finally {
      await handle.close();
    }
  } catch {
    throw new Error(`the queue file ${name} is not JSON`);
  }
  const parsed = queueFileSchema.safeParse(json);
  if (!parsed.success) throw new Error(`the queue file ${name} is not a list of trajectory paths`);
  const listed = Array.isArray(parsed.data) ? parsed.data : parsed.data.trajectories;
  if (listed.length > MAX_QUEUE_ENTRIES) throw new Error(`the queue file ${name} lists ${listed.length} trajectories, more than ${MAX_QUEUE_ENTRIES}`);
  const base = baseOf(queueFile);
  const absolute = [...new Set(listed.filter((p) => p.endsWith('.jsonl')).map((p) => path.resolve(base, p)))];
  if (!absolute.length) throw new Error(`the queue file ${name} lists no trajectory (.jsonl) files`);
  const root = commonFolder(absolute);
  return { root, files: absolute.map((f) => path.relative(root, f).split(path.sep).join('/')) };
}
