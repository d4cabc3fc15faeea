// The image with every gaze box drawn over it. Boxes are placed in percent of the oriented
// original image (the record's original-pixel boxes over its oriented size), so they land
// on the same pixels at any display size. Positions are set through CSSOM, which the CSP
// allows, never through style attributes.
import type { GazeBox } from './model';
import { el, image, clear } from './dom';
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
}

const MAX_ZOOM = 8;

export class ImageView {
  readonly element: HTMLElement;
  private readonly viewport: HTMLElement;
  private readonly stage: HTMLElement;
  private readonly overlay: HTMLElement;
  private readonly zoomLabel: HTMLElement;
  private readonly boxesToggle: HTMLElement & { checked?: boolean };
  private photo?: HTMLImageElement;
  private size = { width: 1, height: 1 };
  private boxes = new Map<number, HTMLElement>();
  private gazes: GazeBox[] = [];
  private zoom = 1;
  private focus?: number;

  constructor(
    private readonly events: ImageViewEvents,
    hideBoxes: boolean,
  ) {
    this.overlay = el('div', { class: 'overlay' });
    this.stage = el('div', { class: 'stage' }, this.overlay);
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
    this.stage.insertBefore(this.photo, this.overlay);
  }

  setBoxesHidden(hidden: boolean): void {
    this.element.classList.toggle('boxes-hidden', hidden);
    if (this.boxesToggle.checked !== !hidden) this.boxesToggle.checked = !hidden;
  }

  /** Redraws every box (cheap: a handful of absolutely positioned elements). */
  setGazes(gazes: GazeBox[]): void {
    this.gazes = gazes;
    clear(this.overlay);
    this.boxes.clear();
    const { width: W, height: H } = this.size;
    for (const g of gazes) {
      const [x1, y1, x2, y2] = g.box.original;
      const box = el(
        'div',
        {
          class: `gaze ${colourClass(g.step)}`,
          title: `Turn ${g.step}: gaze at [${g.box.model.join(', ')}]`,
          attrs: { 'data-step': String(g.step), role: 'button', tabindex: '0', 'aria-label': `Turn ${g.step} gaze box` },
          on: {
            mouseenter: () => this.events.hover(g.step),
            mouseleave: () => this.events.hover(undefined),
            click: () => {
              this.events.select(g.step);
              this.zoomTo(g.step);
            },
            keydown: (e) => {
              if (e.key === 'Enter') {
                this.events.select(g.step);
                this.zoomTo(g.step);
              }
            },
          },
        },
        el('span', { class: 'box-label' }, String(g.step)),
      );
      box.style.left = `${(100 * x1) / W}%`;
      box.style.top = `${(100 * y1) / H}%`;
      box.style.width = `${(100 * (x2 - x1)) / W}%`;
      box.style.height = `${(100 * (y2 - y1)) / H}%`;
      this.overlay.appendChild(box);
      this.boxes.set(g.step, box);
    }
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
