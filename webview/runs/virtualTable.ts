// A table that draws only the rows in view, so 10,000 rows paint as fast as forty: a
// spacer as tall as every row, and a small pool of row elements moved into place as the
// body scrolls (transform, not layout). Cells are text only. Columns sort from their
// headers; ↑/↓, Home/End and PageUp/PageDown move the selection, Enter activates it.
import { clear, el } from '../dom';

export const ROW_HEIGHT = 26;
/** Rows drawn above and below the view, so a fast scroll shows no gap. */
const OVERSCAN = 8;

export interface Column<K extends string> {
  id: K;
  label: string;
  /** A short label read out for icon-like headers. */
  title?: string;
  sortable?: boolean;
  /** Right-aligned numbers. */
  numeric?: boolean;
}

export interface Cell {
  text: string;
  /** Extra class (a cause badge, right or wrong). */
  class?: string;
  /** The full text, when the cell is cut short. */
  title?: string;
}

export interface TableOptions<K extends string> {
  /** The grid layout's class (its column widths are in the stylesheet). */
  className: string;
  label: string;
  columns: Column<K>[];
  cells: (key: number) => Cell[];
  /** A click or Enter on a row. */
  activate: (key: number) => void;
  select: (key: number | undefined) => void;
  sort: (column: K) => void;
  scrolled: (top: number) => void;
}

export class VirtualTable<K extends string> {
  readonly element: HTMLElement;
  private readonly head: HTMLElement;
  readonly body: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly pool: HTMLElement[] = [];
  private keys: number[] = [];
  private position = new Map<number, number>();
  private selected: number | undefined;
  private frame: number | undefined;
  private sortState: { column: K; descending: boolean } | undefined;
  /**
   * The body's height and scroll position as last laid out (a ResizeObserver and the scroll
   * event keep them): read from the element, each draw after a change would make the browser
   * lay the whole page out there and then, several times before its first paint.
   */
  private viewHeight = 0;
  private top = 0;

  constructor(private readonly o: TableOptions<K>) {
    this.head = el('div', { class: `vt-row vt-head ${o.className}`, attrs: { role: 'row' } });
    this.spacer = el('div', { class: 'vt-spacer' });
    this.body = el(
      'div',
      {
        class: 'vt-body',
        attrs: { role: 'rowgroup', tabindex: '0', 'aria-label': `${o.label}: ↑/↓ to move, Enter to open` },
        on: {
          scroll: () => {
            this.top = this.body.scrollTop;
            this.schedule();
            o.scrolled(this.top);
          },
          keydown: (e) => this.onKey(e),
        },
      },
      this.spacer,
    );
    this.element = el('div', { class: 'vt', attrs: { role: 'grid', 'aria-label': o.label } }, el('div', { attrs: { role: 'rowgroup' } }, this.head), this.body);
    this.drawHead();
    new ResizeObserver(() => {
      // Called after layout: reading the size here costs nothing.
      this.viewHeight = this.body.clientHeight;
      this.schedule();
    }).observe(this.body);
  }

  private drawHead(): void {
    clear(this.head);
    for (const c of this.o.columns) {
      const sorted = this.sortState?.column === c.id;
      const cell = el(
        'div',
        {
          class: `vt-cell vt-h${c.numeric ? ' num' : ''}${c.sortable ? ' sortable' : ''}`,
          attrs: {
            role: 'columnheader',
            'data-column': c.id,
            'aria-sort': sorted ? (this.sortState!.descending ? 'descending' : 'ascending') : 'none',
            ...(c.sortable ? { tabindex: '0' } : {}),
          },
          ...(c.title ? { title: c.title } : {}),
          on: c.sortable
            ? {
                click: () => this.o.sort(c.id),
                keydown: (e) => {
                  if (e.key === 'Enter' || e.key === ' ') {
                    e.preventDefault();
                    this.o.sort(c.id);
                  }
                },
              }
            : {},
        },
        c.label,
        sorted ? (this.sortState!.descending ? ' ▼' : ' ▲') : '',
      );
      this.head.appendChild(cell);
    }
  }

  setSort(column: K, descending: boolean): void {
    this.sortState = { column, descending };
    this.drawHead();
  }

  /** Lists these rows (keys, in order) and draws the ones in view now. */
  setKeys(keys: number[]): void {
    this.keys = keys;
    this.position = new Map(keys.map((k, i) => [k, i]));
    this.body.setAttribute('aria-rowcount', String(keys.length));
    this.spacer.style.height = `${keys.length * ROW_HEIGHT}px`;
    this.draw();
  }

  get count(): number {
    return this.keys.length;
  }

  scrollTo(top: number): void {
    if (top === this.top) return;
    // The browser may stop short of it (a shorter list): the scroll event then says where.
    this.body.scrollTop = top;
    this.top = top;
    this.draw();
  }

  /** Draws again (a row's content changed). */
  refresh(): void {
    this.draw();
  }

  setSelected(key: number | undefined, reveal = false): void {
    this.selected = key;
    if (reveal && key !== undefined) {
      const i = this.position.get(key);
      if (i !== undefined) {
        const top = i * ROW_HEIGHT;
        const height = this.height();
        if (top < this.top) this.body.scrollTop = this.top = top;
        else if (top + ROW_HEIGHT > this.top + height) this.body.scrollTop = this.top = top + ROW_HEIGHT - height;
      }
    }
    this.draw();
  }

  private schedule(): void {
    this.frame ??= requestAnimationFrame(() => {
      this.frame = undefined;
      this.draw();
    });
  }

  /** The body's height; before its first layout, the window's (the ResizeObserver then draws again). */
  private height(): number {
    return this.viewHeight || window.innerHeight || 600;
  }

  private draw(): void {
    const height = this.height();
    const first = Math.max(0, Math.floor(this.top / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(this.keys.length, Math.ceil((this.top + height) / ROW_HEIGHT) + OVERSCAN);
    const needed = last - first;
    while (this.pool.length < needed) {
      const row = el('div', {
        class: `vt-row ${this.o.className}`,
        attrs: { role: 'row' },
        on: {
          click: () => {
            // Only a row that lists a sample now: a spare row has no key and is not in the page.
            const key = row.dataset.key === undefined ? undefined : Number(row.dataset.key);
            if (key === undefined || !this.position.has(key)) return;
            this.o.select(key);
            this.o.activate(key);
          },
        },
      });
      for (const c of this.o.columns) row.appendChild(el('div', { class: `vt-cell${c.numeric ? ' num' : ''}`, attrs: { role: 'gridcell' } }));
      this.pool.push(row);
      this.body.appendChild(row);
    }
    for (let p = 0; p < this.pool.length; p++) {
      const row = this.pool[p]!;
      const i = first + p;
      if (p >= needed) {
        // A spare row leaves the page and forgets its sample: `hidden` alone loses to any
        // stylesheet that gives rows a display, and then shows (and opens) a filtered-out row.
        if (row.isConnected) row.remove();
        delete row.dataset.key;
        continue;
      }
      const key = this.keys[i]!;
      if (!row.isConnected) this.body.appendChild(row);
      row.dataset.key = String(key);
      row.setAttribute('aria-rowindex', String(i + 1));
      row.style.transform = `translateY(${i * ROW_HEIGHT}px)`;
      const on = key === this.selected;
      row.classList.toggle('selected', on);
      row.setAttribute('aria-selected', String(on));
      const cells = this.o.cells(key);
      for (let c = 0; c < cells.length; c++) {
        const node = row.children[c] as HTMLElement;
        const cell = cells[c]!;
        if (node.textContent !== cell.text) node.textContent = cell.text;
        node.className = `vt-cell${this.o.columns[c]!.numeric ? ' num' : ''}${cell.class ? ` ${cell.class}` : ''}`;
        node.title = cell.title ?? '';
      }
    }
  }

  private onKey(e: KeyboardEvent): void {
    if (!this.keys.length) return;
    const at = this.selected === undefined ? -1 : (this.position.get(this.selected) ?? -1);
    const page = Math.max(1, Math.floor(this.height() / ROW_HEIGHT) - 1);
    let next: number | undefined;
    switch (e.key) {
      case 'ArrowDown':
      case 'j':
        next = Math.min(this.keys.length - 1, at + 1);
        break;
      case 'ArrowUp':
      case 'k':
        next = Math.max(0, at - 1);
        break;
      case 'PageDown':
        next = Math.min(this.keys.length - 1, at + page);
        break;
      case 'PageUp':
        next = Math.max(0, at - page);
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = this.keys.length - 1;
        break;
      case 'Enter':
        // The selection may be a sample the filter no longer lists: that one is not opened.
        if (this.selected !== undefined && this.position.has(this.selected)) this.o.activate(this.selected);
        e.preventDefault();
        return;
      default:
        return;
    }
    e.preventDefault();
    const key = this.keys[next]!;
    this.o.select(key);
    this.setSelected(key, true);
  }
}
