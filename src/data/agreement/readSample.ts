// The one place agreement reads a sample from disk: a trajectory's header, its gazes (the
// model's boxes) and every annotator's annotation events: those in the trajectory file (the
// older layout) and those in each annotator's own file beside it (trajectory.annotations/,
// read by src/core/annotationFiles.ts), merged by time as every other reader merges them. A light pass (JSON and a few schema checks, as the review queue's
// index reads), so 10,000 trajectories read in seconds. Only a regular file inside the
// folder it was found in is read (readInside, the check of folderFile.ts made on the open file).
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { oneLine } from '../../core/agent';
import { mergeByTime, readAnnotatorFiles } from '../../core/annotationFiles';
import { FolderFileRefused, isInside, kindOf } from '../../core/folderFile';
import type { Box } from '../../core/geometry';
import { parseJson } from '../../core/json';
import { actionSchema, annotationSchema, headerSchema, type AnnotationEvent, type TrajectoryHeader } from '../../core/trajectory';
import type { FoundFile } from '../export/findTrajectories';

/** The most one trajectory may hold to be read here (what the trajectory editor opens at most). */
export const MAX_SAMPLE_BYTES = 256 * 1024 * 1024;
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

export interface SampleRecord {
  file: string;
  header?: TrajectoryHeader;
  /** The model's gaze boxes (original-image pixels), by the id of their action event. */
  gazes: Map<string, Box>;
  /** Every annotator's annotation events, in the order written. */
  annotations: AnnotationEvent[];
  /** Lines that could not be read (by number). */
  problems: number[];
  /** What could not be read in the annotators' files, one line each (file and line named). */
  annotatorProblems: string[];
}

/** The real path of the last folder asked about: every sample of a walk shares it. */
let lastRoot: { root: string; real: string } | undefined;
function realRoot(root: string): string {
  if (lastRoot?.root !== root) lastRoot = { root, real: realpathSync.native(root) };
  return lastRoot.real;
}

/**
 * The bytes of a trajectory inside `root`, decided on the file opened: its real path must lie
 * inside the folder's real path (a link out is refused, never read), it is opened without
 * following a link and without blocking (a pipe swapped in), and what was opened must be a
 * regular file no larger than MAX_SAMPLE_BYTES. Synchronous: a few system calls on a small
 * file, where 10,000 trips through the thread pool cost seconds on a loaded machine.
 */
function readInside(root: string, file: string): Buffer | undefined {
  let real: string;
  try {
    real = realpathSync.native(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new FolderFileRefused(file, code === 'ELOOP' ? 'is a loop of symbolic links' : `cannot be read (${code ?? oneLine(e)})`);
  }
  if (!isInside(realRoot(root), real)) throw new FolderFileRefused(file, 'links to a file outside the folder given');
  let fd: number;
  try {
    fd = openSync(real, OPEN_FLAGS);
  } catch (e) {
    throw new FolderFileRefused(file, `cannot be opened (${(e as NodeJS.ErrnoException).code ?? oneLine(e)})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new FolderFileRefused(file, `is ${kindOf(st)}, not a regular file`);
    if (st.size > MAX_SAMPLE_BYTES)
      throw new FolderFileRefused(file, `is ${Math.round(st.size / 1024 / 1024)} MB, more than the ${MAX_SAMPLE_BYTES / 1024 / 1024} MB read here`);
    // What the file held when it was opened: a line appended meanwhile is read next time.
    const bytes = Buffer.allocUnsafe(st.size);
    let at = 0;
    while (at < bytes.length) {
      const n = readSync(fd, bytes, at, bytes.length - at, at);
      if (n === 0) break;
      at += n;
    }
    return bytes.subarray(0, at);
  } finally {
    closeSync(fd);
  }
}

/** Reads one sample; throws (one line) when the file cannot be read at all. */
export async function readSampleRecord(found: FoundFile): Promise<SampleRecord> {
  const bytes = readInside(found.root, found.file);
  if (!bytes) throw new Error(`${found.file} does not exist`);
  const text = bytes.toString('utf8');
  const out: SampleRecord = { file: found.file, gazes: new Map(), annotations: [], problems: [], annotatorProblems: [] };
  // The header: the first line that is not blank.
  let line = 1;
  let at = 0;
  for (;;) {
    const end = lineEnd(text, at);
    const raw = text.slice(at, end);
    if (raw.trim() || end >= text.length) {
      if (raw.trim()) take(out, raw, line, true);
      at = end + 1;
      line++;
      break;
    }
    at = end + 1;
    line++;
  }
  // Only the lines agreement uses are parsed, found by what they must hold (an annotation, a
  // gaze's "region"); model turns and evidence are stepped over unread. `counted`/`line`: the
  // number of the line starting at `counted`, for events named by their line.
  let counted = at;
  let nextAnnotation = -1;
  let nextRegion = -1;
  while (at < text.length) {
    if (nextAnnotation < at) nextAnnotation = find(text, '"annotation"', at);
    if (nextRegion < at) nextRegion = find(text, '"region"', at);
    const hit = Math.min(nextAnnotation, nextRegion);
    if (hit === Infinity) break;
    const start = text.lastIndexOf('\n', hit) + 1;
    const end = lineEnd(text, hit);
    for (let nl = text.indexOf('\n', counted); nl !== -1 && nl < start; nl = text.indexOf('\n', nl + 1)) line++;
    counted = start;
    take(out, text.slice(start, end), line, false);
    at = end + 1;
  }
  const annotators = await readAnnotatorFiles(found.file, found.root);
  if (annotators.files.length) out.annotations = mergeByTime([out.annotations, ...annotators.files.map((f) => f.events)]).map((m) => m.event);
  out.annotatorProblems = annotators.problems.map((p) => p.message);
  return out;
}

/** Where `needle` next is, Infinity when nowhere (so a search that found nothing is not made again). */
function find(text: string, needle: string, from: number): number {
  const i = text.indexOf(needle, from);
  return i === -1 ? Infinity : i;
}

function lineEnd(text: string, from: number): number {
  const end = text.indexOf('\n', from);
  return end === -1 ? text.length : end;
}

/** One line of the sample: the header (the first), an annotation, or a gaze. */
function take(out: SampleRecord, raw: string, line: number, first: boolean): void {
  let value: { type?: unknown } | null;
  try {
    value = parseJson(raw.replace(/\r$/, '')) as typeof value;
  } catch {
    out.problems.push(line);
    return;
  }
  const type = value?.type;
  if (first) {
    const h = headerSchema.safeParse(value);
    if (h.success) out.header = h.data;
    else out.problems.push(line);
  } else if (type === 'annotation') {
    const a = annotationSchema.safeParse(value);
    if (!a.success) out.problems.push(line);
    else {
      // Events written before ids were are named by their line, as the trajectory reader names them.
      a.data.id ??= `L${line}`;
      out.annotations.push(a.data);
    }
  } else if (type === 'action') {
    const a = actionSchema.safeParse(value);
    if (!a.success) out.problems.push(line);
    else if (a.data.action.kind === 'image_search' && a.data.action.scope === 'region' && a.data.action.box)
      out.gazes.set(a.data.id ?? `L${line}`, a.data.action.box.original);
  }
}
