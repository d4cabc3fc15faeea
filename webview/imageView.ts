// The image with every gaze box drawn over it. Boxes are placed in percent of the oriented
// original image (the record's original-pixel boxes over its oriented size), so they land
// on the same pixels at any display size. Positions are set through CSSOM, which the CSP
// allows, never through style attributes. In an editor, the selected gaze can be moved,
// resized by a handle or drawn anew with the mouse, and nudged with the keyboard
// (boxEditing.ts); a changed box shows where the model had put it as a dashed outline.
import type { GazeBox } from './model';
import type { Box } from './boxMath';
import { BoxEditing } from './boxEditing';
import { el, image } from './dom';
import { button, checkbox } from './toolkit';

export const PALETTE_SIZE = 8;

export function colourClass(step: number): string {
  return `c${(Math.max(1, step) - 1) % PALETTE_SIZE}`;
}

export interface ImageViewEvents {
  hover(step: number | undefined): void;
  select(step: number): void;
  toggleBoxes(hidden: boolean): void;
  zoomChanged(zoom: number): void;
  /** A box edited by mouse or keyboard (original pixels). */
  boxEdited?(step: number, box: Box): void;
}

/** How a gaze is shown: `changed` by an annotation (with where it was), or in a `dropped` step. */
export interface ShownGaze extends GazeBox {
  changed?: boolean;
  dropped?: boolean;
  was?: Box;
}

const MAX_ZOOM = 8;

export class ImageView {
  readonly element: HTMLElement;
  private readonly viewport: HTMLElement;
  private readonly stage: HTMLElement;
  private readonly overlay: HTMLElement;
  private readonly ghosts: HTMLElement;
  private readonly zoomLabel: HTMLElement;
  private readonly boxesToggle: HTMLElement & { checked?: boolean };
  private photo?: HTMLImageElement;
  private size = { width: 1, height: 1 };
  private boxes = new Map<number, HTMLElement>();
  private gazes: ShownGaze[] = [];
  private zoom = 1;
  private focus?: number;
  readonly editing: BoxEditing;

  constructor(
    private readonly events: ImageViewEvents,
    hideBoxes: boolean,
  ) {
    this.ghosts = el('div', { class: 'ghosts', attrs: { 'aria-hidden': 'true' } });
    this.overlay = el('div', { class: 'overlay' });
    this.stage = el('div', { class: 'stage' }, this.ghosts, this.overlay);
    this.viewport = el('div', { class: 'viewport' }, this.stage);
    this.zoomLabel = el('span', { class: 'zoom-label' }, '1×');
    this.boxesToggle = checkbox('Boxes', !hideBoxes, (on) => {
      this.setBoxesHidden(!on);
      events.toggleBoxes(!on);
    });
    const toolbar = el(
      'div',
      { class: 'image-toolbar' },
      this.boxesToggle,
      button('Zoom to the selected gaze', { appearance: 'icon', icon: 'zoom-in', title: 'Zoom to the selected gaze (z)', onClick: () => this.zoomToFocus() }),
      button('Reset zoom', { appearance: 'icon', icon: 'screen-full', title: 'Reset zoom (0)', onClick: () => this.setZoom(1) }),
      this.zoomLabel,
    );
    this.element = el('section', { class: 'image-pane', attrs: { 'aria-label': 'Image and gaze boxes' } }, toolbar, this.viewport);
    this.editing = new BoxEditing(this.stage, this.overlay, {
      box: (step) => this.gazes.find((g) => g.step === step && !g.dropped)?.box.original,
      element: (step) => this.boxes.get(step),
      place: (node, box) => this.place(node, box),
      edited: (step, box) => events.boxEdited?.(step, box),
    });
    this.setBoxesHidden(hideBoxes);
  }

  setImage(src: string | undefined, size: { width: number; height: number }, alt: string): void {
    this.size = size;
    this.photo?.remove();
    if (!src) return;
    this.photo = image(src, alt, 'photo');
    this.photo.loading = 'eager';
    // Sized from the record, before the image loads: the layout and the boxes never jump.
    this.stage.style.aspectRatio = `${size.width} / ${size.height}`;
    this.viewport.style.width = `min(100%, calc(var(--gog-image-height) * ${size.width / size.height}))`;
    this.stage.insertBefore(this.photo, this.ghosts);
  }

  setBoxesHidden(hidden: boolean): void {
    this.element.classList.toggle('boxes-hidden', hidden);
    if (this.boxesToggle.checked !== !hidden) this.boxesToggle.checked = !hidden;
  }

  private place(node: HTMLElement, [x1, y1, x2, y2]: Box): void {
    const { width: W, height: H } = this.size;
    node.style.left = `${(100 * x1) / W}%`;
    node.style.top = `${(100 * y1) / H}%`;
    node.style.width = `${(100 * (x2 - x1)) / W}%`;
    node.style.height = `${(100 * (y2 - y1)) / H}%`;
  }

  private makeBox(step: number): HTMLElement {
    return el(
      'div',
      {
        attrs: { 'data-step': String(step), role: 'button', tabindex: '0', 'aria-label': `Turn ${step} gaze box` },
        on: {
          mouseenter: () => this.events.hover(step),
          mouseleave: () => this.events.hover(undefined),
          click: () => {
            this.events.select(step);
            this.zoomTo(step);
          },
          keydown: (e) => {
            if (this.editing.key(step, e)) return;
            if (e.key === 'Enter') {
              this.events.select(step);
              this.zoomTo(step);
            }
          },
        },
      },
      el('span', { class: 'box-label' }, String(step)),
    );
  }

  /**
   * Draws the boxes, updating the elements already there (cheap, and a box being edited by
   * keyboard keeps its focus).
   */
  setGazes(gazes: ShownGaze[]): void {
    this.gazes = gazes;
    const keep = new Set(gazes.map((g) => g.step));
    for (const [step, node] of this.boxes)
      if (!keep.has(step)) {
        node.remove();
        this.boxes.delete(step);
      }
    for (const g of gazes) {
      let node = this.boxes.get(g.step);
      if (!node) {
        node = this.makeBox(g.step);
        this.overlay.appendChild(node);
        this.boxes.set(g.step, node);
      }
      node.className = `gaze ${colourClass(g.step)}${g.changed ? ' changed' : ''}${g.dropped ? ' dropped' : ''}`;
      node.title = `Turn ${g.step}: gaze at [${g.box.model.join(', ')}]${g.changed ? ' (corrected)' : ''}${g.dropped ? ' (turn dropped)' : ''}`;
      this.place(node, g.box.original);
    }
    // Where a corrected box was: a dashed outline, not a target.
    const ghosts = gazes.filter((g) => g.was);
    while (this.ghosts.childElementCount > ghosts.length) this.ghosts.lastElementChild!.remove();
    ghosts.forEach((g, i) => {
      const node = (this.ghosts.children[i] as HTMLElement | undefined) ?? this.ghosts.appendChild(el('div'));
      node.className = `ghost ${colourClass(g.step)}`;
      this.place(node, g.was!);
    });
    this.markFocus();
  }

  /** The emphasised step; when zoomed in, the view follows it at the same zoom. */
  setFocus(step: number | undefined): void {
    this.focus = step;
    this.markFocus();
    if (this.zoom > 1 && step !== undefined && this.boxes.has(step)) this.centreOn(step, this.zoom);
  }

  highlight(step: number | undefined): void {
    for (const [s, b] of this.boxes) b.classList.toggle('linked', s === step);
  }

  private markFocus(): void {
    const current = this.focus !== undefined && this.boxes.has(this.focus) ? this.focus : this.gazes.at(-1)?.step;
    for (const [s, b] of this.boxes) b.classList.toggle('current', s === current);
    this.editing.target(this.focus !== undefined && this.boxes.has(this.focus) ? this.focus : undefined);
  }

  /** Puts the keyboard on the step's box, to nudge it (the `e` key). */
  focusBox(step: number): boolean {
    const node = this.boxes.get(step);
    if (!node || !this.editing.enabled) return false;
    node.focus();
    return true;
  }

  zoomToFocus(): void {
    const step = this.focus !== undefined && this.boxes.has(this.focus) ? this.focus : this.gazes.at(-1)?.step;
    if (step !== undefined) this.zoomTo(step);
  }

  /** Zooms so that the step's box fills most of the view. */
  zoomTo(step: number): void {
    const g = this.gazes.find((x) => x.step === step);
    if (!g) return;
    const [x1, y1, x2, y2] = g.box.original;
    const fit = Math.min(this.size.width / (x2 - x1), this.size.height / (y2 - y1)) * 0.8;
    this.centreOn(step, Math.max(1, Math.min(MAX_ZOOM, fit)));
  }

  setZoom(zoom: number): void {
    if (zoom <= 1) {
      this.zoom = 1;
      this.stage.style.transform = '';
      this.zoomLabel.textContent = '1×';
      this.element.classList.remove('zoomed');
      this.events.zoomChanged(1);
      return;
    }
    const step = this.focus ?? this.gazes.at(-1)?.step;
    if (step !== undefined) this.centreOn(step, zoom);
  }

  get zoomLevel(): number {
    return this.zoom;
  }

  private centreOn(step: number, zoom: number): void {
    const g = this.gazes.find((x) => x.step === step);
    if (!g) return;
    const [x1, y1, x2, y2] = g.box.original;
    // In fractions of the stage, then translate so the box centre sits in the middle.
    const cx = (x1 + x2) / 2 / this.size.width;
    const cy = (y1 + y2) / 2 / this.size.height;
    const tx = Math.min(0, Math.max(1 - zoom, 0.5 - cx * zoom));
    const ty = Math.min(0, Math.max(1 - zoom, 0.5 - cy * zoom));
    this.zoom = zoom;
    this.stage.style.transformOrigin = '0 0';
    this.stage.style.transform = `translate(${tx * 100}%, ${ty * 100}%) scale(${zoom})`;
    this.zoomLabel.textContent = `${Number(zoom.toFixed(1))}×`;
    this.element.classList.add('zoomed');
    this.events.zoomChanged(zoom);
  }
}
