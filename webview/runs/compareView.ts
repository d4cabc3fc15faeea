// Runs of the same samples (two to eight), read against a baseline run the user picks: how
// the summaries moved, each run's right answers against the baseline's with whether the
// difference is noise (McNemar's exact p, a paired bootstrap interval), then every sample
// the runs disagree on first (regressions and improvements, each kind in dataset order),
// with every run's verdict; the samples some run lacks are a chip of their own.
// Selecting a sample asks the host where each disagreeing run's trajectory first parts from
// the baseline's; any trajectory opens in the trajectory editor, and two side by side in
// the diff panel. Filters and selection are kept with setState like the run view's.
import type { Change, ComparePair, Divergence, PairedFigure, RunInfo, RunsHostMessage, SummaryDelta } from '../../src/shared/runsMessages';
import { append, clear, el } from '../dom';
import { button } from '../toolkit';
import { count, percent, plural, seconds } from './format';
import type { RunsHost } from './host';
import { CAUSE_LABELS } from './tableModel';
import { VirtualTable, type Cell, type Column } from './virtualTable';

type CompareMessage = Extract<RunsHostMessage, { type: 'compare' }>;
type CompareColumn = 'id' | 'benchmark' | 'question' | 'gold' | 'change' | `run${number}`;

/** The letter a run goes by: A for the first, B for the second, … (as `gog compare` names them). */
export const runLabel = (i: number): string => String.fromCharCode(65 + i);

function columns(runs: number, baseline: number): Column<CompareColumn>[] {
  const fixed: Column<CompareColumn>[] = [
    { id: 'change', label: 'Change' },
    { id: 'id', label: 'Sample' },
    { id: 'benchmark', label: 'Benchmark' },
    { id: 'question', label: 'Question' },
    { id: 'gold', label: 'Gold' },
  ];
  const perRun = Array.from({ length: runs }, (_, i): Column<CompareColumn> => {
    const label = runs === 2 ? `Answer in ${runLabel(i)}` : `${runLabel(i)}${i === baseline ? ' (base)' : ''}`;
    return { id: `run${i}`, label };
  });
  return [...fixed, ...perRun];
}

const LABELS_OF_TWO: Partial<Record<Change, string>> = { both_right: 'Right in both', both_wrong: 'Wrong in both', only_a: 'Only in A', only_b: 'Only in B' };

export const CHANGE_LABELS: Record<Change, string> = {
  regression: 'Regression',
  improvement: 'Improvement',
  ...(LABELS_OF_TWO as Record<'both_right' | 'both_wrong' | 'only_a' | 'only_b', string>),
  all_right: 'Right in all',
  all_wrong: 'Wrong in all',
  partial: 'Not in every run',
};

const CHANGE_TITLES: Partial<Record<Change, (base: string) => string>> = {
  regression: (base) => `Right in the baseline ${base}, wrong in another run`,
  improvement: (base) => `Wrong in the baseline ${base}, right in another run`,
  partial: () => 'Samples some run lacks: listed apart, and paired only between the runs that have them',
};
const CHANGE_ORDER: Change[] = ['regression', 'improvement', 'both_wrong', 'both_right', 'all_wrong', 'all_right', 'only_a', 'only_b', 'partial'];

const VERDICT_WORDS: Record<'significant' | 'noise' | 'borderline' | 'few', string> = {
  significant: 'significant at 5%',
  noise: 'could be noise',
  borderline: 'borderline',
  few: 'too few disagreements to tell',
};

/** As significance.ts verdictOf reads the figures (kept here so the bundle does not carry the bootstrap). */
function verdictOf(f: PairedFigure): keyof typeof VERDICT_WORDS {
  if (f.b + f.c < 6) return 'few';
  const pSays = f.p < 0.05;
  const ciSays = f.ci[0] > 0 || f.ci[1] < 0;
  return pSays && ciSays ? 'significant' : !pSays && !ciSays ? 'noise' : 'borderline';
}

const points = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)}`;
const pText = (p: number) => (p >= 0.001 ? p.toFixed(3) : p.toExponential(1));

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

function formatDelta(d: SummaryDelta, run: number, baseline: number): { text: string; class: string } {
  const [a, b] = [d.values[baseline] ?? null, d.values[run] ?? null];
  if (a === null || b === null) return { text: '—', class: 'dim' };
  const delta = b - a;
  const text =
    d.format === 'percent' ? `${delta >= 0 ? '+' : '−'}${Math.abs(delta * 100).toFixed(1)} pt` : `${delta >= 0 ? '+' : '−'}${formatValue(d, Math.abs(delta))}`;
  const good = d.better === 'higher' ? delta > 0 : d.better === 'lower' ? delta < 0 : false;
  const bad = d.better === 'higher' ? delta < 0 : d.better === 'lower' ? delta > 0 : false;
  return { text: Math.abs(delta) < 1e-9 ? '0' : text, class: good ? 'better' : bad ? 'worse' : '' };
}

export class CompareView {
  private pairs: ComparePair[] = [];
  private runs: RunInfo[] = [];
  private baseline = 0;
  private changes: Set<Change>;
  private text: string;
  private selected: number | undefined;
  /** Where each run's trajectory parts from the baseline's, by sample and run (for this baseline). */
  private readonly divergences = new Map<string, Divergence | string>();
  private readonly top = el('header', { class: 'run-top' });
  private readonly figures = el('div', { class: 'compare-figures' });
  private readonly deltas = el('div', { class: 'deltas' });
  private readonly paired = el('section', { class: 'paired', attrs: { 'aria-label': 'Right answers against the baseline' } });
  private readonly baselineSelect = el('select', { attrs: { 'aria-label': 'Baseline' } });
  private readonly chips = el('div', { class: 'chips', attrs: { role: 'group', 'aria-label': 'Changes listed' } });
  private readonly search = el('input', { class: 'filter-text', attrs: { type: 'search', 'aria-label': 'Filter by question, answers, gold or id' } });
  private readonly shown = el('span', { class: 'shown dim', attrs: { 'aria-live': 'polite' } });
  private readonly detail = el('div', { class: 'detail compare-detail', attrs: { 'aria-live': 'polite' } });
  private readonly samples = el('section', { class: 'compare-samples', attrs: { 'aria-label': 'Samples' } });
  private table: VirtualTable<CompareColumn> | undefined;
  private tableShape = '';

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
    this.baselineSelect.addEventListener('change', () => this.chooseBaseline(Number(this.baselineSelect.value)));
    root.classList.add('run-app');
    // The significance first: whether a difference is noise is read before the figures, and shows without scrolling the summary.
    append(this.figures, this.paired, this.deltas);
    append(root, this.top, this.figures, el('div', { class: 'filters' }, this.search, this.shown), this.chips, this.samples, this.detail);
  }

  handle(m: CompareMessage): void {
    performance.mark('gog:runs-init');
    const rebased = m.baseline !== this.baseline || m.runs.length !== this.runs.length;
    this.pairs = m.pairs;
    this.runs = m.runs;
    this.baseline = m.baseline;
    if (rebased) this.divergences.clear();
    this.host.saveState({ run: m.runs[0]!.source, compareWith: m.runs[1]!.source, compared: m.runs.map((r) => r.source), baseline: m.baseline });
    this.drawTop(m);
    this.drawDeltas(m.deltas);
    this.drawPaired(m);
    this.makeTable();
    this.refilter();
    const state = this.host.state();
    if (state.scrollTop) this.table!.scrollTo(state.scrollTop);
    if (this.selected !== undefined && this.pairs[this.selected]) this.select(this.selected);
    else this.drawDetail();
    requestAnimationFrame(() => performance.mark('gog:runs-first-paint'));
  }

  private get two(): boolean {
    return this.runs.length === 2;
  }

  private drawTop(m: CompareMessage): void {
    const side = (i: number, run: RunInfo) =>
      el(
        'div',
        { class: `compare-run${i === m.baseline ? ' is-baseline' : ''}`, attrs: { 'data-run': runLabel(i) } },
        el('span', { class: 'side-label' }, runLabel(i)),
        el('span', { class: 'run-title', title: about(run) }, run.name ?? run.title),
        el('span', { class: 'run-meta' }, ` ${[plural(run.done, 'result'), run.dataset, fact(run, 'model'), fact(run, 'commit')].filter(Boolean).join(' · ')}`),
        i === m.baseline ? el('span', { class: 'badge baseline-badge' }, 'baseline') : null,
      );
    clear(this.baselineSelect);
    m.runs.forEach((r, i) => (this.baselineSelect.appendChild(el('option', {}, `${runLabel(i)}: ${r.name ?? r.title}`)).value = String(i)));
    this.baselineSelect.value = String(m.baseline);
    this.baselineSelect.disabled = !this.host.connected;
    clear(this.top);
    append(
      this.top,
      el(
        'div',
        { class: 'run-title-row' },
        el('h1', { class: 'compare-title' }, this.two ? 'Comparing two runs' : `Comparing ${m.runs.length} runs`),
        el('label', { class: 'baseline-choice' }, 'Baseline ', this.baselineSelect),
      ),
      el('div', { class: 'compare-runs' }, ...m.runs.map((r, i) => side(i, r))),
      m.problems.length ? el('div', { class: 'problems', attrs: { role: 'alert' } }, m.problems.join('; ')) : null,
    );
  }

  private chooseBaseline(run: number): void {
    if (!Number.isInteger(run) || run === this.baseline || !this.host.connected) return;
    this.baselineSelect.disabled = true;
    // The host answers, then sends the comparison read against the new baseline.
    this.host
      .request({ method: 'baseline', run })
      .catch((e: unknown) => {
        this.baselineSelect.value = String(this.baseline);
        this.shown.textContent = `Could not change the baseline: ${(e as Error).message}`;
      })
      .finally(() => (this.baselineSelect.disabled = false));
  }

  private drawDeltas(deltas: SummaryDelta[]): void {
    clear(this.deltas);
    const groups = [...new Set(deltas.map((d) => d.group))];
    const metrics = [...new Set(deltas.map((d) => d.metric))];
    const table = el('table', { class: `delta-table${this.two ? '' : ' delta-table-runs'}` });
    const head = el('tr', {}, el('th', {}, ''), this.two ? null : el('th', {}, 'run'));
    for (const metric of metrics) head.appendChild(el('th', { attrs: { 'data-metric': metric } }, metric));
    append(table, el('thead', {}, head));
    const body = el('tbody');
    const groupName = (group: string) => (group === 'all' ? 'All samples' : group);
    const find = (group: string, metric: string) => deltas.find((x) => x.group === group && x.metric === metric);
    for (const group of groups) {
      if (this.two) {
        // Two runs: baseline → the other, and the change, in one cell.
        const other = 1 - this.baseline;
        const row = el('tr', { attrs: { 'data-group': group } }, el('th', {}, groupName(group)));
        for (const metric of metrics) {
          const d = find(group, metric);
          if (!d) {
            row.appendChild(el('td', { class: 'dim' }, '—'));
            continue;
          }
          const delta = formatDelta(d, other, this.baseline);
          row.appendChild(
            el(
              'td',
              { attrs: { 'data-metric': metric } },
              el('span', { class: 'delta-values' }, `${formatValue(d, d.values[this.baseline] ?? null)} → ${formatValue(d, d.values[other] ?? null)}`),
              ' ',
              el('span', { class: `delta ${delta.class}` }, delta.text),
            ),
          );
        }
        body.appendChild(row);
        continue;
      }
      // More runs: a row per run, each figure with its change against the baseline.
      this.runs.forEach((_, run) => {
        const row = el('tr', { class: run === 0 ? 'group-first' : '', attrs: { 'data-group': group, 'data-run': runLabel(run) } });
        if (run === 0) {
          const th = el('th', { class: 'group-name' }, groupName(group));
          th.rowSpan = this.runs.length;
          row.appendChild(th);
        }
        row.appendChild(el('th', { class: `run-cell${run === this.baseline ? ' is-baseline' : ''}` }, runLabel(run)));
        for (const metric of metrics) {
          const d = find(group, metric);
          if (!d) {
            row.appendChild(el('td', { class: 'dim' }, '—'));
            continue;
          }
          const delta = run === this.baseline ? null : formatDelta(d, run, this.baseline);
          row.appendChild(
            el(
              'td',
              { attrs: { 'data-metric': metric } },
              el('span', { class: 'delta-values' }, formatValue(d, d.values[run] ?? null)),
              delta ? ' ' : null,
              delta ? el('span', { class: `delta ${delta.class}` }, delta.text) : null,
            ),
          );
        }
        body.appendChild(row);
      });
    }
    append(table, body);
    append(this.deltas, table);
  }

  private drawPaired(m: CompareMessage): void {
    clear(this.paired);
    const base = runLabel(m.baseline);
    const head = () =>
      el('tr', {}, ...['', 'run', 'samples', `right in ${base}`, 'right in run', 'difference', '95% CI', 'McNemar p', ''].map((h) => el('th', {}, h)));
    const row = (f: PairedFigure) => {
      const verdict = verdictOf(f);
      const d = f.other - f.baseline;
      return el(
        'tr',
        { class: `verdict-${verdict}`, attrs: { 'data-group': f.group, 'data-kind': f.kind, 'data-run': runLabel(f.run) } },
        el('th', {}, f.kind === 'all' ? 'All samples' : f.group),
        el('td', {}, runLabel(f.run)),
        el('td', { class: 'num' }, count(f.n)),
        el('td', { class: 'num' }, percent(f.baseline)),
        el('td', { class: 'num' }, percent(f.other)),
        el('td', { class: `num paired-delta ${d > 0 ? 'better' : d < 0 ? 'worse' : ''}` }, `${points(d)} pt`),
        el('td', { class: 'num paired-ci' }, `${points(f.ci[0])} to ${points(f.ci[1])} pt`),
        el('td', { class: 'num paired-p', title: `${f.b} right only in ${base}, ${f.c} only in ${runLabel(f.run)}` }, pText(f.p)),
        el('td', { class: 'paired-verdict' }, VERDICT_WORDS[verdict]),
      );
    };
    const table = (figures: PairedFigure[], label: string) =>
      el('table', { class: 'paired-table', attrs: { 'aria-label': label } }, el('thead', {}, head()), el('tbody', {}, ...figures.map(row)));
    const all = m.paired.filter((f) => f.kind === 'all');
    const groups = m.paired.filter((f) => f.kind !== 'all');
    append(
      this.paired,
      el('div', { class: 'paired-title' }, `Right answers against the baseline ${base}, on the samples both runs have`),
      table(all, 'All samples'),
      groups.length
        ? el(
            'details',
            { class: 'paired-groups' },
            el('summary', {}, 'By benchmark and category'),
            table(
              [...groups].sort((x, y) => x.run - y.run || (x.kind < y.kind ? -1 : x.kind > y.kind ? 1 : 0)),
              'By benchmark and category',
            ),
          )
        : null,
      el(
        'div',
        { class: 'paired-note dim' },
        `McNemar's exact test, two-sided, over the samples only one of the two got right; 95% interval of the difference by a paired bootstrap (${count(m.bootstrap.resamples)} resamples, seed ${m.bootstrap.seed}).`,
      ),
    );
  }

  /** The table, made anew when the number of runs (its columns) or the baseline (a column's name) changes. */
  private makeTable(): void {
    const shape = `${this.runs.length}/${this.baseline}`;
    if (this.table && this.tableShape === shape) return;
    this.tableShape = shape;
    this.table = new VirtualTable<CompareColumn>({
      className: `compare-grid runs-${this.runs.length}`,
      label: this.two ? 'Samples in both runs' : `Samples in ${this.runs.length} runs`,
      columns: columns(this.runs.length, this.baseline),
      cells: (key) => this.cells(this.pairs[key]!),
      activate: (key) => this.select(key),
      select: () => undefined,
      sort: () => undefined,
      scrolled: (top) => this.host.saveState({ scrollTop: top }),
    });
    clear(this.samples);
    this.samples.appendChild(this.table.element);
  }

  private drawChips(matching: ComparePair[]): void {
    const counts = new Map<Change, number>();
    for (const p of matching) counts.set(p.change, (counts.get(p.change) ?? 0) + 1);
    const n = (c: Change) => counts.get(c) ?? 0;
    // As the run view's cause chips: a change no sample has is not offered, listed or not,
    // unless every listed change has none (then they are why the table is empty).
    const listedWithSamples = [...this.changes].some((c) => n(c) > 0);
    const base = runLabel(this.baseline);
    clear(this.chips);
    for (const c of CHANGE_ORDER) {
      const empty = n(c) === 0;
      if (empty && !(this.changes.has(c) && !listedWithSamples)) continue;
      const title = empty ? 'No sample changed this way under the text filter; click to stop listing it' : CHANGE_TITLES[c]?.(base);
      append(
        this.chips,
        el(
          'button',
          {
            class: `chip change-chip${empty ? ' empty' : ''}`,
            attrs: { type: 'button', 'aria-pressed': String(this.changes.has(c)), 'data-change': c },
            ...(title ? { title } : {}),
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
      const hay = `${p.id}\n${p.question}\n${p.gold.join('\n')}\n${p.sides.map((s) => s?.answer ?? '').join('\n')}`.toLowerCase();
      return terms.every((t) => hay.includes(t));
    });
    this.drawChips(matching);
    const keys = matching
      .filter((p) => !this.changes.size || this.changes.has(p.change))
      .sort((x, y) => CHANGE_ORDER.indexOf(x.change) - CHANGE_ORDER.indexOf(y.change) || x.index - y.index || x.rollout - y.rollout || x.key - y.key)
      .map((p) => p.key);
    this.table?.setKeys(keys);
    this.shown.textContent = `${count(keys.length)} of ${plural(this.pairs.length, 'sample')}`;
    performance.mark('gog:runs-view');
  }

  private cells(p: ComparePair): Cell[] {
    const answer = (s: ComparePair['sides'][number]): Cell =>
      s
        ? {
            text: `${s.right ? '✓' : '✗'} ${s.answer ?? '(no answer)'}`,
            class: s.right ? 'right' : 'wrong',
            title: s.answer ?? (s.cause ? CAUSE_LABELS[s.cause] : ''),
          }
        : { text: '—', class: 'dim', title: 'not in this run' };
    const gold = p.gold.join(' | ');
    return [
      { text: CHANGE_LABELS[p.change], class: `change change-${p.change}` },
      { text: p.id + (p.rollout ? ` #${p.rollout}` : ''), title: p.id },
      { text: p.benchmark },
      { text: p.question, title: p.question },
      { text: gold, title: gold },
      ...p.sides.map(answer),
    ];
  }

  /** The runs whose trajectory is set against the baseline's for this sample: with two, the other; with more, those whose verdict differs. */
  private diverging(p: ComparePair): number[] {
    const base = p.sides[this.baseline];
    if (!base) return [];
    return p.sides.flatMap((s, run) => (run !== this.baseline && s && (this.two || s.right !== base.right) ? [run] : []));
  }

  private select(key: number): void {
    this.selected = key;
    this.table?.setSelected(key);
    this.host.saveState({ selected: key });
    this.drawDetail();
    const p = this.pairs[key];
    if (!p || !this.host.connected) return;
    for (const run of this.diverging(p)) {
      const at = `${key}/${run}`;
      if (this.divergences.has(at)) continue;
      this.host
        .request({ method: 'divergence', key, run })
        .then((r) => this.divergences.set(at, r.divergence ?? 'no answer'))
        .catch((e: unknown) => this.divergences.set(at, (e as Error).message))
        .finally(() => {
          if (this.selected === key) this.drawDetail();
        });
    }
  }

  private drawDetail(): void {
    clear(this.detail);
    const p = this.selected === undefined ? undefined : this.pairs[this.selected];
    if (!p) {
      this.detail.appendChild(
        el('span', { class: 'dim' }, this.two ? 'Select a sample to see where its two runs part.' : 'Select a sample to see where its runs part.'),
      );
      return;
    }
    const base = runLabel(this.baseline);
    const side = (run: number, s: ComparePair['sides'][number]) =>
      el(
        'div',
        { class: 'detail-answers', attrs: { 'data-run': runLabel(run) } },
        el('span', { class: 'side-label' }, runLabel(run)),
        s ? el('span', { class: s.right ? 'right' : 'wrong' }, s.answer ?? 'no answer') : el('span', { class: 'dim' }, 'not in this run'),
        s ? el('span', { class: 'dim' }, ` · ${s.cause ? CAUSE_LABELS[s.cause] : 'right'} · ${plural(s.turns, 'turn')} · F1 ${s.f1.toFixed(2)}`) : null,
        !this.two && run === this.baseline ? el('span', { class: 'badge baseline-badge' }, 'baseline') : null,
        s && this.host.connected ? button(`Open ${runLabel(run)}`, { icon: 'go-to-file', onClick: () => this.open(p.key, run) }) : null,
        s && p.sides[this.baseline] && run !== this.baseline && this.host.connected
          ? button(`Diff ${base} ↔ ${runLabel(run)}`, { icon: 'diff', onClick: () => this.diff(p.key, run) })
          : null,
      );
    const divergence = (run: number) => {
      const d = this.divergences.get(`${p.key}/${run}`);
      const [x, y] = [base, runLabel(run)];
      const lead = this.two ? '' : `${y} against ${x}: `;
      return d === undefined
        ? el('div', { class: 'divergence dim' }, this.host.connected ? 'Finding where the trajectories part…' : '')
        : typeof d === 'string'
          ? el('div', { class: 'divergence wrong' }, `${lead}Could not compare the trajectories: ${d}`)
          : d.step === null
            ? el('div', { class: 'divergence' }, `${lead}The two trajectories take the same actions (${plural(d.aSteps, 'step')}).`)
            : el(
                'div',
                { class: 'divergence', attrs: { 'data-run': y } },
                el('strong', {}, `${lead}${this.two ? 'F' : 'f'}irst divergence at step ${d.step}`),
                el('div', {}, el('span', { class: 'side-label' }, x), d.a ?? `had ended (${plural(d.aSteps, 'step')})`),
                el('div', {}, el('span', { class: 'side-label' }, y), d.b ?? `had ended (${plural(d.bSteps, 'step')})`),
              );
    };
    append(
      this.detail,
      el('div', { class: 'detail-question text' }, p.question),
      el('div', { class: 'dim' }, `gold: ${p.gold.join(' | ') || '—'} · ${CHANGE_LABELS[p.change].toLowerCase()} · ${p.id}`),
      ...p.sides.map((s, run) => side(run, s)),
      ...this.diverging(p).map(divergence),
    );
  }

  private open(key: number, run: number): void {
    this.host.request({ method: 'openSample', key, run }).catch((e: unknown) => {
      this.divergences.set(`${key}/${run}`, `could not open it: ${(e as Error).message}`);
      this.drawDetail();
    });
  }

  private diff(key: number, run: number): void {
    this.host.request({ method: 'diff', key, run }).catch((e: unknown) => {
      this.divergences.set(`${key}/${run}`, `could not open the diff: ${(e as Error).message}`);
      this.drawDetail();
    });
  }
}

/** One fact of how a run was made (bench.json), if it recorded it. */
function fact(run: RunInfo, label: string): string | undefined {
  return run.identity?.find(([k]) => k === label)?.[1];
}

/** A compared run's whole identity, for its title's tooltip: the folder, then every fact. */
function about(run: RunInfo): string {
  return [`folder ${run.title}`, ...(run.identity ?? []).map(([k, v]) => `${k}: ${v}`), run.notes].filter(Boolean).join('\n');
}
