// Agreement between annotators (Show Agreement…): `gog agreement`'s figures as tables (per
// pair and overall on verdicts and on each error category; IoU between annotators' boxes;
// gaze quality, the model's box against the corrections) and the conflicts as a list. A
// conflict opens in the trajectory editor, an adjudicator settles it with one of the
// verdict buttons, and Review Conflicts opens the review queue over the unsettled ones.
// Names, categories and paths come from annotators' files: el() makes them text nodes only.
import type { AgreementMessage } from '../../src/shared/agreementMessage';
import type { Label } from '../../src/core/trajectory';
import { append, clear, el } from '../dom';
import { button } from '../toolkit';
import { count, percent, plural } from './format';
import type { RunsHost } from './host';

type Report = AgreementMessage['report'];
type Pair = Report['verdicts']['pairs'][number];
type Overall = NonNullable<Report['verdicts']['overall']>;
type Iou = Report['gazeQuality']['overall'];

/** κ to three places, or why it has none, in the words `gog agreement` prints. */
function kappaText(f: { kappa: number | null; items: number }): string {
  if (f.kappa !== null) return f.kappa.toFixed(3);
  return f.items === 0 ? '— (no samples in common)' : '— (one category throughout)';
}

const iouText = (f: Iou): string => (f.meanIou === null ? '—' : f.meanIou.toFixed(3));

function table(label: string, head: string[], rows: HTMLElement[]): HTMLElement {
  return el(
    'table',
    { class: 'paired-table agreement-table', attrs: { 'aria-label': label } },
    el('thead', {}, el('tr', {}, ...head.map((h) => el('th', {}, h)))),
    el('tbody', {}, ...rows),
  );
}

function pairRow(p: Pair): HTMLElement {
  return el(
    'tr',
    { class: 'agreement-pair' },
    el('th', {}, `${p.a} · ${p.b}`),
    el('td', { class: 'num' }, count(p.items)),
    el('td', { class: 'num' }, p.items ? percent(p.observed) : '—'),
    el('td', { class: 'num' }, kappaText(p)),
  );
}

function overallRow(o: Overall): HTMLElement {
  return el(
    'tr',
    { class: 'agreement-overall' },
    el('th', {}, `overall (${o.method === 'cohen' ? "Cohen's κ" : "Fleiss' κ"})`),
    el('td', { class: 'num' }, count(o.items)),
    el('td', { class: 'num' }, o.method === 'cohen' ? percent(o.observed) : `${percent(o.items ? o.unanimous / o.items : 0)} unanimous`),
    el('td', { class: 'num' }, kappaText(o)),
  );
}

const PAIR_HEAD = ['Annotators', 'Samples', 'Agree', 'κ'];

export class AgreementView {
  private message: AgreementMessage | undefined;

  constructor(
    private readonly root: HTMLElement,
    private readonly host: RunsHost,
  ) {
    root.classList.add('run-app', 'agreement-app');
  }

  handle(m: AgreementMessage): void {
    this.message = m;
    clear(this.root);
    const r = m.report;
    append(
      this.root,
      el(
        'header',
        { class: 'agreement-head' },
        el('h1', {}, `Agreement over ${m.target}`),
        el(
          'p',
          { class: 'dim' },
          `${plural(r.samples, 'trajectory', 'trajectories')}: ${count(r.labelled)} labelled, ${count(r.multiLabelled)} by two or more. Annotators: ${r.annotators.join(', ') || 'none'}`,
        ),
        r.unnamedAnnotations ? el('p', { class: 'dim' }, `${plural(r.unnamedAnnotations, 'annotation')} without an annotator's name left out`) : null,
      ),
      this.verdicts(r),
      this.boxes(r),
      this.quality(r),
      this.conflicts(m),
      m.notes.length
        ? el(
            'section',
            { class: 'agreement-notes', attrs: { 'aria-label': 'Not read' } },
            el('h2', {}, 'Not read'),
            el('ul', {}, ...m.notes.map((n) => el('li', {}, n))),
          )
        : null,
    );
  }

  private verdicts(r: Report): HTMLElement {
    const section = el(
      'section',
      { class: 'agreement-verdicts', attrs: { 'aria-label': 'Verdicts' } },
      el('h2', {}, `Verdicts (${r.verdicts.categories.join(', ')})`),
    );
    if (r.labellers.length < 2) {
      append(
        section,
        el(
          'p',
          { class: 'dim' },
          r.labellers.length
            ? `Only ${r.labellers[0]} gave verdicts; agreement needs two annotators on the same samples.`
            : 'No verdicts by a named annotator; agreement needs two annotators on the same samples.',
        ),
      );
      return section;
    }
    append(section, table('Verdict agreement', PAIR_HEAD, [...r.verdicts.pairs.map(pairRow), ...(r.verdicts.overall ? [overallRow(r.verdicts.overall)] : [])]));
    if (r.categories.perCategory.length) {
      append(section, el('h2', {}, 'Error categories (each present or absent on a sample both labelled)'));
      for (const c of r.categories.perCategory)
        append(
          section,
          el('h3', { class: 'agreement-category' }, `${c.category} (given on ${plural(c.given, 'sample')})`),
          table(`Agreement on ${c.category}`, PAIR_HEAD, [...c.pairs.map(pairRow), ...(c.overall ? [overallRow(c.overall)] : [])]),
        );
    }
    return section;
  }

  private boxes(r: Report): HTMLElement | null {
    if (!r.boxes.gazes) return null;
    return el(
      'section',
      { class: 'agreement-boxes', attrs: { 'aria-label': 'Gaze boxes between annotators' } },
      el('h2', {}, `Gaze boxes corrected by two or more annotators: ${plural(r.boxes.gazes, 'gaze')}, mean IoU ${iouText(r.boxes.overall)}`),
      table(
        'IoU between annotators',
        ['Annotators', 'Box pairs', 'Mean IoU'],
        r.boxes.pairs.map((p) =>
          el('tr', {}, el('th', {}, `${p.a} · ${p.b}`), el('td', { class: 'num' }, count(p.count)), el('td', { class: 'num' }, iouText(p))),
        ),
      ),
    );
  }

  private quality(r: Report): HTMLElement | null {
    const q = r.gazeQuality;
    if (!q.overall.count) return null;
    const groups = (by: string, list: Report['gazeQuality']['byBenchmark']) =>
      list.map((g) => el('tr', {}, el('td', {}, by), el('th', {}, g.key), el('td', { class: 'num' }, count(g.count)), el('td', { class: 'num' }, iouText(g))));
    return el(
      'section',
      { class: 'agreement-quality', attrs: { 'aria-label': 'Gaze quality' } },
      el('h2', {}, `Gaze quality: IoU of the model's box with the correction, ${plural(q.overall.count, 'correction')}, mean ${iouText(q.overall)}`),
      table(
        'Gaze quality by group',
        ['By', 'Group', 'Corrections', 'Mean IoU'],
        [...groups('benchmark', q.byBenchmark), ...groups('category', q.byCategory), ...groups('checkpoint', q.byCheckpoint)],
      ),
    );
  }

  private conflicts(m: AgreementMessage): HTMLElement {
    const list = m.report.conflicts;
    const open = list.filter((c) => c.adjudicated === undefined).length + (m.conflictCount - list.length);
    const section = el(
      'section',
      { class: 'agreement-conflicts', attrs: { 'aria-label': 'Conflicts' } },
      el(
        'h2',
        {},
        m.conflictCount ? `Conflicts: ${plural(m.conflictCount, 'sample')} where the verdicts differ, ${count(open)} not settled` : 'Conflicts: none',
      ),
    );
    if (!m.conflictCount) return section;
    if (this.host.connected && open)
      append(
        section,
        button('Review Conflicts', { icon: 'checklist', onClick: () => void this.host.request({ method: 'reviewConflicts' }).catch(() => undefined) }),
      );
    append(
      section,
      el(
        'ul',
        { class: 'conflict-list', attrs: { 'aria-label': 'Conflict samples' } },
        ...list.map((c, index) =>
          el(
            'li',
            { class: `conflict${c.adjudicated ? ' settled' : ''}`, attrs: { 'data-index': String(index) } },
            this.host.connected
              ? el(
                  'button',
                  {
                    class: 'link conflict-path',
                    title: 'Open in the trajectory editor',
                    on: { click: () => void this.host.request({ method: 'openConflict', index }).catch(() => undefined) },
                  },
                  c.path,
                )
              : el('span', { class: 'conflict-path' }, c.path),
            el(
              'span',
              { class: 'conflict-labels' },
              Object.entries(c.labels)
                .map(([name, label]) => `${name}: ${label}`)
                .join(' · '),
            ),
            c.adjudicated
              ? el('span', { class: 'conflict-settled' }, `settled: ${c.adjudicated} (adjudicated)`)
              : this.host.connected
                ? el(
                    'span',
                    { class: 'adjudicate', attrs: { role: 'group', 'aria-label': 'Adjudicate' } },
                    'Adjudicate: ',
                    ...m.verdicts.map((v) => this.adjudicateButton(index, v)),
                  )
                : null,
          ),
        ),
      ),
      m.conflictCount > list.length
        ? el('p', { class: 'dim' }, `…and ${count(m.conflictCount - list.length)} more (all of them go into the review queue)`)
        : null,
    );
    return section;
  }

  private adjudicateButton(index: number, verdict: Label): HTMLElement {
    return button(verdict, {
      onClick: () => void this.host.request({ method: 'adjudicate', index, label: verdict }).catch(() => undefined),
      title: `Adjudicate: ${verdict}`,
    });
  }

  /** The message shown (tests). */
  get shown(): AgreementMessage | undefined {
    return this.message;
  }
}
