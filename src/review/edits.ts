// One edit of an open trajectory turned into the annotation it is recorded as: the step it
// belongs to, a name for VS Code's undo stack, and a check that it applies (a box inside the
// image and large enough to search, a target that exists) before it is accepted.
import { randomBytes } from 'node:crypto';
import { applyAnnotations } from '../core/annotations';
import type { AnnotationEvent, Edit, TrajectoryEvent, TrajectoryHeader } from '../core/trajectory';

export { stepOfEdit } from './editStep';

/** An id for an annotation made here, in the form views use too (messages.ts ANNOTATION_ID). */
export function newAnnotationId(): string {
  return `u${randomBytes(8).toString('hex')}`;
}

/** What VS Code's Undo and Redo say they undo. */
export function describeEdit(edit: Edit, step: number): string {
  switch (edit.op) {
    case 'set_box':
      return `Move the gaze box of turn ${step}`;
    case 'set_text':
      return `Edit the text of turn ${step}`;
    case 'drop_step':
      return `Drop turn ${edit.target}`;
    case 'restore_step':
      return `Restore turn ${edit.target}`;
    case 'insert_reflection':
      return `Insert a reflection in turn ${edit.target}`;
    case 'label':
      return `Label the trajectory ${edit.label}`;
    case 'revert':
      return 'Take back an annotation';
  }
}

/** Why `annotation` cannot be applied on top of `events` (which include the annotations before it), or undefined. */
export function checkEdit(header: TrajectoryHeader | undefined, events: readonly TrajectoryEvent[], annotation: AnnotationEvent): string | undefined {
  const before = applyAnnotations(header, events).problems.length;
  const after = applyAnnotations(header, [...events, annotation]).problems;
  return after.length > before ? after.at(-1)!.replace(/^annotation \S+ \([^)]*\): /, '') : undefined;
}
