// The trajectory panel: header, outcome, image with gaze boxes, one card per turn. Takes
// host messages (a whole file, chunks of a large one, or a live run's events) and renders
// only what changed. In an editor it also edits (editing.ts): the corrected trajectory is
// shown (the original one key away), changed steps are marked, and every edit is shown at
// once and sent to the host, which keeps the document and VS Code's undo stack. What is
// shown comes from shownTrajectory.ts, the cards are drawn by cardTimeline.ts and the keys
// heard by panelKeys.ts; this class holds the page's state, takes the host's messages and
// puts the parts together.
// Performance marks: gog:init, gog:first-paint, gog:rendered, gog:edited.
import { MIN_BOX_SIDE_SENT } from '../src/core/geometry';
import { DEFAULT_LABEL_SCHEME, type LabelScheme } from '../src/core/labelSchemeRules';
import type { AnnotationEvent, TrajectoryEvent } from '../src/core/trajectory';
import type { HostMessage, ResponseOf } from '../src/shared/messages';
import { AnnotationState } from './annotationState';
import { limitsFor } from './boxMath';
import { CardTimeline } from './cardTimeline';
import { append, clear, el } from './dom';
import { PageEditing } from './editing';
import { fileProblemsView, withheldImagesView } from './fileProblems';
import type { Host } from './host';
import { ImageView } from './imageView';
import { headerView, outcomeView } from './outcomeView';
import { listenForKeys } from './panelKeys';
import { renderRelatedRuns } from './relatedRuns';
import { ReviewBar, type QueueStatus } from './reviewBar';
import { DEFAULT_KEYS, keysFor, shortcutSheet, type Keys, type Shortcut, type ShortcutAction } from './shortcuts';
import { button } from './toolkit';
import { ShownTrajectory } from './shownTrajectory';
import type { CardContext, CardEditing } from './turnCard';

/** The run's images the host allows, and the ones it refused with why. */
export interface AssetResolver {
  url(rel: string | undefined): string | undefined;
  refusal(rel: string | undefined): string | undefined;
  refusals(): [string, string][];
}

export class TrajectoryApp {
  private readonly state = new AnnotationState();
  private readonly shown = new ShownTrajectory(this.state);
  private readonly top = el('div', { class: 'top' });
  private readonly head = el('div', { class: 'head' });
  private readonly related = el('div', { class: 'related' });
  private readonly outcomeRow = el('div', { class: 'outcome-row' });
  private readonly controls = el('div', { class: 'controls' });
  private readonly timeline: CardTimeline;
  private readonly image: ImageView;
  private readonly reviewBar: ReviewBar;
  private readonly editor: PageEditing;
  private title = '';
  private live = false;
  private running = false;
  private cancelling = false;
  private status?: string;
  private problems: { line: number; message: string }[] = [];
  /** An editor: editing and labelling on. */
  private editable = false;
  /** Who unsaved annotations will be saved as (an editor), to tell their own saved verdict from others'. */
  private annotator: string | undefined;
  /** The project's label scheme (an editor): the verdicts and categories offered, the reasons asked for. */
  private scheme: LabelScheme = DEFAULT_LABEL_SCHEME;
  private keys: Keys = DEFAULT_KEYS;
  private queueStatus: QueueStatus | undefined;
  private relatedRuns: ResponseOf<'related'> | undefined;
  private sheet: HTMLElement | undefined;
  private firstPaintMarked = false;

  constructor(
    root: HTMLElement,
    private readonly host: Host,
    private readonly assets: AssetResolver,
    private readonly openLink: (url: string) => void,
  ) {
    const state = host.state();
    this.timeline = new CardTimeline(
      {
        turns: () => this.shown.model.turns,
        turn: (step) => this.shown.model.turn(step),
        context: this.cardContext,
        loaded: () => this.loaded(),
      },
      state.selectedStep,
    );
    this.image = new ImageView(
      {
        hover: (step) => this.link(step),
        select: (step) => this.select(step, true),
        toggleBoxes: (hidden) => this.saveState({ hideBoxes: hidden }),
        zoomChanged: (zoom) => this.saveState({ zoom }),
        boxEdited: (step, box) => this.editor.editBox(step, box),
      },
      !!state.hideBoxes,
    );
    this.reviewBar = new ReviewBar({
      label: (l) => this.editor.label(l),
      category: (id) => this.editor.toggleCategory(id),
      noteChanged: () => this.editor.relabel(),
      toggleOriginal: () => this.toggleOriginal(),
      queue: (move) => this.moveInQueue(move),
      help: () => this.toggleSheet(),
    });
    this.editor = new PageEditing({
      host,
      state: this.state,
      reviewBar: this.reviewBar,
      timeline: this.timeline,
      model: () => this.shown.model,
      scheme: () => this.scheme,
      select: (step, reveal) => this.select(step, reveal),
      annotationsChanged: (before) => this.annotationsChanged(before),
    });
    this.reviewBar.element.hidden = true;
    append(this.top, this.head, this.related, this.outcomeRow, this.reviewBar.element);
    append(root, this.top, this.image.element, this.timeline.element);
    listenForKeys({ editable: () => this.editable, keys: () => this.keys, run: (action, shortcut) => this.run(action, shortcut) });
    window.addEventListener('scroll', () => this.saveState({ scrollTop: window.scrollY }), { passive: true });
  }

  private readonly editing: CardEditing = {
    text: (step, target, what, initial, shown) => this.editor.editText(step, target, what, initial, shown),
    insertReflection: (step, card) => this.editor.insertReflection(step, card),
    removeInserted: (id) => this.editor.edit({ op: 'revert', target: id }),
    toggleDrop: (step) => this.editor.edit({ op: this.shown.corrected?.dropped.has(step) ? 'restore_step' : 'drop_step', target: step }),
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
        this.shown.model.streamDelta(message.step, message.text);
        return this.timeline.streamed(message.step);
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
    this.title = m.title;
    this.live = m.live;
    this.running = m.live;
    this.problems = m.problems;
    this.editable = !!m.editable && this.host.connected;
    this.annotator = m.annotator;
    this.setScheme(m);
    this.shown.showOriginal = this.editable && !!this.host.state().original;
    if (m.source) this.saveState({ trajectory: m.source });
    this.state.reset(m.header, m.events);
    if (m.pending) this.state.setPending(m.pending);
    this.shown.reset(m.header, m.events);
    this.rebuildModel();
    this.timeline.reset(m.complete);
    if (m.header) {
      const h = m.header;
      this.image.setImage(this.assets.url(h.image.sent.path ?? h.image.path), h.image.oriented, `The image asked about: ${h.question}`);
    }
    this.enableBoxEditing();
    this.image.setGazes(this.shown.gazes());
    this.image.setFocus(this.timeline.selected);
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
    this.timeline.addAll();
    // The first cards now, the rest frame by frame, so the panel paints at once.
    this.timeline.drawSome();
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

  private rebuildModel(): void {
    this.shown.rebuild();
    this.cardContext.marks = this.shown.corrected ? this.shown.marks : undefined;
    this.cardContext.edit = this.editable && !this.shown.showOriginal ? this.editing : undefined;
  }

  private enableBoxEditing(): void {
    const h = this.shown.header;
    this.image.editing.enable(this.editable && !this.shown.showOriginal && h ? limitsFor(h.image.oriented, h.image.sent, MIN_BOX_SIDE_SENT) : undefined);
  }

  private addEvents(events: TrajectoryEvent[], complete: boolean, newlyRefused: boolean, pending?: Extract<HostMessage, { type: 'events' }>['pending']): void {
    if (newlyRefused) this.renderHead();
    if (complete) this.timeline.complete();
    const before = this.state.annotations();
    const wasAnnotated = this.state.annotated;
    this.state.add(events);
    if (pending) this.state.setPending(pending);
    this.shown.learnBoxes(events);
    if (wasAnnotated || this.state.annotated) {
      // Annotations make every step depend on the whole record: recompute, redraw what changed.
      for (const e of events) if (e.type !== 'annotation') this.timeline.add(e.step);
      return this.annotationsChanged(before, events.length > 1 ? 'frame' : 'now');
    }
    let gazesChanged = false;
    for (const e of events) {
      const step = this.shown.model.apply(e);
      if (step !== undefined) this.timeline.arrived(step, this.live);
      if (e.type === 'action' && e.action.kind === 'image_search' && e.action.scope === 'region') gazesChanged = true;
      if (e.type === 'final') this.running = false;
    }
    if (gazesChanged) {
      this.image.setGazes(this.shown.gazes());
      this.image.setFocus(this.timeline.selected);
    }
    this.renderOutcome();
    // A live event is drawn at once; a chunk of a large file frame by frame.
    if (events.length === 1) this.timeline.drawNow();
    else this.timeline.schedule();
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
    for (const a of touched) {
      // A step-0 annotation other than a label points at something not found: redraw everything.
      if (a.step === 0 && a.edit.op !== 'label') this.timeline.addAll();
      else if (a.step > 0) this.timeline.add(a.step);
    }
    this.image.setGazes(this.shown.gazes());
    this.image.setFocus(this.timeline.selected);
    this.renderOutcome();
    this.renderReviewBar();
    if (when === 'now') this.timeline.drawNow();
    else this.timeline.schedule();
    performance.mark('gog:edited');
  }

  /** Once per init: every card is drawn; put back where the user was. */
  private loaded(): void {
    performance.mark('gog:rendered');
    const saved = this.host.state();
    if (saved.scrollTop) window.scrollTo(0, saved.scrollTop);
    if (saved.zoom && saved.zoom > 1) this.image.setZoom(saved.zoom);
  }

  private renderHead(): void {
    clear(this.head);
    append(this.head, fileProblemsView(this.problems), withheldImagesView(this.assets.refusals()), headerView(this.shown.header, this.title));
  }

  /** The run this one branched from, and its branches: links in an editor, text elsewhere. */
  private renderRelated(): void {
    renderRelatedRuns(this.related, this.relatedRuns, this.shown.header, {
      open: (file) => void this.host.request({ method: 'openTrajectory', file }).catch((e: Error) => this.reviewBar.say(e.message)),
      keep: this.editable
        ? (file) => {
            this.host.request({ method: 'keepBranch', file }).catch((e: Error) => this.reviewBar.say(`Not kept: ${e.message}`));
          }
        : undefined,
    });
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
    const answerTurn = this.shown.model.turns.find((t) => t.action?.kind === 'answer' && t.actionId);
    const editAnswer = this.cardContext.edit && answerTurn ? () => this.editor.editTextOf(answerTurn.step) : undefined;
    append(this.outcomeRow, outcomeView(this.shown.model, this.live && this.running, this.status, editAnswer), this.controls);
  }

  private renderReviewBar(): void {
    if (!this.editable) return;
    this.reviewBar.update({
      label: this.state.corrected().label,
      labels: [...this.state.corrected().labels.values()],
      annotator: this.annotator,
      unsaved: this.state.unsaved,
      original: this.shown.showOriginal,
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

  private toggleOriginal(): void {
    if (!this.state.annotated && !this.shown.showOriginal) return;
    this.shown.showOriginal = !this.shown.showOriginal;
    this.saveState({ original: this.shown.showOriginal });
    this.rebuildModel();
    this.enableBoxEditing();
    this.timeline.addAll();
    this.image.setGazes(this.shown.gazes());
    this.image.setFocus(this.timeline.selected);
    this.renderOutcome();
    this.renderReviewBar();
    this.timeline.drawNow();
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
    if (this.timeline.link(step)) this.image.highlight(step);
  }

  select(step: number, reveal: boolean): void {
    this.timeline.select(step, reveal);
    this.image.setFocus(step);
    this.saveState({ selectedStep: step });
  }

  /** What a key (or its shortcut) does on this page. */
  private run(action: ShortcutAction, shortcut?: Shortcut): void {
    const steps = this.timeline.steps();
    const current = this.timeline.selected;
    const at = current === undefined ? -1 : steps.indexOf(current);
    const selected = current ?? steps[0];
    const needsCorrected = () => {
      if (this.shown.showOriginal) this.reviewBar.say('Showing the original trajectory: press o to edit the corrected one.');
      return !this.shown.showOriginal && selected !== undefined;
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
        if (shortcut?.label) this.editor.label(shortcut.label);
        return;
      case 'category':
        if (shortcut?.category) this.editor.toggleCategory(shortcut.category);
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
        const step = this.shown.model.gazes.some((g) => g.step === selected) ? selected! : this.shown.model.gazes[0]?.step;
        if (step === undefined) return this.reviewBar.say('This trajectory has no gaze box to edit.');
        this.select(step, true);
        this.image.focusBox(step);
        return;
      }
      case 'editText':
        if (needsCorrected()) this.editor.editTextOf(selected!);
        return;
      case 'dropStep':
        if (needsCorrected()) this.editing.toggleDrop(selected!);
        return;
      case 'insertReflection': {
        if (!needsCorrected()) return;
        this.select(selected!, true);
        const card = this.timeline.card(selected!);
        if (card) this.editor.insertReflection(selected!, card);
        return;
      }
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
