// A run's own name and notes, given by the person reviewing it (Rename Run…, Edit Run
// Notes…): RUN_DIR/notes.json, replaced whole and atomically. The run's results are never
// touched; a run without the file is named by its folder.
import * as path from 'node:path';
import { z } from 'zod';
import { FolderFileRefused, readFolderFile } from '../core/folderFile';
import { jsonProblem, parseJson } from '../core/json';
import { writeFileAtomic } from '../core/atomicFile';

export const NOTES_FILE = 'notes.json';
export const MAX_RUN_NAME_CHARS = 200;
export const MAX_RUN_NOTES_CHARS = 20_000;
/** What a notes file may hold on disk: its text and some JSON around it. */
const MAX_NOTES_FILE_BYTES = 4 * (MAX_RUN_NAME_CHARS + MAX_RUN_NOTES_CHARS) + 4096;

const notesSchema = z.looseObject({
  name: z.string().max(MAX_RUN_NAME_CHARS).optional(),
  notes: z.string().max(MAX_RUN_NOTES_CHARS).optional(),
  updated: z.string().optional(),
});
export interface RunNotes {
  name?: string;
  notes?: string;
}

export class RunNotesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunNotesError';
  }
}

/** A name is one line: control characters (a pasted tab, a newline, a terminal escape) become spaces. */
export function cleanRunName(name: string): string {
  return name
    .replace(/[\p{Cc}\p{Cf}\u2028\u2029]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Notes keep their lines and tabs; other control characters go. */
export function cleanRunNotes(notes: string): string {
  return notes
    .replace(/\r\n?/g, '\n')
    .replace(/[^\P{Cc}\n\t]|[\p{Cf}\u2028\u2029]/gu, '')
    .trimEnd();
}

/** The run's name and notes; none when the file is absent. A file that is not ours is an error naming it. */
export async function readRunNotes(dir: string): Promise<RunNotes> {
  const file = path.join(dir, NOTES_FILE);
  let bytes: Buffer | undefined;
  try {
    bytes = await readFolderFile(dir, file, { maxBytes: MAX_NOTES_FILE_BYTES });
  } catch (e) {
    throw new RunNotesError(e instanceof FolderFileRefused ? `${file}: ${e.message}` : `${file} cannot be read: ${(e as Error).message}`);
  }
  if (!bytes) return {};
  let value: unknown;
  try {
    value = parseJson(bytes.toString('utf8'));
  } catch (e) {
    throw new RunNotesError(`${file} is ${jsonProblem(e)}`);
  }
  const r = notesSchema.safeParse(value);
  if (!r.success) throw new RunNotesError(`${file} is not a run's notes: ${r.error.issues[0]?.path.join('.')}: ${r.error.issues[0]?.message}`);
  const name = r.data.name === undefined ? '' : cleanRunName(r.data.name);
  const notes = r.data.notes === undefined ? '' : cleanRunNotes(r.data.notes);
  return { ...(name ? { name } : {}), ...(notes ? { notes } : {}) };
}

/** The run folders whose notes.json is being written, and the last write queued for each. */
const writing = new Map<string, Promise<void>>();

/**
 * Sets the name, the notes or both (undefined: unchanged; '': removed), keeping what else the
 * file holds. Refuses text over the limits rather than cutting it.
 */
export function writeRunNotes(dir: string, change: RunNotes): Promise<RunNotes> {
  // One change at a time per run: each reads what the one before wrote (a rename and its notes
  // given at once would otherwise both read the old file, and the later write lose the other's).
  const key = path.resolve(dir);
  const next = (writing.get(key) ?? Promise.resolve()).then(() => applyRunNotes(dir, change));
  const settled = next.then(
    () => undefined,
    () => undefined,
  );
  writing.set(key, settled);
  void settled.then(() => writing.get(key) === settled && writing.delete(key));
  return next;
}

async function applyRunNotes(dir: string, change: RunNotes): Promise<RunNotes> {
  const current = await readRunNotes(dir);
  const name = change.name === undefined ? current.name : cleanRunName(change.name);
  const notes = change.notes === undefined ? current.notes : cleanRunNotes(change.notes);
  if (name && [...name].length > MAX_RUN_NAME_CHARS)
    throw new RunNotesError(`a run's name is at most ${MAX_RUN_NAME_CHARS} characters; this one has ${[...name].length}`);
  if (notes && notes.length > MAX_RUN_NOTES_CHARS)
    throw new RunNotesError(`a run's notes are at most ${MAX_RUN_NOTES_CHARS} characters; these have ${notes.length}`);
  const next: RunNotes = { ...(name ? { name } : {}), ...(notes ? { notes } : {}) };
  await writeFileAtomic(path.join(dir, NOTES_FILE), JSON.stringify({ ...next, updated: new Date().toISOString() }, null, 2) + '\n', { durable: true });
  return next;
}
