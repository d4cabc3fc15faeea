// One sample's trajectories in two runs side by side: a row per step, the two runs' turns
// in the same row (so aligned turns share their top), a gap where one run has no such turn,
// the first step where they act differently marked, and both runs' gaze boxes on one image
// in two colours, with a legend naming the runs. Everything shown is what the host sent:
// the view reads no file, and the image is the URL the host checked.
import type { ActionRecord, ObservationEvent } from '../../src/core/trajectory';
import { describeAction } from '../../src/data/compare';
import type { DiffMessage } from '../../src/shared/runsMessages';
import { TrajectoryModel, type Turn } from '../model';
import { append, clear, el, image } from '../dom';
import { button } from '../toolkit';
import { plural } from './format';
import type { RunsHost } from './host';
import { CAUSE_LABELS } from './tableModel';

const SIDE_CLASS = ['side-a', 'side-b'] as const;

/** Reasoning and a turn's own text, shortened for a cell (the whole text is the cell's tooltip). */
const MAX_TEXT = 600;
const shorten = (t: string) => (t.length > MAX_TEXT ? `${t.slice(0, MAX_TEXT - 1)}…` : t);

function evidence(o: ObservationEvent | undefined): string | null {
  if (!o) return null;
  if (o.error) return `tool error: ${o.error}`;
  if (!o.results.length) return 'no results';
  const titles = o.results.slice(0, 3).map((r) => r.title || r.url || '(untitled)');
  return `${plural(o.results.length, 'result')}: ${titles.join(' · ')}${o.results.length > 3 ? ' · …' : ''}`;
}

function actionClass(a: ActionRecord | undefined): string {
  if (!a) return '';
  switch (a.kind) {
    case 'answer':
      return 'act-answer';
    case 'text_search':
      return 'act-text';
    case 'image_search':
      return a.scope === 'region' ? 'act-gaze' : 'act-glance';
    case 'parse_error':
      return 'act-error';
  }
}

export class DiffView {
  private readonly root: HTMLElement;

  constructor(
    root: HTMLElement,
    private readonly host: RunsHost,
  ) {
    this.root = root;
    root.classList.add('run-app', 'diff-app');
  }

  handle(m: DiffMessage): void {
    const models = m.sides.map((s) => {
      const model = new TrajectoryModel(s.header);
      for (const e of s.events) model.apply(e);
      return model;
    });
    clear(this.root);
    append(this.root, this.header(m), this.body(m, models));
  }

  private header(m: DiffMessage): HTMLElement {
    const d = m.divergence;
    const [a, b] = m.sides;
    const legend = el(
      'div',
      { class: 'diff-legend', attrs: { role: 'list', 'aria-label': 'Runs' } },
      ...m.sides.map((s, i) =>
        el(
          'div',
          { class: `legend-item ${SIDE_CLASS[i]}`, attrs: { role: 'listitem', 'data-side': String(i) } },
          el('span', { class: 'swatch', attrs: { 'aria-hidden': 'true' } }),
          el('span', { class: 'side-label' }, s.label),
          el('span', { class: 'run-title' }, s.title),
          el('span', { class: s.side.right ? 'right' : 'wrong' }, ` ${s.side.right ? '✓' : '✗'} ${s.side.answer ?? 'no answer'}`),
          el('span', { class: 'dim' }, ` · ${s.side.cause ? CAUSE_LABELS[s.side.cause] : 'right'} · ${plural(s.side.turns, 'turn')}`),
          this.host.connected
            ? button(`Open ${s.label}`, { icon: 'go-to-file', onClick: () => void this.host.request({ method: 'openSample', key: 0, run: i }) })
            : null,
        ),
      ),
    );
    return el(
      'header',
      { class: 'run-top diff-top' },
      el('h1', { class: 'compare-title' }, `Trajectory diff: ${m.sample.id}${m.sample.rollout ? ` #${m.sample.rollout}` : ''}`),
      el('div', { class: 'detail-question text' }, m.sample.question),
      el('div', { class: 'dim' }, `gold: ${m.sample.gold.join(' | ') || '—'}`),
      legend,
      el(
        'div',
        { class: 'divergence diff-summary' },
        d.step === null
          ? `${a.label} and ${b.label} take the same actions (${plural(d.aSteps, 'step')}).`
          : `First divergence at step ${d.step}: ${a.label} ${d.a ?? 'had ended'} · ${b.label} ${d.b ?? 'had ended'}`,
      ),
      ...m.notes.map((n) => el('div', { class: 'problems', attrs: { role: 'note' } }, n)),
      ...m.sides.flatMap((s) =>
        s.problems.length
          ? [el('div', { class: 'problems', attrs: { role: 'alert' } }, `${s.label}: ${s.problems.map((p) => `line ${p.line}: ${p.message}`).join('; ')}`)]
          : [],
      ),
    );
  }

  private body(m: DiffMessage, models: TrajectoryModel[]): HTMLElement {
    return el('div', { class: 'diff-body' }, this.imagePane(m, models), this.turns(m, models));
  }

  /** The image with both runs' gaze boxes: A's ring drawn outside the region, B's inside, so boxes that coincide both show. */
  private imagePane(m: DiffMessage, models: TrajectoryModel[]): HTMLElement {
    const pane = el('section', { class: 'diff-image', attrs: { 'aria-label': 'Image with both runs’ gaze boxes' } });
    if (!m.image) {
      pane.appendChild(el('div', { class: 'dim' }, 'No image to show.'));
      return pane;
    }
    const stage = el('div', { class: 'diff-stage' });
    stage.style.aspectRatio = `${m.image.width} / ${m.image.height}`;
    const photo = image(m.image.url, m.sample.question, 'diff-photo');
    photo.loading = 'eager';
    const overlay = el('div', { class: 'diff-overlay' });
    models.forEach((model, i) => {
      const size = m.sides[i]!.header?.image.oriented ?? { width: m.image!.width, height: m.image!.height };
      for (const g of model.gazes) {
        const [x1, y1, x2, y2] = g.box.original;
        const box = el(
          'div',
          {
            class: `diff-box ${SIDE_CLASS[i]}`,
            title: `${m.sides[i]!.label}, turn ${g.step}: gaze at [${g.box.original.map((v) => Math.round(v)).join(', ')}]`,
            attrs: { 'data-side': String(i), 'data-step': String(g.step) },
          },
          el('span', { class: 'box-label' }, `${m.sides[i]!.label}${g.step}`),
        );
        box.style.left = `${(100 * x1) / size.width}%`;
        box.style.top = `${(100 * y1) / size.height}%`;
        box.style.width = `${(100 * (x2 - x1)) / size.width}%`;
        box.style.height = `${(100 * (y2 - y1)) / size.height}%`;
        overlay.appendChild(box);
      }
    });
    append(stage, photo, overlay);
    const gazes = models.map((mo, i) => `${m.sides[i]!.label}: ${plural(mo.gazes.length, 'gaze')}`).join(' · ');
    append(pane, stage, el('div', { class: 'dim diff-image-note' }, `${gazes} · the image is ${m.sides[m.image.from]!.label}'s`));
    return pane;
  }

  /** A grid row per step: the step, then each run's turn or a gap; the first divergence marked. */
  private turns(m: DiffMessage, models: TrajectoryModel[]): HTMLElement {
    const grid = el('section', { class: 'diff-turns', attrs: { role: 'table', 'aria-label': 'Turns of both runs, by step' } });
    append(
      grid,
      el('div', { class: 'diff-head', attrs: { role: 'columnheader' } }, 'Step'),
      ...m.sides.map((s, i) =>
        el(
          'div',
          { class: `diff-head ${SIDE_CLASS[i]}`, attrs: { role: 'columnheader' } },
          el('span', { class: 'swatch', attrs: { 'aria-hidden': 'true' } }),
          `${s.label}: ${s.title}`,
        ),
      ),
    );
    const bySide = models.map((mo) => new Map(mo.turns.filter((t) => t.step > 0).map((t) => [t.step, t])));
    const steps = [...new Set([...bySide[0]!.keys(), ...bySide[1]!.keys()])].sort((x, y) => x - y);
    const diverge = m.divergence.step;
    for (const step of steps) {
      const marked = step === diverge;
      const cls = marked ? ' diverge' : '';
      grid.appendChild(
        el(
          'div',
          { class: `diff-step${cls}`, attrs: { role: 'rowheader', 'data-step': String(step) } },
          String(step),
          marked ? el('span', { class: 'diverge-mark' }, 'first divergence') : null,
        ),
      );
      bySide.forEach((turns, i) => {
        const t = turns.get(step);
        grid.appendChild(
          t
            ? this.turnCell(t, i, cls)
            : el(
                'div',
                { class: `diff-turn gap ${SIDE_CLASS[i]}${cls}`, attrs: { role: 'cell', 'data-side': String(i), 'data-step': String(step) } },
                `no turn ${step} in ${m.sides[i]!.label}`,
              ),
        );
      });
    }
    // How each run ended, in a last row.
    const finals = models.map((mo) => mo.final);
    grid.appendChild(el('div', { class: 'diff-step diff-end' }, 'end'));
    finals.forEach((f, i) =>
      grid.appendChild(
        el(
          'div',
          { class: `diff-turn diff-end ${SIDE_CLASS[i]}`, attrs: { role: 'cell', 'data-side': String(i) } },
          f ? `${f.stopReason.replace('_', ' ')} after ${plural(f.turns, 'turn')}${f.answer !== null ? `: ${f.answer}` : ''}` : 'no final event',
        ),
      ),
    );
    return grid;
  }

  private turnCell(t: Turn, side: number, cls: string): HTMLElement {
    const reasoning = t.reflections.map((r) => r.text).join('\n');
    const observed = evidence(t.observation);
    return el(
      'div',
      { class: `diff-turn ${SIDE_CLASS[side]}${cls}`, attrs: { role: 'cell', 'data-side': String(side), 'data-step': String(t.step) } },
      el('div', { class: `diff-action ${actionClass(t.action)}` }, t.action ? describeAction(t.action) : 'no action recorded'),
      reasoning ? el('div', { class: 'diff-reasoning text', title: reasoning.length > MAX_TEXT ? reasoning : '' }, shorten(reasoning)) : null,
      observed ? el('div', { class: 'diff-evidence dim' }, observed) : null,
    );
  }
}
