// The review queue's index: one small entry per trajectory file of a folder (question,
// outcome, score, label, counts), read once and cached by the file's size and modification
// time, so a folder of thousands lists in the time it takes to stat them. Entries are read
// with a light pass over the lines (JSON.parse and a few zod checks), never as full records.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { checkFolderFile, openChecked, readFolderFile } from '../core/folderFile';
import { z } from 'zod';
import { labelOf } from '../core/annotations';
import { annotatorSignature, mergeByTime, readAnnotatorFiles, type AnnotatorFiles } from '../core/annotationFiles';
import { writeFileAtomic } from '../core/atomicFile';
import { annotationSchema, DIALECT_IDS, finalSchema, headerSchema, LABELS, STOP_REASONS, type AnnotationEvent } from '../core/trajectory';
import { parseJson } from '../core/json';

export const entrySchema = z.object({
  /** Relative to the queue's folder, with forward slashes. */
  rel: z.string(),
  size: z.number(),
  mtimeMs: z.number(),
  id: z.string().optional(),
  question: z.string(),
  sampleId: z.string().optional(),
  dataset: z.string().optional(),
  model: z.string().optional(),
  dialect: z.enum(DIALECT_IDS).optional(),
  stopReason: z.enum(STOP_REASONS).optional(),
  answer: z.string().nullable().optional(),
  exactMatch: z.number().optional(),
  f1: z.number().optional(),
  turns: z.number().int(),
  gazes: z.number().int(),
  /** `reflect` blocks, recorded or inserted by an annotation. */
  reflections: z.number().int(),
  /** Corrections in effect (boxes, texts, drops, inserted reflections): none, the trajectory stands as recorded. */
  edits: z.number().int(),
  label: z.enum(LABELS).optional(),
  note: z.string().optional(),
  tags: z.array(z.string()).optional(),
  /** A branch of another run. */
  branch: z.boolean().optional(),
  /** Lines that could not be read. */
  problems: z.number().int(),
  /** The annotator files' names, sizes and times when read (annotationFiles.ts): a label there changes it. */
  annotators: z.string().optional(),
});
export type QueueEntry = z.infer<typeof entrySchema>;

// Version 2: entries count their corrections (`edits`); a version 1 cache is read again.
const cacheSchema = z.object({ kind: z.literal('gog-review-index'), version: z.literal(2), root: z.string(), entries: z.array(entrySchema) });

/** Files a queue lists: `trajectory.jsonl`, `*.trajectory.jsonl`, and the JSONL files of a `trajectories/` folder. */
export function isTrajectoryFile(rel: string): boolean {
  const name = path.posix.basename(rel);
  if (!name.endsWith('.jsonl')) return false;
  return name === 'trajectory.jsonl' || name.endsWith('.trajectory.jsonl') || path.posix.basename(path.posix.dirname(rel)) === 'trajectories';
}

/** The most a queue reads of one file (what the trajectory editor opens at most). */
export const MAX_INDEXED_BYTES = 256 * 1024 * 1024;

const SKIP_DIRS = new Set(['node_modules', '.git']);
const MAX_DEPTH = 8;

/** Trajectory files under `root`, relative, in path order (numbers in names sort as numbers). */
export async function findTrajectories(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, rel: string, depth: number): Promise<void> => {
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
    await Promise.all(
      entries.map(async (e) => {
        const r = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) {
          if (!SKIP_DIRS.has(e.name) && depth < MAX_DEPTH) await walk(path.join(dir, e.name), r, depth + 1);
        } else if (e.isFile() && isTrajectoryFile(r)) out.push(r);
      }),
    );
  };
  await walk(root, '', 0);
  return out.sort(comparePaths);
}

const collator = new Intl.Collator('en', { numeric: true });
export function comparePaths(a: string, b: string): number {
  return collator.compare(a, b);
}

/** Reads one trajectory into its index entry; `annotators`: its annotator files (annotationFiles.ts), read. */
export function summarize(rel: string, text: string, size: number, mtimeMs: number, annotators?: AnnotatorFiles): QueueEntry {
  const entry: QueueEntry = { rel, size, mtimeMs, question: '', turns: 0, gazes: 0, reflections: 0, edits: 0, problems: 0 };
  const annotations: AnnotationEvent[] = [];
  let header: z.infer<typeof headerSchema> | undefined;
  let first = true;
  for (const raw of text.split('\n')) {
    if (!raw.trim()) continue;
    let value: { type?: unknown; kind?: unknown; action?: { kind?: unknown; scope?: unknown } } | null;
    try {
      value = parseJson(raw) as typeof value;
    } catch {
      entry.problems++;
      continue;
    }
    const type = value?.type;
    if (first && type === 'header') {
      const h = headerSchema.safeParse(value);
      if (h.success) header = h.data;
      else entry.problems++;
    } else if (type === 'model_turn') entry.turns++;
    else if (type === 'reflection' && value?.kind === 'reflect') entry.reflections++;
    else if (type === 'action' && value?.action?.kind === 'image_search' && value.action.scope === 'region') entry.gazes++;
    else if (type === 'final') {
      const f = finalSchema.safeParse(value);
      if (f.success) {
        entry.stopReason = f.data.stopReason;
        entry.answer = f.data.answer;
        if (f.data.score) {
          entry.exactMatch = f.data.score.exactMatch;
          entry.f1 = f.data.score.f1;
        }
      } else entry.problems++;
    } else if (type === 'annotation') {
      const a = annotationSchema.safeParse(value);
      if (a.success) annotations.push(a.data);
      else entry.problems++;
    }
    first = false;
  }
  if (header) {
    entry.id = header.id;
    entry.question = header.question;
    entry.model = header.model.name;
    entry.dialect = header.model.dialect;
    if (header.sampleId) entry.sampleId = header.sampleId;
    if (header.dataset) entry.dataset = header.dataset;
    if (header.parent) entry.branch = true;
  }
  if (annotators) {
    // The file's own annotations and each annotator's, in the order the editor and export apply them.
    const merged = mergeByTime([annotations.splice(0), ...annotators.files.map((f) => f.events)]).map((m) => m.event);
    annotations.push(...merged);
    entry.problems += annotators.problems.length;
    if (annotators.signature) entry.annotators = annotators.signature;
  }
  const label = labelOf(header, annotations);
  if (label) {
    entry.label = label.label;
    if (label.note) entry.note = label.note;
    if (label.tags) entry.tags = label.tags;
  }
  const reverted = new Set(annotations.flatMap((a) => (a.edit.op === 'revert' ? [a.edit.target] : [])));
  entry.edits = annotations.filter((a) => a.edit.op !== 'label' && a.edit.op !== 'revert' && !reverted.has(a.id ?? '')).length;
  // Reflections an annotator added count as reflections of the corrected trajectory.
  entry.reflections += annotations.filter((a) => a.edit.op === 'insert_reflection' && a.edit.kind === 'reflect').length;
  return entry;
}

/** Entries by relative path, kept between scans and across sessions in one JSON file. */
export class QueueIndex {
  private entries = new Map<string, QueueEntry>();
  private listedSet: Set<string> | undefined;
  /** Files read (not served from the cache) by the last scan: how much work it did. */
  lastRead = 0;

  /** `listed`: the files of a queue file (relative to `root`), in place of every trajectory under it. */
  constructor(
    readonly root: string,
    private readonly cacheFile?: string,
    private readonly listed?: readonly string[],
  ) {}

  /** Whether a file (relative to the root) belongs to this queue. */
  includes(rel: string): boolean {
    this.listedSet ??= this.listed ? new Set(this.listed) : undefined;
    return this.listedSet ? this.listedSet.has(rel) : isTrajectoryFile(rel);
  }

  async loadCache(): Promise<void> {
    if (!this.cacheFile) return;
    try {
      const bytes = await readFolderFile(path.dirname(this.cacheFile), this.cacheFile, { what: 'cache', maxBytes: 1024 * 1024 * 1024 });
      if (!bytes) return;
      const parsed = cacheSchema.safeParse(parseJson(bytes.toString('utf8')));
      if (parsed.success && parsed.data.root === this.root) this.entries = new Map(parsed.data.entries.map((e) => [e.rel, e]));
    } catch {
      // no cache yet, or an unreadable one: it is rebuilt
    }
  }

  async saveCache(): Promise<void> {
    if (!this.cacheFile) return;
    const data: z.infer<typeof cacheSchema> = { kind: 'gog-review-index', version: 2, root: this.root, entries: [...this.entries.values()] };
    await writeFileAtomic(this.cacheFile, JSON.stringify(data));
  }

  /** Every trajectory under the root, each read only if it changed since it was indexed. */
  async scan(): Promise<QueueEntry[]> {
    const files = this.listed ? [...this.listed] : await findTrajectories(this.root);
    const seen = new Set(files);
    for (const rel of this.entries.keys()) if (!seen.has(rel)) this.entries.delete(rel);
    this.lastRead = 0;
    const out: (QueueEntry | undefined)[] = new Array<QueueEntry | undefined>(files.length);
    // A bounded number of files open at once.
    let next = 0;
    const worker = async () => {
      while (next < files.length) {
        const i = next++;
        out[i] = await this.refresh(files[i]!);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    return out.filter((e): e is QueueEntry => !!e);
  }

  /** One file's entry, read again if its size or time changed. */
  async refresh(rel: string): Promise<QueueEntry | undefined> {
    const file = path.join(this.root, rel);
    // Only a regular file inside the queue's folder is read (folderFile.ts): a link out is left out.
    const checked = await checkFolderFile(this.root, file).catch(() => undefined);
    const stat = checked?.stat;
    if (!checked || !stat) {
      this.entries.delete(rel);
      return undefined;
    }
    const cached = this.entries.get(rel);
    const annotators = await annotatorSignature(file);
    if (cached && cached.size === stat.size && cached.mtimeMs === stat.mtimeMs && (cached.annotators ?? '') === annotators) return cached;
    // A file larger than the editor opens is listed, not read: memory stays bounded.
    let entry: QueueEntry;
    if (stat.size > MAX_INDEXED_BYTES)
      entry = {
        ...summarize(rel, '', stat.size, stat.mtimeMs),
        question: `${rel} (${Math.round(stat.size / 1024 / 1024)} MB, too large to read)`,
        problems: 1,
      };
    else {
      const handle = await openChecked(checked).catch(() => undefined);
      if (!handle) {
        this.entries.delete(rel);
        return undefined;
      }
      try {
        const text = await handle.readFile('utf8');
        entry = summarize(rel, text, stat.size, stat.mtimeMs, annotators ? await readAnnotatorFiles(file) : undefined);
      } finally {
        await handle.close();
      }
    }
    this.lastRead++;
    this.entries.set(rel, entry);
    return entry;
  }
}
