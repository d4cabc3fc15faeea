// The trajectory panel: header, outcome, image with gaze boxes, one card per turn. Takes
// host messages (a whole file, chunks of a large one, or a live run's events) and renders
// only what changed. Performance marks: gog:init, gog:first-paint, gog:rendered.
import type { HostMessage } from '../src/shared/messages';
import type { TrajectoryEvent } from '../src/core/trajectory';
import { append, clear, el, icon } from './dom';
import type { Host } from './host';
import { ImageView } from './imageView';
import { TrajectoryModel } from './model';
import { headerView, outcomeView } from './outcomeView';
import { button } from './toolkit';
import { turnCard, turnShell, type CardContext } from './turnCard';

/** Time spent drawing queued cards per animation frame, so large files never block the page. */
const FRAME_BUDGET_MS = 8;
/** Cards drawn in full from the start; the rest are drawn in full as they come near the view. */
const EAGER_CARDS = 12;

/** The run's images the host allows, and the ones it refused with why. */
export interface AssetResolver {
  url(rel: string | undefined): string | undefined;
  refusal(rel: string | undefined): string | undefined;
  refusals(): [string, string][];
}

export class TrajectoryApp {
  private model = new TrajectoryModel();
  private readonly top = el('div', { class: 'top' });
  private readonly head = el('div', { class: 'head' });
  private readonly outcomeRow = el('div', { class: 'outcome-row' });
  private readonly controls = el('div', { class: 'controls' });
  private readonly timeline = el('section', { class: 'timeline', attrs: { 'aria-label': 'Turns' } });
  private readonly image: ImageView;
  private readonly cards = new Map<number, HTMLElement>();
  private title = '';
  private live = false;
  private running = false;
  private cancelling = false;
  private status?: string;
  private problems: { line: number; message: string }[] = [];
  private selected?: number;
  private linked?: number;
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
      },
      !!state.hideBoxes,
    );
    append(this.top, this.head, this.outcomeRow);
    append(root, this.top, this.image.element, this.timeline);
    document.addEventListener('keydown', (e) => this.onKey(e));
    window.addEventListener('scroll', () => this.saveState({ scrollTop: window.scrollY }), { passive: true });
  }

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
        return this.addEvents(message.events, message.complete, Object.keys(message.refused ?? {}).length > 0);
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
        return this.host.resolve(message.requestId, message.ok, message.error);
    }
  }

  private init(m: Extract<HostMessage, { type: 'init' }>): void {
    performance.mark('gog:init');
    this.model = new TrajectoryModel(m.header);
    this.title = m.title;
    this.live = m.live;
    this.running = m.live;
    this.problems = m.problems;
    if (m.source) this.saveState({ trajectory: m.source });
    this.cards.clear();
    clear(this.timeline);
    this.queue.clear();
    this.renderedOnce = false;
    this.full.clear();
    this.nearView.disconnect();
    for (const e of m.events) this.model.apply(e);
    for (const t of this.model.turns.slice(0, EAGER_CARDS)) this.full.add(t.step);
    if (m.header) {
      const h = m.header;
      this.image.setImage(this.assets.url(h.image.sent.path ?? h.image.path), h.image.oriented, `The image asked about: ${h.question}`);
    }
    this.image.setGazes(this.model.gazes);
    this.image.setFocus(this.selected);
    this.renderHead();
    this.renderOutcome();
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

  private addEvents(events: TrajectoryEvent[], complete: boolean, newlyRefused: boolean): void {
    if (newlyRefused) this.renderHead();
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
      this.image.setGazes(this.model.gazes);
      this.image.setFocus(this.selected);
    }
    if (complete) this.loading = false;
    this.renderOutcome();
    // A live event is drawn at once; a chunk of a large file frame by frame.
    if (events.length === 1) this.drain(Infinity);
    else this.schedule();
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
    const turn = this.model.turn(step);
    if (step === 0 && !turn.modelTurn && !turn.notices.length && !turn.reflections.length) return;
    const shell = !this.full.has(step);
    const card = shell ? turnShell(turn, this.cardContext) : turnCard(turn, this.cardContext);
    card.classList.toggle('selected', step === this.selected);
    card.classList.toggle('linked', step === this.linked);
    const old = this.cards.get(step);
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
    append(this.head, problems, refusedImages, headerView(this.model.header, this.title));
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
    append(this.outcomeRow, outcomeView(this.model, this.live && this.running, this.status), this.controls);
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
    const target = e.target as HTMLElement | null;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    if (e.metaKey || e.ctrlKey || e.altKey) return;
    const steps = [...this.cards.keys()].sort((a, b) => a - b);
    const at = this.selected === undefined ? -1 : steps.indexOf(this.selected);
    switch (e.key) {
      case 'ArrowDown':
      case 'j':
        if (steps.length) this.select(steps[Math.min(steps.length - 1, at + 1)]!, true);
        break;
      case 'ArrowUp':
      case 'k':
        if (steps.length) this.select(steps[Math.max(0, at - 1)]!, true);
        break;
      case 'z':
        this.image.zoomToFocus();
        break;
      case '0':
        this.image.setZoom(1);
        break;
      case 'b': {
        const hidden = !this.image.element.classList.contains('boxes-hidden');
        this.image.setBoxesHidden(hidden);
        this.saveState({ hideBoxes: hidden });
        break;
      }
      default:
        return;
    }
    e.preventDefault();
  }

  private saveState(patch: Partial<ReturnType<Host['state']>>): void {
    this.host.saveState({ ...this.host.state(), ...patch });
  }
}
