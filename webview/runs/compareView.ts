// Two runs of the same samples: how the summaries moved, then every sample whose verdict
// changed (regressions and improvements first, each kind in dataset order), each with both
// answers against gold.
// Selecting a sample asks the host where its two trajectories first act differently;
// either trajectory opens in the trajectory editor. Filters and selection are kept with
// setState like the run view's.
import type { Change, ComparePair, Divergence, RunsHostMessage, SummaryDelta } from '../../src/shared/runsMessages';
import { append, clear, el } from '../dom';
import { button } from '../toolkit';
import { count, percent, plural, seconds } from './format';
import type { RunsHost } from './host';
import { CAUSE_LABELS } from './tableModel';
import { VirtualTable, type Cell, type Column } from './virtualTable';

type CompareColumn = 'id' | 'benchmark' | 'question' | 'gold' | 'a' | 'b' | 'change';

const COLUMNS: Column<CompareColumn>[] = [
  { id: 'change', label: 'Change' },
  { id: 'id', label: 'Sample' },
  { id: 'benchmark', label: 'Benchmark' },
  { id: 'question', label: 'Question' },
  { id: 'gold', label: 'Gold' },
  { id: 'a', label: 'Answer in A' },
  { id: 'b', label: 'Answer in B' },
];

export const CHANGE_LABELS: Record<Change, string> = {
  regression: 'Regression',
  improvement: 'Improvement',
  both_right: 'Right in both',
  both_wrong: 'Wrong in both',
  only_a: 'Only in A',
  only_b: 'Only in B',
};
const CHANGE_ORDER: Change[] = ['regression', 'improvement', 'both_wrong', 'both_right', 'only_a', 'only_b'];

function formatValue(d: SummaryDelta, v: number | null): string {
  if (v === null) return '—';
  switch (d.format) {
    case 'percent':
      return percent(v);
    case 'ms':
      // A figure and its unit stay on one line when the summary wraps.
      return seconds(v).replace(' ', '\u00a0');
    case 'number':
      return Number.isInteger(v) || Math.abs(v) >= 100 ? count(Math.round(v)) : v.toFixed(2);
  }
}

function formatDelta(d: SummaryDelta): { text: string; class: string } {
  if (d.a === null || d.b === null) return { text: '—', class: 'dim' };
  const delta = d.b - d.a;
  const text =
    d.format === 'percent' ? `${delta >= 0 ? '+' : '−'}${Math.abs(delta * 100).toFixed(1)} pt` : `${delta >= 0 ? '+' : '−'}${formatValue(d, Math.abs(delta))}`;
  const good = d.better === 'higher' ? delta > 0 : d.better === 'lower' ? delta < 0 : false;
  const bad = d.better === 'higher' ? delta < 0 : d.better === 'lower' ? delta > 0 : false;
  return { text: Math.abs(delta) < 1e-9 ? '0' : text, class: good ? 'better' : bad ? 'worse' : '' };
}

export class CompareView {
  private pairs: ComparePair[] = [];
  private changes: Set<Change>;
  private text: string;
  private selected: number | undefined;
  private readonly divergences = new Map<number, Divergence | string>();
  private readonly top = el('header', { class: 'run-top' });
  private readonly deltas = el('div', { class: 'deltas' });
  private readonly chips = el('div', { class: 'chips', attrs: { role: 'group', 'aria-label': 'Changes listed' } });
  private readonly search = el('input', { class: 'filter-text', attrs: { type: 'search', 'aria-label': 'Filter by question, answers, gold or id' } });
  private readonly shown = el('span', { class: 'shown dim', attrs: { 'aria-live': 'polite' } });
  private readonly detail = el('div', { class: 'detail compare-detail', attrs: { 'aria-live': 'polite' } });
  private readonly table: VirtualTable<CompareColumn>;

  constructor(
    root: HTMLElement,
    private readonly host: RunsHost,
  ) {
    const s = host.state();
    this.changes = new Set(s.changes ?? ['regression', 'improvement']);
    this.text = s.text ?? '';
    this.selected = s.selected;
    this.search.placeholder = 'Filter by question, answers, gold or id';
    this.search.value = this.text;
    this.search.addEventListener('input', () => {
      this.text = this.search.value;
      this.host.saveState({ text: this.text });
      this.refilter();
    });
    this.table = new VirtualTable<CompareColumn>({
      className: 'compare-grid',
      label: 'Samples in both runs',
      columns: COLUMNS,
      cells: (key) => this.cells(this.pairs[key]!),
      activate: (key) => this.select(key),
      select: () => undefined,
      sort: () => undefined,
      scrolled: (top) => this.host.saveState({ scrollTop: top }),
    });
    root.classList.add('run-app');
    append(
      root,
      this.top,
      this.deltas,
      el('div', { class: 'filters' }, this.search, this.shown),
      this.chips,
      el('section', { class: 'compare-samples', attrs: { 'aria-label': 'Samples' } }, this.table.element),
      this.detail,
    );
  }

  handle(m: Extract<RunsHostMessage, { type: 'compare' }>): void {
    performance.mark('gog:runs-init');
    this.pairs = m.pairs;
    this.host.saveState({ run: m.a.source, compareWith: m.b.source });
    const side = (label: string, run: typeof m.a) =>
      el(
        'div',
        { class: 'compare-run' },
        el('span', { class: 'side-label' }, label),
        el('span', { class: 'run-title' }, run.title),
        el('span', { class: 'run-meta' }, ` ${plural(run.done, 'result')}${run.dataset ? ` · ${run.dataset}` : ''}`),
      );
    clear(this.top);
    append(
      this.top,
      el('h1', { class: 'run-title-row compare-title' }, 'Comparing two runs'),
      side('A', m.a),
      side('B', m.b),
      m.problems.length ? el('div', { class: 'problems', attrs: { role: 'alert' } }, m.problems.join('; ')) : null,
    );
    this.drawDeltas(m.deltas);
    this.refilter();
    const state = this.host.state();
    if (state.scrollTop) this.table.scrollTo(state.scrollTop);
    if (this.selected !== undefined && this.pairs[this.selected]) this.select(this.selected);
    else this.drawDetail();
    requestAnimationFrame(() => performance.mark('gog:runs-first-paint'));
  }

  private drawDeltas(deltas: SummaryDelta[]): void {
    clear(this.deltas);
    const groups = [...new Set(deltas.map((d) => d.group))];
    const metrics = [...new Set(deltas.map((d) => d.metric))];
    const table = el('table', { class: 'delta-table' });
    const head = el('tr', {}, el('th', {}, ''));
    for (const metric of metrics) head.appendChild(el('th', { attrs: { 'data-metric': metric } }, metric));
    append(table, el('thead', {}, head));
    const body = el('tbody');
    for (const group of groups) {
      const row = el('tr', { attrs: { 'data-group': group } }, el('th', {}, group === 'all' ? 'All samples' : group));
      for (const metric of metrics) {
        const d = deltas.find((x) => x.group === group && x.metric === metric);
        if (!d) {
          row.appendChild(el('td', { class: 'dim' }, '—'));
          continue;
        }
        const delta = formatDelta(d);
        row.appendChild(
          el(
            'td',
            { attrs: { 'data-metric': metric } },
            el('span', { class: 'delta-values' }, `${formatValue(d, d.a)} → ${formatValue(d, d.b)}`),
            ' ',
            el('span', { class: `delta ${delta.class}` }, delta.text),
          ),
        );
      }
      body.appendChild(row);
    }
    append(table, body);
    append(this.deltas, table);
  }

  private drawChips(matching: ComparePair[]): void {
    const counts = new Map<Change, number>();
    for (const p of matching) counts.set(p.change, (counts.get(p.change) ?? 0) + 1);
    const n = (c: Change) => counts.get(c) ?? 0;
    // As the run view's cause chips: a change no sample has is not offered, listed or not,
    // unless every listed change has none (then they are why the table is empty).
    const listedWithSamples = [...this.changes].some((c) => n(c) > 0);
    clear(this.chips);
    for (const c of CHANGE_ORDER) {
      const empty = n(c) === 0;
      if (empty && !(this.changes.has(c) && !listedWithSamples)) continue;
      append(
        this.chips,
        el(
          'button',
          {
            class: `chip change-chip${empty ? ' empty' : ''}`,
            attrs: { type: 'button', 'aria-pressed': String(this.changes.has(c)), 'data-change': c },
            ...(empty ? { title: 'No sample changed this way under the text filter; click to stop listing it' } : {}),
            on: {
              click: () => {
                // Changes with no sample chose nothing: they go with any click.
                const next = new Set([...this.changes].filter((x) => n(x) > 0));
                if (this.changes.has(c)) next.delete(c);
                else next.add(c);
                this.changes = next;
                this.host.saveState({ changes: [...this.changes] });
                this.refilter();
              },
            },
          },
          `${CHANGE_LABELS[c]} `,
          el('span', { class: 'chip-count' }, count(n(c))),
        ),
      );
    }
  }

  private refilter(): void {
    const terms = this.text.toLowerCase().split(/\s+/).filter(Boolean);
    const matching = this.pairs.filter((p) => {
      const hay = `${p.id}\n${p.question}\n${p.gold.join('\n')}\n${p.a?.answer ?? ''}\n${p.b?.answer ?? ''}`.toLowerCase();
      return terms.every((t) => hay.includes(t));
    });
    this.drawChips(matching);
    const keys = matching
      .filter((p) => !this.changes.size || this.changes.has(p.change))
      .sort((x, y) => CHANGE_ORDER.indexOf(x.change) - CHANGE_ORDER.indexOf(y.change) || x.index - y.index || x.rollout - y.rollout || x.key - y.key)
      .map((p) => p.key);
    this.table.setKeys(keys);
    this.shown.textContent = `${count(keys.length)} of ${plural(this.pairs.length, 'sample')}`;
    performance.mark('gog:runs-view');
  }

  private cells(p: ComparePair): Cell[] {
    const answer = (s: ComparePair['a']): Cell =>
      s
        ? {
            text: `${s.right ? '✓' : '✗'} ${s.answer ?? '(no answer)'}`,
            class: s.right ? 'right' : 'wrong',
            title: s.answer ?? (s.cause ? CAUSE_LABELS[s.cause] : ''),
          }
        : { text: '—', class: 'dim' };
    const gold = p.gold.join(' | ');
    return [
      { text: CHANGE_LABELS[p.change], class: `change change-${p.change}` },
      { text: p.id + (p.rollout ? ` #${p.rollout}` : ''), title: p.id },
      { text: p.benchmark },
      { text: p.question, title: p.question },
      { text: gold, title: gold },
      answer(p.a),
      answer(p.b),
    ];
  }

  private select(key: number): void {
    this.selected = key;
    this.table.setSelected(key);
    this.host.saveState({ selected: key });
    this.drawDetail();
    const p = this.pairs[key];
    if (!p?.a || !p.b || this.divergences.has(key) || !this.host.connected) return;
    this.host
      .request({ method: 'divergence', key })
      .then((r) => this.divergences.set(key, r.divergence ?? 'no answer'))
      .catch((e: unknown) => this.divergences.set(key, (e as Error).message))
      .finally(() => {
        if (this.selected === key) this.drawDetail();
      });
  }

  private drawDetail(): void {
    clear(this.detail);
    const p = this.selected === undefined ? undefined : this.pairs[this.selected];
    if (!p) {
      this.detail.appendChild(el('span', { class: 'dim' }, 'Select a sample to see where its two runs part.'));
      return;
    }
    const side = (label: 'A' | 'B', s: ComparePair['a']) =>
      el(
        'div',
        { class: 'detail-answers' },
        el('span', { class: 'side-label' }, label),
        s ? el('span', { class: s.right ? 'right' : 'wrong' }, s.answer ?? 'no answer') : el('span', { class: 'dim' }, 'not in this run'),
        s ? el('span', { class: 'dim' }, ` · ${s.cause ? CAUSE_LABELS[s.cause] : 'right'} · ${plural(s.turns, 'turn')} · F1 ${s.f1.toFixed(2)}`) : null,
        s && this.host.connected ? button(`Open ${label}`, { icon: 'go-to-file', onClick: () => this.open(p.key, label === 'A' ? 'a' : 'b') }) : null,
      );
    const d = this.divergences.get(p.key);
    const divergence =
      !p.a || !p.b
        ? null
        : d === undefined
          ? el('div', { class: 'divergence dim' }, this.host.connected ? 'Finding where the trajectories part…' : '')
          : typeof d === 'string'
            ? el('div', { class: 'divergence wrong' }, `Could not compare the trajectories: ${d}`)
            : d.step === null
              ? el('div', { class: 'divergence' }, `The two trajectories take the same actions (${plural(d.aSteps, 'step')}).`)
              : el(
                  'div',
                  { class: 'divergence' },
                  el('strong', {}, `First divergence at step ${d.step}`),
                  el('div', {}, el('span', { class: 'side-label' }, 'A'), d.a ?? `had ended (${plural(d.aSteps, 'step')})`),
                  el('div', {}, el('span', { class: 'side-label' }, 'B'), d.b ?? `had ended (${plural(d.bSteps, 'step')})`),
                );
    append(
      this.detail,
      el('div', { class: 'detail-question text' }, p.question),
      el('div', { class: 'dim' }, `gold: ${p.gold.join(' | ') || '—'} · ${CHANGE_LABELS[p.change].toLowerCase()} · ${p.id}`),
      side('A', p.a),
      side('B', p.b),
      divergence,
    );
  }

  private open(key: number, side: 'a' | 'b'): void {
    this.host.request({ method: 'openSample', key, side }).catch((e: unknown) => {
      this.divergences.set(key, `could not open it: ${(e as Error).message}`);
      this.drawDetail();
    });
  }
}
