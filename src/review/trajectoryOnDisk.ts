// An annotated trajectory's file: read once as bytes (kept, so a changed file can be told
// from one a run is still appending to, and Save As can write what was read), annotations
// appended in one fsynced write, and copies written atomically.
import { promises as fs } from 'node:fs';
import { writeFileAtomic } from '../data/atomicFile';
import { readSmallFile, SmallFileError } from '../core/smallFile';
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

export async function readTrajectoryBytes(file: string, maxBytes: number): Promise<TrajectoryBytes> {
  const stat = await fs.stat(file);
  if (!stat.isFile()) throw new Error(`${file} is not a regular file`);
  if (stat.size > maxBytes) throw new TrajectoryTooLarge(file, stat.size, maxBytes);
  const bytes = await fs.readFile(file);
  return { bytes, trajectory: parseTrajectoryBytes(bytes, file) };
}

/**
 * Reads the file again (only a regular file of at most `maxBytes`: a pipe would block the
 * read for ever, a huge file fill memory) and says how it relates to `known`.
 */
export async function compareWithDisk(file: string, known: Buffer, maxBytes = 256 * 1024 * 1024): Promise<DiskChange> {
  let now: Buffer;
  try {
    now = await readSmallFile(file, maxBytes);
  } catch (e) {
    if (e instanceof SmallFileError && e.code === 'not_file') return { kind: 'replaced', why: 'it is no longer a regular file' };
    if (e instanceof SmallFileError && e.code === 'too_large')
      return { kind: 'replaced', why: `it grew past the ${Math.round(maxBytes / 1024 / 1024)} MB a trajectory is opened up to` };
    return { kind: 'replaced', why: 'it is gone' };
  }
  if (now.length < known.length) return { kind: 'replaced', why: 'it is shorter than when it was read' };
  if (!now.subarray(0, known.length).equals(known)) return { kind: 'replaced', why: 'its lines were changed' };
  return now.length === known.length ? { kind: 'same' } : { kind: 'appended', tail: now.subarray(known.length) };
}

/** One JSON line, type, step, time and id first, as the recorder writes events. */
function line(a: AnnotationEvent): string {
  const { type, step, t, id, ...rest } = a;
  return JSON.stringify({ type, step, t, id, ...rest });
}

/** The lines that follow `known` to add `annotations` (ending an unterminated last line first). */
export function annotationLines(known: Buffer, annotations: readonly AnnotationEvent[]): Buffer {
  const lead = known.length && known[known.length - 1] !== 0x0a ? '\n' : '';
  return Buffer.from(lead + annotations.map((a) => line(a) + '\n').join(''), 'utf8');
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
  const handle = await fs.open(file, 'a');
  try {
    await handle.write(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return data;
}

/** Save As: the lines read and the annotations, written whole (temporary file, fsync, rename). */
export async function writeAnnotatedCopy(file: string, known: Buffer, annotations: readonly AnnotationEvent[]): Promise<void> {
  await writeFileAtomic(file, Buffer.concat([known, annotationLines(known, annotations)]));
}
