// One benchmark run: its figures and progress, the failures table (every sample in dataset
// order, filtered by cause, benchmark, category, text and what was clicked in the charts,
// sorted by any column) and its charts. Every filter but the text and causes shows as a
// removable chip, so the count "N of M" always has a visible why. The filters, sort,
// scroll, selection and tab are kept with setState, so opening a sample and coming back (the
// webview is rebuilt) finds the table as it was left. One click on a row opens the sample's
// trajectory; the filtered rows can start a review queue or be exported (Export Table…).
// Inside VS Code a second box searches the samples' trajectories (reasoning, reflections,
// queries, evidence, answers) on the extension's side: the samples found are listed as they come, each with its first match
// (shown as text), and a new search replaces the one before.
// Performance marks: gog:runs-first-paint (the first rows drawn), gog:runs-view (each
// filter or sort drawn).
import { MAX_PATTERN_CHARS } from '../../src/core/findFields';
import type { ReportDetails } from '../../src/shared/reportData';
import type { FindHit, RunsHostMessage, ReviewRow, RunInfo, SortColumn } from '../../src/shared/runsMessages';
import { append, clear, el } from '../dom';
import { button } from '../toolkit';
import { RunCharts, type ChartPick } from './charts';
import type { GazeQualityMessage } from '../../src/shared/agreementMessage';
import { count, percent, plural, seconds } from './format';
import type { RunsHost } from './host';
import { figures, rowIsRight } from './overviewModel';
import { SamplePane } from './samplePane';
import {
  CAUSE_LABELS,
  causeOfRow,
  describeFilters,
  describeGaze,
  describeTurns,
  FAILURES,
  TableModel,
  type CauseFilter,
  type Filters,
  type Sort,
} from './tableModel';
import { VirtualTable, type Cell, type Column } from './virtualTable';

const COLUMNS: Column<SortColumn>[] = [
  { id: 'id', label: 'Sample', sortable: true },
  { id: 'benchmark', label: 'Benchmark', sortable: true },
  { id: 'category', label: 'Category', sortable: true },
  { id: 'question', label: 'Question', sortable: true },
  { id: 'answer', label: 'Answer', sortable: true },
  { id: 'gold', label: 'Gold', sortable: true },
  { id: 'cause', label: 'Cause', sortable: true },
  { id: 'f1', label: 'F1', sortable: true, numeric: true },
  { id: 'turns', label: 'Turns', sortable: true, numeric: true },
  { id: 'searches', label: 'T·G·Z', title: 'Text searches · glances · gazes', sortable: true, numeric: true },
  { id: 'ms', label: 'Time', sortable: true, numeric: true },
];

/** Text columns sort A→Z first; figures sort largest first (the slowest, the most turns). */
const DESCENDING_FIRST = new Set<SortColumn>(['f1', 'turns', 'searches', 'ms']);

/** Typing pauses this long before the trajectories are searched (Enter searches at once). */
const FIND_DEBOUNCE_MS = 300;

export class RunView {
  private model = new TableModel();
  private run: RunInfo | undefined;
  private problems: { line: number; message: string }[] = [];
  private filters: Filters;
  private sort: Sort;
  private selected: number | undefined;
  /** The kept scroll and selection are still to be put back (the run's rows are not all in). */
  private restoring = false;
  private tab: 'samples' | 'charts';
  private keys: number[] = [];
  /** Samples per cause under the filters but the causes, as the chips last counted them. */
  private counts = new Map<CauseFilter, number>();
  private chartsStale = true;
  private firstPaint = false;
  /** The trajectory search: its number (answers to an older one are dropped), the first match of each sample found, whether it ended. */
  private findSearch = 0;
  private findHits = new Map<number, FindHit>();
  private findEnded = true;
  private findTimer: number | undefined;
  private findFrame: number | undefined;

  private readonly top = el('header', { class: 'run-top' });
  private readonly problemsBox = el('div', { class: 'problems', attrs: { role: 'alert' } });
  private readonly tabs: Record<'samples' | 'charts', HTMLButtonElement>;
  private readonly samplesPanel = el('section', { class: 'tab-panel samples', attrs: { role: 'tabpanel', 'aria-label': 'Samples' } });
  private readonly chartsPanel = el('section', { class: 'tab-panel', attrs: { role: 'tabpanel', 'aria-label': 'Charts' } });
  private readonly search = el('input', { class: 'filter-text', attrs: { type: 'search', 'aria-label': 'Filter by question, answer, gold or id' } });
  private readonly findBox = el('input', {
    class: 'find-text',
    attrs: { type: 'search', 'aria-label': 'Search the trajectories: reasoning, reflections, queries, evidence and answers' },
  });
  private readonly findRegex = el('input', { attrs: { type: 'checkbox', 'aria-label': 'Search with a regular expression' } });
  private readonly findStatus = el('span', { class: 'find-status dim', attrs: { 'aria-live': 'polite' } });
  private readonly benchmarkSelect = el('select', { attrs: { 'aria-label': 'Benchmark' } });
  private readonly categorySelect = el('select', { attrs: { 'aria-label': 'Category' } });
  private readonly chips = el('div', { class: 'chips', attrs: { role: 'group', 'aria-label': 'Cause' } });
  private readonly facets = el('div', { class: 'chips facets', attrs: { role: 'group', 'aria-label': 'Filters: click one to remove it' } });
  private readonly shown = el('span', { class: 'shown dim', attrs: { 'aria-live': 'polite' } });
  private readonly queueButton: HTMLElement;
  private readonly exportButton: HTMLElement;
  private readonly status = el('div', { class: 'status', attrs: { 'aria-live': 'polite' } });
  private readonly detail = el('div', { class: 'detail', attrs: { 'aria-live': 'polite' } });
  private readonly table: VirtualTable<SortColumn>;
  private readonly charts: RunCharts;
  /** A standalone report: the opened sample's trajectory beside the table, and which samples the page carries. */
  private readonly samplePane: SamplePane | undefined;
  private reportDetails: ReportDetails | undefined;
  private readonly reportNote = el('p', { class: 'report-note dim', attrs: { 'aria-live': 'polite' } });

  constructor(
    root: HTMLElement,
    private readonly host: RunsHost,
  ) {
    const s = host.state();
    this.filters = {
      causes: new Set((s.causes ?? []).filter((c): c is CauseFilter => c in CAUSE_LABELS)),
      benchmark: s.benchmark ?? '',
      category: s.category ?? '',
      text: s.text ?? '',
      turns: s.turns ?? null,
      gaze: s.gaze ?? null,
    };
    this.sort = s.sort ?? { column: 'index', descending: false };
    this.selected = s.selected;
    this.tab = s.tab ?? 'samples';
    this.search.placeholder = 'Filter by question, answer, gold or id';
    this.search.value = this.filters.text;
    this.search.addEventListener('input', () => {
      this.filters.text = this.search.value;
      this.host.saveState({ text: this.search.value });
      this.refilter();
    });
    this.findBox.placeholder = 'Search trajectories…';
    // The protocol takes no longer pattern (the host would drop the message).
    this.findBox.maxLength = MAX_PATTERN_CHARS;
    this.findBox.title = 'Samples whose reasoning, reflections, queries, evidence or answer hold this text (case ignored)';
    this.findBox.addEventListener('input', () => {
      clearTimeout(this.findTimer);
      this.findTimer = window.setTimeout(() => this.startFind(), FIND_DEBOUNCE_MS);
    });
    this.findBox.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') this.startFind();
    });
    this.findRegex.addEventListener('change', () => this.startFind());
    this.benchmarkSelect.addEventListener('change', () => this.setFilter({ benchmark: this.benchmarkSelect.value }));
    this.categorySelect.addEventListener('change', () => this.setFilter({ category: this.categorySelect.value }));
    this.table = new VirtualTable<SortColumn>({
      className: 'run-grid',
      label: 'Samples',
      columns: COLUMNS,
      cells: (key) => this.cells(this.model.rows[key]!),
      activate: (key) => this.open(key),
      select: (key) => this.select(key),
      sort: (column) => this.sortBy(column),
      scrolled: (top) => this.saveScroll(top),
    });
    if (this.sort.column !== 'index') this.table.setSort(this.sort.column, this.sort.descending);
    this.queueButton = button('Review in a queue', {
      icon: 'checklist',
      title: host.connected ? 'Write the listed samples to a review queue and open it' : 'Open the run in VS Code to start a review queue',
      onClick: () => void this.startQueue(),
    });
    this.exportButton = button('Export Table…', {
      icon: 'export',
      title: 'Write the listed samples, in this order, to a CSV or Parquet file',
      onClick: () => void this.exportTable(),
    });
    this.charts = new RunCharts({
      heatmapMode: s.heatmap ?? 'all',
      heatmapModeChanged: (mode) => this.host.saveState({ heatmap: mode }),
      pick: (p) => this.pick(p),
      connected: host.connected,
    });
    const tab = (id: 'samples' | 'charts', label: string) =>
      el('button', { class: 'tab', attrs: { role: 'tab', type: 'button', 'data-tab': id }, on: { click: () => this.showTab(id) } }, label);
    this.tabs = { samples: tab('samples', 'Samples'), charts: tab('charts', 'Charts') };
    if (!host.connected)
      this.samplePane = new SamplePane(
        (key) => this.model.rows[key],
        () => this.reportDetails,
        () => this.table.element.querySelector<HTMLElement>('.vt-body')?.focus(),
      );
    this.reportNote.hidden = true;
    append(
      this.samplesPanel,
      el(
        'div',
        { class: 'filters' },
        this.search,
        this.benchmarkSelect,
        this.categorySelect,
        this.shown,
        host.connected ? this.queueButton : null,
        host.connected ? this.exportButton : null,
      ),
      // A standalone report has no extension to search the trajectories with.
      host.connected
        ? el(
            'div',
            { class: 'filters find' },
            this.findBox,
            el('label', { class: 'find-regex', title: 'Take the text as a regular expression' }, this.findRegex, ' .*'),
            this.findStatus,
          )
        : null,
      this.reportNote,
      this.facets,
      this.chips,
      this.samplePane ? el('div', { class: 'samples-split' }, this.table.element, this.samplePane.element) : this.table.element,
      this.status,
      this.detail,
    );
    append(this.chartsPanel, this.charts.element);
    append(
      root,
      this.top,
      this.problemsBox,
      el('div', { class: 'tabs', attrs: { role: 'tablist', 'aria-label': 'Views of the run' } }, this.tabs.samples, this.tabs.charts),
      this.samplesPanel,
      this.chartsPanel,
    );
    root.classList.add('run-app');
    this.showTab(this.tab, false);
  }

  handle(m: Extract<RunsHostMessage, { type: 'run' | 'rows' }>): void {
    const fresh = m.type === 'run';
    const state = this.host.state();
    if (fresh) {
      performance.mark('gog:runs-init');
      this.model = new TableModel();
      this.problems = [];
      // What the host reads to show this run again after a window reload.
      this.host.saveState({ run: m.run.source });
    }
    this.run = m.run;
    this.model.add(m.rows);
    this.problems.push(...m.problems);
    this.drawTop();
    this.drawProblems();
    this.drawSelects();
    this.chartsStale = true;
    if (this.tab === 'charts') this.drawCharts();
    this.refilter(fresh);
    // A big run comes in several messages: the scroll and selection kept from before are
    // put back once its rows are all in (a scroll position needs the rows below it).
    if (fresh) this.restoring = true;
    if (this.restoring && this.model.rows.length >= m.run.done) {
      this.restoring = false;
      if (state.scrollTop) this.table.scrollTo(state.scrollTop);
      if (this.selected !== undefined && this.model.rows[this.selected]) this.table.setSelected(this.selected, !state.scrollTop);
      this.drawDetail();
      // A report opened at #sample-<key> shows that sample once its row is in.
      this.samplePane?.followAddress();
      // The search is the host's work and ended with the old page: asked again, its samples come back.
      if (state.find?.pattern && this.host.connected && !this.filters.found) {
        this.findBox.value = state.find.pattern;
        this.findRegex.checked = state.find.regex;
        this.startFind();
      }
    }
    if (!this.firstPaint) {
      this.firstPaint = true;
      requestAnimationFrame(() => performance.mark('gog:runs-first-paint'));
    }
  }

  private drawTop(): void {
    const run = this.run!;
    const rows = this.model.rows.filter(Boolean);
    const f = figures('all', rows);
    const right = rows.filter(rowIsRight).length;
    const figure = (label: string, value: string, title?: string) =>
      el('div', { class: 'figure', ...(title ? { title } : {}) }, el('span', { class: 'figure-value' }, value), el('span', { class: 'figure-label' }, label));
    clear(this.top);
    const progress =
      run.total !== null && run.done < run.total
        ? el(
            'div',
            {
              class: 'progress',
              attrs: {
                role: 'progressbar',
                'aria-valuemin': '0',
                'aria-valuemax': String(run.total),
                'aria-valuenow': String(run.done),
                'aria-label': 'Samples done',
              },
            },
            el('div', { class: 'progress-bar' }),
          )
        : null;
    if (progress) (progress.firstChild as HTMLElement).style.width = `${(100 * run.done) / Math.max(1, run.total!)}%`;
    append(
      this.top,
      el(
        'div',
        { class: 'run-title-row' },
        el('h1', { class: 'run-title', title: run.name ? `folder ${run.title}` : '' }, run.name ?? run.title),
        el('span', { class: 'run-meta' }, [run.dataset, run.started?.replace('T', ' ').slice(0, 16)].filter(Boolean).join(' · ')),
        this.host.connected ? this.editButton('name', 'Rename…', 'edit', 'Give the run a name, shown here, in the Runs view and in reports') : null,
        this.host.connected
          ? this.editButton('notes', run.notes ? 'Edit notes…' : 'Add notes…', 'note', 'Notes on the run, kept in its folder (notes.json)')
          : null,
        run.running
          ? el(
              'span',
              { class: 'badge running' },
              run.total !== null ? `running: ${count(run.done)} of ${count(run.total)}` : `running: ${count(run.done)} done`,
            )
          : null,
      ),
      run.identity?.length
        ? el(
            'dl',
            { class: 'run-identity', attrs: { 'aria-label': 'How the run was made' } },
            // A fact's label and value wrap together.
            ...run.identity.map(([k, v]) => el('div', { class: 'fact' }, el('dt', {}, k), el('dd', { title: v }, v))),
          )
        : null,
      run.notes ? el('p', { class: 'run-notes' }, run.notes) : null,
      progress,
      el(
        'div',
        { class: 'figures' },
        figure('samples', run.total !== null && run.total !== run.done ? `${count(run.done)} / ${count(run.total)}` : count(rows.length)),
        figure(
          'right',
          `${percent(rows.length ? right / rows.length : null)}`,
          `${count(right)} right by each benchmark's own measure (at least 0.5 where it is fractional: F1, token recall)`,
        ),
        figure('exact match', percent(rows.length ? f.exactMatch : null)),
        f.judge !== null ? figure('judge', percent(f.judge)) : null,
        figure('F1', percent(rows.length ? f.f1 : null)),
        figure('avg turns', rows.length ? (rows.reduce((s, r) => s + r.turns, 0) / rows.length).toFixed(2) : '—'),
        figure('median time', rows.length ? seconds(median(rows.map((r) => r.ms))) : '—'),
      ),
    );
  }

  private drawProblems(): void {
    clear(this.problemsBox);
    if (!this.problems.length) return;
    append(
      this.problemsBox,
      el(
        'strong',
        {},
        `${plural(this.problems.length, 'line')} of results.jsonl could not be read and ${this.problems.length === 1 ? 'is' : 'are'} left out: `,
      ),
      this.problems
        .slice(0, 5)
        .map((p) => `line ${p.line}: ${p.message}`)
        .join('; '),
      this.problems.length > 5 ? `; and ${this.problems.length - 5} more` : '',
    );
  }

  private drawSelects(): void {
    const fill = (select: HTMLSelectElement, all: string, counts: [string, number][], chosen: string) => {
      clear(select);
      select.appendChild(el('option', {}, all)).value = '';
      for (const [name, n] of counts) select.appendChild(el('option', {}, `${name || '(none)'} (${count(n)})`)).value = name;
      select.value = counts.some(([name]) => name === chosen) ? chosen : '';
    };
    fill(this.benchmarkSelect, 'All benchmarks', this.model.counts('benchmark'), this.filters.benchmark);
    const categories = this.model.counts('category');
    fill(this.categorySelect, 'All categories', categories, this.filters.category);
    this.categorySelect.hidden = categories.length <= 1 && categories[0]?.[0] === '';
  }

  /** A header button that asks the host for the run's name or notes; the host answers with the run redrawn. */
  private editButton(field: 'name' | 'notes', label: string, iconName: string, title: string): HTMLElement {
    return button(label, {
      icon: iconName,
      title,
      onClick: () =>
        void this.host.request({ method: 'editRun', field }).catch((e: unknown) => {
          this.status.textContent = `Could not save the run's ${field}: ${(e as Error).message}`;
        }),
    });
  }

  private drawChips(): void {
    // How many samples each cause has under the other filters: what its chip would add.
    const counts = (this.counts = this.model.causeCounts(this.model.beforeCauses(this.filters)));
    const n = (c: CauseFilter) => counts.get(c) ?? 0;
    const causes = this.filters.causes;
    const order: CauseFilter[] = [...FAILURES, 'right'];
    const present = FAILURES.filter((c) => n(c) > 0);
    const onlyFailures = present.length > 0 && present.every((c) => causes.has(c)) && !(causes.has('right') && n('right') > 0);
    // A cause with no sample is not offered, picked or not ("All failures" picks them all):
    // while another picked cause has samples it changes nothing. Only when every picked cause
    // has none is the table empty because of them: then they show, marked empty, to turn off.
    const pickedWithSamples = [...causes].some((c) => n(c) > 0);
    clear(this.chips);
    const all = el(
      'button',
      {
        class: 'chip all-failures',
        attrs: { type: 'button', 'aria-pressed': String(onlyFailures) },
        on: { click: () => this.setCauses(onlyFailures ? [] : [...FAILURES]) },
      },
      'All failures',
    );
    // No failure to list (under the other filters): nothing to pick, and it looks it.
    all.disabled = !present.length;
    append(this.chips, all);
    for (const c of order) {
      const empty = n(c) === 0;
      if (empty && !(causes.has(c) && !pickedWithSamples)) continue;
      append(
        this.chips,
        el(
          'button',
          {
            class: `chip cause-chip${empty ? ' empty' : ''}`,
            attrs: { type: 'button', 'aria-pressed': String(causes.has(c)), 'data-cause': c },
            ...(empty ? { title: 'No sample has this cause under the other filters; click to stop filtering by it' } : {}),
            on: { click: () => this.toggleCause(c) },
          },
          `${CAUSE_LABELS[c]} `,
          el('span', { class: 'chip-count' }, count(n(c))),
        ),
      );
    }
  }

  /** The filters shown as chips, each removed by a click: benchmark, category, and what the charts picked. */
  private drawFacets(): void {
    const f = this.filters;
    const facet = (name: string, what: string, value: string, remove: Parameters<RunView['setFilter']>[0]) =>
      el(
        'button',
        {
          class: 'chip facet',
          title: `Stop filtering by ${what}`,
          attrs: { type: 'button', 'data-facet': name, 'aria-label': `${what}: ${value}; remove this filter` },
          on: { click: () => this.setFilter(remove) },
        },
        el('span', { class: 'facet-name' }, `${what}: `),
        value,
        el('span', { class: 'facet-remove', attrs: { 'aria-hidden': 'true' } }, ' ✕'),
      );
    clear(this.facets);
    append(
      this.facets,
      f.benchmark ? facet('benchmark', 'Benchmark', f.benchmark, { benchmark: '' }) : null,
      f.category ? facet('category', 'Category', f.category, { category: '' }) : null,
      f.turns ? facet('turns', 'Turns', describeTurns(f.turns), { turns: null }) : null,
      f.gaze ? facet('gaze', 'Gaze', describeGaze(f.gaze).replace(/^gazed at /, ''), { gaze: null }) : null,
    );
    if (f.found)
      append(
        this.facets,
        el(
          'button',
          {
            class: 'chip facet',
            title: 'Stop searching the trajectories',
            attrs: { type: 'button', 'data-facet': 'found', 'aria-label': `Trajectories holding ${f.found.pattern}; remove this filter` },
            on: {
              click: () => {
                this.findBox.value = '';
                this.startFind();
              },
            },
          },
          el('span', { class: 'facet-name' }, 'Trajectories: '),
          f.found.pattern,
          el('span', { class: 'facet-remove', attrs: { 'aria-hidden': 'true' } }, ' ✕'),
        ),
      );
  }

  /** Sets filters other than the text and causes (a select, a chart, a chip removed). */
  private setFilter(patch: Partial<Pick<Filters, 'benchmark' | 'category' | 'turns' | 'gaze'>>): void {
    Object.assign(this.filters, patch);
    this.host.saveState(patch);
    this.drawSelects();
    this.refilter();
  }

  /** A bar or heatmap cell was clicked in the charts: its samples, listed from the top. */
  private pick(p: ChartPick): void {
    this.setFilter(p);
    this.showTab('samples');
    this.table.scrollTo(0);
  }

  private setCauses(causes: CauseFilter[]): void {
    this.filters.causes = new Set(causes);
    this.host.saveState({ causes: [...this.filters.causes] });
    this.refilter();
  }

  /** One cause on or off; causes left with no sample under the other filters go (they chose nothing). */
  private toggleCause(c: CauseFilter): void {
    const next = new Set([...this.filters.causes].filter((x) => (this.counts.get(x) ?? 0) > 0));
    if (this.filters.causes.has(c)) next.delete(c);
    else next.add(c);
    this.setCauses([...next]);
  }

  private sortBy(column: SortColumn): void {
    const descending = this.sort.column === column ? !this.sort.descending : DESCENDING_FIRST.has(column);
    this.sort = { column, descending };
    this.table.setSort(column, descending);
    this.host.saveState({ sort: this.sort });
    this.refilter();
  }

  /** Lists the rows again under the filters and sort; keeps the scroll unless told it is a new run. */
  private refilter(fresh = false): void {
    this.keys = this.model.view(this.filters, this.sort);
    this.table.setKeys(this.keys);
    if (fresh) this.table.scrollTo(0);
    this.drawChips();
    this.drawFacets();
    const total = this.model.rows.length;
    this.shown.textContent = this.keys.length === total ? plural(total, 'sample') : `${count(this.keys.length)} of ${plural(total, 'sample')}`;
    this.queueButton.toggleAttribute('disabled', !this.keys.length);
    this.exportButton.toggleAttribute('disabled', !this.keys.length);
    performance.mark('gog:runs-view');
  }

  /** Searches the trajectories for what the box holds (nothing: stops searching and lists every sample again). */
  private startFind(): void {
    clearTimeout(this.findTimer);
    const pattern = this.findBox.value.trim() ? this.findBox.value : '';
    const search = ++this.findSearch;
    this.findHits = new Map();
    this.findEnded = !pattern;
    this.filters.found = pattern ? { keys: new Set(), pattern } : null;
    this.host.post({ type: 'find', search, pattern, regex: this.findRegex.checked });
    this.host.saveState({ find: pattern ? { pattern, regex: this.findRegex.checked } : undefined });
    this.findStatus.textContent = pattern ? 'Searching the trajectories…' : '';
    this.findStatus.classList.remove('error');
    this.refilter();
    this.drawDetail();
  }

  /** Samples the search found, or its end. */
  found(m: Extract<RunsHostMessage, { type: 'found' | 'findDone' }>): void {
    if (m.search !== this.findSearch || !this.filters.found) return;
    if (m.type === 'found') {
      const keys = new Set(this.filters.found.keys);
      for (const hit of m.hits)
        if (!this.findHits.has(hit.key)) {
          this.findHits.set(hit.key, hit);
          keys.add(hit.key);
        }
      this.filters.found = { ...this.filters.found, keys };
    } else {
      this.findEnded = true;
      if (m.error) {
        this.findStatus.classList.add('error');
        this.findStatus.textContent = `Search stopped: ${m.error}`;
      }
    }
    // Many batches in one frame are drawn once.
    this.findFrame ??= requestAnimationFrame(() => {
      this.findFrame = undefined;
      this.refilter();
      this.drawDetail();
      if (!this.findStatus.classList.contains('error')) {
        const n = this.findHits.size;
        this.findStatus.textContent = this.findEnded
          ? `In the trajectories of ${plural(n, 'sample')}`
          : `Searching the trajectories… ${plural(n, 'sample')} so far`;
      }
    });
  }

  private cells(r: ReviewRow): Cell[] {
    const cause = causeOfRow(r);
    const gold = r.gold.join(' | ');
    return [
      { text: r.id + (r.rollout ? ` #${r.rollout}` : ''), title: r.id },
      { text: r.benchmark },
      { text: r.category },
      { text: r.question, title: r.question },
      { text: r.answer ?? '—', class: r.answer === null ? 'dim' : rowIsRight(r) ? 'right' : 'wrong', title: r.answer ?? 'no answer' },
      { text: gold, title: gold },
      { text: CAUSE_LABELS[cause], class: `cause cause-${cause}` },
      { text: r.f1.toFixed(2) },
      { text: String(r.turns) },
      { text: `${r.searches[0]}·${r.searches[1]}·${r.searches[2]}`, title: `${r.searches[0]} text searches, ${r.searches[1]} glances, ${r.searches[2]} gazes` },
      { text: seconds(r.ms) },
    ];
  }

  /** The trajectory editor moved to this sample: select it and scroll it into view (the table follows the editor). */
  reveal(key: number): void {
    if (!this.model.rows[key]) return;
    this.select(key);
    this.table.setSelected(key, true);
  }

  private select(key: number | undefined): void {
    this.selected = key;
    this.table.setSelected(key);
    this.host.saveState(key === undefined ? { selected: undefined } : { selected: key });
    this.drawDetail();
  }

  private drawDetail(): void {
    clear(this.detail);
    const r = this.selected === undefined ? undefined : this.model.rows[this.selected];
    if (!r) {
      this.detail.appendChild(
        el('span', { class: 'dim' }, this.host.connected ? 'Click a sample to open its trajectory; ↑/↓ and Enter work too.' : 'Click a sample to see it here.'),
      );
      return;
    }
    const cause = causeOfRow(r);
    const hit = this.filters.found ? this.findHits.get(r.key) : undefined;
    append(
      this.detail,
      el('div', { class: 'detail-question text' }, r.question),
      hit
        ? el(
            'div',
            { class: 'detail-found text' },
            el('span', { class: 'dim' }, `step ${hit.step} ${hit.label}: `),
            hit.before,
            el('mark', {}, hit.match),
            hit.after,
          )
        : null,
      el(
        'div',
        { class: 'detail-answers' },
        el('span', { class: 'dim' }, 'answer '),
        el('span', { class: r.answer === null ? 'dim' : rowIsRight(r) ? 'right' : 'wrong' }, r.answer ?? 'none'),
        el('span', { class: 'dim' }, ' · gold '),
        r.gold.join(' | ') || '—',
        el('span', { class: 'dim' }, ' · '),
        el('span', { class: `cause cause-${cause}` }, CAUSE_LABELS[cause]),
        el(
          'span',
          { class: 'dim' },
          ` · ${r.stop.replace('_', ' ')} after ${plural(r.turns, 'turn')}${r.judge !== null ? ` · judge: ${r.judge ? 'right' : 'wrong'}` : ''} · ${r.id}`,
        ),
      ),
    );
  }

  /** A report's trajectories: which samples the page carries, said above the table. */
  setReportDetails(details: ReportDetails): void {
    this.reportDetails = details;
    const n = details.keys.length;
    const total = this.run?.done ?? this.model.rows.length;
    const rest = total - n;
    const unreadable = Object.keys(details.unreadable).length;
    this.reportNote.textContent =
      `Trajectories in this report: ${count(n)} of ${plural(total, 'sample')} (click a sample to see its turns, evidence and gaze boxes). ` +
      `Failures go first: ${count(details.failuresIn)} of ${plural(details.failures, 'failure')} are in` +
      (rest === 0 ? '.' : details.budgetSpent ? `; the others did not fit in the ${details.budgetMb} MB budget (gog report --report-mb).` : '.') +
      (unreadable ? ` ${plural(unreadable, 'trajectory', 'trajectories')} could not be read.` : '');
    this.reportNote.hidden = false;
  }

  private open(key: number): void {
    if (!this.host.connected) return this.samplePane?.open(key);
    this.status.textContent = '';
    // The listed samples go with it: the trajectory editor's next and previous sample step through them.
    this.host
      .request({ method: 'openSample', key, listed: this.keys })
      .catch((e: unknown) => (this.status.textContent = `Could not open the sample: ${(e as Error).message}`));
  }

  private async startQueue(): Promise<void> {
    if (!this.keys.length) return;
    this.status.textContent = '';
    try {
      const label = describeFilters(this.filters, (c) => (this.counts.get(c) ?? 0) > 0);
      await this.host.request({ method: 'startQueue', keys: this.keys, label });
      this.status.textContent = `Review queue started with ${plural(this.keys.length, 'sample')}.`;
    } catch (e) {
      this.status.textContent = `Could not start the queue: ${(e as Error).message}`;
    }
  }

  /** The listed rows (the filters and sort in force) to a file the host asks for. */
  async exportTable(): Promise<void> {
    if (!this.keys.length) return;
    this.status.textContent = '';
    try {
      await this.host.request({ method: 'exportTable', keys: this.keys });
    } catch (e) {
      this.status.textContent = `Could not export the table: ${(e as Error).message}`;
    }
  }

  private scrollFrame: number | undefined;
  private saveScroll(top: number): void {
    this.scrollFrame ??= requestAnimationFrame(() => {
      this.scrollFrame = undefined;
      this.host.saveState({ scrollTop: top });
    });
  }

  private showTab(tab: 'samples' | 'charts', save = true): void {
    this.tab = tab;
    for (const [id, b] of Object.entries(this.tabs)) {
      b.setAttribute('aria-selected', String(id === tab));
      b.tabIndex = id === tab ? 0 : -1;
    }
    this.samplesPanel.hidden = tab !== 'samples';
    this.chartsPanel.hidden = tab !== 'charts';
    if (save) this.host.saveState({ tab });
    if (tab === 'charts' && this.chartsStale && this.run) this.drawCharts();
    if (tab === 'samples') this.table.refresh();
  }

  /** The run's gaze quality came (read after its rows): drawn with the charts. */
  setGazeQuality(q: GazeQualityMessage): void {
    this.charts.setGazeQuality(q);
    this.chartsStale = true;
    if (this.tab === 'charts' && this.run) this.drawCharts();
  }

  private drawCharts(): void {
    this.chartsStale = false;
    this.charts.update(this.model.rows.filter(Boolean), this.run?.prices);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
