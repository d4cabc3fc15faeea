// The corrected trajectory: the original events with their annotations applied, in the
// order they were written. The original is never changed; a correction is an annotation
// event that points at what it corrects (an event's id, or a step). Everything that shows,
// exports or re-runs a corrected trajectory starts here, so they all agree on what it is.
import { originalToModel, MIN_BOX_SIDE_SENT, type Box } from './geometry';
import type { AnnotationEvent, Edit, Label, RegionBox, TrajectoryEvent, TrajectoryHeader } from './trajectory';

export interface LabelState {
  label: Label;
  note?: string;
  tags?: string[];
  author?: string;
  /** An adjudicator's verdict (`gog label --adjudicate`), settling the annotators' ones. */
  adjudicated?: true;
  /** When it was given. */
  t: string;
}

export interface CorrectedTrajectory {
  /** The corrected events in order; inserted reflections have their annotation's id. */
  events: TrajectoryEvent[];
  /** Ids of events whose content an annotation changed or inserted. */
  changed: Set<string>;
  /** Who made the last change to each of those events, where the annotation names its author. */
  changedBy: Map<string, string>;
  /** Steps left out of the corrected trajectory. */
  dropped: Set<number>;
  /** The last verdict given, by anyone. */
  label?: LabelState;
  /** Each annotator's last verdict (adjudications aside), by author; "" for verdicts without one. */
  labels: Map<string, LabelState>;
  /** The last adjudicated verdict. */
  adjudicated?: LabelState;
  /** The annotations in effect (not taken back by a later revert), in order. */
  active: AnnotationEvent[];
  /** Annotations that could not be applied (they point at nothing, or ask for the impossible), one line each. */
  problems: string[];
}

/** The box of an action, moved to `original` pixels: the model's and sent coordinates follow. */
export function correctedBox(header: TrajectoryHeader, original: Box): { ok: true; box: RegionBox } | { ok: false; message: string } {
  const o = header.image.oriented;
  const sent = header.image.sent;
  const [x1, y1, x2, y2] = original;
  if (![x1, y1, x2, y2].every((v) => Number.isFinite(v))) return { ok: false, message: 'a box needs four numbers' };
  const round = original.map((v) => Math.round(v)) as Box;
  if (round[0] < 0 || round[1] < 0 || round[2] > o.width || round[3] > o.height)
    return { ok: false, message: `box [${round.join(', ')}] lies outside the ${o.width}×${o.height} image` };
  const sx = sent.width / o.width;
  const sy = sent.height / o.height;
  const sentBox: Box = [round[0] * sx, round[1] * sy, round[2] * sx, round[3] * sy];
  if (sentBox[2] - sentBox[0] < MIN_BOX_SIDE_SENT || sentBox[3] - sentBox[1] < MIN_BOX_SIDE_SENT) {
    return { ok: false, message: `box [${round.join(', ')}] is too small to search` };
  }
  return { ok: true, box: { model: originalToModel(round, header.model.boxFormat, sent, o), sent: sentBox, original: round } };
}

/**
 * Which annotations still count: a revert takes back the one it names (and a revert of a
 * revert puts it back). Agreement (data/agreement/) asks it of each annotator's own events.
 */
export function inEffect(annotations: readonly AnnotationEvent[]): AnnotationEvent[] {
  const taken = new Set<string>();
  // Later reverts decide first: walking backwards, a revert that is itself taken back does nothing.
  for (let i = annotations.length - 1; i >= 0; i--) {
    const a = annotations[i]!;
    if (a.edit.op === 'revert' && a.id !== undefined && !taken.has(a.id)) taken.add(a.edit.target);
  }
  return annotations.filter((a) => a.edit.op !== 'revert' && (a.id === undefined || !taken.has(a.id)));
}

function describe(edit: Edit): string {
  return 'target' in edit ? `${edit.op} ${String(edit.target)}` : edit.op;
}

/** Applies the annotations among `events` (in file order) to the other events. */
export function applyAnnotations(header: TrajectoryHeader | undefined, events: readonly TrajectoryEvent[]): CorrectedTrajectory {
  const annotations = events.filter((e): e is AnnotationEvent => e.type === 'annotation');
  const originals = events.filter((e) => e.type !== 'annotation');
  const active = inEffect(annotations);
  const byId = new Map<string, TrajectoryEvent>();
  const corrected = originals.map((e) => structuredClone(e));
  for (const e of corrected) if (e.id !== undefined) byId.set(e.id, e);
  const steps = new Set(originals.map((e) => e.step));
  const changed = new Set<string>();
  const changedBy = new Map<string, string>();
  const change = (id: string, author: string | undefined) => {
    changed.add(id);
    if (author) changedBy.set(id, author);
    else changedBy.delete(id);
  };
  const dropped = new Set<number>();
  const inserted: { step: number; event: TrajectoryEvent }[] = [];
  const problems: string[] = [];
  let label: LabelState | undefined;
  let adjudicated: LabelState | undefined;
  const labels = new Map<string, LabelState>();

  for (const a of active) {
    const edit = a.edit;
    const fail = (why: string) => problems.push(`annotation ${a.id ?? '?'} (${describe(edit)}): ${why}`);
    switch (edit.op) {
      case 'set_box': {
        const target = byId.get(edit.target);
        if (target?.type !== 'action' || target.action.kind !== 'image_search' || target.action.scope !== 'region') {
          fail('it points at no gaze');
          break;
        }
        if (!header) {
          fail('the trajectory has no header to size the box by');
          break;
        }
        const box = correctedBox(header, edit.box);
        if (!box.ok) {
          fail(box.message);
          break;
        }
        target.action.box = box.box;
        change(edit.target, a.author);
        break;
      }
      case 'set_text': {
        const target = byId.get(edit.target);
        if (target?.type === 'reflection') target.text = edit.text;
        else if (target?.type === 'action' && target.action.kind === 'text_search') target.action.query = edit.text;
        else if (target?.type === 'action' && target.action.kind === 'answer') {
          target.action.text = edit.text;
          // The run's outcome is the corrected answer too.
          for (const f of corrected) if (f.type === 'final' && f.step === target.step) f.answer = edit.text;
        } else {
          fail('it points at no reflection, query or answer');
          break;
        }
        change(edit.target, a.author);
        break;
      }
      case 'drop_step':
        if (!steps.has(edit.target)) fail('there is no such step');
        else dropped.add(edit.target);
        break;
      case 'restore_step':
        dropped.delete(edit.target);
        break;
      case 'insert_reflection': {
        if (!steps.has(edit.target)) {
          fail('there is no such step');
          break;
        }
        const id = a.id ?? `inserted-${inserted.length + 1}`;
        const event: TrajectoryEvent = { type: 'reflection', step: edit.target, t: a.t, id, kind: edit.kind, text: edit.text };
        inserted.push({ step: edit.target, event });
        // A later set_text may correct the inserted reflection's wording, as any other.
        byId.set(id, event);
        change(id, a.author);
        break;
      }
      case 'label':
        label = {
          label: edit.label,
          t: a.t,
          ...(edit.note ? { note: edit.note } : {}),
          ...(edit.tags?.length ? { tags: edit.tags } : {}),
          ...(a.author ? { author: a.author } : {}),
          ...(edit.adjudicated ? { adjudicated: true as const } : {}),
        };
        if (edit.adjudicated) adjudicated = label;
        else {
          // Map order follows the latest verdict: delete first so a changed verdict moves last.
          labels.delete(a.author ?? '');
          labels.set(a.author ?? '', label);
        }
        break;
      case 'revert':
        break; // already taken into account by inEffect
    }
  }

  // An inserted reflection opens its step, after the step's model turn (what the model "wrote first").
  const out: TrajectoryEvent[] = [];
  for (const e of corrected) {
    out.push(e);
    if (e.type === 'model_turn') for (const ins of inserted) if (ins.step === e.step) out.push(ins.event);
  }
  for (const ins of inserted) if (!out.includes(ins.event)) out.push(ins.event);
  return { events: out, changed, changedBy, dropped, ...(label ? { label } : {}), labels, ...(adjudicated ? { adjudicated } : {}), active, problems };
}

/** What a team's verdicts on one trajectory come to. */
export type TeamVerdict =
  /** An adjudicator decided. */
  | { kind: 'adjudicated'; label: LabelState; annotators: number }
  /** Every annotator who gave a verdict gave this one (the latest of them is `label`, with its note and tags). */
  | { kind: 'agreed'; label: LabelState; annotators: number }
  /** Annotators disagree and no adjudicator has decided. */
  | { kind: 'conflict'; labels: LabelState[]; annotators: number }
  | { kind: 'unlabelled'; annotators: 0 };

/** The adjudicated verdict, else the annotators' agreed one, else a conflict. */
export function teamVerdict(corrected: Pick<CorrectedTrajectory, 'labels' | 'adjudicated'>): TeamVerdict {
  const given = [...corrected.labels.values()];
  const annotators = given.length;
  if (corrected.adjudicated) return { kind: 'adjudicated', label: corrected.adjudicated, annotators };
  const last = given.at(-1);
  if (!last) return { kind: 'unlabelled', annotators: 0 };
  if (given.every((l) => l.label === last.label)) return { kind: 'agreed', label: last, annotators };
  return { kind: 'conflict', labels: given, annotators };
}

/** Whether a trajectory has been reviewed: it carries a label in effect. */
export function labelOf(header: TrajectoryHeader | undefined, events: readonly TrajectoryEvent[]): LabelState | undefined {
  return applyAnnotations(header, events).label;
}
