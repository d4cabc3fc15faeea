// The trajectory panel: header, outcome, image with gaze boxes, one card per turn. Takes
// host messages (a whole file, chunks of a large one, or a live run's events) and renders
// only what changed. In an editor it also edits: the corrected trajectory is shown (the
// original one key away), changed steps are marked, and every edit is shown at once and
// sent to the host, which keeps the document and VS Code's undo stack.
// Performance marks: gog:init, gog:first-paint, gog:rendered, gog:edited.
import type { CorrectedTrajectory } from '../src/core/annotations';
import { MIN_BOX_SIDE_SENT } from '../src/core/geometry';
import { DEFAULT_LABEL_SCHEME, schemeProblem, type LabelScheme, type SchemeProblem } from '../src/core/labelSchemeRules';
import type { AnnotationEvent, Edit, Label, TrajectoryEvent, TrajectoryHeader } from '../src/core/trajectory';
import type { HostMessage, ResponseOf } from '../src/shared/messages';
import { AnnotationState } from './annotationState';
import { limitsFor, type Box } from './boxMath';
import { append, clear, el, icon } from './dom';
import type { Host } from './host';
import { ImageView, type ShownGaze } from './imageView';
import { TrajectoryModel } from './model';
import { headerView, outcomeView } from './outcomeView';
import { ReviewBar, type QueueStatus } from './reviewBar';
import { DEFAULT_KEYS, historyKeyFor, keysFor, shortcutFor, shortcutSheet, type Keys, type Shortcut, type ShortcutAction } from './shortcuts';
import { textEditor } from './textEdit';
import { button } from './toolkit';
import { turnCard, turnShell, type CardContext, type CardEditing, type CardMarks } from './turnCard';

/** Time spent drawing queued cards per animation frame, so large files never block the page. */
const FRAME_BUDGET_MS = 8;
/** Cards drawn in full from the start; the rest are drawn in full as they come near the view. */
const EAGER_CARDS = 12;
/**
 * Cards whose images load as soon as they are drawn on opening: they are what the panel shows
 * first, and a lazy image waits for a layout before it is even fetched. The others stay lazy.
 */
const FIRST_SCREEN_CARDS = 2;

/** The run's images the host allows, and the ones it refused with why. */
export interface AssetResolver {
  url(rel: string | undefined): string | undefined;
  refusal(rel: string | undefined): string | undefined;
  refusals(): [string, string][];
}

/** An id for an annotation made here (messages.ts ANNOTATION_ID). */
function newAnnotationId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return `u${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export class TrajectoryApp {
  private model = new TrajectoryModel();
  private readonly state = new AnnotationState();
  private header: TrajectoryHeader | null = null;
  private readonly top = el('div', { class: 'top' });
  private readonly head = el('div', { class: 'head' });
  private readonly related = el('div', { class: 'related' });
  private readonly outcomeRow = el('div', { class: 'outcome-row' });
  private readonly controls = el('div', { class: 'controls' });
  private readonly timeline = el('section', { class: 'timeline', attrs: { 'aria-label': 'Turns' } });
  private readonly image: ImageView;
  private readonly reviewBar: ReviewBar;
  private readonly cards = new Map<number, HTMLElement>();
  private title = '';
  private live = false;
  private running = false;
  private cancelling = false;
  private status?: string;
  private problems: { line: number; message: string }[] = [];
  private selected?: number;
  private linked?: number;
  /** An editor: editing and labelling on. */
  private editable = false;
  /** Who unsaved annotations will be saved as (an editor), to tell their own saved verdict from others'. */
  private annotator: string | undefined;
  /** The project's label scheme (an editor): the verdicts and categories offered, the reasons asked for. */
  private scheme: LabelScheme = DEFAULT_LABEL_SCHEME;
  private keys: Keys = DEFAULT_KEYS;
  /** Showing the trajectory as recorded rather than as corrected. */
  private showOriginal = false;
  private corrected: CorrectedTrajectory | undefined;
  /** Gaze boxes as recorded, by action id: where a corrected box was. */
  private readonly recordedBoxes = new Map<string, Box>();
  private queueStatus: QueueStatus | undefined;
  private relatedRuns: ResponseOf<'related'> | undefined;
  private sheet: HTMLElement | undefined;
  /** The turn whose text is being typed: it is not redrawn under the annotator's hands. */
  private typingIn: number | undefined;
  /** Cards waiting to be drawn, drawn a frame's budget at a time. */
  private readonly queue = new Set<number>();
  private frame?: number;
  private loading = false;
  private renderedOnce = false;
  /** Steps drawn in full (the others are shells until they scroll near). */
  private readonly full = new Set<number>();
  private readonly nearView = new IntersectionObserver(
    (entries) => {
      for (const e of entries) {
        if (!e.isIntersecting) continue;
        const step = Number((e.target as HTMLElement).dataset.step);
        this.nearView.unobserve(e.target);
        this.full.add(step);
        this.enqueue(step);
      }
    },
    { rootMargin: '1200px 0px' },
  );
  private firstPaintMarked = false;

  constructor(
    root: HTMLElement,
    private readonly host: Host,
    private readonly assets: AssetResolver,
    private readonly openLink: (url: string) => void,
  ) {
    const state = host.state();
    this.selected = state.selectedStep;
    this.image = new ImageView(
      {
        hover: (step) => this.link(step),
        select: (step) => this.select(step, true),
        toggleBoxes: (hidden) => this.saveState({ hideBoxes: hidden }),
        zoomChanged: (zoom) => this.saveState({ zoom }),
        boxEdited: (step, box) => this.editBox(step, box),
      },
      !!state.hideBoxes,
    );
    this.reviewBar = new ReviewBar({
      label: (l) => this.label(l),
      category: (id) => this.toggleCategory(id),
      noteChanged: () => {
        const current = this.state.corrected().label;
        if (current) this.label(current.label);
      },
      toggleOriginal: () => this.toggleOriginal(),
      queue: (move) => this.moveInQueue(move),
      help: () => this.toggleSheet(),
    });
    this.reviewBar.element.hidden = true;
    append(this.top, this.head, this.related, this.outcomeRow, this.reviewBar.element);
    append(root, this.top, this.image.element, this.timeline);
    document.addEventListener('keydown', (e) => this.onKey(e));
    // Before VS Code's own listener on this window sees Ctrl+Z (historyKeyFor says why).
    window.addEventListener('keydown', (e) => this.onHistoryKey(e), { capture: true });
    window.addEventListener('scroll', () => this.saveState({ scrollTop: window.scrollY }), { passive: true });
  }

  private readonly marks: CardMarks = {
    changed: (id) => id !== undefined && !!this.corrected?.changed.has(id),
    changedBy: (id) => (id === undefined ? undefined : this.corrected?.changedBy.get(id)),
    inserted: (id) => id !== undefined && !!this.corrected?.active.some((a) => a.id === id && a.edit.op === 'insert_reflection'),
    dropped: (step) => !!this.corrected?.dropped.has(step),
    boxBefore: (id) => (id !== undefined && !this.showOriginal && this.corrected?.changed.has(id) ? this.recordedBoxes.get(id) : undefined),
  };

  private readonly editing: CardEditing = {
    text: (step, target, what, initial, shown) => this.editText(step, target, what, initial, shown),
    insertReflection: (step, card) => this.insertReflection(step, card),
    removeInserted: (id) => this.edit({ op: 'revert', target: id }),
    toggleDrop: (step) => this.edit({ op: this.corrected?.dropped.has(step) ? 'restore_step' : 'drop_step', target: step }),
    editBox: (step) => {
      this.select(step, true);
      this.image.focusBox(step);
    },
    rerun: (step) => {
      this.host.request({ method: 'rerunFromStep', step }).catch((e: Error) => this.reviewBar.say(`Re-run from turn ${step}: ${e.message}`));
    },
  };

  private readonly cardContext: CardContext = {
    asset: (rel) => this.assets.url(rel),
    refusal: (rel) => this.assets.refusal(rel),
    openLink: (url) => this.openLink(url),
    hover: (step) => this.link(step),
    select: (step) => this.select(step, false),
  };

  handle(message: HostMessage): void {
    switch (message.type) {
      case 'init':
        return this.init(message);
      case 'events':
        return this.addEvents(message.events, message.complete, Object.keys(message.refused ?? {}).length > 0, message.pending);
      case 'pending': {
        const before = this.state.annotations();
        if (this.state.setPending(message)) this.annotationsChanged(before);
        return;
      }
      case 'queue':
        this.queueStatus = message;
        return this.renderReviewBar();
      case 'delta':
        this.model.streamDelta(message.step, message.text);
        this.full.add(message.step);
        return this.enqueue(message.step);
      case 'status':
        this.running = message.running;
        this.status = message.message;
        if (!message.running) this.cancelling = false;
        return this.renderOutcome();
      case 'response':
        return this.host.resolve(message.requestId, message.ok, message.result, message.error);
    }
  }

  private init(m: Extract<HostMessage, { type: 'init' }>): void {
    performance.mark('gog:init');
    this.header = m.header;
    this.title = m.title;
    this.live = m.live;
    this.running = m.live;
    this.problems = m.problems;
    this.editable = !!m.editable && this.host.connected;
    this.annotator = m.annotator;
    this.setScheme(m);
    this.showOriginal = this.editable && !!this.host.state().original;
    if (m.source) this.saveState({ trajectory: m.source });
    this.state.reset(m.header, m.events);
    if (m.pending) this.state.setPending(m.pending);
    this.recordedBoxes.clear();
    this.learnBoxes(m.events);
    this.rebuildModel();
    this.cards.clear();
    clear(this.timeline);
    this.queue.clear();
    this.renderedOnce = false;
    this.full.clear();
    this.nearView.disconnect();
    this.typingIn = undefined;
    for (const t of this.model.turns.slice(0, EAGER_CARDS)) this.full.add(t.step);
    if (m.header) {
      const h = m.header;
      this.image.setImage(this.assets.url(h.image.sent.path ?? h.image.path), h.image.oriented, `The image asked about: ${h.question}`);
    }
    this.enableBoxEditing();
    this.image.setGazes(this.shownGazes());
    this.image.setFocus(this.selected);
    this.renderHead();
    this.renderOutcome();
    this.reviewBar.element.hidden = !this.editable;
    this.renderReviewBar();
    this.relatedRuns = undefined;
    this.renderRelated();
    if (this.editable) {
      this.host.request({ method: 'related' }).then(
        (r) => {
          this.relatedRuns = r;
          this.renderRelated();
        },
        () => undefined,
      );
    }
    this.loading = !m.complete;
    for (const t of this.model.turns) this.queue.add(t.step);
    // The first cards now, the rest frame by frame, so the panel paints at once.
    this.drain();
    requestAnimationFrame(() => {
      if (!this.firstPaintMarked) {
        this.firstPaintMarked = true;
        performance.mark('gog:first-paint');
      }
    });
  }

  /** The scheme the host sent (the default without one): the bar's verdicts and categories, and their keys. */
  private setScheme(m: Extract<HostMessage, { type: 'init' }>): void {
    this.scheme = m.scheme ?? DEFAULT_LABEL_SCHEME;
    this.keys = keysFor(this.scheme);
    const keyOf = new Map<string, string>();
    for (const s of this.keys.shortcuts) {
      if (s.action === 'verdict' && s.label) keyOf.set(s.label, s.keys[0]!);
      if (s.action === 'category' && s.category) keyOf.set(`category:${s.category}`, s.keys[0]!);
    }
    const notices = [...(m.schemeWarning ? [m.schemeWarning] : []), ...this.keys.clashes.map((c) => `${this.scheme.source ?? 'label scheme'}: ${c}`)];
    this.reviewBar.setScheme(this.scheme, keyOf, notices);
    this.reviewBar.setBlind(m.blind);
  }

  private learnBoxes(events: readonly TrajectoryEvent[]): void {
    for (const e of events)
      if (e.type === 'action' && e.id && e.action.kind === 'image_search' && e.action.box) this.recordedBoxes.set(e.id, e.action.box.original);
  }

  /** The events shown: as recorded, or as corrected (the same when nothing is annotated). */
  private shownEvents(): readonly TrajectoryEvent[] {
    if (!this.state.annotated || this.showOriginal) return this.state.original;
    return this.corrected!.events;
  }

  private rebuildModel(): void {
    this.corrected = this.state.annotated ? this.state.corrected() : undefined;
    this.cardContext.marks = this.corrected ? this.marks : undefined;
    this.cardContext.edit = this.editable && !this.showOriginal ? this.editing : undefined;
    const model = new TrajectoryModel(this.header);
    for (const e of this.shownEvents()) model.apply(e);
    // A live run's text streamed so far is not in any event yet.
    for (const t of this.model.turns) if (t.streaming !== undefined && !t.modelTurn) model.streamDelta(t.step, t.streaming);
    this.model = model;
  }

  private shownGazes(): ShownGaze[] {
    return this.model.gazes.map((g) => {
      const dropped = !!this.corrected?.dropped.has(g.step);
      const id = this.model.turn(g.step).actionId;
      const before = this.marks.boxBefore(id);
      return { ...g, ...(dropped ? { dropped } : {}), ...(before ? { changed: true, was: before } : {}) };
    });
  }

  private enableBoxEditing(): void {
    const h = this.header;
    this.image.editing.enable(this.editable && !this.showOriginal && h ? limitsFor(h.image.oriented, h.image.sent, MIN_BOX_SIDE_SENT) : undefined);
  }

  private addEvents(events: TrajectoryEvent[], complete: boolean, newlyRefused: boolean, pending?: Extract<HostMessage, { type: 'events' }>['pending']): void {
    if (newlyRefused) this.renderHead();
    if (complete) this.loading = false;
    const before = this.state.annotations();
    const wasAnnotated = this.state.annotated;
    this.state.add(events);
    if (pending) this.state.setPending(pending);
    this.learnBoxes(events);
    if (wasAnnotated || this.state.annotated) {
      // Annotations make every step depend on the whole record: recompute, redraw what changed.
      for (const e of events) if (e.type !== 'annotation') this.queue.add(e.step);
      return this.annotationsChanged(before, events.length > 1 ? 'frame' : 'now');
    }
    let gazesChanged = false;
    for (const e of events) {
      const step = this.model.apply(e);
      if (step !== undefined) {
        this.queue.add(step);
        // A live run's steps are what the user is watching: always in full.
        if (this.live || this.full.size < EAGER_CARDS) this.full.add(step);
      }
      if (e.type === 'action' && e.action.kind === 'image_search' && e.action.scope === 'region') gazesChanged = true;
      if (e.type === 'final') this.running = false;
    }
    if (gazesChanged) {
      this.image.setGazes(this.shownGazes());
      this.image.setFocus(this.selected);
    }
    this.renderOutcome();
    // A live event is drawn at once; a chunk of a large file frame by frame.
    if (events.length === 1) this.drain(Infinity);
    else this.schedule();
  }

  /**
   * The annotations changed (an edit here, the host's pending list, annotations read from
   * the file): recompute the corrected trajectory and redraw the turns they touch.
   */
  private annotationsChanged(before: readonly AnnotationEvent[], when: 'now' | 'frame' = 'now'): void {
    const after = this.state.annotations();
    const ids = (list: readonly AnnotationEvent[]) => new Set(list.map((a) => a.id));
    const had = ids(before);
    const has = ids(after);
    const touched = [...before.filter((a) => !has.has(a.id)), ...after.filter((a) => !had.has(a.id))];
    this.rebuildModel();
    const steps = new Set(this.model.turns.map((t) => t.step));
    for (const a of touched) {
      // A step-0 annotation other than a label points at something not found: redraw everything.
      if (a.step === 0 && a.edit.op !== 'label') for (const s of steps) this.queue.add(s);
      else if (a.step > 0) this.queue.add(a.step);
    }
    this.image.setGazes(this.shownGazes());
    this.image.setFocus(this.selected);
    this.renderOutcome();
    this.renderReviewBar();
    if (when === 'now') this.drain(Infinity);
    else this.schedule();
    performance.mark('gog:edited');
  }

  private enqueue(step: number): void {
    this.queue.add(step);
    this.schedule();
  }

  private schedule(): void {
    this.frame ??= requestAnimationFrame(() => {
      this.frame = undefined;
      this.drain();
    });
  }

  /** Draws queued cards, in step order, until the frame's budget is spent. */
  private drain(budget = FRAME_BUDGET_MS): void {
    const started = performance.now();
    const steps = [...this.queue].sort((a, b) => a - b);
    for (const step of steps) {
      this.queue.delete(step);
      this.renderCard(step);
      if (performance.now() - started > budget) break;
    }
    if (this.queue.size) this.schedule();
    else if (!this.loading) this.loaded();
  }

  /** Once per init: every card is drawn; put back where the user was. */
  private loaded(): void {
    if (this.renderedOnce) return;
    this.renderedOnce = true;
    performance.mark('gog:rendered');
    const saved = this.host.state();
    if (saved.scrollTop) window.scrollTo(0, saved.scrollTop);
    if (saved.zoom && saved.zoom > 1) this.image.setZoom(saved.zoom);
  }

  private renderCard(step: number): void {
    // Redrawn when the editor closes, with whatever changed meanwhile.
    if (step === this.typingIn) return;
    const turn = this.model.turn(step);
    const old = this.cards.get(step);
    if (step === 0 && !turn.modelTurn && !turn.notices.length && !turn.reflections.length) {
      old?.remove();
      this.cards.delete(step);
      return;
    }
    const shell = !this.full.has(step);
    const card = shell ? turnShell(turn, this.cardContext) : turnCard(turn, this.cardContext);
    card.classList.toggle('selected', step === this.selected);
    card.classList.toggle('linked', step === this.linked);
    if (!this.renderedOnce && this.model.turns.slice(0, FIRST_SCREEN_CARDS).includes(turn))
      for (const img of card.querySelectorAll('img')) img.loading = 'eager';
    if (old) this.nearView.unobserve(old);
    if (shell) this.nearView.observe(card);
    if (old) old.replaceWith(card);
    else {
      // Steps almost always arrive in order; otherwise find the place.
      const after = [...this.cards.keys()].filter((s) => s > step).sort((a, b) => a - b)[0];
      if (after === undefined) this.timeline.appendChild(card);
      else this.timeline.insertBefore(card, this.cards.get(after)!);
    }
    this.cards.set(step, card);
  }

  private renderHead(): void {
    clear(this.head);
    const problems = this.problems.length
      ? el(
          'section',
          { class: 'problems', attrs: { role: 'alert' } },
          icon('warning'),
          ` ${this.problems.length} line${this.problems.length === 1 ? '' : 's'} of this file could not be read and are not shown (the rest is):`,
          el('ul', {}, ...this.problems.slice(0, 20).map((p) => el('li', { class: 'text' }, `line ${p.line}: ${p.message}`))),
        )
      : null;
    const withheld = this.assets.refusals();
    const refusedImages = withheld.length
      ? el(
          'section',
          { class: 'problems withheld', attrs: { role: 'alert' } },
          icon('shield'),
          ` ${withheld.length} image${withheld.length === 1 ? '' : 's'} named by this record ${withheld.length === 1 ? 'is' : 'are'} not shown:`,
          el('ul', {}, ...withheld.slice(0, 20).map(([rel, reason]) => el('li', { class: 'text' }, `${rel} ${reason}`))),
        )
      : null;
    append(this.head, problems, refusedImages, headerView(this.header, this.title));
  }

  /** The run this one branched from, and its branches: links in an editor, text elsewhere. */
  private renderRelated(): void {
    clear(this.related);
    const open = (file: string) => this.host.request({ method: 'openTrajectory', file }).catch((e: Error) => this.reviewBar.say(e.message));
    const link = (file: string, text: string) => {
      const b = el('button', { class: 'link-button', attrs: { type: 'button' }, title: file }, text);
      b.addEventListener('click', () => void open(file));
      return b;
    };
    const keep = (file: string, what: string) => {
      const b = el('button', { class: 'link-button keep-branch', attrs: { type: 'button' }, title: what }, icon('check'), ' Keep this branch');
      b.addEventListener('click', () => {
        this.host.request({ method: 'keepBranch', file }).catch((e: Error) => this.reviewBar.say(`Not kept: ${e.message}`));
      });
      return this.editable ? b : null;
    };
    const r = this.relatedRuns;
    const parent =
      r?.parent ?? (this.header?.parent ? { file: this.header.parent.file, label: this.header.parent.file, step: this.header.parent.step } : undefined);
    if (parent) {
      append(
        this.related,
        el(
          'div',
          { class: 'parent' },
          icon('git-branch'),
          ` A branch: re-run from turn ${parent.step ?? '?'} of `,
          r?.parent && !r.parent.missing
            ? link(parent.file, parent.file)
            : el('span', { class: 'text' }, `${parent.file}${r?.parent?.missing ? ' (not found)' : ''}`),
          r?.parent && !r.parent.missing ? ' · ' : null,
          r?.parent && !r.parent.missing ? keep(parent.file, 'Label this branch accepted and its parent rejected') : null,
        ),
      );
    }
    if (r?.branches.length) {
      append(
        this.related,
        el(
          'div',
          { class: 'branches' },
          icon('git-branch'),
          ` ${r.branches.length} branch${r.branches.length === 1 ? '' : 'es'}: `,
          el(
            'ul',
            {},
            ...r.branches.map((b) =>
              el(
                'li',
                {},
                link(b.file, b.file),
                el('span', { class: 'dim text' }, ` · from turn ${b.step ?? '?'}${b.answer !== undefined ? ` · answer: ${b.answer ?? '(none)'}` : ''} · `),
                keep(b.file, 'Label that branch accepted and this trajectory rejected'),
              ),
            ),
          ),
        ),
      );
    }
  }

  private renderOutcome(): void {
    clear(this.outcomeRow);
    clear(this.controls);
    if (this.live && this.running) {
      const cancel = button(this.cancelling ? 'Cancelling…' : 'Cancel', {
        icon: 'debug-stop',
        onClick: () => this.cancel(),
        title: 'Stop the run; the trajectory so far is kept',
      });
      if (this.cancelling) cancel.setAttribute('disabled', '');
      append(this.controls, cancel);
    }
    const answerTurn = this.model.turns.find((t) => t.action?.kind === 'answer' && t.actionId);
    const editAnswer = this.cardContext.edit && answerTurn ? () => this.editTextOf(answerTurn.step) : undefined;
    append(this.outcomeRow, outcomeView(this.model, this.live && this.running, this.status, editAnswer), this.controls);
  }

  private renderReviewBar(): void {
    if (!this.editable) return;
    this.reviewBar.update({
      label: this.state.corrected().label,
      labels: [...this.state.corrected().labels.values()],
      annotator: this.annotator,
      unsaved: this.state.unsaved,
      original: this.showOriginal,
      annotated: this.state.annotated,
      queue: this.queueStatus,
    });
  }

  private cancel(): void {
    if (this.cancelling) return;
    this.cancelling = true;
    this.renderOutcome();
    this.host.request({ method: 'cancel' }).catch(() => {
      this.cancelling = false;
      this.renderOutcome();
    });
  }

  /** Shows an edit at once and sends it; the host's answer settles it (or takes it back, saying why). */
  private edit(edit: Edit): void {
    const id = newAnnotationId();
    const before = this.state.annotations();
    this.state.propose(id, edit);
    this.annotationsChanged(before);
    this.host.request({ method: 'edit', id, edit }).then(
      () => this.state.settle(id),
      (e: Error) => {
        const was = this.state.annotations();
        this.state.settle(id);
        this.annotationsChanged(was);
        this.reviewBar.say(`Not recorded: ${e.message}`);
      },
    );
  }

  private editBox(step: number, box: Box): void {
    const id = this.model.turn(step).actionId;
    if (id) this.edit({ op: 'set_box', target: id, box });
  }

  private label(label: Label): void {
    const note = this.reviewBar.note;
    const tags = this.reviewBar.tags;
    // A label the scheme refuses is not sent: the bar says why.
    const problem = schemeProblem(this.scheme, label, tags, note || undefined);
    if (problem) return this.reviewBar.say(`Not labelled: ${this.schemeProblemText(problem)}.`);
    this.edit({ op: 'label', label, ...(note ? { note } : {}), ...(tags.length ? { tags } : {}) });
  }

  private schemeProblemText(p: SchemeProblem): string {
    const from = this.scheme.source ? ` (the scheme ${this.scheme.source})` : '';
    switch (p.kind) {
      case 'unknownVerdict':
        return `${p.label} is not one of the verdicts${from}`;
      case 'verdictNeedsReason':
        return `a ${this.scheme.verdicts.find((v) => v.label === p.label)?.name ?? p.label} verdict needs a reason: write it in the note${from}`;
      case 'unknownCategory':
        return `"${p.tag}" is not an error category; use ${this.scheme.categories.map((c) => c.id).join(', ')}${from}`;
      case 'categoryNeedsReason':
        return `the error category ${p.tag} needs a reason: write it in the note${from}`;
      default: {
        const never: never = p;
        return never;
      }
    }
  }

  /** An error category switched in the tags; a label given already is given again with it. */
  private toggleCategory(id: string): void {
    this.reviewBar.toggleCategory(id);
    const current = this.state.corrected().label;
    if (current) this.label(current.label);
  }

  private editText(step: number, target: string, what: string, initial: string, shown: HTMLElement): void {
    if (this.typingIn !== undefined) return;
    this.typingIn = step;
    const editor = textEditor({
      initial,
      label: `The ${what} of turn ${step}`,
      multiline: what !== 'query',
      commit: (text) => this.edit({ op: 'set_text', target, text }),
      closed: () => this.doneTyping(step),
    });
    shown.replaceWith(editor);
  }

  private insertReflection(step: number, card: HTMLElement): void {
    if (this.typingIn !== undefined) return;
    this.typingIn = step;
    const editor = textEditor({
      initial: '',
      label: `A reflection to insert in turn ${step}`,
      multiline: true,
      commit: (text) => {
        if (text.trim()) this.edit({ op: 'insert_reflection', target: step, kind: 'reflect', text });
      },
      closed: () => this.doneTyping(step),
    });
    const head = card.querySelector('.turn-tools') ?? card.querySelector('.turn-head');
    head?.after(el('div', { class: 'reasoning kind-reflect inserting' }, el('span', { class: 'kind' }, 'reflect'), editor));
  }

  private doneTyping(step: number): void {
    this.typingIn = undefined;
    this.renderCard(step);
    this.cards.get(step)?.focus({ preventScroll: true });
  }

  /** `t`: the selected turn's query or answer, or its last reasoning. */
  private editTextOf(step: number): void {
    this.select(step, true);
    const turn = this.model.turn(step);
    const a = turn.action;
    const target = a?.kind === 'text_search' || a?.kind === 'answer' ? turn.actionId : turn.reflections.at(-1)?.id;
    const holder = target ? this.cards.get(step)?.querySelector<HTMLElement>(`.editable-text[data-target="${CSS.escape(target)}"]`) : null;
    holder?.querySelector<HTMLElement>('.edit-text')?.click();
  }

  private toggleOriginal(): void {
    if (!this.state.annotated && !this.showOriginal) return;
    this.showOriginal = !this.showOriginal;
    this.saveState({ original: this.showOriginal });
    this.rebuildModel();
    this.enableBoxEditing();
    for (const t of this.model.turns) this.queue.add(t.step);
    this.image.setGazes(this.shownGazes());
    this.image.setFocus(this.selected);
    this.renderOutcome();
    this.renderReviewBar();
    this.drain(Infinity);
  }

  private moveInQueue(move: 'next' | 'previous'): void {
    this.host.request({ method: 'queue', move }).catch((e: Error) => this.reviewBar.say(e.message));
  }

  private toggleSheet(): void {
    if (this.sheet) {
      this.sheet.remove();
      this.sheet = undefined;
      return;
    }
    this.sheet = shortcutSheet(this.editable, () => this.toggleSheet(), this.keys);
    document.body.appendChild(this.sheet);
    this.sheet.focus();
  }

  private link(step: number | undefined): void {
    if (this.linked === step) return;
    if (this.linked !== undefined) this.cards.get(this.linked)?.classList.remove('linked');
    this.linked = step;
    if (step !== undefined) this.cards.get(step)?.classList.add('linked');
    this.image.highlight(step);
  }

  select(step: number, reveal: boolean): void {
    if (this.selected !== undefined) this.cards.get(this.selected)?.classList.remove('selected');
    this.selected = step;
    if (!this.full.has(step)) {
      this.full.add(step);
      this.renderCard(step);
    }
    const card = this.cards.get(step);
    card?.classList.add('selected');
    if (reveal) card?.scrollIntoView({ block: 'nearest' });
    this.image.setFocus(step);
    this.saveState({ selectedStep: step });
  }

  private onKey(e: KeyboardEvent): void {
    // Typing is never a shortcut; Ctrl and Cmd combinations are VS Code's (Ctrl+S).
    if (isTyping(e)) return;
    if (e.metaKey || e.ctrlKey || e.altKey) return;
    const shortcut = shortcutFor(e.key, this.editable, this.keys);
    if (!shortcut) return;
    e.preventDefault();
    this.run(shortcut.action, shortcut);
  }

  private onHistoryKey(e: KeyboardEvent): void {
    // In a text field the key is the field's own undo.
    if (!this.editable || isTyping(e)) return;
    const action = historyKeyFor(e);
    if (!action) return;
    e.preventDefault();
    e.stopPropagation();
    this.run(action);
  }

  private run(action: ShortcutAction, shortcut?: Shortcut): void {
    const steps = [...this.cards.keys()].sort((a, b) => a - b);
    const at = this.selected === undefined ? -1 : steps.indexOf(this.selected);
    const selected = this.selected ?? steps[0];
    const needsCorrected = () => {
      if (this.showOriginal) this.reviewBar.say('Showing the original trajectory: press o to edit the corrected one.');
      return !this.showOriginal && selected !== undefined;
    };
    switch (action) {
      case 'nextTurn':
        if (steps.length) this.select(steps[Math.min(steps.length - 1, at + 1)]!, true);
        return;
      case 'previousTurn':
        if (steps.length) this.select(steps[Math.max(0, at - 1)]!, true);
        return;
      case 'zoom':
        return this.image.zoomToFocus();
      case 'resetZoom':
        return this.image.setZoom(1);
      case 'toggleBoxes': {
        const hidden = !this.image.element.classList.contains('boxes-hidden');
        this.image.setBoxesHidden(hidden);
        this.saveState({ hideBoxes: hidden });
        return;
      }
      case 'help':
        return this.toggleSheet();
      case 'verdict':
        if (shortcut?.label) this.label(shortcut.label);
        return;
      case 'category':
        if (shortcut?.category) this.toggleCategory(shortcut.category);
        return;
      case 'toggleOriginal':
        return this.toggleOriginal();
      case 'undo':
      case 'redo':
        this.host.request({ method: 'history', action: action }).catch((e: Error) => this.reviewBar.say(e.message));
        return;
      case 'nextTrajectory':
        return this.moveInQueue('next');
      case 'previousTrajectory':
        return this.moveInQueue('previous');
      case 'editBox': {
        if (!needsCorrected()) return;
        // The selected turn's gaze, or the first gaze when the selected turn has none.
        const step = this.model.gazes.some((g) => g.step === selected) ? selected! : this.model.gazes[0]?.step;
        if (step === undefined) return this.reviewBar.say('This trajectory has no gaze box to edit.');
        this.select(step, true);
        this.image.focusBox(step);
        return;
      }
      case 'editText':
        if (needsCorrected()) this.editTextOf(selected!);
        return;
      case 'dropStep':
        if (needsCorrected()) this.editing.toggleDrop(selected!);
        return;
      case 'insertReflection':
        if (!needsCorrected()) return;
        this.select(selected!, true);
        if (this.cards.get(selected!)) this.insertReflection(selected!, this.cards.get(selected!)!);
        return;
      default: {
        const never: never = action;
        return never;
      }
    }
  }

  private saveState(patch: Partial<ReturnType<Host['state']>>): void {
    this.host.saveState({ ...this.host.state(), ...patch });
  }
}

/** A key pressed in a text field: the field's, never a shortcut. */
function isTyping(e: KeyboardEvent): boolean {
  const target = e.target as HTMLElement | null;
  return !!target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}
