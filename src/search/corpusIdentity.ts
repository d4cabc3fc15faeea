// The corpus' name, found at the start of a run without reading the corpus. The id (the
// search cache keys on it, the trajectory records it) hashes the content: the SHA-256 of
// pages.jsonl and, for each image it names, the image's size and modification time.
//
// Why size and mtime for images, not their bytes: hashing thousands of images at every run
// start would read gigabytes; size and mtime are what make and rsync trust, a copy with
// cp -a or rsync -a keeps them (and so the id and the indexes), and an image replaced in
// place changes its mtime.
//
// Why pages.jsonl need not be read either: a small record in the index folder remembers its
// hash (and the images it names) together with the file's device, inode, size, mtime and
// ctime. While all five match, the file has not been written since (ctime cannot be set
// back by a program), so the hash holds. With no record (a first run, or after an edit) the
// file is hashed once: read, but only the lines that name an image are parsed.
import { createHash } from 'node:crypto';
import { statSync, type BigIntStats } from 'node:fs';
import * as path from 'node:path';
import { readFolderFile } from '../core/folderFile';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { z } from 'zod';
import { writeFileAtomic } from '../core/atomicFile';
import { isInside, kindOf, type CorpusFolder } from './corpusFiles';
import { IMAGES_INDEX_KIND } from './imageIndex';
import { PAGES_INDEX_KIND } from './pagesIndex';
import { hashPages } from './pagesFile';
import { parseJson } from '../core/json';

const recordSchema = z.object({
  version: z.literal(1),
  root: z.string(),
  fingerprint: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  images: z.array(z.string()),
  /** Keys of the index files last written for this folder, so a rebuild can remove the old ones. */
  indexed: z.object({ pages: z.string().optional(), images: z.string().optional() }).default({}),
});
export type CorpusRecord = z.infer<typeof recordSchema>;

export interface CorpusIdentity {
  id: string;
  /** SHA-256 of pages.jsonl. */
  sha256: string;
  fingerprint: string;
  /** Each image pages.jsonl names (as written) and its stamp: "size:mtime", or why there is none. */
  stamps: Map<string, string>;
  record: CorpusRecord;
}

export function fingerprintOf(st: BigIntStats): string {
  return [st.dev, st.ino, st.size, st.mtimeNs, st.ctimeNs].join(':');
}

export function recordFile(indexDir: string, root: string): string {
  return path.join(indexDir, 'corpora', `${createHash('sha256').update(root).digest('hex').slice(0, 32)}.json`);
}

export async function readRecord(indexDir: string, root: string): Promise<CorpusRecord | undefined> {
  try {
    // Only the index folder's own regular file: never through a link, never a pipe.
    const bytes = await readFolderFile(indexDir, recordFile(indexDir, root), { what: 'index folder', maxBytes: 16 * 1024 * 1024 });
    if (!bytes) return undefined;
    const r = recordSchema.safeParse(parseJson(bytes.toString('utf8')));
    return r.success && r.data.root === root ? r.data : undefined;
  } catch {
    return undefined;
  }
}

/** Stores the record; an index folder that cannot be written only costs a hash next time. */
export async function writeRecord(indexDir: string, record: CorpusRecord): Promise<void> {
  await writeFileAtomic(recordFile(indexDir, record.root), JSON.stringify(record)).catch(() => undefined);
}

/** One stat per image (in slices, so a long list does not hold up the event loop), never outside the folder. */
export async function imageStamps(root: string, images: Iterable<string>): Promise<Map<string, string>> {
  const stamps = new Map<string, string>();
  let n = 0;
  for (const written of images) {
    if (stamps.has(written)) continue;
    const file = path.resolve(root, written);
    let stamp: string;
    if (path.isAbsolute(written) || !isInside(root, file)) stamp = 'outside';
    else {
      try {
        const st = statSync(file, { throwIfNoEntry: false });
        stamp = !st ? 'missing' : st.isFile() ? `${st.size}:${st.mtimeMs}` : kindOf(st);
      } catch (e) {
        stamp = (e as NodeJS.ErrnoException).code ?? 'unreadable';
      }
    }
    stamps.set(written, stamp);
    if (++n % 512 === 0) await yieldToLoop();
  }
  return stamps;
}

/**
 * The index versions count as content: an index of another version may rank differently, so
 * its cached results are not served, and the first search builds the new index (and tells
 * its problems) instead of a cache hit hiding them.
 */
export function corpusId(root: string, sha256: string, images: readonly string[], stamps: Map<string, string>): string {
  const content = createHash('sha256')
    .update(JSON.stringify([PAGES_INDEX_KIND, IMAGES_INDEX_KIND, sha256, images.map((w) => [w, stamps.get(w)])]))
    .digest('hex');
  return `local-corpus:${path.basename(root)}@${content.slice(0, 12)}`;
}

export async function identifyCorpus(folder: CorpusFolder, indexDir?: string): Promise<CorpusIdentity> {
  const fingerprint = fingerprintOf(folder.pagesStat);
  let record = indexDir ? await readRecord(indexDir, folder.root) : undefined;
  if (!record || record.fingerprint !== fingerprint) {
    const { sha256, images } = await hashPages(folder);
    record = { version: 1, root: folder.root, fingerprint, sha256, images, indexed: record?.indexed ?? {} };
    if (indexDir) await writeRecord(indexDir, record);
  }
  const stamps = await imageStamps(folder.root, record.images);
  return { id: corpusId(folder.root, record.sha256, record.images, stamps), sha256: record.sha256, fingerprint, stamps, record };
}
