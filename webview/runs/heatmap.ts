// Where gaze boxes fall on the images, over normalised image coordinates (0–1 across and
// down, whatever each image's size): a density grid drawn on a canvas of our own, for all
// samples or for the failures only. Cells are coloured on a perceptual ramp (viridis)
// from none to the most-covered cell; the counts are said in text beside it. A click on a
// spot lists the samples whose gaze boxes cover it (of the failures, when those are shown).
import type { GazeFilter, ReviewRow } from '../../src/shared/runsMessages';
import { el } from '../dom';
import { gazeDensity } from './overviewModel';

/** Viridis at five stops: dark violet → teal → yellow, readable by colour-blind people. */
const RAMP: [number, number, number][] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

export function rampColour(v: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, v)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [RAMP[i]!, RAMP[i + 1]!];
  return [0, 1, 2].map((c) => Math.round(a[c]! + (b[c]! - a[c]!) * f)) as [number, number, number];
}

export const GRID = 64;
export const SIDE = 280;

export class GazeHeatmap {
  readonly element: HTMLElement;
  private readonly canvas = el('canvas', {
    class: 'heatmap',
    title: 'Click a spot to list the samples that gazed there',
    attrs: { role: 'img' },
    on: { click: (e) => this.clicked(e) },
  });
  private readonly legend = el('canvas', { class: 'heatmap-legend', attrs: { 'aria-hidden': 'true' } });
  private readonly text = el('p', { class: 'chart-text' });
  private readonly maxLabel = el('span', { class: 'dim' });
  private readonly toggles: Record<'all' | 'failures', HTMLButtonElement>;
  private rows: readonly ReviewRow[] = [];
  private isRight: (r: ReviewRow) => boolean = () => false;

  constructor(
    private mode: 'all' | 'failures',
    private readonly modeChanged: (mode: 'all' | 'failures') => void,
    private readonly pick: (cell: GazeFilter) => void,
  ) {
    const toggle = (m: 'all' | 'failures', label: string) =>
      el(
        'button',
        { class: 'chip', attrs: { type: 'button', 'aria-pressed': String(m === mode), 'data-mode': m }, on: { click: () => this.setMode(m) } },
        label,
      );
    this.toggles = { all: toggle('all', 'All samples'), failures: toggle('failures', 'Failures') };
    this.element = el(
      'section',
      { class: 'chart chart-heatmap', attrs: { 'data-chart': 'heatmap', 'aria-label': 'Where the model gazes' } },
      el('h3', {}, 'Where the model gazes'),
      el('div', { class: 'chips', attrs: { role: 'group', 'aria-label': 'Samples in the heatmap' } }, this.toggles.all, this.toggles.failures),
      el(
        'div',
        { class: 'heatmap-box' },
        el(
          'div',
          { class: 'heatmap-frame' },
          el('span', { class: 'dim axis-top' }, 'top of the image'),
          this.canvas,
          el('span', { class: 'dim axis-bottom' }, 'bottom'),
        ),
        el(
          'div',
          { class: 'heatmap-scale' },
          el('span', { class: 'dim' }, 'boxes covering a spot'),
          el(
            'div',
            { class: 'heatmap-scale-row' },
            this.legend,
            el('div', { class: 'heatmap-scale-labels' }, this.maxLabel, el('span', { class: 'dim' }, '0')),
          ),
        ),
      ),
      this.text,
    );
  }

  private setMode(mode: 'all' | 'failures'): void {
    this.mode = mode;
    for (const [m, b] of Object.entries(this.toggles)) b.setAttribute('aria-pressed', String(m === mode));
    this.modeChanged(mode);
    this.draw();
  }

  /** The cell under the pointer (offsets are from the canvas's padding box: its border aside). */
  private clicked(e: MouseEvent): void {
    const at = (offset: number) => Math.min(GRID - 1, Math.max(0, Math.floor((offset / SIDE) * GRID)));
    this.pick({ col: at(e.offsetX), row: at(e.offsetY), size: GRID, failures: this.mode === 'failures' });
  }

  update(rows: readonly ReviewRow[], isRight: (r: ReviewRow) => boolean): void {
    this.rows = rows;
    this.isRight = isRight;
    this.draw();
  }

  private draw(): void {
    const rows = this.mode === 'all' ? this.rows : this.rows.filter((r) => !this.isRight(r));
    const d = gazeDensity(rows, GRID);
    const ratio = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(SIDE * ratio);
    this.canvas.height = Math.round(SIDE * ratio);
    this.canvas.style.width = `${SIDE}px`;
    this.canvas.style.height = `${SIDE}px`;
    const ctx = this.canvas.getContext('2d')!;
    // The grid as pixels, then scaled up smoothly: a density, not a mosaic.
    const cells = new ImageData(GRID, GRID);
    for (let i = 0; i < d.cells.length; i++) {
      const v = d.max ? d.cells[i]! / d.max : 0;
      const [r, g, b] = rampColour(v);
      cells.data.set([r, g, b, 255], i * 4);
    }
    const small = document.createElement('canvas');
    small.width = GRID;
    small.height = GRID;
    small.getContext('2d')!.putImageData(cells, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(small, 0, 0, this.canvas.width, this.canvas.height);

    this.legend.width = 16;
    this.legend.height = 100;
    const lctx = this.legend.getContext('2d')!;
    for (let y = 0; y < 100; y++) {
      const [r, g, b] = rampColour(1 - y / 99);
      lctx.fillStyle = `rgb(${r}, ${g}, ${b})`;
      lctx.fillRect(0, y, 16, 1);
    }
    this.maxLabel.textContent = d.max ? String(Math.round(d.max)) : '0';
    const who = this.mode === 'all' ? 'all samples' : 'the failures';
    const summary = d.boxes
      ? `${d.boxes.toLocaleString('en')} gaze box${d.boxes === 1 ? '' : 'es'} from ${d.samples.toLocaleString('en')} of ${rows.length.toLocaleString('en')} samples (${who}), over normalised image coordinates; brighter is looked at more.${this.hottest(d.cells, d.max)}`
      : `No gaze boxes in ${who}.`;
    this.text.textContent = summary;
    this.canvas.setAttribute('aria-label', `Gaze heatmap. ${summary}`);
  }

  /** Where the most-looked-at spot is, in words (thirds of the image). */
  private hottest(cells: Float32Array, max: number): string {
    if (!max) return '';
    const i = cells.indexOf(max);
    const [x, y] = [(i % GRID) / GRID, Math.floor(i / GRID) / GRID];
    const third = (v: number, names: [string, string, string]) => names[Math.min(2, Math.floor(v * 3))];
    return ` Most looked at: the ${third(y, ['top', 'middle', 'bottom'])} ${third(x, ['left', 'centre', 'right'])}.`;
  }
}
