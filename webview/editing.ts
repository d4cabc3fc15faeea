// Editing in the panel (an editor only). An edit is shown at once and sent to the host, which
// keeps the document and VS Code's undo stack; the host's answer settles it, or takes it back
// and the review bar says why. A label is held to the project's scheme before it is sent, and
// texts (a reasoning, a query, the answer, a new reflection) are edited in place in their card.
import { schemeProblem, type LabelScheme, type SchemeProblem } from '../src/core/labelSchemeRules';
import type { AnnotationEvent, Edit, Label } from '../src/core/trajectory';
import type { AnnotationState } from './annotationState';
import type { Box } from './boxMath';
import type { CardTimeline } from './cardTimeline';
import { el } from './dom';
import type { Host } from './host';
import type { TrajectoryModel } from './model';
import type { ReviewBar } from './reviewBar';
import { textEditor } from './textEdit';

/** The parts of the page an edit reads and redraws. */
export interface EditedPage {
  readonly host: Host;
  readonly state: AnnotationState;
  readonly reviewBar: ReviewBar;
  readonly timeline: CardTimeline;
  model(): TrajectoryModel;
  scheme(): LabelScheme;
  select(step: number, reveal: boolean): void;
  /** Recomputes the corrected trajectory and redraws what changed since `before`. */
  annotationsChanged(before: readonly AnnotationEvent[]): void;
}

/** An id for an annotation made here (messages.ts ANNOTATION_ID). */
function newAnnotationId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return `u${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export class PageEditing {
  constructor(private readonly page: EditedPage) {}

  /** Shows an edit at once and sends it; the host's answer settles it (or takes it back, saying why). */
  edit(edit: Edit): void {
    const { state, host, reviewBar } = this.page;
    const id = newAnnotationId();
    const before = state.annotations();
    state.propose(id, edit);
    this.page.annotationsChanged(before);
    host.request({ method: 'edit', id, edit }).then(
      () => state.settle(id),
      (e: Error) => {
        const was = state.annotations();
        state.settle(id);
        this.page.annotationsChanged(was);
        reviewBar.say(`Not recorded: ${e.message}`);
      },
    );
  }

  editBox(step: number, box: Box): void {
    const id = this.page.model().turn(step).actionId;
    if (id) this.edit({ op: 'set_box', target: id, box });
  }

  label(label: Label): void {
    const { reviewBar } = this.page;
    const note = reviewBar.note;
    const tags = reviewBar.tags;
    // A label the scheme refuses is not sent: the bar says why.
    const problem = schemeProblem(this.page.scheme(), label, tags, note || undefined);
    if (problem) return reviewBar.say(`Not labelled: ${schemeProblemText(this.page.scheme(), problem)}.`);
    this.edit({ op: 'label', label, ...(note ? { note } : {}), ...(tags.length ? { tags } : {}) });
  }

  /** The note changed: a label given already is given again with it. */
  relabel(): void {
    const current = this.page.state.corrected().label;
    if (current) this.label(current.label);
  }

  /** An error category switched in the tags; a label given already is given again with it. */
  toggleCategory(id: string): void {
    this.page.reviewBar.toggleCategory(id);
    this.relabel();
  }

  editText(step: number, target: string, what: string, initial: string, shown: HTMLElement): void {
    if (!this.page.timeline.startTyping(step)) return;
    const editor = textEditor({
      initial,
      label: `The ${what} of turn ${step}`,
      multiline: what !== 'query',
      commit: (text) => this.edit({ op: 'set_text', target, text }),
      closed: () => this.page.timeline.doneTyping(step),
    });
    shown.replaceWith(editor);
  }

  insertReflection(step: number, card: HTMLElement): void {
    if (!this.page.timeline.startTyping(step)) return;
    const editor = textEditor({
      initial: '',
      label: `A reflection to insert in turn ${step}`,
      multiline: true,
      commit: (text) => {
        if (text.trim()) this.edit({ op: 'insert_reflection', target: step, kind: 'reflect', text });
      },
      closed: () => this.page.timeline.doneTyping(step),
    });
    const head = card.querySelector('.turn-tools') ?? card.querySelector('.turn-head');
    head?.after(el('div', { class: 'reasoning kind-reflect inserting' }, el('span', { class: 'kind' }, 'reflect'), editor));
  }

  /** `t`: the selected turn's query or answer, or its last reasoning. */
  editTextOf(step: number): void {
    this.page.select(step, true);
    const turn = this.page.model().turn(step);
    const a = turn.action;
    const target = a?.kind === 'text_search' || a?.kind === 'answer' ? turn.actionId : turn.reflections.at(-1)?.id;
    const holder = target ? this.page.timeline.card(step)?.querySelector<HTMLElement>(`.editable-text[data-target="${CSS.escape(target)}"]`) : null;
    holder?.querySelector<HTMLElement>('.edit-text')?.click();
  }
}

/** Why the scheme refuses a label, in the bar's words. */
function schemeProblemText(scheme: LabelScheme, p: SchemeProblem): string {
  const from = scheme.source ? ` (the scheme ${scheme.source})` : '';
  switch (p.kind) {
    case 'unknownVerdict':
      return `${p.label} is not one of the verdicts${from}`;
    case 'verdictNeedsReason':
      return `a ${scheme.verdicts.find((v) => v.label === p.label)?.name ?? p.label} verdict needs a reason: write it in the note${from}`;
    case 'unknownCategory':
      return `"${p.tag}" is not an error category; use ${scheme.categories.map((c) => c.id).join(', ')}${from}`;
    case 'categoryNeedsReason':
      return `the error category ${p.tag} needs a reason: write it in the note${from}`;
    default: {
      const never: never = p;
      return never;
    }
  }
}
