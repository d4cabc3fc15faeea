// What a virtual table really shows, as a user sees it: the rows that are displayed
// (computed style), have a box inside the scroller's visible rectangle (geometry), and are
// what the pointer hits at their centre (elementFromPoint). Never the DOM alone or the
// `hidden` attribute: a stylesheet can show a row the code meant to hide. Compared with
// the rows the model lists, in order, for the scroll position the table is at.
import { strict as assert } from 'node:assert';
import type { Page } from 'playwright-core';

export const ROW_HEIGHT = 26;

export interface SeenRow {
  /** The row's data-key; null for a row that names no sample. */
  key: number | null;
  /** The text of each cell. */
  cells: string[];
  /** The pointer at the visible part's centre lands on this row. */
  hit: boolean;
  top: number;
  bottom: number;
}

export interface Seen {
  rows: SeenRow[];
  scrollTop: number;
  clientHeight: number;
  scrollHeight: number;
  /** The scroller's visible rectangle, in page coordinates. */
  view: { left: number; top: number; right: number; bottom: number };
}

// Runs in the page, as plain JavaScript: the tests' TypeScript has no DOM types.
const SEEN_SOURCE = String.raw`(root) => {
  const table = document.querySelector(root);
  if (!table) throw new Error('no table ' + root);
  const body = table.querySelector('.vt-body');
  const b = body.getBoundingClientRect();
  const view = { left: b.left + body.clientLeft, top: b.top + body.clientTop };
  view.right = view.left + body.clientWidth;
  view.bottom = view.top + body.clientHeight;
  const rows = [];
  for (const row of table.querySelectorAll('.vt-row')) {
    if (row.classList.contains('vt-head')) continue;
    const style = getComputedStyle(row);
    if (style.display === 'none' || style.visibility === 'hidden' || Number(style.opacity) === 0) continue;
    const r = row.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const top = Math.max(r.top, view.top);
    const bottom = Math.min(r.bottom, view.bottom);
    const left = Math.max(r.left, view.left);
    const right = Math.min(r.right, view.right);
    if (bottom - top < 1 || right - left < 1) continue;
    const hitAt = document.elementFromPoint((left + right) / 2, (top + bottom) / 2);
    rows.push({
      key: row.dataset.key === undefined ? null : Number(row.dataset.key),
      cells: Array.from(row.children).map((c) => c.textContent),
      hit: !!hitAt && row.contains(hitAt),
      top: r.top,
      bottom: r.bottom,
    });
  }
  rows.sort((x, y) => x.top - y.top);
  return { rows, scrollTop: body.scrollTop, clientHeight: body.clientHeight, scrollHeight: body.scrollHeight, view };
}`;

export async function seenRows(page: Page, root = '.vt'): Promise<Seen> {
  return page.evaluate<Seen>(`(${SEEN_SOURCE})(${JSON.stringify(root)})`);
}

/** Two animation frames: a scroll's redraw has happened. */
export async function frames(page: Page): Promise<void> {
  await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())))');
}

/** The listed keys whose rows overlap the scroller's view by a pixel or more at this scroll position. */
export function inView(keys: readonly number[], scrollTop: number, clientHeight: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < keys.length; i++) {
    const overlap = Math.min((i + 1) * ROW_HEIGHT, scrollTop + clientHeight) - Math.max(i * ROW_HEIGHT, scrollTop);
    if (overlap >= 1) out.push(keys[i]!);
  }
  return out;
}

/**
 * The table shows exactly the listed rows that fit its view, in order, each hit by the
 * pointer at its centre, each showing its own sample (`label(key)` in cell `labelCell`).
 */
export async function assertShows(
  page: Page,
  listed: readonly number[],
  o: { root?: string; label: (key: number) => string; labelCell: number; what: string },
): Promise<Seen> {
  const seen = await seenRows(page, o.root);
  assert.equal(
    seen.scrollHeight,
    Math.max(listed.length * ROW_HEIGHT, seen.clientHeight),
    `${o.what}: the table scrolls over the listed rows only (no row left below them keeps it taller)`,
  );
  const expected = inView(listed, seen.scrollTop, seen.clientHeight);
  assert.ok(expected.length > 0 || listed.length === 0, `${o.what}: the view shows part of the list`);
  assert.deepEqual(
    seen.rows.map((r) => r.key),
    expected,
    `${o.what}: the rows on screen (displayed, inside the scroller's view) are the listed ones in view, in order`,
  );
  for (const r of seen.rows) {
    assert.ok(r.hit, `${o.what}: row ${r.key} is what the pointer hits at its centre`);
    assert.equal(r.cells[o.labelCell], o.label(r.key!), `${o.what}: row ${r.key} shows its own sample`);
  }
  return seen;
}

/**
 * Where rows below the listed ones would be, if a stale one were still shown: the centres of
 * the next few row slots inside the view (none when the list fills the view).
 */
export function slotsBelow(seen: Seen, listed: number, slots = 6): { x: number; y: number }[] {
  const out: { x: number; y: number }[] = [];
  const firstTop = seen.view.top - seen.scrollTop;
  for (let i = listed; i < listed + slots; i++) {
    const y = firstTop + i * ROW_HEIGHT + ROW_HEIGHT / 2;
    if (y > seen.view.top && y < seen.view.bottom - 1) out.push({ x: seen.view.left + 60, y });
  }
  return out;
}
