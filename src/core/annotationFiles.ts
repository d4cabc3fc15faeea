// Annotations a team shares through git: each annotator's annotations of `DIR/trajectory.jsonl`
// go to a file of their own, `DIR/trajectory.annotations/<slug>.jsonl`. Two annotators who
// label the same trajectory on two branches touch two different files, so git merges them
// without a conflict (lines appended to one shared file by two branches conflict). The lines
// are annotation events as the trajectory file holds them, with the exact `author`.
//
// readAnnotatedTrajectory is the one reader of an annotated trajectory: the trajectory file
// (annotations written into it by earlier versions still load) and every annotator's file,
// merged. Annotator files are read only inside the trajectory's folder (folderFile.ts),
// bounded in size and number; a malformed line is reported with its file and line, the
// rest loads.
import { createHash, randomBytes } from 'node:crypto';
import { constants as fsConstants, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { appendSynced, writeFailed } from './files';
import { checkFolderFile, FolderFileRefused, isInside, kindOf, openChecked } from './folderFile';
import type { LineProblem } from './jsonl';
import type { AnnotationEvent, TrajectoryEvent } from './trajectory';
import { parseEventBytes, readTrajectory, type LoadedTrajectory, type ReadOptions } from './trajectoryFile';

/** One annotator's file holds their labels and edits: far below this. */
export const MAX_ANNOTATOR_FILE_BYTES = 32 * 1024 * 1024;
/** All annotator files of one trajectory together. */
export const MAX_ANNOTATOR_BYTES = 256 * 1024 * 1024;
/** Annotators of one trajectory read at most. */
export const MAX_ANNOTATOR_FILES = 256;

/** A problem of an annotator's file: its line there (0: the file as a whole) and the file, relative to the trajectory's folder. */
export interface AnnotatorFileProblem extends LineProblem {
  file: string;
}

/** `DIR/trajectory.jsonl` → `DIR/trajectory.annotations`; `DIR/x.trajectory.jsonl` → `DIR/x.trajectory.annotations`. */
export function annotationsFolderOf(trajectory: string): string {
  const base = path.basename(trajectory).replace(/\.jsonl$/i, '');
  return path.join(path.dirname(trajectory), `${base}.annotations`);
}

/**
 * A safe file name for an annotator: lower-case ASCII letters, digits and dashes, then a
 * short hash of the exact name, so "Ann" and "ann" (or "Zoë" and "Zoe") get files of their own.
 */
export function annotatorSlug(name: string): string {
  const ascii = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  const hash = createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 8);
  return `${ascii || 'annotator'}-${hash}`;
}

/** The file `annotator`'s annotations of `trajectory` go to. */
export function annotatorFileOf(trajectory: string, annotator: string): string {
  return path.join(annotationsFolderOf(trajectory), `${annotatorSlug(annotator)}.jsonl`);
}

/** An id for an annotation written to an annotator's file: never the same as another's, nor as a recorded event's. */
export function newAnnotatorEventId(): string {
  return `a${Date.now().toString(36)}${randomBytes(4).toString('hex')}.1`;
}

export interface AnnotatorFiles {
  /** Each file's annotations in its own order, files in name order. */
  files: { file: string; events: AnnotationEvent[] }[];
  problems: AnnotatorFileProblem[];
  /** Names, sizes and times of the files read: what changes when an annotator writes. */
  signature: string;
}

function relativeShown(dir: string, file: string): string {
  return path.relative(dir, file).split(path.sep).join('/');
}

/**
 * The names, sizes and times of `trajectory`'s annotator files, without reading them: what
 * changes when an annotator writes ("" when there are none). A queue's index keys on it.
 */
export async function annotatorSignature(trajectory: string): Promise<string> {
  const folder = annotationsFolderOf(trajectory);
  const names = await fs.readdir(folder).catch(() => [] as string[]);
  const parts = await Promise.all(
    names
      .filter((n) => n.endsWith('.jsonl'))
      .sort()
      .map(async (n) => {
        const st = await fs.stat(path.join(folder, n)).catch(() => undefined);
        return `${n}:${st ? `${st.size}:${st.mtimeMs}` : '?'}`;
      }),
  );
  return parts.join('|');
}

/** The annotator files of `trajectory`; `root` is the folder they must lie inside (default: the trajectory's). */
export async function readAnnotatorFiles(trajectory: string, root = path.dirname(trajectory)): Promise<AnnotatorFiles> {
  const dir = path.dirname(trajectory);
  const folder = annotationsFolderOf(trajectory);
  const shownFolder = relativeShown(dir, folder);
  const out: AnnotatorFiles = { files: [], problems: [], signature: await annotatorSignature(trajectory) };
  const whole = (file: string, message: string) => out.problems.push({ file, line: 0, message: `in ${file}: ${message}` });
  let realFolder: string;
  try {
    realFolder = await fs.realpath(folder);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return out;
    whole(shownFolder, `cannot be read (${code ?? 'unreadable'}); its annotations are not loaded`);
    return out;
  }
  const realRoot = await fs.realpath(root).catch(() => root);
  if (!isInside(realRoot, realFolder)) {
    whole(shownFolder, 'links outside the run folder; its annotations are not read');
    return out;
  }
  const st = await fs.stat(realFolder);
  if (!st.isDirectory()) {
    whole(shownFolder, `is ${kindOf(st)}, not a folder of annotator files; not read`);
    return out;
  }
  const names = (await fs.readdir(realFolder)).filter((n) => n.endsWith('.jsonl')).sort();
  if (names.length > MAX_ANNOTATOR_FILES) {
    whole(shownFolder, `holds ${names.length} annotator files; only the first ${MAX_ANNOTATOR_FILES} are read`);
    names.length = MAX_ANNOTATOR_FILES;
  }
  const ids = new Set<string>();
  let total = 0;
  for (const name of names) {
    const file = path.join(folder, name);
    const shown = `${shownFolder}/${name}`;
    let bytes: Buffer;
    try {
      const checked = await checkFolderFile(root, file);
      if (!checked) continue;
      if (checked.stat.size > MAX_ANNOTATOR_FILE_BYTES || total + checked.stat.size > MAX_ANNOTATOR_BYTES) {
        whole(
          shown,
          `${Math.ceil(checked.stat.size / 1024 / 1024)} MB, more than the ${Math.round((checked.stat.size > MAX_ANNOTATOR_FILE_BYTES ? MAX_ANNOTATOR_FILE_BYTES : MAX_ANNOTATOR_BYTES) / 1024 / 1024)} MB ${checked.stat.size > MAX_ANNOTATOR_FILE_BYTES ? 'an annotator file' : 'the annotator files together'} may hold; not read`,
        );
        continue;
      }
      const handle = await openChecked(checked);
      try {
        bytes = await handle.readFile();
      } finally {
        await handle.close();
      }
      total += bytes.length;
    } catch (e) {
      whole(shown, e instanceof FolderFileRefused ? `${e.reason}; not read` : `cannot be read (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`);
      continue;
    }
    const parsed = parseEventBytes(bytes, file);
    for (const p of parsed.problems) out.problems.push({ file: shown, line: p.line, message: `in ${shown}: ${p.message}` });
    const events: AnnotationEvent[] = [];
    parsed.events.forEach((event, i) => {
      const line = parsed.lines[i]!;
      const problem = (message: string) => out.problems.push({ file: shown, line, message: `in ${shown}: ${message}; line skipped` });
      if (event.type !== 'annotation') return problem(`a ${event.type} event; an annotator's file holds annotations only`);
      // A line written by hand without an id is named by its file and line, which no other file has.
      if (event.id === `L${line}`) event.id = `${name.replace(/\.jsonl$/, '')}:L${line}`.slice(-64);
      if (ids.has(event.id!)) return problem(`the id ${event.id} is used by another annotation`);
      ids.add(event.id!);
      events.push(event);
    });
    out.files.push({ file: shown, events });
  }
  return out;
}

function timeOf(e: TrajectoryEvent): number {
  const ms = Date.parse(e.t);
  return Number.isFinite(ms) ? ms : 0;
}

/**
 * Merges sequences of annotations by time; each sequence keeps its own order (a revert stays
 * after what it takes back, whatever its clock said), and ties go to the earlier sequence.
 */
export function mergeByTime(sequences: readonly (readonly AnnotationEvent[])[]): { event: AnnotationEvent; from: number }[] {
  const at = sequences.map(() => 0);
  const out: { event: AnnotationEvent; from: number }[] = [];
  for (;;) {
    let best = -1;
    for (let s = 0; s < sequences.length; s++) {
      const e = sequences[s]![at[s]!];
      if (e && (best === -1 || timeOf(e) < timeOf(sequences[best]![at[best]!]!))) best = s;
    }
    if (best === -1) return out;
    out.push({ event: sequences[best]![at[best]!++]!, from: best });
  }
}

export interface AnnotatedTrajectory extends LoadedTrajectory {
  /** The annotator files read (relative to the trajectory's folder), and what changes when one is written. */
  annotatorFiles: string[];
  annotatorSignature: string;
}

/**
 * The trajectory with every annotation: its recorded events in file order, then the
 * annotations written into the file (the old layout) and those of every annotator's file,
 * merged by time. `lines` is 0 for annotations from an annotator's file; their problems
 * carry the file (AnnotatorFileProblem).
 */
export function withAnnotatorFiles(loaded: LoadedTrajectory, annotators: AnnotatorFiles): AnnotatedTrajectory {
  const originals: TrajectoryEvent[] = [];
  const originalLines: number[] = [];
  const inFile: AnnotationEvent[] = [];
  const inFileLines = new Map<AnnotationEvent, number>();
  loaded.events.forEach((e, i) => {
    if (e.type === 'annotation') {
      inFile.push(e);
      inFileLines.set(e, loaded.lines[i]!);
    } else {
      originals.push(e);
      originalLines.push(loaded.lines[i]!);
    }
  });
  const merged = mergeByTime([inFile, ...annotators.files.map((f) => f.events)]);
  // An annotator's id that a recorded event already has would make annotations point at two things.
  const taken = new Set(loaded.events.map((e) => e.id));
  const problems: LineProblem[] = [...loaded.problems];
  const events = [...originals];
  const lines = [...originalLines];
  for (const { event, from } of merged) {
    if (from > 0 && taken.has(event.id)) {
      const file = annotators.files[from - 1]!.file;
      const problem: AnnotatorFileProblem = { line: 0, message: `in ${file}: the id ${event.id} is used by the trajectory file; annotation skipped`, file };
      problems.push(problem);
      continue;
    }
    events.push(event);
    lines.push(from === 0 ? inFileLines.get(event)! : 0);
  }
  problems.push(...annotators.problems);
  return { ...loaded, events, lines, problems, annotatorFiles: annotators.files.map((f) => f.file), annotatorSignature: annotators.signature };
}

/** Reads a trajectory with all its annotations (see withAnnotatorFiles); options as readTrajectory's. */
export async function readAnnotatedTrajectory(file: string, options: ReadOptions = {}): Promise<AnnotatedTrajectory> {
  const loaded = await readTrajectory(file, options);
  return withAnnotatorFiles(loaded, await readAnnotatorFiles(file, options.root ?? path.dirname(file)));
}

/** One JSON line, type, step, time and id first, as the recorder writes events. */
export function annotationLine(a: AnnotationEvent): string {
  const { type, step, t, id, ...rest } = a;
  return JSON.stringify({ type, step, t, id, ...rest });
}

/** The annotator's file cannot be written where it should be (a link, not a folder). One line. */
export class AnnotatorFileRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnnotatorFileRefused';
  }
}

/** The annotations folder, made when absent; never a link, never outside the trajectory's folder. */
async function ensureFolder(trajectory: string): Promise<string> {
  const folder = annotationsFolderOf(trajectory);
  const shown = path.basename(folder);
  try {
    await fs.mkdir(folder);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw writeFailed(e, folder);
  }
  const st = await fs.lstat(folder);
  if (st.isSymbolicLink()) throw new AnnotatorFileRefused(`${shown} is a symbolic link; annotations are not written through it`);
  if (!st.isDirectory()) throw new AnnotatorFileRefused(`${shown} is ${kindOf(st)}, not a folder; annotations are not written there`);
  const [realDir, realFolder] = await Promise.all([fs.realpath(path.dirname(trajectory)), fs.realpath(folder)]);
  if (!isInside(realDir, realFolder)) throw new AnnotatorFileRefused(`${shown} lies outside the trajectory's folder; annotations are not written there`);
  return folder;
}

/**
 * Appends annotations to `author`'s file of `trajectory` (each line with that exact
 * author) in one write on a file opened for appending, then fsyncs: they land after whatever
 * the file holds, and a crash loses all or none. Returns the events as written.
 */
export async function appendAnnotatorEvents(trajectory: string, author: string, annotations: readonly AnnotationEvent[]): Promise<AnnotationEvent[]> {
  const written = annotations.map((a) => ({ ...a, author }));
  if (!written.length) return written;
  await ensureFolder(trajectory);
  const file = annotatorFileOf(trajectory, author);
  let handle: fs.FileHandle;
  try {
    // Never through a link, never a pipe: the file named is the file written.
    handle = await fs.open(
      file,
      fsConstants.O_WRONLY | fsConstants.O_APPEND | fsConstants.O_CREAT | (fsConstants.O_NOFOLLOW ?? 0) | (fsConstants.O_NONBLOCK ?? 0),
      0o644,
    );
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOOP')
      throw new AnnotatorFileRefused(`${relativeShown(path.dirname(trajectory), file)} is a symbolic link; not written through`);
    throw writeFailed(e, file);
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new AnnotatorFileRefused(`${relativeShown(path.dirname(trajectory), file)} is ${kindOf(st)}, not a regular file; not written`);
    const size = st.size;
    let lead = '';
    if (size > 0) {
      // A crash may have left the last line unterminated: end it so ours starts a line.
      const last = Buffer.alloc(1);
      const probe = await fs.open(file, fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0));
      try {
        await probe.read(last, 0, 1, size - 1);
      } finally {
        await probe.close();
      }
      if (last[0] !== 0x0a) lead = '\n';
    }
    // A full disk: the file goes back to its last whole line, and the annotations are not saved.
    await appendSynced(handle, lead + written.map((a) => annotationLine(a) + '\n').join(''), size, file);
  } finally {
    await handle.close();
  }
  return written;
}
