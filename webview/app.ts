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
import { turnCard, type CardContext } from './turnCard';

/** Cards rendered per animation frame while a large trajectory loads. */
const CARDS_PER_FRAME = 40;

export type AssetResolver = (rel: string | undefined) => string | undefined;

export class TrajectoryApp {
  private model = new TrajectoryModel();
  private readonly top = el('div', { class: 'top' });
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
  private dirty = new Set<number>();
  private frame?: number;
  private backlog: number[] = [];
  private firstPaintMarked = false;

  constructor(
    root: HTMLElement,
    private readonly host: Host,
    private assets: AssetResolver,
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
    append(root, this.top, this.image.element, this.timeline);
    document.addEventListener('keydown', (e) => this.onKey(e));
    window.addEventListener('scroll', () => this.saveState({ scrollTop: window.scrollY }), { passive: true });
  }

  private readonly cardContext: CardContext = {
    asset: (rel) => this.assets(rel),
    openLink: (url) => this.openLink(url),
    hover: (step) => this.link(step),
    select: (step) => this.select(step, false),
  };

  handle(message: HostMessage): void {
    switch (message.type) {
      case 'init':
        return this.init(message);
      case 'events':
        return this.addEvents(message.events);
      case 'delta':
        this.model.streamDelta(message.step, message.text);
        return this.invalidate(message.step);
      case 'status':
        this.running = message.running;
        this.status = message.message;
        if (!message.running) this.cancelling = false;
        return this.renderTop();
      case 'response':
        return this.host.resolve(message.requestId, message.ok, message.error);
    }
  }

  setAssets(assets: AssetResolver): void {
    this.assets = assets;
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
    this.backlog = [];
    for (const e of m.events) this.model.apply(e);
    if (m.header) {
      const h = m.header;
      this.image.setImage(this.assets(h.image.sent.path ?? h.image.path), h.image.oriented, `The image asked about: ${h.question}`);
    }
    this.image.setGazes(this.model.gazes);
    this.image.setFocus(this.selected);
    this.renderTop();
    // The first cards now, the rest frame by frame, so the panel paints at once.
    this.backlog = this.model.turns.map((t) => t.step);
    this.drainBacklog();
    requestAnimationFrame(() => {
      if (!this.firstPaintMarked) {
        this.firstPaintMarked = true;
        performance.mark('gog:first-paint');
      }
    });
  }

  private drainBacklog(): void {
    const batch = this.backlog.splice(0, CARDS_PER_FRAME);
    for (const step of batch) this.renderCard(step);
    if (this.backlog.length) requestAnimationFrame(() => this.drainBacklog());
    else {
      performance.mark('gog:rendered');
      const saved = this.host.state();
      if (saved.scrollTop) window.scrollTo(0, saved.scrollTop);
      if (saved.zoom && saved.zoom > 1) this.image.setZoom(saved.zoom);
    }
  }

  private addEvents(events: TrajectoryEvent[]): void {
    let gazesChanged = false;
    for (const e of events) {
      const step = this.model.apply(e);
      if (step !== undefined) this.invalidate(step);
      if (e.type === 'action' && e.action.kind === 'image_search' && e.action.scope === 'region') gazesChanged = true;
      if (e.type === 'final') this.running = false;
    }
    if (gazesChanged) {
      this.image.setGazes(this.model.gazes);
      this.image.setFocus(this.selected);
    }
    // A single live event is drawn at once; a chunk of a large file in the next frame.
    if (events.length === 1) this.flush();
    this.renderTop();
  }

  private invalidate(step: number): void {
    this.dirty.add(step);
    this.frame ??= requestAnimationFrame(() => this.flush());
  }

  private flush(): void {
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    this.frame = undefined;
    for (const step of this.dirty) this.renderCard(step);
    this.dirty.clear();
  }

  private renderCard(step: number): void {
    const turn = this.model.turn(step);
    if (step === 0 && !turn.modelTurn && !turn.notices.length && !turn.reflections.length) return;
    const card = turnCard(turn, this.cardContext);
    card.classList.toggle('selected', step === this.selected);
    card.classList.toggle('linked', step === this.linked);
    const old = this.cards.get(step);
    if (old) old.replaceWith(card);
    else {
      // Steps almost always arrive in order; otherwise find the place.
      const after = [...this.cards.keys()].filter((s) => s > step).sort((a, b) => a - b)[0];
      if (after === undefined) this.timeline.appendChild(card);
      else this.timeline.insertBefore(card, this.cards.get(after)!);
    }
    this.cards.set(step, card);
  }

  private renderTop(): void {
    clear(this.top);
    clear(this.controls);
    if (this.live && this.running) {
      const cancel = button(this.cancelling ? 'Cancelling…' : 'Cancel', { icon: 'debug-stop', onClick: () => this.cancel(), title: 'Stop the run; the trajectory so far is kept' });
      if (this.cancelling) cancel.setAttribute('disabled', '');
      append(this.controls, cancel);
    }
    const problems = this.problems.length
      ? el(
          'section',
          { class: 'problems', attrs: { role: 'alert' } },
          icon('warning'),
          ` ${this.problems.length} line${this.problems.length === 1 ? '' : 's'} of this file could not be read and are not shown (the rest is):`,
          el('ul', {}, ...this.problems.slice(0, 20).map((p) => el('li', { class: 'text' }, `line ${p.line}: ${p.message}`))),
        )
      : null;
    append(this.top, problems, headerView(this.model.header, this.title), el('div', { class: 'outcome-row' }, outcomeView(this.model, this.live && this.running, this.status), this.controls));
  }

  private cancel(): void {
    if (this.cancelling) return;
    this.cancelling = true;
    this.renderTop();
    this.host.request({ method: 'cancel' }).catch(() => {
      this.cancelling = false;
      this.renderTop();
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
