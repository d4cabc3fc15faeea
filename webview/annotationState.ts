// What the view knows of a trajectory's annotations: those in the file's events, those the
// host says are pending (not saved yet), and edits made here that the host has not answered
// yet (shown at once, under the id they were sent with, and dropped if refused). From them,
// the corrected trajectory (applyAnnotations, the same function everything else uses).
import { applyAnnotations, type CorrectedTrajectory } from '../src/core/annotations';
import type { AnnotationEvent, Edit, TrajectoryEvent, TrajectoryHeader } from '../src/core/trajectory';
import { stepOfEdit } from '../src/review/editStep';
import type { Pending } from '../src/shared/messages';

export class AnnotationState {
  private header: TrajectoryHeader | null = null;
  private events: TrajectoryEvent[] = [];
  private fileAnnotations = 0;
  private pending: AnnotationEvent[] = [];
  private version = -1;
  private readonly inflight = new Map<string, AnnotationEvent>();
  private cached: CorrectedTrajectory | undefined;

  reset(header: TrajectoryHeader | null, events: readonly TrajectoryEvent[]): void {
    this.header = header;
    this.events = [];
    this.fileAnnotations = 0;
    this.pending = [];
    this.version = -1;
    this.inflight.clear();
    this.add(events);
  }

  add(events: readonly TrajectoryEvent[]): void {
    for (const e of events) {
      this.events.push(e);
      if (e.type === 'annotation') this.fileAnnotations++;
    }
    this.cached = undefined;
  }

  /** The host's pending annotations, if newer than those known; true when they changed. */
  setPending(p: Pending): boolean {
    if (p.version <= this.version) return false;
    this.version = p.version;
    this.pending = p.annotations;
    for (const a of p.annotations) this.inflight.delete(a.id!);
    this.cached = undefined;
    return true;
  }

  /** An edit made here, shown before the host answers. */
  propose(id: string, edit: Edit): AnnotationEvent {
    const step = stepOfEdit(edit, this.all());
    const a: AnnotationEvent = { type: 'annotation', step, t: new Date().toISOString(), id, edit };
    this.inflight.set(id, a);
    this.cached = undefined;
    return a;
  }

  /** The host answered an edit (accepted: it is in `pending` now; or refused). */
  settle(id: string): void {
    if (this.inflight.delete(id)) this.cached = undefined;
  }

  /** File events, then pending annotations, then edits not answered yet. */
  all(): TrajectoryEvent[] {
    const known = new Set(this.pending.map((a) => a.id));
    return [...this.events, ...this.pending, ...[...this.inflight.values()].filter((a) => !known.has(a.id))];
  }

  /** Annotations not on disk yet (pending and unanswered): what a save would add. */
  get unsaved(): number {
    const known = new Set(this.pending.map((a) => a.id));
    return this.pending.length + [...this.inflight.keys()].filter((id) => !known.has(id)).length;
  }

  /** Annotations anywhere: when none, the corrected trajectory is the original. */
  get annotated(): boolean {
    return this.fileAnnotations > 0 || this.pending.length > 0 || this.inflight.size > 0;
  }

  /** Every annotation, file ones first, with the ids of each: to tell what an update touched. */
  annotations(): AnnotationEvent[] {
    return this.all().filter((e): e is AnnotationEvent => e.type === 'annotation');
  }

  get original(): readonly TrajectoryEvent[] {
    return this.events;
  }

  corrected(): CorrectedTrajectory {
    this.cached ??= applyAnnotations(this.header ?? undefined, this.all());
    return this.cached;
  }
}
