// An annotator's flags on a review queue: trajectories marked for a second look, kept across
// reloads in one small JSON file per annotator beside the queue's index (queue state), so two
// annotators sharing a workspace keep their own. Written whole and atomically (atomicFile.ts);
// read bounded, through the folder checks (folderFile.ts).
import * as path from 'node:path';
import { z } from 'zod';
import { annotatorSlug } from '../core/annotationFiles';
import { FolderFileRefused, readFolderFile } from '../core/folderFile';
import { parseJson } from '../core/json';
import { writeFileAtomic } from '../core/atomicFile';

/** As many as a queue holds (queueFile.ts MAX_QUEUE_ENTRIES). */
export const MAX_FLAGS = 100_000;
const MAX_FLAGS_FILE_BYTES = 16 * 1024 * 1024;

const flagsFileSchema = z.object({
  kind: z.literal('gog-queue-flags'),
  version: z.literal(1),
  annotator: z.string(),
  /** Trajectories relative to the queue's folder, forward slashes. */
  flagged: z.array(z.string().min(1)).max(MAX_FLAGS),
});

/** `<stateDir>/<queueKey>.flags/<annotator slug>.json`: beside the queue's index file `<queueKey>.json`. */
export function flagsFileOf(stateDir: string, queueKey: string, annotator: string): string {
  return path.join(stateDir, `${queueKey}.flags`, `${annotatorSlug(annotator)}.json`);
}

/** The flagged trajectories; none when the file is absent. Throws a one-line error when it cannot be read. */
export async function readFlags(file: string): Promise<Set<string>> {
  const name = path.basename(file);
  let bytes: Buffer | undefined;
  try {
    bytes = await readFolderFile(path.dirname(file), file, { what: 'queue state folder', maxBytes: MAX_FLAGS_FILE_BYTES });
  } catch (e) {
    throw new Error(`the flags file ${e instanceof FolderFileRefused ? `${name} ${e.reason}` : `${name} cannot be read`}`, { cause: e });
  }
  if (!bytes) return new Set();
  let json: unknown;
  try {
    json = parseJson(bytes.toString('utf8'));
  } catch {
    throw new Error(`the flags file ${name} is not JSON`);
  }
  const parsed = flagsFileSchema.safeParse(json);
  if (!parsed.success) throw new Error(`the flags file ${name} is not a list of flagged trajectories`);
  return new Set(parsed.data.flagged);
}

export async function writeFlags(file: string, annotator: string, flagged: ReadonlySet<string>): Promise<void> {
  if (flagged.size > MAX_FLAGS) throw new Error(`more than ${MAX_FLAGS} flagged trajectories`);
  const data: z.infer<typeof flagsFileSchema> = { kind: 'gog-queue-flags', version: 1, annotator, flagged: [...flagged].sort() };
  await writeFileAtomic(file, JSON.stringify(data, null, 1) + '\n');
}
