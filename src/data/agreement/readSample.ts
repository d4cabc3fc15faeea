// The one place agreement reads a sample from disk: a trajectory's header, its gazes (the
// model's boxes) and every annotator's annotation events. Today they are all in the
// trajectory file; when each annotator's events move to files of their own beside it, only
// this function changes. A light pass (JSON and a few schema checks, as the review queue's
// index reads), so 10,000 trajectories read in seconds. Only a regular file inside the
// folder it was found in is read (folderFile.ts).
import { openFolderFile } from '../../core/folderFile';
import type { Box } from '../../core/geometry';
import { parseJson } from '../../core/json';
import { actionSchema, annotationSchema, headerSchema, type AnnotationEvent, type TrajectoryHeader } from '../../core/trajectory';
import type { FoundFile } from '../export/findTrajectories';

/** The most one trajectory may hold to be read here (what the trajectory editor opens at most). */
export const MAX_SAMPLE_BYTES = 256 * 1024 * 1024;

export interface SampleRecord {
  file: string;
  header?: TrajectoryHeader;
  /** The model's gaze boxes (original-image pixels), by the id of their action event. */
  gazes: Map<string, Box>;
  /** Every annotator's annotation events, in the order written. */
  annotations: AnnotationEvent[];
  /** Lines that could not be read (by number). */
  problems: number[];
}

/** Reads one sample; throws (one line) when the file cannot be read at all. */
export async function readSampleRecord(found: FoundFile): Promise<SampleRecord> {
  const opened = await openFolderFile(found.root, found.file);
  if (!opened) throw new Error(`${found.file} does not exist`);
  let text: string;
  try {
    if (opened.stat.size > MAX_SAMPLE_BYTES)
      throw new Error(`${found.file} is ${Math.round(opened.stat.size / 1024 / 1024)} MB, more than the ${MAX_SAMPLE_BYTES / 1024 / 1024} MB read here`);
    text = await opened.handle.readFile('utf8');
  } finally {
    await opened.handle.close();
  }
  const out: SampleRecord = { file: found.file, gazes: new Map(), annotations: [], problems: [] };
  let first = true;
  let line = 0;
  for (let start = 0; start <= text.length;) {
    const end = text.indexOf('\n', start);
    const raw = text.slice(start, end === -1 ? text.length : end);
    start = end === -1 ? text.length + 1 : end + 1;
    line++;
    // Only the kinds of line agreement uses are parsed; model turns and evidence are skipped unread.
    if (!raw.trim()) continue;
    const isFirst = first;
    first = false;
    if (!isFirst && !raw.includes('"annotation"') && !raw.includes('"image_search"')) continue;
    let value: { type?: unknown; id?: unknown } | null;
    try {
      value = parseJson(raw) as typeof value;
    } catch {
      out.problems.push(line);
      continue;
    }
    const type = value?.type;
    if (isFirst && type === 'header') {
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
  return out;
}
