// The timeline of turn cards and how they get drawn. Cards are queued and drawn in step
// order a frame's budget at a time, so a large file never blocks the page; the first cards
// are drawn in full and the rest as shells, drawn in full as they come near the view. It also
// marks the selected card and the one linked to the image, and leaves alone the card whose
// text is being typed.
import { clear, el } from './dom';
import type { Turn } from './model';
import { turnCard, turnShell, type CardContext } from './turnCard';

/** Time spent drawing queued cards per animation frame, so large files never block the page. */
const FRAME_BUDGET_MS = 8;
/** Cards drawn in full from the start; the rest are drawn in full as they come near the view. */
const EAGER_CARDS = 12;
/**
 * Cards whose images load as soon as they are drawn on opening: they are what the panel shows
 * first, and a lazy image waits for a layout before it is even fetched. The others stay lazy.
 */
const FIRST_SCREEN_CARDS = 2;

/** What the timeline draws from: the page's current model (it is rebuilt on each edit). */
export interface TimelineSource {
  turns(): readonly Turn[];
  turn(step: number): Turn;
  readonly context: CardContext;
  /** Once per reset, when every card is drawn and no more of the file is coming. */
  loaded(): void;
}

export class CardTimeline {
  readonly element = el('section', { class: 'timeline', attrs: { 'aria-label': 'Turns' } });
  private readonly cards = new Map<number, HTMLElement>();
  /** Cards waiting to be drawn, drawn a frame's budget at a time. */
  private readonly queue = new Set<number>();
  private frame?: number;
  /** More of the file is still coming: not loaded until it has. */
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
  /** The turn whose text is being typed: it is not redrawn under the annotator's hands. */
  private typingIn: number | undefined;
  private selectedStep?: number;
  private linked?: number;

  constructor(
    private readonly source: TimelineSource,
    selected: number | undefined,
  ) {
    this.selectedStep = selected;
  }

  get selected(): number | undefined {
    return this.selectedStep;
  }

  /** A new file: no cards, the first ones to be drawn in full; `complete` when no chunk is to follow. */
  reset(complete: boolean): void {
    this.cards.clear();
    clear(this.element);
    this.queue.clear();
    this.renderedOnce = false;
    this.full.clear();
    this.nearView.disconnect();
    this.typingIn = undefined;
    for (const t of this.source.turns().slice(0, EAGER_CARDS)) this.full.add(t.step);
    this.loading = !complete;
  }

  /** The steps with a card, in order. */
  steps(): number[] {
    return [...this.cards.keys()].sort((a, b) => a - b);
  }

  card(step: number): HTMLElement | undefined {
    return this.cards.get(step);
  }

  /** Queues a card to be redrawn by the next `drawNow`, `drawSome` or `schedule`. */
  add(step: number): void {
    this.queue.add(step);
  }

  /** Queues every turn's card. */
  addAll(): void {
    for (const t of this.source.turns()) this.queue.add(t.step);
  }

  /** A step that arrived from the file or a live run; a live run's steps are what the user is watching: always in full. */
  arrived(step: number, live: boolean): void {
    this.queue.add(step);
    if (live || this.full.size < EAGER_CARDS) this.full.add(step);
  }

  /** A step whose model text is streaming in: drawn in full, on the next frame. */
  streamed(step: number): void {
    this.full.add(step);
    this.enqueue(step);
  }

  /** No more of the file is coming. */
  complete(): void {
    this.loading = false;
  }

  private enqueue(step: number): void {
    this.queue.add(step);
    this.schedule();
  }

  schedule(): void {
    this.frame ??= requestAnimationFrame(() => {
      this.frame = undefined;
      this.drain();
    });
  }

  /** Draws every queued card now (an edit or a live event: what the user is looking at). */
  drawNow(): void {
    this.drain(Infinity);
  }

  /** Draws queued cards, in step order, until the frame's budget is spent; the rest on later frames. */
  drawSome(): void {
    this.drain();
  }

  private drain(budget = FRAME_BUDGET_MS): void {
    const started = performance.now();
    const steps = [...this.queue].sort((a, b) => a - b);
    for (const step of steps) {
      this.queue.delete(step);
      this.draw(step);
      if (performance.now() - started > budget) break;
    }
    if (this.queue.size) this.schedule();
    else if (!this.loading && !this.renderedOnce) {
      this.renderedOnce = true;
      this.source.loaded();
    }
  }

  private draw(step: number): void {
    // Redrawn when the editor closes, with whatever changed meanwhile.
    if (step === this.typingIn) return;
    const turn = this.source.turn(step);
    const old = this.cards.get(step);
    if (step === 0 && !turn.modelTurn && !turn.notices.length && !turn.reflections.length) {
      old?.remove();
      this.cards.delete(step);
      return;
    }
    const shell = !this.full.has(step);
    const card = shell ? turnShell(turn, this.source.context) : turnCard(turn, this.source.context);
    card.classList.toggle('selected', step === this.selectedStep);
    card.classList.toggle('linked', step === this.linked);
    if (!this.renderedOnce && this.source.turns().slice(0, FIRST_SCREEN_CARDS).includes(turn))
      for (const img of card.querySelectorAll('img')) img.loading = 'eager';
    if (old) this.nearView.unobserve(old);
    if (shell) this.nearView.observe(card);
    if (old) old.replaceWith(card);
    else {
      // Steps almost always arrive in order; otherwise find the place.
      const after = [...this.cards.keys()].filter((s) => s > step).sort((a, b) => a - b)[0];
      if (after === undefined) this.element.appendChild(card);
      else this.element.insertBefore(card, this.cards.get(after)!);
    }
    this.cards.set(step, card);
  }

  /** Marks the card linked to the image's hovered box; false when it already was. */
  link(step: number | undefined): boolean {
    if (this.linked === step) return false;
    if (this.linked !== undefined) this.cards.get(this.linked)?.classList.remove('linked');
    this.linked = step;
    if (step !== undefined) this.cards.get(step)?.classList.add('linked');
    return true;
  }

  /** Marks the selected card, drawn in full, and scrolls it into view when `reveal`. */
  select(step: number, reveal: boolean): void {
    if (this.selectedStep !== undefined) this.cards.get(this.selectedStep)?.classList.remove('selected');
    this.selectedStep = step;
    if (!this.full.has(step)) {
      this.full.add(step);
      this.draw(step);
    }
    const card = this.cards.get(step);
    card?.classList.add('selected');
    if (reveal) card?.scrollIntoView({ block: 'nearest' });
  }

  /** A text editor opens in a turn's card; false when one is open already (one at a time). */
  startTyping(step: number): boolean {
    if (this.typingIn !== undefined) return false;
    this.typingIn = step;
    return true;
  }

  /** The text editor closed: the card is drawn again and keeps the focus. */
  doneTyping(step: number): void {
    this.typingIn = undefined;
    this.draw(step);
    this.cards.get(step)?.focus({ preventScroll: true });
  }
}
