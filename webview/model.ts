// What the panel shows, derived from a trajectory's header and events: turns in order,
// the gaze boxes, the outcome and totals. Pure, so it is tested without a browser.
import type {
  ActionRecord,
  AnnotationEvent,
  FinalEvent,
  ModelTurnEvent,
  NoticeEvent,
  ObservationEvent,
  ReflectionEvent,
  RegionBox,
  TrajectoryEvent,
  TrajectoryHeader,
} from '../src/core/trajectory';

export interface Turn {
  step: number;
  modelTurn?: ModelTurnEvent;
  reflections: ReflectionEvent[];
  action?: ActionRecord;
  /** The id of the action event, for edits to point at. */
  actionId?: string;
  observation?: ObservationEvent;
  notices: NoticeEvent[];
  /** Model text streamed so far, while the turn is not yet recorded. */
  streaming?: string;
}

export interface GazeBox {
  step: number;
  /** Original-image pixels [x1, y1, x2, y2]. */
  box: RegionBox;
}

export interface Totals {
  turns: number;
  textSearches: number;
  glances: number;
  gazes: number;
  parseErrors: number;
  toolErrors: number;
  promptTokens: number;
  completionTokens: number;
  /** Wall time of the run (the final event's), else the sum of what was recorded. */
  ms: number;
}

export class TrajectoryModel {
  header: TrajectoryHeader | null = null;
  final?: FinalEvent;
  readonly annotations: AnnotationEvent[] = [];
  private readonly byStep = new Map<number, Turn>();

  constructor(header: TrajectoryHeader | null = null) {
    this.header = header;
  }

  turn(step: number): Turn {
    let t = this.byStep.get(step);
    if (!t) {
      t = { step, reflections: [], notices: [] };
      this.byStep.set(step, t);
    }
    return t;
  }

  /** Turns in step order (step 0, events before the first turn, only if it holds anything). */
  get turns(): Turn[] {
    return [...this.byStep.values()].sort((a, b) => a.step - b.step);
  }

  /** Applies one event; returns the step it changed, or undefined for run-level events. */
  apply(e: TrajectoryEvent): number | undefined {
    switch (e.type) {
      case 'model_turn': {
        const t = this.turn(e.step);
        t.modelTurn = e;
        delete t.streaming;
        return e.step;
      }
      case 'reflection':
        this.turn(e.step).reflections.push(e);
        return e.step;
      case 'action': {
        const t = this.turn(e.step);
        t.action = e.action;
        t.actionId = e.id;
        return e.step;
      }
      case 'observation':
        this.turn(e.step).observation = e;
        return e.step;
      case 'notice':
        this.turn(e.step).notices.push(e);
        return e.step;
      case 'final':
        this.final = e;
        return undefined;
      case 'annotation':
        this.annotations.push(e);
        return undefined;
    }
  }

  streamDelta(step: number, text: string): void {
    const t = this.turn(step);
    if (!t.modelTurn) t.streaming = (t.streaming ?? '') + text;
  }

  get gazes(): GazeBox[] {
    const out: GazeBox[] = [];
    for (const t of this.turns) {
      const a = t.action;
      if (a?.kind === 'image_search' && a.scope === 'region' && a.box) out.push({ step: t.step, box: a.box });
    }
    return out;
  }

  get totals(): Totals {
    const totals: Totals = { turns: 0, textSearches: 0, glances: 0, gazes: 0, parseErrors: 0, toolErrors: 0, promptTokens: 0, completionTokens: 0, ms: 0 };
    let recordedMs = 0;
    for (const t of this.turns) {
      if (t.modelTurn) {
        totals.turns++;
        totals.promptTokens += t.modelTurn.usage?.prompt ?? 0;
        totals.completionTokens += t.modelTurn.usage?.completion ?? 0;
        recordedMs += t.modelTurn.ms;
      }
      const a = t.action;
      if (a?.kind === 'text_search') totals.textSearches++;
      else if (a?.kind === 'image_search') {
        if (a.scope === 'region') totals.gazes++;
        else totals.glances++;
      } else if (a?.kind === 'parse_error') totals.parseErrors++;
      if (t.observation) {
        recordedMs += t.observation.ms;
        if (t.observation.error) totals.toolErrors++;
      }
    }
    totals.ms = this.final?.ms ?? recordedMs;
    return totals;
  }
}
