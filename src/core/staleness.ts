// Evidence that no longer belongs to its search. When an annotator moves a gaze box or
// rewrites a text query after the search ran, the recorded results are those of the old
// search: training on them would teach a model that the new box found the old evidence.
// Such a step has to be re-run (src/run/rerun.ts); a branch that re-ran from it records
// fresh evidence after the correction, so it is not stale there.
import type { CorrectedTrajectory } from './annotations';
import type { TrajectoryEvent } from './trajectory';

export interface StaleStep {
  step: number;
  /** The annotation that changed the search. */
  annotation: string;
}

/** Kept steps whose search an annotation changed after the step's evidence was written (in file order). */
export function staleSteps(events: readonly TrajectoryEvent[], corrected: CorrectedTrajectory): StaleStep[] {
  const position = new Map<string, number>();
  events.forEach((e, i) => e.id !== undefined && position.set(e.id, i));
  const correctedById = new Map(corrected.events.filter((e) => e.id !== undefined).map((e) => [e.id!, e]));
  const out = new Map<number, StaleStep>();
  for (const a of corrected.active) {
    const edit = a.edit;
    if ((edit.op !== 'set_box' && edit.op !== 'set_text') || a.id === undefined) continue;
    const at = position.get(a.id);
    const target = events[position.get(edit.target) ?? -1];
    if (at === undefined || target?.type !== 'action' || corrected.dropped.has(target.step) || out.has(target.step)) continue;
    const kind = target.action.kind;
    if (kind !== 'image_search' && kind !== 'text_search') continue;
    // An edit that leaves the search as it was (the same query typed again) changes nothing.
    const now = correctedById.get(edit.target);
    if (now?.type !== 'action' || JSON.stringify(now.action) === JSON.stringify(target.action)) continue;
    const evidence = events.findIndex((e) => e.type === 'observation' && e.step === target.step);
    if (evidence !== -1 && evidence < at) out.set(target.step, { step: target.step, annotation: a.id });
  }
  return [...out.values()].sort((x, y) => x.step - y.step);
}
