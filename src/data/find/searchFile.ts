// One trajectory file searched: opened only as a regular file whose real path lies inside
// the folder it was found in (folderFile.ts), read as a stream of lines (a line too long is
// skipped and said), each line given to the matcher. Matches are handed on in batches while
// the file is read, so a large file's first matches are not held back until its end.
import { FolderFileRefused, openFolderFile } from '../../core/folderFile';
import { readLines } from '../../core/lineReader';
import type { FoundFile } from '../export/findTrajectories';
import type { CompiledQuery } from './findQuery';
import { TrajectoryMatcher, type FoundMatch, type TrajectoryInfo } from './trajectoryMatcher';

/** Longest line searched: a model reply is capped near 1 MB; an event of 16 MB is not a real one. */
export const MAX_FIND_LINE_BYTES = 16 * 1024 * 1024;

/** Matches handed on at once at most, and the longest they wait while a file is read. */
const BATCH = 100;
const BATCH_MS = 50;

export interface FileOutcome {
  /** Lines read. */
  lines: number;
  /** Lines parsed (the others could not match). */
  parsed: number;
  /** Of those, lines that were not events the trajectory view reads, and the first of their numbers. */
  unreadable: number;
  unreadableLines: number[];
  /** Lines too long to search: their numbers and sizes. */
  tooLong: { line: number; bytes: number }[];
  /** Why the file was not read (a link out of its folder, not a regular file, gone). */
  refused?: string;
}

export type EmitMatches = (info: TrajectoryInfo, matches: FoundMatch[]) => void;

export async function searchTrajectoryFile(
  found: FoundFile,
  query: CompiledQuery,
  emit: EmitMatches,
  maxLineBytes = MAX_FIND_LINE_BYTES,
): Promise<FileOutcome> {
  const outcome: FileOutcome = { lines: 0, parsed: 0, unreadable: 0, unreadableLines: [], tooLong: [] };
  let opened;
  try {
    opened = await openFolderFile(found.root, found.file, 'folder searched');
  } catch (e) {
    if (e instanceof FolderFileRefused) return { ...outcome, refused: e.reason };
    return { ...outcome, refused: `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
  }
  if (!opened) return { ...outcome, refused: 'is gone' };
  const matcher = new TrajectoryMatcher(query);
  let batch: FoundMatch[] = [];
  let since = Date.now();
  const flush = () => {
    if (batch.length) emit(matcher.info, batch);
    batch = [];
    since = Date.now();
  };
  try {
    for await (const l of readLines(opened.handle, maxLineBytes)) {
      outcome.lines++;
      if ('tooLong' in l) {
        outcome.tooLong.push({ line: l.line, bytes: l.tooLong });
        continue;
      }
      const found = matcher.line(l.text, l.line);
      if (found.length) batch.push(...found);
      if (batch.length >= BATCH || (batch.length && Date.now() - since > BATCH_MS)) flush();
    }
    // Corrections of events that were not read: read again for those events only.
    if (matcher.unresolved.length) {
      const targets = matcher.unresolved.map((p) => p.target);
      const quoted = targets.map((t) => JSON.stringify(t));
      const byLine = new Set(targets.flatMap((t) => (/^L\d+$/.test(t) ? [Number(t.slice(1))] : [])));
      for await (const l of readLines(opened.handle, maxLineBytes)) {
        if (!matcher.unresolved.length) break;
        if ('tooLong' in l || !(byLine.has(l.line) || quoted.some((q) => l.text.includes(q)))) continue;
        batch.push(...matcher.resolve(l.text, l.line));
      }
    }
    flush();
  } finally {
    await opened.handle.close();
  }
  outcome.parsed = matcher.parsed;
  outcome.unreadable = matcher.unreadable;
  outcome.unreadableLines = [...matcher.unreadableLines];
  return outcome;
}
