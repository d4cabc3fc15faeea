// The charts of a run: accuracy by benchmark and by category and a turns histogram, drawn
// by Chart.js on canvases (it injects no style elements and evaluates no code, so it runs
// under the webview's CSP), and the gaze heatmap (heatmap.ts). Colours come from the
// theme: text in the page's own colours, bars in hues that read on light and dark alike.
// Every chart has a text alternative.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip, type ChartConfiguration } from 'chart.js';
import type { ReviewRow } from '../../src/shared/runsMessages';
import { append, clear, el } from '../dom';
import { GazeHeatmap } from './heatmap';
import { accuracyBy, rowIsRight, turnsHistogram, type GroupFigures } from './overviewModel';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

/** The most categories drawn (by samples); the rest are named in the text alternative. */
const MAX_CATEGORIES = 16;
export const SERIES = { exactMatch: '#3b8eea', judge: '#b180d7', right: '#2ea043', wrong: '#e5534b' } as const;

const percent = (v: number) => `${(v * 100).toFixed(1)}%`;

interface Theme {
  text: string;
  muted: string;
  grid: string;
  font: string;
}

function theme(probe: HTMLElement): Theme {
  const body = getComputedStyle(document.body);
  const muted = getComputedStyle(probe);
  return { text: body.color, muted: muted.color, grid: muted.borderTopColor, font: body.fontFamily };
}

export interface ChartsOptions {
  heatmapMode: 'all' | 'failures';
  heatmapModeChanged: (mode: 'all' | 'failures') => void;
}

export class RunCharts {
  readonly element: HTMLElement;
  private readonly charts: Chart[] = [];
  private readonly probe = el('span', { class: 'chart-probe', attrs: { 'aria-hidden': 'true' } });
  private readonly heatmap: GazeHeatmap;
  private rows: readonly ReviewRow[] = [];

  constructor(o: ChartsOptions) {
    this.heatmap = new GazeHeatmap(o.heatmapMode, o.heatmapModeChanged);
    this.element = el('div', { class: 'charts' });
    // A theme change restyles the page: draw the charts again in its colours.
    new MutationObserver(() => this.render()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  }

  update(rows: readonly ReviewRow[]): void {
    this.rows = rows;
    this.render();
  }

  private render(): void {
    for (const c of this.charts.splice(0)) c.destroy();
    clear(this.element);
    append(this.element, this.probe);
    const t = theme(this.probe);
    Chart.defaults.font.family = t.font;
    Chart.defaults.color = t.text;

    const byBenchmark = accuracyBy(this.rows, 'benchmark');
    const byCategory = accuracyBy(this.rows, 'category').slice(0, MAX_CATEGORIES);
    const judged = byBenchmark.some((g) => g.judge !== null);
    append(
      this.element,
      this.accuracyChart('Accuracy by benchmark', 'accuracy-benchmark', byBenchmark, judged, t, false),
      this.rows.some((r) => r.category)
        ? this.accuracyChart(
            `Accuracy by category${accuracyBy(this.rows, 'category').length > MAX_CATEGORIES ? ` (the ${MAX_CATEGORIES} largest)` : ''}`,
            'accuracy-category',
            byCategory,
            judged,
            t,
            true,
          )
        : null,
      this.turnsChart(t),
      this.heatmap.element,
    );
    this.heatmap.update(this.rows, rowIsRight);
  }

  private card(title: string, id: string, description: string, canvasHeight: number): { card: HTMLElement; canvas: HTMLCanvasElement } {
    const canvas = el('canvas', { attrs: { role: 'img', 'aria-label': `${title}. ${description}` } });
    const box = el('div', { class: 'chart-canvas' }, canvas);
    box.style.height = `${canvasHeight}px`;
    const card = el(
      'section',
      { class: 'chart', attrs: { 'data-chart': id, 'aria-label': title } },
      el('h3', {}, title),
      box,
      el('p', { class: 'chart-text' }, description),
    );
    return { card, canvas };
  }

  private accuracyChart(title: string, id: string, groups: GroupFigures[], judged: boolean, t: Theme, horizontal: boolean): HTMLElement {
    const describe = groups
      .map((g) => `${g.name} ${percent(g.exactMatch)}${g.judge !== null ? ` (judge ${percent(g.judge)})` : ''} of ${g.samples}`)
      .join('; ');
    const { card, canvas } = this.card(
      title,
      id,
      `Exact match${judged ? ' and judge accuracy' : ''}: ${describe || 'no samples yet'}.`,
      horizontal ? Math.max(160, groups.length * (judged ? 30 : 22) + 60) : 240,
    );
    const datasets = [
      { label: 'Exact match', data: groups.map((g) => g.exactMatch * 100), backgroundColor: SERIES.exactMatch },
      ...(judged ? [{ label: 'Judge', data: groups.map((g) => (g.judge ?? 0) * 100), backgroundColor: SERIES.judge }] : []),
    ];
    const config: ChartConfiguration<'bar'> = {
      type: 'bar',
      data: { labels: groups.map((g) => g.name), datasets },
      options: {
        indexAxis: horizontal ? 'y' : 'x',
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          [horizontal ? 'x' : 'y']: { min: 0, max: 100, ticks: { color: t.muted, callback: (v) => `${String(v)}%` }, grid: { color: t.grid } },
          [horizontal ? 'y' : 'x']: { ticks: { color: t.text }, grid: { display: false } },
        },
        plugins: {
          legend: { display: judged, labels: { color: t.text } },
          tooltip: {
            callbacks: {
              label: (item) => `${item.dataset.label}: ${(item.raw as number).toFixed(1)}% of ${groups[item.dataIndex]!.samples}`,
            },
          },
        },
      },
    };
    this.charts.push(new Chart(canvas, config));
    return card;
  }

  private turnsChart(t: Theme): HTMLElement {
    const h = turnsHistogram(this.rows);
    const describe = h.turns
      .flatMap((n, i) => (h.right[i]! + h.wrong[i]! ? [`${n} turn${n === 1 ? '' : 's'}: ${h.right[i]} right, ${h.wrong[i]} wrong`] : []))
      .join('; ');
    const { card, canvas } = this.card('Turns per sample', 'turns', describe ? `${describe}.` : 'No samples yet.', 240);
    this.charts.push(
      new Chart(canvas, {
        type: 'bar',
        data: {
          labels: h.turns.map(String),
          datasets: [
            { label: 'Right', data: h.right, backgroundColor: SERIES.right },
            { label: 'Wrong', data: h.wrong, backgroundColor: SERIES.wrong },
          ],
        },
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          scales: {
            x: { stacked: true, title: { display: true, text: 'turns', color: t.muted }, ticks: { color: t.text }, grid: { display: false } },
            y: {
              stacked: true,
              beginAtZero: true,
              title: { display: true, text: 'samples', color: t.muted },
              ticks: { color: t.muted, precision: 0 },
              grid: { color: t.grid },
            },
          },
          plugins: { legend: { labels: { color: t.text } } },
        },
      }),
    );
    return card;
  }
}
