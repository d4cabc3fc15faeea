// Blind review (gog.review.blind): what an annotator may see of a trajectory before they have
// given their own verdict on it. Others' labels and edits would steer the verdict, so until
// this annotator has one (saved, or given and not saved yet), only the recorded events and
// their own annotations are shown; after it, everything. An annotation without an author (the
// old single-file layout) is not known to be theirs, so it is hidden too. The extension host
// decides with this what it sends the editor: what is hidden never reaches the page.
import { applyAnnotations } from '../core/annotations';
import type { AnnotationEvent, TrajectoryEvent, TrajectoryHeader } from '../core/trajectory';

export interface BlindView<E extends TrajectoryEvent> {
  /** The events to show. */
  events: E[];
  /** Indexes into the events given of those shown (to keep their line numbers). */
  kept: number[];
  /** Others' annotations not shown. */
  hidden: number;
  /** The annotator has a verdict of their own: nothing is hidden. */
  revealed: boolean;
}

/** Shown before the verdict: a recorded event, or an annotation the annotator made (saved with their name). */
export function ownOrRecorded(e: TrajectoryEvent, annotator: string | undefined): boolean {
  return e.type !== 'annotation' || (annotator !== undefined && e.author === annotator);
}

/**
 * What `annotator` may see of `events` (the file's, with every annotator's annotations), given
 * their `pending` (unsaved, so theirs) annotations. No annotator (no name could be found): only
 * the recorded events, until a verdict is given.
 */
export function blindView<E extends TrajectoryEvent>(
  header: TrajectoryHeader | undefined,
  events: readonly E[],
  pending: readonly AnnotationEvent[],
  annotator: string | undefined,
): BlindView<E> {
  const kept: number[] = [];
  events.forEach((e, i) => {
    if (ownOrRecorded(e, annotator)) kept.push(i);
  });
  const own = kept.map((i) => events[i]!);
  const revealed = applyAnnotations(header, [...own, ...pending]).label !== undefined;
  if (revealed) return { events: [...events], kept: events.map((_, i) => i), hidden: 0, revealed };
  return { events: own, kept, hidden: events.length - own.length, revealed };
}
