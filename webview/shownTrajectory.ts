// What the panel shows of a trajectory: its events as recorded, or as corrected by the
// annotations (the same when there are none), made into a TrajectoryModel; and the marks of
// what the annotations changed, for the cards and for the gaze boxes over the image.
import type { CorrectedTrajectory } from '../src/core/annotations';
import type { TrajectoryEvent, TrajectoryHeader } from '../src/core/trajectory';
import type { AnnotationState } from './annotationState';
import type { Box } from './boxMath';
import type { ShownGaze } from './imageView';
import { TrajectoryModel } from './model';
import type { CardMarks } from './turnCard';

export class ShownTrajectory {
  model = new TrajectoryModel();
  header: TrajectoryHeader | null = null;
  /** Showing the trajectory as recorded rather than as corrected. */
  showOriginal = false;
  /** The corrected trajectory; undefined while nothing is annotated. */
  corrected: CorrectedTrajectory | undefined;
  /** Gaze boxes as recorded, by action id: where a corrected box was. */
  private readonly recordedBoxes = new Map<string, Box>();

  constructor(private readonly annotations: AnnotationState) {}

  readonly marks: CardMarks = {
    changed: (id) => id !== undefined && !!this.corrected?.changed.has(id),
    changedBy: (id) => (id === undefined ? undefined : this.corrected?.changedBy.get(id)),
    inserted: (id) => id !== undefined && !!this.corrected?.active.some((a) => a.id === id && a.edit.op === 'insert_reflection'),
    dropped: (step) => !!this.corrected?.dropped.has(step),
    boxBefore: (id) => (id !== undefined && !this.showOriginal && this.corrected?.changed.has(id) ? this.recordedBoxes.get(id) : undefined),
  };

  /** A new file: its header, and its boxes as recorded. The model is made by `rebuild`. */
  reset(header: TrajectoryHeader | null, events: readonly TrajectoryEvent[]): void {
    this.header = header;
    this.recordedBoxes.clear();
    this.learnBoxes(events);
  }

  learnBoxes(events: readonly TrajectoryEvent[]): void {
    for (const e of events)
      if (e.type === 'action' && e.id && e.action.kind === 'image_search' && e.action.box) this.recordedBoxes.set(e.id, e.action.box.original);
  }

  /** The events shown: as recorded, or as corrected (the same when nothing is annotated). */
  private shownEvents(): readonly TrajectoryEvent[] {
    if (!this.annotations.annotated || this.showOriginal) return this.annotations.original;
    return this.corrected!.events;
  }

  /** Makes the model again from the events shown (after an edit, or a switch to the original). */
  rebuild(): void {
    this.corrected = this.annotations.annotated ? this.annotations.corrected() : undefined;
    const model = new TrajectoryModel(this.header);
    for (const e of this.shownEvents()) model.apply(e);
    // A live run's text streamed so far is not in any event yet.
    for (const t of this.model.turns) if (t.streaming !== undefined && !t.modelTurn) model.streamDelta(t.step, t.streaming);
    this.model = model;
  }

  /** The gaze boxes to draw over the image, each marked dropped or changed (with where it was). */
  gazes(): ShownGaze[] {
    return this.model.gazes.map((g) => {
      const dropped = !!this.corrected?.dropped.has(g.step);
      const id = this.model.turn(g.step).actionId;
      const before = this.marks.boxBefore(id);
      return { ...g, ...(dropped ? { dropped } : {}), ...(before ? { changed: true, was: before } : {}) };
    });
  }
}
