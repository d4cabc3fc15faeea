// The charts of a run: accuracy by benchmark and by category, a turns histogram, tokens,
// time and (given prices) cost per sample by benchmark, drawn by Chart.js on canvases (it
// injects no style elements and evaluates no code, so it runs under the webview's CSP),
// and the gaze heatmap (heatmap.ts). A click on a bar or a heatmap cell filters the table
// to the samples it stands for. A rate of 0 % is a short bar, not nothing; a group with no
// samples has no bar (and a turn count with none says so under its column). Colours come
// from the theme: text in the page's own colours, bars in hues that read on light and dark
// alike. Every chart has a text alternative.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  Tooltip,
  type ActiveElement,
  type ChartConfiguration,
  type ChartEvent,
} from 'chart.js';
import type { GazeQualityMessage } from '../../src/shared/agreementMessage';
import type { GazeFilter, ReviewRow, TurnsFilter } from '../../src/shared/runsMessages';
import { append, clear, el } from '../dom';
import { seconds } from './format';
import { GazeHeatmap } from './heatmap';
import { accuracyBy, rowIsRight, turnsHistogram, usageBy, type GroupFigures, type Prices, type UsageFigures } from './overviewModel';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

/** The most categories drawn (by samples); the rest are named in the text alternative. */
const MAX_CATEGORIES = 16;
export const SERIES = {
  exactMatch: '#3b8eea',
  judge: '#b180d7',
  right: '#2ea043',
  wrong: '#e5534b',
  prompt: '#3b8eea',
  completion: '#d18616',
  median: '#3b8eea',
  p90: '#8a9bb0',
  cost: '#d18616',
  gazeQuality: '#1f9e89',
} as const;
/** How gog agreement names a sample without a category (agreementRun.ts). */
const NO_CATEGORY = '(none)';
/** Pixels a bar of 0 % is drawn as: there, and plainly next to nothing. */
const ZERO_BAR = 4;

const percent = (v: number) => `${(v * 100).toFixed(1)}%`;
const tokens = (v: number) => Math.round(v).toLocaleString('en');
/** An amount of money, in whatever currency the prices are: cents from 1 up, two significant digits below (0.0021). */
export const money = (v: number): string => (v >= 1 ? v.toFixed(2) : String(Number(v.toPrecision(2))));

/** What a click on a chart filters the table by. */
export type ChartPick = { benchmark: string } | { category: string } | { turns: TurnsFilter } | { gaze: GazeFilter };

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
  /** A bar or a heatmap cell was clicked. */
  pick: (pick: ChartPick) => void;
  /** Inside VS Code, where prices can be set: say so while the cost chart is missing. */
  connected: boolean;
}

export class RunCharts {
  readonly element: HTMLElement;
  private readonly charts: Chart[] = [];
  private readonly probe = el('span', { class: 'chart-probe', attrs: { 'aria-hidden': 'true' } });
  private readonly heatmap: GazeHeatmap;
  private rows: readonly ReviewRow[] = [];
  private prices: Prices | undefined;
  private gazeQuality: GazeQualityMessage | undefined;

  constructor(private readonly o: ChartsOptions) {
    this.heatmap = new GazeHeatmap(o.heatmapMode, o.heatmapModeChanged, (gaze) => o.pick({ gaze }));
    this.element = el('div', { class: 'charts' });
    // A theme change restyles the page: draw the charts again in its colours.
    new MutationObserver(() => this.render()).observe(document.body, { attributes: true, attributeFilter: ['class'] });
  }

  /** The run's gaze quality, drawn at the next update. */
  setGazeQuality(q: GazeQualityMessage): void {
    this.gazeQuality = q;
  }

  update(rows: readonly ReviewRow[], prices?: Prices): void {
    this.rows = rows;
    this.prices = prices;
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
    const allCategories = accuracyBy(this.rows, 'category');
    const byCategory = allCategories.slice(0, MAX_CATEGORIES);
    const judged = byBenchmark.some((g) => g.judge !== null);
    const usage = usageBy(this.rows, this.prices);
    append(
      this.element,
      this.accuracyChart('Accuracy by benchmark', 'accuracy-benchmark', byBenchmark, judged, t, 'benchmark'),
      this.rows.some((r) => r.category)
        ? this.accuracyChart(
            `Accuracy by category${allCategories.length > MAX_CATEGORIES ? ` (the ${MAX_CATEGORIES} largest)` : ''}`,
            'accuracy-category',
            byCategory,
            judged,
            t,
            'category',
          )
        : null,
      this.turnsChart(t),
      this.heatmap.element,
      this.gazeQualityChart('benchmark', t),
      this.gazeQualityChart('category', t),
      this.usageChart('Tokens per sample by benchmark', 'tokens', usage, t, {
        series: [
          { label: 'Prompt', value: (u) => u.prompt, colour: SERIES.prompt },
          { label: 'Completion', value: (u) => u.completion, colour: SERIES.completion },
        ],
        stacked: true,
        axis: 'tokens',
        intro: 'Mean tokens per sample',
        format: tokens,
        describe: (u) => `${u.name} ${tokens(u.prompt)} prompt + ${tokens(u.completion)} completion tokens`,
      }),
      this.usageChart('Time per sample by benchmark', 'latency', usage, t, {
        series: [
          { label: 'Median', value: (u) => u.medianMs / 1000, colour: SERIES.median },
          { label: '90th percentile', value: (u) => u.p90Ms / 1000, colour: SERIES.p90 },
        ],
        stacked: false,
        axis: 'seconds',
        intro: 'Wall time per sample',
        format: (v) => seconds(v * 1000),
        describe: (u) => `${u.name} median ${seconds(u.medianMs)}, 90th percentile ${seconds(u.p90Ms)}`,
      }),
      usage.some((u) => u.cost !== null)
        ? this.usageChart('Cost per sample by benchmark', 'cost', usage, t, {
            series: [{ label: 'Cost', value: (u) => u.cost ?? 0, colour: SERIES.cost }],
            stacked: false,
            axis: 'cost',
            intro: `Mean cost per sample, at ${this.prices!.prompt} per million prompt tokens and ${this.prices!.completion} per million completion tokens`,
            format: money,
            describe: (u) => `${u.name} ${money(u.cost ?? 0)} per sample`,
          })
        : this.o.connected
          ? el(
              'section',
              { class: 'chart chart-note', attrs: { 'data-chart': 'cost', 'aria-label': 'Cost per sample' } },
              el('h3', {}, 'Cost per sample by benchmark'),
              el(
                'p',
                { class: 'chart-text' },
                'Set the prices per million tokens (settings gog.review.pricePromptPerMillion and gog.review.priceCompletionPerMillion) to see what a sample costs.',
              ),
            )
          : null,
    );
    this.heatmap.update(this.rows, rowIsRight);
  }

  private card(title: string, id: string, description: string, canvasHeight: number): { card: HTMLElement; canvas: HTMLCanvasElement } {
    const canvas = el('canvas', { attrs: { role: 'img', 'aria-label': `${title}. ${description} Click a bar to list its samples.` } });
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

  /** Clicks on bars pick what the bar stands for; the pointer says a bar can be clicked. */
  private clickable(pick: (element: ActiveElement) => ChartPick | undefined) {
    return {
      onClick: (_: ChartEvent, elements: ActiveElement[]) => {
        const chosen = elements[0] && pick(elements[0]);
        if (chosen) this.o.pick(chosen);
      },
      onHover: (event: ChartEvent, elements: ActiveElement[]) => {
        const canvas = event.native?.target as HTMLCanvasElement | undefined;
        if (canvas) canvas.style.cursor = elements.length ? 'pointer' : 'default';
      },
    };
  }

  private accuracyChart(title: string, id: string, groups: GroupFigures[], judged: boolean, t: Theme, field: 'benchmark' | 'category'): HTMLElement {
    const horizontal = field === 'category';
    const describe = groups
      .map((g) => `${g.name} ${percent(g.exactMatch)}${judged ? (g.judge !== null ? ` (judge ${percent(g.judge)})` : ' (not judged)') : ''} of ${g.samples}`)
      .join('; ');
    const { card, canvas } = this.card(
      title,
      id,
      `Exact match${judged ? ' and judge accuracy' : ''}: ${describe || 'no samples yet'}.`,
      horizontal ? Math.max(160, groups.length * (judged ? 30 : 22) + 60) : 240,
    );
    // A group none of whose samples was judged has no judge bar (null), not a bar at 0 %.
    const datasets = [
      { label: 'Exact match', data: groups.map((g) => g.exactMatch * 100), backgroundColor: SERIES.exactMatch, minBarLength: ZERO_BAR },
      ...(judged
        ? [{ label: 'Judge', data: groups.map((g) => (g.judge === null ? null : g.judge * 100)), backgroundColor: SERIES.judge, minBarLength: ZERO_BAR }]
        : []),
    ];
    const config: ChartConfiguration<'bar', (number | null)[]> = {
      type: 'bar',
      data: { labels: groups.map((g) => g.name), datasets },
      options: {
        indexAxis: horizontal ? 'y' : 'x',
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        ...this.clickable((e) => {
          const g = groups[e.index];
          return g && (field === 'benchmark' ? { benchmark: g.value } : { category: g.value });
        }),
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

  /**
   * Gaze quality by benchmark or category: the mean IoU of the model's box with the annotators'
   * corrections. Every group of the run is listed; one without corrections has no bar (its
   * label says so), a mean of 0 is a short bar. Absent when no sample has a corrected box.
   */
  private gazeQualityChart(field: 'benchmark' | 'category', t: Theme): HTMLElement | null {
    const measured = field === 'benchmark' ? this.gazeQuality?.byBenchmark : this.gazeQuality?.byCategory;
    if (!measured?.some((g) => g.count > 0)) return null;
    const byKey = new Map(measured.map((g) => [g.key, g]));
    const names = [...new Set([...this.rows.map((r) => (field === 'benchmark' ? r.benchmark : r.category || NO_CATEGORY)), ...byKey.keys()])].sort((a, b) =>
      a.localeCompare(b),
    );
    const groups = names.slice(0, MAX_CATEGORIES).map((name) => {
      const g = byKey.get(name);
      return { name, count: g?.count ?? 0, iou: g && g.count > 0 ? g.meanIou : null };
    });
    const title = `Gaze quality by ${field}${names.length > MAX_CATEGORIES ? ` (the first ${MAX_CATEGORIES})` : ''}`;
    const describe = groups.map((g) => (g.iou === null ? `${g.name} no corrected boxes` : `${g.name} ${g.iou.toFixed(3)} over ${g.count}`)).join('; ');
    const { card, canvas } = this.card(
      title,
      `gaze-quality-${field}`,
      `Mean IoU of the model's gaze box with the annotators' corrections of it (1 = where people would look): ${describe}.`,
      240,
    );
    this.charts.push(
      new Chart(canvas, {
        type: 'bar',
        data: {
          labels: groups.map((g) => (g.iou === null ? [g.name, 'no corrections'] : g.name)),
          datasets: [{ label: 'Mean IoU', data: groups.map((g) => g.iou), backgroundColor: SERIES.gazeQuality, minBarLength: ZERO_BAR }],
        },
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          ...this.clickable((e) => {
            const g = groups[e.index];
            if (!g) return undefined;
            if (field === 'benchmark') return { benchmark: g.name };
            return g.name === NO_CATEGORY ? undefined : { category: g.name };
          }),
          scales: {
            x: { ticks: { color: t.text }, grid: { display: false } },
            y: { min: 0, max: 1, title: { display: true, text: 'mean IoU', color: t.muted }, ticks: { color: t.muted }, grid: { color: t.grid } },
          },
          plugins: {
            legend: { display: false },
            tooltip: { callbacks: { label: (item) => `Mean IoU ${(item.raw as number).toFixed(3)} over ${groups[item.dataIndex]!.count} corrections` } },
          },
        },
      }),
    );
    return card;
  }

  private turnsChart(t: Theme): HTMLElement {
    const h = turnsHistogram(this.rows);
    const describe = h.turns
      .map((n, i) => `${n} turn${n === 1 ? '' : 's'}: ${h.right[i]! + h.wrong[i]! ? `${h.right[i]} right, ${h.wrong[i]} wrong` : 'no samples'}`)
      .join('; ');
    const { card, canvas } = this.card('Turns per sample', 'turns', h.turns.length && this.rows.length ? `${describe}.` : 'No samples yet.', 240);
    this.charts.push(
      new Chart(canvas, {
        type: 'bar',
        data: {
          // A turn count no sample took has no bar: its label says so.
          labels: h.turns.map((n, i) => (h.right[i]! + h.wrong[i]! ? String(n) : [String(n), 'no samples'])),
          datasets: [
            { label: 'Right', data: h.right, backgroundColor: SERIES.right },
            { label: 'Wrong', data: h.wrong, backgroundColor: SERIES.wrong },
          ],
        },
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          ...this.clickable((e) => {
            const turns = h.turns[e.index];
            return turns === undefined ? undefined : { turns: { turns, outcome: e.datasetIndex === 0 ? 'right' : 'wrong' } };
          }),
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

  private usageChart(
    title: string,
    id: string,
    usage: UsageFigures[],
    t: Theme,
    o: {
      series: { label: string; value: (u: UsageFigures) => number; colour: string }[];
      stacked: boolean;
      /** The value axis's title. */
      axis: string;
      /** What the text alternative says the figures are. */
      intro: string;
      format: (v: number) => string;
      describe: (u: UsageFigures) => string;
    },
  ): HTMLElement {
    const describe = usage.map((u) => `${o.describe(u)} (${u.samples} samples)`).join('; ');
    const { card, canvas } = this.card(title, id, describe ? `${o.intro}: ${describe}.` : 'No samples yet.', 240);
    this.charts.push(
      new Chart(canvas, {
        type: 'bar',
        data: {
          labels: usage.map((u) => u.name),
          datasets: o.series.map((s) => ({ label: s.label, data: usage.map(s.value), backgroundColor: s.colour, minBarLength: ZERO_BAR })),
        },
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          ...this.clickable((e) => {
            const u = usage[e.index];
            return u && { benchmark: u.value };
          }),
          scales: {
            x: { stacked: o.stacked, ticks: { color: t.text }, grid: { display: false } },
            y: {
              stacked: o.stacked,
              beginAtZero: true,
              title: { display: true, text: o.axis, color: t.muted },
              ticks: { color: t.muted, callback: (v) => o.format(Number(v)) },
              grid: { color: t.grid },
            },
          },
          plugins: {
            legend: { display: o.series.length > 1, labels: { color: t.text } },
            tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${o.format(item.raw as number)} (${usage[item.dataIndex]!.samples} samples)` } },
          },
        },
      }),
    );
    return card;
  }
}
