// A review queue: the trajectories of a folder in path order, a filter over them, counts of
// reviewed (labelled) ones, and where to go next. Pure: the index reads the files.
import { z } from 'zod';
import { DIALECT_IDS, LABELS, STOP_REASONS } from '../core/trajectory';
import { comparePaths, type QueueEntry } from './queueIndex';

export const SCORE_FILTERS = ['correct', 'wrong', 'unscored'] as const;
export type ScoreFilter = (typeof SCORE_FILTERS)[number];

/** What the queue shows; every field left out lets everything through. */
export const queueFilterSchema = z.object({
  label: z.enum([...LABELS, 'unreviewed']).optional(),
  /** Exact match 1, exact match 0, or no score (no gold answers). */
  score: z.enum(SCORE_FILTERS).optional(),
  stopReason: z.enum(STOP_REASONS).optional(),
  gaze: z.boolean().optional(),
  reflection: z.boolean().optional(),
  dialect: z.enum(DIALECT_IDS).optional(),
  /** Flagged for a second look by this annotator (queueFlags.ts), or not. */
  flagged: z.boolean().optional(),
  /** Corrected by an annotator (a box, a text, a drop, a reflection), or as recorded. */
  edited: z.boolean().optional(),
});
export type QueueFilter = z.infer<typeof queueFilterSchema>;

/** `flagged`: the trajectories this annotator flagged, for the `flagged` filter. */
export function matches(e: QueueEntry, f: QueueFilter, flagged: ReadonlySet<string> = new Set()): boolean {
  if (f.label !== undefined && (f.label === 'unreviewed' ? e.label !== undefined : e.label !== f.label)) return false;
  if (f.score !== undefined) {
    const score = e.exactMatch === undefined ? 'unscored' : e.exactMatch >= 1 ? 'correct' : 'wrong';
    if (score !== f.score) return false;
  }
  if (f.stopReason !== undefined && e.stopReason !== f.stopReason) return false;
  if (f.gaze !== undefined && e.gazes > 0 !== f.gaze) return false;
  if (f.reflection !== undefined && e.reflections > 0 !== f.reflection) return false;
  if (f.dialect !== undefined && e.dialect !== f.dialect) return false;
  if (f.flagged !== undefined && flagged.has(e.rel) !== f.flagged) return false;
  if (f.edited !== undefined && e.edits > 0 !== f.edited) return false;
  return true;
}

/** The filter in words, for the view's message ("" when nothing is filtered). */
export function describeFilter(f: QueueFilter): string {
  const parts: string[] = [];
  if (f.label) parts.push(f.label);
  if (f.score) parts.push(f.score === 'unscored' ? 'no score' : f.score);
  if (f.stopReason) parts.push(`stopped: ${f.stopReason.replace('_', ' ')}`);
  if (f.gaze !== undefined) parts.push(f.gaze ? 'with a gaze' : 'no gaze');
  if (f.reflection !== undefined) parts.push(f.reflection ? 'with a reflection' : 'no reflection');
  if (f.dialect) parts.push(`dialect ${f.dialect}`);
  if (f.flagged !== undefined) parts.push(f.flagged ? 'flagged' : 'not flagged');
  if (f.edited !== undefined) parts.push(f.edited ? 'with edits' : 'no edits');
  return parts.join(' · ');
}

/** The most of an id a row shows. */
export const MAX_NAME_CHARS = 120;

/**
 * What a row of the queue is called: the dataset's id for the sample (what the annotator's
 * list and the dataset call it), else the record's id, else its path. One line, bounded: the
 * id comes from the file, which anyone may have written.
 */
export function entryName(e: Pick<QueueEntry, 'sampleId' | 'id' | 'rel'>): string {
  return (e.sampleId ?? e.id ?? e.rel).replace(/\s+/g, ' ').trim().slice(0, MAX_NAME_CHARS) || e.rel;
}

export interface QueueCounts {
  total: number;
  reviewed: number;
  shown: number;
}

export class ReviewQueue {
  private all: QueueEntry[] = [];
  private visible: QueueEntry[] = [];
  private position = new Map<string, number>();
  private filterValue: QueueFilter = {};
  private byRel = new Map<string, QueueEntry>();
  private flags = new Set<string>();
  /** Moved past with Skip in this session: Resume goes to them only when no other is left. */
  private skippedSet = new Set<string>();

  constructor(entries: readonly QueueEntry[] = []) {
    this.set(entries);
  }

  set(entries: readonly QueueEntry[]): void {
    this.all = [...entries].sort((a, b) => comparePaths(a.rel, b.rel));
    this.skippedSet.clear();
    this.apply();
  }

  /** One entry read again (a save, a file changed), or removed. */
  update(rel: string, entry: QueueEntry | undefined): void {
    const i = this.all.findIndex((e) => e.rel === rel);
    if (i !== -1) this.all.splice(i, 1);
    if (entry) {
      const at = this.all.findIndex((e) => comparePaths(e.rel, rel) > 0);
      this.all.splice(at === -1 ? this.all.length : at, 0, entry);
    }
    this.apply();
  }

  get filter(): QueueFilter {
    return this.filterValue;
  }

  set filter(f: QueueFilter) {
    this.filterValue = { ...f };
    this.apply();
  }

  /** This annotator's flagged trajectories (queueFlags.ts). */
  get flagged(): ReadonlySet<string> {
    return this.flags;
  }

  set flagged(rels: ReadonlySet<string>) {
    this.flags = new Set(rels);
    this.apply();
  }

  isFlagged(rel: string): boolean {
    return this.flags.has(rel);
  }

  /** Flags or unflags one trajectory; returns whether it is flagged now. */
  toggleFlag(rel: string): boolean {
    const now = !this.flags.has(rel);
    if (now) this.flags.add(rel);
    else this.flags.delete(rel);
    this.apply();
    return now;
  }

  skip(rel: string): void {
    this.skippedSet.add(rel);
  }

  isSkipped(rel: string): boolean {
    return this.skippedSet.has(rel);
  }

  private apply(): void {
    this.byRel = new Map(this.all.map((e) => [e.rel, e]));
    this.visible = this.all.filter((e) => matches(e, this.filterValue, this.flags));
    this.position = new Map(this.visible.map((e, i) => [e.rel, i]));
  }

  get shown(): readonly QueueEntry[] {
    return this.visible;
  }

  entry(rel: string): QueueEntry | undefined {
    return this.byRel.get(rel);
  }

  /** 1-based place among the shown entries. */
  positionOf(rel: string): number | undefined {
    const i = this.position.get(rel);
    return i === undefined ? undefined : i + 1;
  }

  get counts(): QueueCounts {
    let reviewed = 0;
    for (const e of this.all) if (e.label) reviewed++;
    return { total: this.all.length, reviewed, shown: this.visible.length };
  }

  /**
   * The shown entry after (or before) `from`. From a file the filter hides (just labelled
   * out of an "unreviewed" view, say), the neighbour in path order; from nowhere, the first.
   */
  step(from: string | undefined, direction: 1 | -1): QueueEntry | undefined {
    if (!this.visible.length) return undefined;
    if (from === undefined) return direction === 1 ? this.visible[0] : this.visible.at(-1);
    const at = this.position.get(from);
    if (at !== undefined) return this.visible[at + direction];
    if (direction === 1) return this.visible.find((e) => comparePaths(e.rel, from) > 0);
    return [...this.visible].reverse().find((e) => comparePaths(e.rel, from) < 0);
  }

  /** The first shown trajectory without a label, passing over those skipped unless only they are left. */
  firstUnreviewed(): QueueEntry | undefined {
    return this.visible.find((e) => !e.label && !this.skippedSet.has(e.rel)) ?? this.visible.find((e) => !e.label);
  }

  /** Skip: the next shown trajectory without a label after `from` (wrapping to the start), the skipped passed over. */
  nextUnreviewed(from: string | undefined): QueueEntry | undefined {
    const open = (e: QueueEntry) => !e.label && e.rel !== from && !this.skippedSet.has(e.rel);
    const after = from === undefined ? this.visible : this.visible.filter((e) => comparePaths(e.rel, from) > 0);
    return after.find(open) ?? this.visible.find(open);
  }
}
