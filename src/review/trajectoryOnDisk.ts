// An annotated trajectory's file: read once as bytes (kept, so a changed file can be told
// from one a run is still appending to, and Save As can write what was read), annotations
// appended in one fsynced write, and copies written atomically.
import { constants as fsConstants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { appendSynced } from '../core/files';
import { FolderFileRefused, openFolderFile, readFolderFile } from '../core/folderFile';
import { annotationLine, readAnnotatorFiles, withAnnotatorFiles } from '../core/annotationFiles';
import { writeFileAtomic } from '../core/atomicFile';
import type { AnnotationEvent } from '../core/trajectory';
import { parseTrajectoryBytes, TrajectoryTooLarge, type LoadedTrajectory } from '../core/trajectoryFile';

export interface TrajectoryBytes {
  bytes: Buffer;
  trajectory: LoadedTrajectory;
}

/** How the file on disk relates to the bytes read. */
export type DiskChange =
  | { kind: 'same' }
  /** The bytes read, then more: a run still writing, or another tool appending annotations. */
  | { kind: 'appended'; tail: Buffer }
  /** Anything else: rewritten, truncated, removed. */
  | { kind: 'replaced'; why: string };

/**
 * The file's bytes and what they hold, with every annotator's annotations (annotationFiles.ts;
 * `bytes` are the trajectory file's alone); only files inside its own folder are read (folderFile.ts).
 */
export async function readTrajectoryBytes(file: string, maxBytes: number): Promise<TrajectoryBytes> {
  const opened = await openFolderFile(path.dirname(file), file);
  if (!opened) throw Object.assign(new Error(`${file} does not exist`), { code: 'ENOENT' });
  try {
    if (opened.stat.size > maxBytes) throw new TrajectoryTooLarge(file, opened.stat.size, maxBytes);
    const bytes = await opened.handle.readFile();
    return { bytes, trajectory: withAnnotatorFiles(parseTrajectoryBytes(bytes, file), await readAnnotatorFiles(file)) };
  } finally {
    await opened.handle.close();
  }
}

/**
 * Reads the file again (only a regular file inside its folder, of at most `maxBytes`: a pipe
 * would block the read for ever, a huge file fill memory) and says how it relates to `known`.
 */
export async function compareWithDisk(file: string, known: Buffer, maxBytes = 256 * 1024 * 1024): Promise<DiskChange> {
  let now: Buffer | undefined;
  try {
    now = await readFolderFile(path.dirname(file), file, { maxBytes });
  } catch (e) {
    if (e instanceof FolderFileRefused) return { kind: 'replaced', why: `it ${e.reason}` };
    return { kind: 'replaced', why: 'it cannot be read' };
  }
  if (!now) return { kind: 'replaced', why: 'it is gone' };
  if (now.length < known.length) return { kind: 'replaced', why: 'it is shorter than when it was read' };
  if (!now.subarray(0, known.length).equals(known)) return { kind: 'replaced', why: 'its lines were changed' };
  return now.length === known.length ? { kind: 'same' } : { kind: 'appended', tail: now.subarray(known.length) };
}

/** The lines that follow `known` to add `annotations` (ending an unterminated last line first). */
export function annotationLines(known: Buffer, annotations: readonly AnnotationEvent[]): Buffer {
  const lead = known.length && known[known.length - 1] !== 0x0a ? '\n' : '';
  return Buffer.from(lead + annotations.map((a) => annotationLine(a) + '\n').join(''), 'utf8');
}

/**
 * Appends the annotations in one write on a file opened for appending, then fsyncs: the
 * annotations land after whatever the file holds, and a crash loses all or none of them.
 * The caller has just checked that the file holds `known` (compareWithDisk). Returns the
 * bytes written.
 */
export async function appendAnnotations(file: string, known: Buffer, annotations: readonly AnnotationEvent[]): Promise<Buffer> {
  const data = annotationLines(known, annotations);
  if (!data.length) return data;
  // Never through a link: the file read is the file written.
  const handle = await fs.open(file, fsConstants.O_WRONLY | fsConstants.O_APPEND | (fsConstants.O_NOFOLLOW ?? 0));
  try {
    // A full disk: the file goes back to its last whole line, and the annotations are not saved.
    await appendSynced(handle, data, (await handle.stat()).size, file);
  } finally {
    await handle.close();
  }
  return data;
}

/** Save As: the lines read and the annotations, written whole (temporary file, fsync, rename). */
export async function writeAnnotatedCopy(file: string, known: Buffer, annotations: readonly AnnotationEvent[]): Promise<void> {
  await writeFileAtomic(file, Buffer.concat([known, annotationLines(known, annotations)]));
}
