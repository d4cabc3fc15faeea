// The matches of a query in one trajectory file, fed its lines in order. A line is parsed
// only when its kind of event holds a searched field and its raw text may hold a match
// (findQuery.ts); the model's raw turns are never searched, since every reasoning block and
// action they hold is recorded again as its own event. An answer is found once: in its
// `answer` action, and in the `final` event only when that says something else. A human
// correction (an annotation's new text) is found as a correction of the field it corrects.
import { eventSchema, type TrajectoryEvent } from '../../core/trajectory';
import { parseJson } from '../../core/json';
import type { CompiledQuery, FindField, TextHit } from './findQuery';

export interface FoundMatch {
  /** The line of the file the text is on (1-based). */
  line: number;
  step: number;
  field: FindField;
  /** A reflection's kind (think, reflect, reason), or the part of an evidence result (title, snippet, summary). */
  part?: string;
  /** The evidence result's rank. */
  rank?: number;
  /** The event, as the trajectory view names it: its id, or `L<line>` in files written before ids. */
  event: string;
  /** The text of a human correction (an annotation), not of the record. */
  correction?: true;
  /** The match with some of its text around it, each on one line (whitespace runs as one space). */
  before: string;
  match: string;
  after: string;
  /** Matches in this text (counted up to MAX_COUNTED). */
  count: number;
}

/** What the text is: "reflection", "evidence 2 title", "answer (corrected)". */
export function fieldLabel(m: Pick<FoundMatch, 'field' | 'part' | 'rank' | 'correction'>): string {
  const base = m.field === 'evidence' ? `evidence${m.rank !== undefined ? ` ${m.rank}` : ''}${m.part ? ` ${m.part}` : ''}` : m.field;
  return m.correction ? `${base} (corrected)` : base;
}

/** What the file's header says the trajectory is. */
export interface TrajectoryInfo {
  id?: string;
  sample?: string;
  dataset?: string;
  question?: string;
}

/** Unreadable lines named per file at most (the rest are counted). */
export const MAX_NAMED_UNREADABLE = 5;

/** Characters of context shown before and after a match, and of a long match itself. */
const CONTEXT_BEFORE = 50;
const CONTEXT_AFTER = 70;
const MAX_MATCH_SHOWN = 160;

/** The event kinds whose texts each field is in. */
const KINDS_OF: { [F in FindField]: readonly TrajectoryEvent['type'][] } = {
  reasoning: ['reflection', 'annotation'],
  reflection: ['reflection', 'annotation'],
  query: ['action', 'annotation'],
  evidence: ['observation'],
  answer: ['action', 'final', 'annotation'],
};

/** Our writer starts every line with its type: read it without parsing. */
const LEADING_TYPE = /^\s*\{\s*"type"\s*:\s*"([a-z_]+)"/;

const oneLine = (s: string) => s.replace(/\s+/g, ' ');

/** Whether index `i` of `s` falls between the two halves of a surrogate pair. */
function splitsPair(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return i > 0 && i < s.length && c >= 0xdc00 && c <= 0xdfff && s.charCodeAt(i - 1) >= 0xd800 && s.charCodeAt(i - 1) <= 0xdbff;
}

/** The first `n` characters of `s`, "…" when cut (never between the halves of a pair). */
function head(s: string, n: number): string {
  if (s.length <= n) return s;
  return `${s.slice(0, splitsPair(s, n) ? n - 1 : n)}…`;
}

/** The last `n` characters of `s`, "…" when cut. */
function tail(s: string, n: number): string {
  if (s.length <= n) return s;
  const from = s.length - n;
  return `…${s.slice(splitsPair(s, from) ? from + 1 : from)}`;
}

/** The match and the text around it, each on one line. */
export function matchContext(text: string, hit: Pick<TextHit, 'start' | 'end'>): Pick<FoundMatch, 'before' | 'match' | 'after'> {
  // Twice the characters shown are read, so collapsing whitespace still leaves enough.
  const from = Math.max(0, hit.start - 2 * CONTEXT_BEFORE);
  let before = oneLine(text.slice(splitsPair(text, from) ? from + 1 : from, hit.start));
  if (from === 0) before = before.trimStart();
  else if (before.length <= CONTEXT_BEFORE) before = `…${before}`;
  const to = Math.min(text.length, hit.end + 2 * CONTEXT_AFTER);
  let after = oneLine(text.slice(hit.end, splitsPair(text, to) ? to - 1 : to));
  if (to === text.length) after = after.trimEnd();
  else if (after.length <= CONTEXT_AFTER) after = `${after}…`;
  return { before: tail(before, CONTEXT_BEFORE), match: head(oneLine(text.slice(hit.start, hit.end)), MAX_MATCH_SHOWN), after: head(after, CONTEXT_AFTER) };
}

/** A correction whose target was not among the lines read: found once its target is. */
export interface PendingCorrection {
  target: string;
  match: Omit<FoundMatch, 'field' | 'step' | 'part'>;
}

type FieldOf = { field: FindField; part?: string; step: number };

export class TrajectoryMatcher {
  readonly info: TrajectoryInfo = {};
  /** Lines that looked like candidates but are not events the viewer reads (not JSON, or no known event)… */
  unreadable = 0;
  /** … and the numbers of the first of them, for the note that names them. */
  readonly unreadableLines: number[] = [];
  /** Lines parsed. */
  parsed = 0;
  private readonly fields: ReadonlySet<FindField>;
  private readonly kinds: ReadonlySet<string>;
  private seenContent = false;
  /** The answer action's text by step, so the final event's copy of it is not found twice. */
  private readonly answers = new Map<number, string>();
  /** What each event read holds (by id), for the corrections that point at it. */
  private readonly fieldOf = new Map<string, FieldOf>();
  private readonly pending: PendingCorrection[] = [];

  constructor(private readonly query: CompiledQuery) {
    this.fields = new Set(query.query.fields);
    this.kinds = new Set(query.query.fields.flatMap((f) => KINDS_OF[f]));
  }

  /** Corrections still waiting for their target (see resolve). */
  get unresolved(): readonly PendingCorrection[] {
    return this.pending;
  }

  /** The matches on one line of the file (lines in order, numbered from 1). */
  line(text: string, n: number): FoundMatch[] {
    if (!this.seenContent) {
      if (!text.trim()) return [];
      this.seenContent = true;
      // The header: what the trajectory is, for the matches' labels. Never searched.
      this.readHeader(text);
      return [];
    }
    const type = LEADING_TYPE.exec(text.slice(0, 64))?.[1];
    if (type !== undefined && !this.kinds.has(type)) return [];
    if (!this.query.mayMatchLine(text)) return [];
    const event = this.parse(text, n);
    return event ? this.matches(event, n) : [];
  }

  /**
   * Settles waiting corrections with a line read again: when it is the event a correction
   * points at, the correction's match (if its field is searched).
   */
  resolve(text: string, n: number): FoundMatch[] {
    // Read once already: an unreadable line was counted then.
    const event = this.parse(text);
    if (!event) return [];
    const id = event.id ?? `L${n}`;
    const what = this.describe(event);
    if (!what) return [];
    this.fieldOf.set(id, what);
    const out: FoundMatch[] = [];
    for (let i = this.pending.length - 1; i >= 0; i--) {
      const p = this.pending[i]!;
      if (p.target !== id) continue;
      this.pending.splice(i, 1);
      if (this.fields.has(what.field)) out.push({ ...p.match, field: what.field, step: what.step, ...(what.part ? { part: what.part } : {}) });
    }
    return out.sort((a, b) => a.line - b.line);
  }

  private readHeader(text: string): void {
    let value: unknown;
    try {
      value = parseJson(text);
    } catch {
      return;
    }
    if (!value || typeof value !== 'object') return;
    const h = value as Record<string, unknown>;
    if (h.type !== 'header') return;
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    const put = (key: keyof TrajectoryInfo, v: unknown) => {
      const s = str(v);
      if (s !== undefined) this.info[key] = s;
    };
    put('id', h.id);
    put('sample', h.sampleId);
    put('dataset', h.dataset);
    put('question', h.question);
  }

  /** The event on a line; undefined, counted and (up to MAX_NAMED_UNREADABLE) named by `line` when it is none. */
  private parse(text: string, line?: number): TrajectoryEvent | undefined {
    this.parsed++;
    const unreadable = () => {
      if (line === undefined) return undefined;
      this.unreadable++;
      if (this.unreadableLines.length < MAX_NAMED_UNREADABLE) this.unreadableLines.push(line);
      return undefined;
    };
    let value: unknown;
    try {
      value = parseJson(text);
    } catch {
      return unreadable();
    }
    const r = eventSchema.safeParse(value);
    return r.success ? r.data : unreadable();
  }

  /** Which field an event's text is, for corrections that point at it. */
  private describe(e: TrajectoryEvent): FieldOf | undefined {
    switch (e.type) {
      case 'reflection':
        return { field: e.kind === 'reflect' ? 'reflection' : 'reasoning', part: e.kind, step: e.step };
      case 'action':
        if (e.action.kind === 'text_search') return { field: 'query', step: e.step };
        if (e.action.kind === 'answer') return { field: 'answer', step: e.step };
        return undefined;
      case 'annotation':
        if (e.edit.op === 'insert_reflection') return { field: e.edit.kind === 'reflect' ? 'reflection' : 'reasoning', part: e.edit.kind, step: e.edit.target };
        return undefined;
      case 'model_turn':
      case 'observation':
      case 'notice':
      case 'final':
        return undefined;
      default: {
        const never: never = e;
        return never;
      }
    }
  }

  private found(text: string, line: number, event: string, where: FieldOf & { rank?: number }, correction = false): FoundMatch | undefined {
    const hit = this.query.find(text);
    if (!hit) return undefined;
    return {
      line,
      step: where.step,
      field: where.field,
      ...(where.part ? { part: where.part } : {}),
      ...(where.rank !== undefined ? { rank: where.rank } : {}),
      event,
      ...(correction ? { correction: true as const } : {}),
      ...matchContext(text, hit),
      count: hit.count,
    };
  }

  private matches(e: TrajectoryEvent, line: number): FoundMatch[] {
    const id = e.id ?? `L${line}`;
    const out: FoundMatch[] = [];
    const add = (m: FoundMatch | undefined) => {
      if (m && this.fields.has(m.field)) out.push(m);
    };
    switch (e.type) {
      case 'reflection':
      case 'action': {
        const what = this.describe(e);
        if (!what) break;
        this.fieldOf.set(id, what);
        if (e.type === 'action' && e.action.kind === 'answer') this.answers.set(e.step, e.action.text);
        const text = e.type === 'reflection' ? e.text : e.action.kind === 'text_search' ? e.action.query : e.action.kind === 'answer' ? e.action.text : '';
        if (this.fields.has(what.field)) add(this.found(text, line, id, what));
        break;
      }
      case 'observation':
        if (!this.fields.has('evidence')) break;
        for (const r of e.results)
          for (const part of ['title', 'snippet', 'summary'] as const) {
            const text = r[part];
            if (text) add(this.found(text, line, id, { field: 'evidence', part, step: e.step, rank: r.rank }));
          }
        break;
      case 'final':
        if (e.answer !== null && this.answers.get(e.step) !== e.answer) add(this.found(e.answer, line, id, { field: 'answer', step: e.step }));
        break;
      case 'annotation': {
        const edit = e.edit;
        if (edit.op === 'insert_reflection') {
          const what = this.describe(e)!;
          this.fieldOf.set(id, what);
          add(this.found(edit.text, line, id, what, true));
        } else if (edit.op === 'set_text') {
          const what = this.fieldOf.get(edit.target);
          if (what) {
            add(this.found(edit.text, line, id, what, true));
            break;
          }
          // The corrected event was not read (it did not match): its field is found later.
          const m = this.found(edit.text, line, id, { field: 'answer', step: e.step }, true);
          if (m) {
            const { field: _field, step: _step, ...rest } = m;
            this.pending.push({ target: edit.target, match: rest });
          }
        }
        break;
      }
      case 'model_turn':
      case 'notice':
        break;
      default: {
        const never: never = e;
        return never;
      }
    }
    return out;
  }
}
