// The failures table and the Compare table show exactly the rows their filter lists, in
// the run panel, in Compare and in `gog report`'s page, for 10, 1,000 and 10,000 rows:
// filtered, sorted and scrolled, each time the rows on screen (computed style, geometry,
// what the pointer hits; never the DOM or the `hidden` attribute) are the listed ones in
// view, and a click where a filtered-out row would be opens nothing.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { SampleResult } from '../../src/data/results';
import { compareMessage, runMessage, runMessages, type Compared } from '../../src/run/reviewMessages';
import type { Change, ComparePair, ReviewRow, RunsHostMessage, RunsViewMessage } from '../../src/shared/runsMessages';
import { syntheticResults, writeBenchRun } from '../helpers/benchRuns';
import { tempDir } from '../helpers/fixtures';
import { makeScreenshotDirs, TEST_OUT_SCREENSHOTS } from '../helpers/screenshots';
import { launchChromium } from '../vscode/harness/chromium';
import { ROOT, startHarness, violations, type Harness, type HarnessWindow } from './harness';
import { assertShows, frames, ROW_HEIGHT, seenRows, slotsBelow } from './tableVisibility';
import { buildOnce } from '../helpers/build';

type RunMessage = Extract<RunsHostMessage, { type: 'run' }>;
type CompareMessage = Extract<RunsHostMessage, { type: 'compare' }>;

const SIZES = [10, 1_000, 10_000];
const CLI = path.join(ROOT, 'dist', 'cli.js');

async function deliver(page: Page, message: RunsHostMessage): Promise<void> {
  await page.evaluate((m) => {
    const w = globalThis as unknown as HarnessWindow;
    w.dispatchEvent(new w.MessageEvent('message', { data: m }));
  }, message);
}

async function posted(page: Page): Promise<RunsViewMessage[]> {
  return page.evaluate(() => (globalThis as unknown as { __gog: { posted: RunsViewMessage[] } }).__gog.posted);
}

const samples = (n: number) => `${n.toLocaleString('en')} sample${n === 1 ? '' : 's'}`;

/** Rows in dataset order: the sample's place in its file, then the rollout. */
const datasetOrder = (a: { index: number; rollout: number; key: number }, b: { index: number; rollout: number; key: number }) =>
  a.index - b.index || a.rollout - b.rollout || a.key - b.key;

/** What the run table lists, worked out here from the rows (not by the webview's model). */
function listedRows(rows: readonly ReviewRow[], text: string, sort?: { by: (r: ReviewRow) => number | string; descending: boolean }): number[] {
  const terms = text.toLowerCase().split(/\s+/).filter(Boolean);
  const hay = (r: ReviewRow) => `${r.id}\n${r.question}\n${r.answer ?? ''}\n${r.gold.join('\n')}`.toLowerCase();
  const compare = (x: number | string, y: number | string) => (x < y ? -1 : x > y ? 1 : 0);
  return rows
    .filter((r) => terms.every((t) => hay(r).includes(t)))
    .sort((a, b) => (sort ? (sort.descending ? -1 : 1) * compare(sort.by(a), sort.by(b)) : 0) || datasetOrder(a, b))
    .map((r) => r.key);
}

const CHANGE_ORDER: Change[] = ['regression', 'improvement', 'both_wrong', 'both_right', 'only_a', 'only_b'];

function listedPairs(pairs: readonly ComparePair[], changes: ReadonlySet<Change>, text: string): number[] {
  const terms = text.toLowerCase().split(/\s+/).filter(Boolean);
  const hay = (p: ComparePair) => `${p.id}\n${p.question}\n${p.gold.join('\n')}\n${p.sides[0]?.answer ?? ''}\n${p.sides[1]?.answer ?? ''}`.toLowerCase();
  return pairs
    .filter((p) => changes.has(p.change) && terms.every((t) => hay(p).includes(t)))
    .sort((x, y) => CHANGE_ORDER.indexOf(x.change) - CHANGE_ORDER.indexOf(y.change) || datasetOrder(x, y))
    .map((p) => p.key);
}

const label = (r: { id: string; rollout: number }) => r.id + (r.rollout ? ` #${r.rollout}` : '');

async function scrollBody(page: Page, top: number): Promise<void> {
  await page.locator('.vt-body').evaluate((b, t) => ((b as unknown as { scrollTop: number }).scrollTop = t), top);
  await frames(page);
}

/**
 * Clicks where rows after the `listed` ones would be (if a filtered-out row were still on
 * screen) and checks that `opened()` says nothing was opened or selected.
 */
async function clickBelow(page: Page, listed: number, opened: () => Promise<string>, what: string): Promise<number> {
  const before = await opened();
  const slots = slotsBelow(await seenRows(page), listed);
  for (const { x, y } of slots) await page.mouse.click(x, y);
  assert.equal(await opened(), before, `${what}: a click where a filtered-out row would be opens nothing`);
  return slots.length;
}

/**
 * One run's table, filtered, sorted and scrolled: every time, exactly the listed rows in view
 * are on screen, and clicks below the listed rows open nothing. `opened()` describes what has
 * been opened or selected so far.
 */
async function runTableScenario(page: Page, rows: readonly ReviewRow[], opened: () => Promise<string>): Promise<void> {
  const n = rows.length;
  const show = (listed: number[], what: string) => assertShows(page, listed, { label: (k) => label(rows[k]!), labelCell: 0, what: `${n} rows, ${what}` });
  await show(listedRows(rows, ''), 'as opened');

  // The filter of the issue: a few matches, and nothing below them.
  await page.locator('.filter-text').fill('rocket');
  const rocket = listedRows(rows, 'rocket');
  assert.equal(await page.locator('.shown').textContent(), `${rocket.length.toLocaleString('en')} of ${samples(n)}`);
  await show(rocket, 'filtered to "rocket"');
  if (rocket.length < 20) assert.ok((await clickBelow(page, rocket.length, opened, `${n} rows, "rocket"`)) > 0, 'there is room below the matches to click');

  // One sample, by its id: one row, and nothing below it to click.
  const one = rows[Math.min(17, n - 1)]!;
  await page.locator('.filter-text').fill(one.id);
  await show(listedRows(rows, one.id), `filtered to ${one.id}`);
  assert.equal(await page.locator('.shown').textContent(), `1 of ${samples(n)}`);
  assert.ok((await clickBelow(page, 1, opened, `${n} rows, ${one.id}`)) > 0);

  // Sorted by turns (most first), then scrolled to the middle and to the end.
  await page.locator('.filter-text').fill('');
  await page.locator('.vt-h[data-column="turns"]').click();
  const byTurns = listedRows(rows, '', { by: (r) => r.turns, descending: true });
  await show(byTurns, 'sorted by turns');
  await scrollBody(page, Math.floor((n * ROW_HEIGHT) / 2) + 7);
  await show(byTurns, 'sorted by turns, scrolled to the middle');
  await scrollBody(page, 1e9);
  const atEnd = await show(byTurns, 'sorted by turns, scrolled to the end');
  assert.equal(atEnd.rows.at(-1)!.key, byTurns.at(-1), 'the last listed row is reachable');

  // Filtered while scrolled to the end: the list is short now, and what was below is gone.
  await page.locator('.filter-text').fill('rocket');
  await frames(page);
  const rocketByTurns = listedRows(rows, 'rocket', { by: (r) => r.turns, descending: true });
  await show(rocketByTurns, 'scrolled to the end, then filtered to "rocket"');
  if (rocketByTurns.length < 20) await clickBelow(page, rocketByTurns.length, opened, `${n} rows, scrolled then filtered`);

  // Sorted by question within the filter; then a filter nothing matches.
  await page.locator('.vt-h[data-column="question"]').click();
  await show(listedRows(rows, 'rocket', { by: (r) => r.question.toLowerCase(), descending: false }), 'filtered to "rocket", sorted by question');
  await page.locator('.filter-text').fill('no sample says this');
  await show([], 'filtered to nothing');
  assert.equal(await page.locator('.shown').textContent(), `0 of ${samples(n)}`);
  await clickBelow(page, 0, opened, `${n} rows, nothing listed`);
}

describe('tables show exactly the rows their filter lists (computed style, geometry, the pointer)', function () {
  this.timeout(600_000);
  const tmp = tempDir('gog-table-visibility-');
  let harness: Harness;
  let context: BrowserContext;
  const runs = new Map<number, { dir: string; message: RunMessage }>();
  const compares = new Map<number, Compared>();

  before(async () => {
    makeScreenshotDirs();
    buildOnce();
    for (const n of SIZES) {
      const dir = path.join(tmp.dir, `20261124-100000-n${n}`);
      const other = path.join(tmp.dir, `20261125-100000-n${n}`);
      await writeBenchRun(dir, syntheticResults(n, { judged: true }), { trajectories: false });
      await writeBenchRun(other, syntheticResults(n, { judged: true, seed: 11 }), { trajectories: false });
      runs.set(n, { dir, message: (await runMessage(dir)).message });
      compares.set(n, await compareMessage([dir, other]));
    }
    harness = await startHarness();
    context = await launchChromium(path.join(tmp.dir, 'chromium'), { width: 1400, height: 900 });
  });

  after(async () => {
    await context?.close();
    await harness?.close();
    tmp.cleanup();
  });

  async function openPanel(messages: RunsHostMessage[]): Promise<Page> {
    const page = await context.newPage();
    await page.goto(harness.pageUrl('light', 'runs'));
    await page.waitForFunction(() => (globalThis as unknown as { __gog: { posted: unknown[] } }).__gog.posted.length > 0);
    for (const m of messages) await deliver(page, m);
    return page;
  }

  for (const n of SIZES) {
    it(`the run panel, ${n.toLocaleString('en')} rows: filtered, sorted and scrolled, only listed rows show, and none other opens`, async () => {
      const { message } = runs.get(n)!;
      const page = await openPanel(runMessages(message.run, message.rows, message.problems));
      await page.locator('.shown', { hasText: new RegExp(`^${samples(n)}$`) }).waitFor();
      const opened = async () =>
        JSON.stringify((await posted(page)).flatMap((m) => (m.type === 'request' && m.request.method === 'openSample' ? [m.request.key] : [])));
      await runTableScenario(page, message.rows, opened);
      // A listed row does open, with one click: the one clicked.
      await page.locator('.filter-text').fill('rocket');
      const first = (await seenRows(page)).rows[0]!;
      await page.locator(`.vt-body .vt-row[data-key="${first.key}"]`).click();
      assert.equal(JSON.parse(await opened()).at(-1), first.key);
      if (n === 10_000) await page.screenshot({ path: path.join(TEST_OUT_SCREENSHOTS, 'runs-table-10000-filtered.png') });
      assert.deepEqual(await violations(page), { violations: [], errors: [] });
      await page.close();
    });
  }

  for (const n of SIZES) {
    it(`Compare, ${n.toLocaleString('en')} rows: with chips turned off and on, filtered and scrolled, only listed rows show, and none other opens`, async () => {
      const { message } = compares.get(n)!;
      const pairs = message.pairs;
      const page = await openPanel([message]);
      await page.locator('.delta-table').waitFor();
      const what = (s: string) => `Compare of ${n}, ${s}`;
      const show = (listed: number[], s: string) => assertShows(page, listed, { label: (k) => label(pairs[k]!), labelCell: 1, what: what(s) });
      const opened = async () =>
        JSON.stringify([
          (await posted(page)).filter((m) => m.type === 'request').map((m) => m.type === 'request' && m.request),
          await page.locator('.detail').textContent(),
        ]);
      const changes = new Set<Change>(['regression', 'improvement']);
      await show(listedPairs(pairs, changes, ''), 'as opened');
      // A chip off: the improvements go, and nothing is left below the regressions.
      await page.locator('.change-chip[data-change="improvement"]').click();
      changes.delete('improvement');
      const regressions = listedPairs(pairs, changes, '');
      assert.equal(await page.locator('.shown').textContent(), `${regressions.length.toLocaleString('en')} of ${samples(pairs.length)}`);
      await show(regressions, 'improvements turned off');
      if (regressions.length < 20) assert.ok((await clickBelow(page, regressions.length, opened, what('regressions only'))) > 0);
      // More on, scrolled to the middle and the end, then filtered while at the end.
      for (const c of ['both_wrong', 'both_right'] as const) {
        if (!(await page.locator(`.change-chip[data-change="${c}"]`).count())) continue;
        await page.locator(`.change-chip[data-change="${c}"]`).click();
        changes.add(c);
      }
      const many = listedPairs(pairs, changes, '');
      await show(many, 'three kinds of change');
      await scrollBody(page, Math.floor((many.length * ROW_HEIGHT) / 2) + 5);
      await show(many, 'scrolled to the middle');
      await scrollBody(page, 1e9);
      await show(many, 'scrolled to the end');
      await page.locator('.filter-text').fill('rocket');
      await frames(page);
      const rocket = listedPairs(pairs, changes, 'rocket');
      await show(rocket, 'scrolled to the end, then filtered to "rocket"');
      if (rocket.length < 20) await clickBelow(page, rocket.length, opened, what('"rocket"'));
      // Every chip off but one that has few samples.
      await page.locator('.filter-text').fill('');
      for (const c of [...changes]) {
        await page.locator(`.change-chip[data-change="${c}"]`).click();
        changes.delete(c);
      }
      await page.locator('.change-chip[data-change="regression"]').click();
      changes.add('regression');
      await show(listedPairs(pairs, changes, ''), 'regressions again');
      assert.deepEqual(await violations(page), { violations: [], errors: [] });
      await page.close();
    });
  }

  for (const n of SIZES) {
    it(`gog report's page, ${n.toLocaleString('en')} rows: filtered, sorted and scrolled, only listed rows show, and none other is selected`, async () => {
      const { dir, message } = runs.get(n)!;
      const out = path.join(tmp.dir, `report-${n}.html`);
      const made = spawnSync(process.execPath, [CLI, 'report', dir, '--out', out], { encoding: 'utf8' });
      assert.equal(made.status, 0, made.stderr);
      const page = await context.newPage();
      await page.goto(`file://${out}`);
      await page.locator('.shown', { hasText: new RegExp(`^${samples(n)}$`) }).waitFor();
      // A report has no extension to open samples with: a click selects, and the detail shows it.
      const opened = async () => (await page.locator('.detail').textContent()) ?? '';
      await runTableScenario(page, message.rows, opened);
      await page.locator('.filter-text').fill('rocket');
      const first = (await seenRows(page)).rows[0]!;
      await page.locator(`.vt-body .vt-row[data-key="${first.key}"]`).click();
      assert.match(await opened(), new RegExp(`^${message.rows[first.key!]!.question.replace(/[()?]/g, '\\$&')}`));
      await page.close();
    });
  }

  it('opens no sample the filter left out with Enter, in the run panel and in Compare, when it was selected before', async () => {
    const { message } = runs.get(1_000)!;
    const page = await openPanel(runMessages(message.run, message.rows, message.problems));
    await page.locator('.shown', { hasText: /^1,000 samples$/ }).waitFor();
    const requests = async () => (await posted(page)).filter((m) => m.type === 'request').length;
    const lighthouse = message.rows.find((r) => r.question.includes('lighthouse'))!;
    await page.locator(`.vt-body .vt-row[data-key="${lighthouse.key}"]`).click();
    const before = await requests();
    await page.locator('.filter-text').fill('rocket');
    await page.locator('.vt-body').focus();
    await page.keyboard.press('Enter');
    assert.equal(await requests(), before, 'Enter on a selection the filter hides opens nothing');
    // ↓ goes to the first listed sample, and Enter opens that one.
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const last = (await posted(page)).at(-1)!;
    assert.ok(last.type === 'request' && last.request.method === 'openSample');
    assert.equal(last.request.key, listedRows(message.rows, 'rocket')[0]);
    await page.close();

    const compare = compares.get(1_000)!.message;
    const comparePage = await openPanel([compare]);
    await comparePage.locator('.delta-table').waitFor();
    const first = listedPairs(compare.pairs, new Set<Change>(['regression', 'improvement']), '')[0]!;
    await comparePage.locator(`.vt-body .vt-row[data-key="${first}"]`).click();
    const asked = (await posted(comparePage)).length;
    await comparePage.locator(`.change-chip[data-change="${compare.pairs[first]!.change}"]`).click();
    await comparePage.locator('.vt-body').focus();
    await comparePage.keyboard.press('Enter');
    assert.equal((await posted(comparePage)).length, asked, 'Compare: Enter on a hidden selection asks nothing');
    await comparePage.close();
  });

  it('lists samples in dataset order (index, then rollout) until sorted, in the run panel and in Compare, whatever order they finished in', async () => {
    // Two rollouts of 40 samples, written in a shuffled (completion) order.
    const base = syntheticResults(40, { judged: true });
    const results: SampleResult[] = base.flatMap((r) => [r, { ...r, rollout: 1, trajectory: `samples/${r.id}-r1/trajectory.jsonl` }]);
    let s = 11;
    const shuffled = [...results].sort(() => ((s = (s * 16807) % 2147483647) % 3) - 1);
    assert.notDeepEqual(
      shuffled.map((r) => `${r.index}/${r.rollout}`),
      results.map((r) => `${r.index}/${r.rollout}`),
    );
    const dir = path.join(tmp.dir, 'shuffled-a');
    const other = path.join(tmp.dir, 'shuffled-b');
    await writeBenchRun(dir, shuffled, { trajectories: false });
    await writeBenchRun(other, [...shuffled].reverse(), { trajectories: false });
    const { message } = await runMessage(dir);
    const page = await openPanel([message]);
    await page.locator('.shown', { hasText: '80 samples' }).waitFor();
    const inDataset = [...message.rows].sort(datasetOrder).map((r) => r.key);
    assert.notDeepEqual(
      inDataset,
      [...inDataset].sort((a, b) => a - b),
      'completion order differs from dataset order',
    );
    const seen = await assertShows(page, inDataset, { label: (k) => label(message.rows[k]!), labelCell: 0, what: 'dataset order' });
    assert.deepEqual(
      seen.rows.slice(0, 4).map((r) => r.cells[0]),
      ['q00000', 'q00000 #1', 'q00001', 'q00001 #1'],
    );
    await page.close();
    const compared = await compareMessage([dir, other]);
    const comparePage = await openPanel([compared.message]);
    await comparePage.locator('.delta-table').waitFor();
    await comparePage.locator('.change-chip[data-change="both_wrong"]').click();
    await comparePage.locator('.change-chip[data-change="both_right"]').click();
    const all = new Set<Change>(['regression', 'improvement', 'both_wrong', 'both_right']);
    await assertShows(comparePage, listedPairs(compared.message.pairs, all, ''), {
      label: (k) => label(compared.message.pairs[k]!),
      labelCell: 1,
      what: 'Compare in dataset order',
    });
    await comparePage.close();
  });

  it('shows every column header whole, and the Compare summary without sideways scrolling, at 1,170 px and wider', async () => {
    const { message } = runs.get(1_000)!;
    const compare = compares.get(1_000)!.message satisfies CompareMessage;
    for (const width of [1170, 1400, 1920]) {
      const page = await openPanel([message]);
      await page.setViewportSize({ width, height: 800 });
      await page.locator('.shown', { hasText: '1,000 samples' }).waitFor();
      const cut = (root: string) =>
        page.evaluate<string[]>(`Array.from(document.querySelectorAll(${JSON.stringify(root)}))
          .filter((c) => c.getClientRects().length && c.scrollWidth > c.clientWidth)
          .map((c) => c.textContent + ' (' + c.scrollWidth + ' > ' + c.clientWidth + ')')`);
      assert.deepEqual(await cut('.vt-head .vt-cell'), [], `${width} px: headers whole, unsorted`);
      // Sorted both ways: the arrow fits too.
      for (const column of await page
        .locator('.vt-h.sortable')
        .evaluateAll((hs) => hs.map((h) => (h as unknown as { dataset: { column: string } }).dataset.column))) {
        for (let i = 0; i < 2; i++) {
          await page.locator(`.vt-h[data-column="${column}"]`).click();
          assert.deepEqual(await cut('.vt-head .vt-cell'), [], `${width} px: headers whole, sorted by ${column}`);
        }
      }
      await page.close();
      const comparePage = await openPanel([compare]);
      await comparePage.setViewportSize({ width, height: 800 });
      await comparePage.locator('.delta-table').waitFor();
      const compareCut = (root: string) =>
        comparePage.evaluate<string[]>(`Array.from(document.querySelectorAll(${JSON.stringify(root)}))
          .filter((c) => c.getClientRects().length && c.scrollWidth > c.clientWidth)
          .map((c) => (c.className || c.tagName) + ': ' + c.textContent.slice(0, 40) + ' (' + c.scrollWidth + ' > ' + c.clientWidth + ')')`);
      assert.deepEqual(await compareCut('.vt-head .vt-cell'), [], `${width} px: Compare headers whole`);
      assert.deepEqual(await compareCut('.deltas, .delta-table th, .delta-table td'), [], `${width} px: the Compare summary fits, no sideways scrolling`);
      if (width === 1170) await comparePage.screenshot({ path: path.join(tmp.dir, 'compare-1170.png') });
      await comparePage.close();
    }
  });
});
