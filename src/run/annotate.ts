// Annotations written from outside the editor (`gog label`): appended as annotation events
// to the annotator's own file beside the trajectory (annotationFiles.ts), or, in the layout
// before annotators, to the trajectory file itself; after whatever the file holds, never
// written over it. The file is opened for appending, so a line another writer added since
// it was checked is kept, and ours lands after it.
import * as path from 'node:path';
import { oneLine } from '../core/agent';
import { appendAnnotatorEvents, newAnnotatorEventId } from '../core/annotationFiles';
import { FolderFileRefused, openFolderFile } from '../core/folderFile';
import { readLines } from '../core/lineReader';
import { describeSchemaError, headerSchema, type AnnotationEvent, type Edit, type TrajectoryHeader } from '../core/trajectory';
import { TrajectoryWriter } from '../core/trajectoryFile';
import { parseJson } from '../core/json';

/** A header line is a few kilobytes; anything longer on line 1 is not one. */
const MAX_HEADER_BYTES = 1024 * 1024;

/** The file cannot take annotations: unreadable, or not a trajectory. One line. */
export class NotATrajectory extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotATrajectory';
  }
}

/**
 * Reads only the first line that is not blank, and checks it is a trajectory header. Only a
 * regular file inside its own folder is read (folderFile.ts): a trajectory.jsonl that links
 * elsewhere is refused, never read nor appended to.
 */
export async function readHeader(file: string): Promise<TrajectoryHeader> {
  let opened;
  try {
    opened = await openFolderFile(path.dirname(file), file);
  } catch (e) {
    // A pipe or a device would block or never end: only regular files are read.
    if (e instanceof FolderFileRefused)
      throw new NotATrajectory(
        e.reason.endsWith('not a regular file') ? `${file} is not a trajectory file (not a regular file)` : `${file} ${e.reason}; not read or labelled`,
      );
    throw new NotATrajectory(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? oneLine(e)}`);
  }
  if (!opened) throw new NotATrajectory(`${file} does not exist`);
  try {
    for await (const line of readLines(opened.handle, MAX_HEADER_BYTES)) {
      if ('tooLong' in line) break;
      if (!line.text.trim()) continue;
      let value: unknown;
      try {
        value = parseJson(line.text);
      } catch {
        break;
      }
      const header = headerSchema.safeParse(value);
      if (header.success) return header.data;
      if ((value as { type?: unknown } | null)?.type === 'header')
        throw new NotATrajectory(`${file}: bad trajectory header: ${describeSchemaError(header.error)}`);
      break;
    }
  } catch (e) {
    if (e instanceof NotATrajectory) throw e;
    throw new NotATrajectory(`cannot read ${file}: ${oneLine(e).replace(/^[A-Z]+: /, '')}`);
  } finally {
    await opened.handle.close();
  }
  throw new NotATrajectory(`${file} is not a trajectory: its first line is not a trajectory header`);
}

/** Appends one annotation to the trajectory file itself (the layout before annotators); returns the event as written (with its id). */
export async function appendAnnotation(file: string, edit: Edit, author?: string): Promise<AnnotationEvent> {
  await readHeader(file);
  const writer = await TrajectoryWriter.append(file);
  try {
    const written = await writer.write({ type: 'annotation', step: 0, ...(author ? { author } : {}), edit });
    return written as AnnotationEvent;
  } finally {
    await writer.close();
  }
}

/** Appends one annotation of `author` to their file beside the trajectory; returns the event as written (with its id). */
export async function appendAnnotatorAnnotation(file: string, edit: Edit, author: string): Promise<AnnotationEvent> {
  await readHeader(file);
  const event: AnnotationEvent = { type: 'annotation', step: 0, t: new Date().toISOString(), id: newAnnotatorEventId(), author, edit };
  const [written] = await appendAnnotatorEvents(file, author, [event]);
  return written!;
}
