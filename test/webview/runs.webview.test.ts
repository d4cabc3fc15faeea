// The run review bundle (failures table, charts, comparison) in headless Chromium, behind
// the same harness and CSP as the trajectory panel, fed what the extension sends for real
// run folders: a synthetic run of 600 samples, and two runs of the same questions made by
// the real agent.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { compareMessage, runMessage, runMessages, type Compared } from '../../src/run/reviewMessages';
import type { ReviewRow, RunsHostMessage, RunsViewMessage } from '../../src/shared/runsMessages';
import { comparedSamples, realBenchRun, syntheticResults, writeBenchRun } from '../helpers/benchRuns';
import { tempDir } from '../helpers/fixtures';
import { makeScreenshotDirs, SCREENSHOTS, TEST_OUT_SCREENSHOTS } from '../helpers/screenshots';
import { launchChromium } from '../vscode/harness/chromium';
import { lowContrastText, startHarness, violations, type Harness, type HarnessWindow, type Theme } from './harness';

type RunMessage = Extract<RunsHostMessage, { type: 'run' }>;

async function deliver(page: Page, message: RunsHostMessage): Promise<void> {
  await page.evaluate((m) => {
    const w = globalThis as unknown as HarnessWindow;
    w.dispatchEvent(new w.MessageEvent('message', { data: m }));
  }, message);
}

async function posted(page: Page): Promise<RunsViewMessage[]> {
  return page.evaluate(() => (globalThis as unknown as { __gog: { posted: RunsViewMessage[] } }).__gog.posted);
}

/** The keys of the rows drawn, top to bottom. */
/** Polls until `ok` holds (every 25 ms, for at most 10 s): what the page does on its next frames, however slow the machine. */
async function waitFor(ok: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > until) return;
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function drawnKeys(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const doc = (
      globalThis as unknown as {
        document: { querySelectorAll(s: string): ArrayLike<{ hidden: boolean; dataset: { key?: string }; style: { transform: string } }> };
      }
    ).document;
    return Array.from(doc.querySelectorAll('.vt-body .vt-row'))
      .filter((r) => !r.hidden)
      .sort((a, b) => Number(/(\d+)px/.exec(a.style.transform)![1]) - Number(/(\d+)px/.exec(b.style.transform)![1]))
      .map((r) => Number(r.dataset.key));
  });
}

describe('run review views in headless Chromium', function () {
  this.timeout(120_000);
  const tmp = tempDir('gog-runs-webview-');
  let harness: Harness;
  let context: BrowserContext;
  let run: RunMessage;
  let rows: ReviewRow[];
  let compared: Compared;

  before(async () => {
    makeScreenshotDirs();
    const dir = path.join(tmp.dir, '20261124-100000-fvqa');
    await writeBenchRun(dir, syntheticResults(600, { judged: true }), { trajectories: false });
    run = (await runMessage(dir)).message;
    rows = run.rows;
    await realBenchRun(path.join(tmp.dir, 'a'), comparedSamples('a'));
    await realBenchRun(path.join(tmp.dir, 'b'), comparedSamples('b'));
    compared = await compareMessage([path.join(tmp.dir, 'a'), path.join(tmp.dir, 'b')]);
    harness = await startHarness();
    context = await launchChromium(path.join(tmp.dir, 'chromium'), { width: 1400, height: 900 });
  });

  after(async () => {
    await context?.close();
    await harness?.close();
    tmp.cleanup();
  });

  async function open(theme: Theme = 'light', message: RunsHostMessage = run): Promise<Page> {
    const page = await context.newPage();
    await page.goto(harness.pageUrl(theme, 'runs'));
    await page.waitForFunction(() => (globalThis as unknown as { __gog: { posted: unknown[] } }).__gog.posted.length > 0);
    assert.deepEqual(await posted(page), [{ type: 'ready' }], 'the webview says ready before anything else');
    await deliver(page, message);
    await page
      .locator(message.type === 'compare' ? '.delta-table' : '.vt-body .vt-row')
      .first()
      .waitFor();
    return page;
  }

  it('lists every sample with its figures, and sorts by a column both ways', async () => {
    const page = await open();
    assert.equal(await page.locator('h1.run-title').textContent(), '20261124-100000-fvqa');
    assert.equal(await page.locator('.shown').textContent(), '600 samples');
    assert.deepEqual((await drawnKeys(page)).slice(0, 3), [0, 1, 2], 'results.jsonl order at first');
    assert.ok((await drawnKeys(page)).length < 80, 'only the rows in view are drawn');
    const right = rows.filter((r) => (r.judge ?? r.em > 0) === true).length;
    assert.equal(await page.locator('.figure', { hasText: 'right' }).locator('.figure-value').textContent(), `${((100 * right) / 600).toFixed(1)}%`);

    await page.locator('.vt-h[data-column="turns"]').click();
    assert.equal(await page.locator('.vt-h[data-column="turns"]').getAttribute('aria-sort'), 'descending');
    const most = Math.max(...rows.map((r) => r.turns));
    assert.equal(rows[(await drawnKeys(page))[0]!]!.turns, most, 'most turns first');
    await page.locator('.vt-h[data-column="turns"]').click();
    assert.equal(await page.locator('.vt-h[data-column="turns"]').getAttribute('aria-sort'), 'ascending');
    const keys = await drawnKeys(page);
    assert.equal(rows[keys[0]!]!.turns, Math.min(...rows.map((r) => r.turns)));
    for (let i = 1; i < keys.length; i++) assert.ok(rows[keys[i]!]!.turns >= rows[keys[i - 1]!]!.turns, 'ascending throughout');
    // The end of the list is reachable: the body scrolls over every row.
    await page.locator('.vt-body').evaluate((b) => ((b as unknown as { scrollTop: number }).scrollTop = 1e6));
    const lastInOrder = [...rows].sort((a, b) => a.turns - b.turns || a.key - b.key).at(-1)!.key;
    // The rows are redrawn on the next frame after the scroll: wait for it (a loaded machine is slow), not a fixed time.
    await waitFor(async () => (await drawnKeys(page)).at(-1) === lastInOrder);
    assert.equal((await drawnKeys(page)).at(-1), lastInOrder);
    assert.deepEqual(await violations(page), { violations: [], errors: [] });
    await page.close();
  });

  it('filters by cause, by benchmark and by text (question, answer, gold), and says how many are listed', async () => {
    const page = await open();
    const parse = rows.filter((r) => r.cause === 'parse_error');
    assert.equal(await page.locator('.cause-chip[data-cause="parse_error"] .chip-count').textContent(), String(parse.length));
    await page.locator('.cause-chip[data-cause="parse_error"]').click();
    assert.equal(await page.locator('.shown').textContent(), `${parse.length} of 600 samples`);
    assert.deepEqual(await drawnKeys(page), parse.map((r) => r.key).slice(0, (await drawnKeys(page)).length));
    for (const text of await page.locator('.vt-body .vt-row:not([hidden]) .vt-cell.cause').allTextContents()) assert.equal(text, 'Parse error');
    // Two causes at once; then the judge's disagreements alone.
    await page.locator('.cause-chip[data-cause="timeout"]').click();
    assert.equal(await page.locator('.shown').textContent(), `${parse.length + rows.filter((r) => r.cause === 'timeout').length} of 600 samples`);
    await page.locator('.cause-chip[data-cause="parse_error"]').click();
    await page.locator('.cause-chip[data-cause="timeout"]').click();
    await page.locator('.cause-chip[data-cause="judge_disagrees"]').click();
    const disagree = rows.filter((r) => r.cause === 'judge_disagrees');
    assert.ok(disagree.length > 0);
    assert.equal(await page.locator('.shown').textContent(), `${disagree.length} of 600 samples`);
    await page.locator('.cause-chip[data-cause="judge_disagrees"]').click();
    // All failures: every cause but right.
    await page.locator('.chip.all-failures').click();
    assert.equal(await page.locator('.shown').textContent(), `${rows.filter((r) => r.cause !== null).length} of 600 samples`);
    await page.locator('.chip.all-failures').click();

    // Text: in the gold answers (and questions), then narrowed by benchmark.
    await page.locator('.filter-text').fill('lighthouse');
    const lighthouse = rows.filter((r) => `${r.question}\n${r.answer}\n${r.gold.join('\n')}`.toLowerCase().includes('lighthouse'));
    assert.equal(await page.locator('.shown').textContent(), `${lighthouse.length} of 600 samples`);
    await page.locator('select[aria-label="Benchmark"]').selectOption('infoseek');
    assert.equal(await page.locator('.shown').textContent(), `${lighthouse.filter((r) => r.benchmark === 'infoseek').length} of 600 samples`);
    // An answer's text: a wrong answer names another thing.
    await page.locator('select[aria-label="Benchmark"]').selectOption('');
    await page.locator('.filter-text').fill('q00017');
    assert.deepEqual(await drawnKeys(page), [17]);
    await page.locator('.filter-text').fill('no sample says this');
    assert.deepEqual(await drawnKeys(page), []);
    assert.equal(await page.locator('.shown').textContent(), '0 of 600 samples');
    await page.close();
  });

  it('offers no cause chip with no sample, after "All failures" or any other way there, and names the queue "all failures"', async () => {
    const page = await open();
    // What a user sees: the cause chips on screen, with their counts.
    const chips = async () =>
      page.evaluate<{ cause: string; count: string; pressed: string; empty: boolean }[]>(`Array.from(document.querySelectorAll('.cause-chip'))
        .filter((c) => getComputedStyle(c).display !== 'none' && c.getBoundingClientRect().width > 0)
        .map((c) => ({ cause: c.dataset.cause, count: c.querySelector('.chip-count').textContent, pressed: c.getAttribute('aria-pressed'), empty: c.classList.contains('empty') }))`);
    const noZero = async (what: string) => {
      const zero = (await chips()).filter((c) => c.count === '0');
      assert.deepEqual(zero, [], `${what}: no chip with 0 samples`);
    };
    assert.equal(rows.filter((r) => r.cause === 'cancelled').length, 0, 'no sample of this run was cancelled');
    await noZero('as opened');
    await page.locator('.chip.all-failures').click();
    assert.equal(await page.locator('.chip.all-failures').getAttribute('aria-pressed'), 'true');
    await noZero('all failures');
    assert.ok((await chips()).every((c) => c.pressed === (c.cause === 'right' ? 'false' : 'true')));
    assert.equal(await page.locator('.shown').textContent(), `${rows.filter((r) => r.cause !== null).length} of 600 samples`);
    // The queue is named for what was picked, in two words.
    await page.locator('vscode-button', { hasText: 'Review in a queue' }).click();
    const queue = (await posted(page)).filter((m) => m.type === 'request').at(-1);
    assert.ok(queue?.type === 'request' && queue.request.method === 'startQueue');
    assert.equal(queue.request.label, 'all failures');
    // One turned off, then a text filter that leaves a few samples: still no empty chip.
    await page.locator('.cause-chip[data-cause="wrong_answer"]').click();
    await noZero('all failures but wrong answers');
    await page.locator('.filter-text').fill('q0001');
    await noZero('filtered by text');
    await page.locator('.chip.all-failures').click();
    await noZero('all failures, filtered by text');
    await page.locator('.chip.all-failures').click();
    await noZero('all failures off again');
    // Within one benchmark: the same.
    await page.locator('select[aria-label="Benchmark"]').selectOption('fvqa');
    await page.locator('.chip.all-failures').click();
    await noZero('a benchmark, all failures');
    // Every cause picked has no sample under the text: those chips are why the table is
    // empty, so they show, marked empty, and turning them off brings the rows back.
    await page.locator('.filter-text').fill('');
    await page.locator('.chip.all-failures').click();
    await page.locator('select[aria-label="Benchmark"]').selectOption('');
    await page.locator('.cause-chip[data-cause="timeout"]').click();
    await page.locator('.filter-text').fill(rows.find((r) => r.cause === null)!.id);
    assert.equal(await page.locator('.shown').textContent(), '0 of 600 samples');
    assert.deepEqual(
      (await chips()).filter((c) => c.count === '0'),
      [{ cause: 'timeout', count: '0', pressed: 'true', empty: true }],
    );
    await page.locator('.cause-chip[data-cause="timeout"]').click();
    assert.equal(await page.locator('.shown').textContent(), '1 of 600 samples');
    await noZero('the empty pick turned off');
    await page.close();
  });

  it('keeps its filters, sort, scroll, selection and tab when the webview is rebuilt', async () => {
    const page = await open();
    await page.locator('.chip.all-failures').click();
    await page.locator('.filter-text').fill('sample');
    await page.locator('.vt-h[data-column="ms"]').click();
    const top = JSON.stringify(await drawnKeys(page));
    await page.locator('.vt-body').evaluate((b) => ((b as unknown as { scrollTop: number }).scrollTop = 2000));
    await waitFor(async () => JSON.stringify(await drawnKeys(page)) !== top);
    const row = page.locator('.vt-body .vt-row:not([hidden])').nth(12);
    const key = Number(await row.getAttribute('data-key'));
    await row.click();
    const before = { keys: await drawnKeys(page), shown: await page.locator('.shown').textContent() };
    // What VS Code does when the tab comes back: a new page, the same state, the data sent again.
    await page.reload();
    await page.waitForFunction(() => (globalThis as unknown as { __gog: { posted: unknown[] } }).__gog.posted.length > 0);
    await deliver(page, run);
    await page.locator('.vt-body .vt-row').first().waitFor();
    assert.equal(await page.locator('.filter-text').inputValue(), 'sample');
    assert.equal(await page.locator('.chip.all-failures').getAttribute('aria-pressed'), 'true');
    assert.equal(await page.locator('.vt-h[data-column="ms"]').getAttribute('aria-sort'), 'descending');
    assert.equal(await page.locator('.shown').textContent(), before.shown);
    assert.equal(await page.locator('.vt-body').evaluate((b) => (b as unknown as { scrollTop: number }).scrollTop), 2000);
    assert.deepEqual(await drawnKeys(page), before.keys);
    assert.equal(await page.locator(`.vt-row[data-key="${key}"]`).getAttribute('aria-selected'), 'true');
    assert.match((await page.locator('.detail-question').textContent())!, new RegExp(`^Sample ${key}:`));
    // The same when the run comes in several messages, as the panel posts a big run.
    await page.reload();
    await page.waitForFunction(() => (globalThis as unknown as { __gog: { posted: unknown[] } }).__gog.posted.length > 0);
    const chunks = runMessages(run.run, run.rows, run.problems);
    assert.equal(chunks.length, 2);
    for (const m of chunks) await deliver(page, m);
    await page.locator('.shown', { hasText: before.shown! }).waitFor();
    assert.equal(await page.locator('.vt-body').evaluate((b) => (b as unknown as { scrollTop: number }).scrollTop), 2000);
    assert.deepEqual(await drawnKeys(page), before.keys);
    assert.equal(await page.locator(`.vt-row[data-key="${key}"]`).getAttribute('aria-selected'), 'true');
    await page.close();
  });

  it('opens a sample with one click, moves with the keyboard, and starts a review queue from the filtered rows', async () => {
    const page = await open();
    await page.locator('.cause-chip[data-cause="wrong_answer"]').click();
    const wrong = rows.filter((r) => r.cause === 'wrong_answer').map((r) => r.key);
    await page.locator(`.vt-row[data-key="${wrong[2]}"]`).click();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    const requests = (await posted(page)).filter((m) => m.type === 'request');
    assert.deepEqual(
      requests.map((m) => m.type === 'request' && m.request),
      [
        // The listed samples go with it, in the table's order: what Next and Previous Sample step through.
        { method: 'openSample', key: wrong[2], listed: wrong },
        { method: 'openSample', key: wrong[3], listed: wrong },
      ],
    );
    await page.locator('vscode-button', { hasText: 'Review in a queue' }).click();
    const queue = (await posted(page)).filter((m) => m.type === 'request').at(-1);
    assert.ok(queue?.type === 'request' && queue.request.method === 'startQueue');
    assert.deepEqual(queue.request, { method: 'startQueue', keys: wrong, label: 'wrong answer' });
    await deliver(page, { type: 'response', requestId: queue.requestId, ok: true });
    await page.locator('.status', { hasText: `Review queue started with ${wrong.length} samples.` }).waitFor();
    // A refusal is said, not swallowed.
    await page.locator(`.vt-row[data-key="${wrong[0]}"]`).click();
    const last = (await posted(page)).at(-1)!;
    assert.ok(last.type === 'request');
    await deliver(page, { type: 'response', requestId: last.requestId, ok: false, error: 'the trajectory is missing' });
    await page.locator('.status', { hasText: 'Could not open the sample: the trajectory is missing' }).waitFor();
    await page.close();
  });

  it('exports the listed rows (the filter and the sort in force, in that order) with Export Table… (its button, or the host asking), and says a refusal', async () => {
    const page = await open();
    await page.locator('select[aria-label="Benchmark"]').selectOption('infoseek');
    await page.locator('.cause-chip[data-cause="wrong_answer"]').click();
    await page.locator('.vt-h[data-column="turns"]').click();
    const listed = rows
      .filter((r) => r.benchmark === 'infoseek' && r.cause === 'wrong_answer')
      .sort((a, b) => b.turns - a.turns || a.index - b.index)
      .map((r) => r.key);
    assert.ok(listed.length > 3 && listed.length < 600);
    await page.locator('vscode-button', { hasText: 'Export Table…' }).click();
    const request = (await posted(page)).filter((m) => m.type === 'request').at(-1);
    assert.ok(request?.type === 'request' && request.request.method === 'exportTable');
    assert.deepEqual(request.request.keys, listed);
    await deliver(page, { type: 'response', requestId: request.requestId, ok: false, error: 'results.csv is one of the run’s own files' });
    await page.locator('.status', { hasText: 'Could not export the table: results.csv is one of the run’s own files' }).waitFor();
    // The command palette's Export Table… over this panel: the host asks, the webview sends what it lists.
    const before = (await posted(page)).length;
    await deliver(page, { type: 'exportTable' });
    await page.waitForFunction((n) => (globalThis as unknown as { __gog: { posted: unknown[] } }).__gog.posted.length > n, before);
    const asked = (await posted(page)).at(-1);
    assert.ok(asked?.type === 'request');
    assert.deepEqual(asked.request, { method: 'exportTable', keys: listed });
    // Nothing listed: nothing to export.
    await page.locator('.filter-text').fill('no sample says this');
    assert.equal(await page.locator('vscode-button', { hasText: 'Export Table…' }).getAttribute('disabled'), '');
    await page.close();
  });
  it('takes rows appended while the run is written, keeping the filters', async () => {
    const first = { ...run, run: { ...run.run, total: 600, done: 400, running: true }, rows: rows.slice(0, 400) };
    const page = await open('dark', first);
    await page.locator('.badge.running', { hasText: 'running: 400 of 600' }).waitFor();
    assert.equal(await page.locator('[role="progressbar"]').getAttribute('aria-valuenow'), '400');
    await page.locator('.cause-chip[data-cause="tool_error"]').click();
    await deliver(page, {
      type: 'rows',
      run: { ...run.run, total: 600, done: 600, running: false },
      rows: rows.slice(400),
      problems: [{ line: 601, message: 'not valid JSON' }],
    });
    assert.equal(await page.locator('.shown').textContent(), `${rows.filter((r) => r.cause === 'tool_error').length} of 600 samples`);
    assert.equal(await page.locator('.badge.running').count(), 0);
    await page.locator('.problems', { hasText: 'line 601: not valid JSON' }).waitFor();
    await page.close();
  });

  it('draws accuracy by benchmark and category, a turns histogram and the gaze heatmap, under the CSP', async () => {
    const page = await open('dark');
    await page.locator('.tab[data-tab="charts"]').click();
    for (const chart of ['accuracy-benchmark', 'accuracy-category', 'turns', 'heatmap'])
      await page.locator(`.chart[data-chart="${chart}"] canvas`).first().waitFor();
    // Something was painted on every canvas (Chart.js and our own).
    const painted = await page.evaluate(() => {
      type Canvas = {
        width: number;
        height: number;
        getContext(t: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
      };
      const doc = (
        globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<Canvas & { closest(s: string): { dataset: { chart: string } } }> } }
      ).document;
      return Array.from(doc.querySelectorAll('.chart canvas:not(.heatmap-legend)')).map((c) => {
        const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let ink = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) ink++;
        return [c.closest('.chart').dataset.chart, c.width > 100 && c.height > 100, ink > 500];
      });
    });
    assert.deepEqual(painted, [
      ['accuracy-benchmark', true, true],
      ['accuracy-category', true, true],
      ['turns', true, true],
      ['heatmap', true, true],
      ['tokens', true, true],
      ['latency', true, true],
    ]);
    assert.match(
      (await page.locator('.chart[data-chart="accuracy-benchmark"] canvas').getAttribute('aria-label'))!,
      /^Accuracy by benchmark\. Exact match and judge accuracy: /,
    );
    const gazes = rows.reduce((n, r) => n + r.gazes.length, 0);
    assert.match((await page.locator('.chart-heatmap .chart-text').textContent())!, new RegExp(`^${gazes.toLocaleString('en')} gaze boxes from `));
    await page.locator('.chart-heatmap .chip[data-mode="failures"]').click();
    const failing = rows.filter((r) => !(r.judge ?? r.em > 0)).reduce((n, r) => n + r.gazes.length, 0);
    assert.match(
      (await page.locator('.chart-heatmap .chart-text').textContent())!,
      new RegExp(`^${failing.toLocaleString('en')} gaze boxes from .*\\(the failures\\)`),
    );
    const state = await page.evaluate(() => (globalThis as unknown as { __gog: { state: { tab: string; heatmap: string } } }).__gog.state);
    assert.deepEqual([state.tab, state.heatmap], ['charts', 'failures']);
    await page.screenshot({ path: path.join(TEST_OUT_SCREENSHOTS, 'runs-charts-dark.png') });
    assert.deepEqual(await violations(page), { violations: [], errors: [] });
    await page.close();
  });

  it('compares two runs: summary deltas, regressions and improvements with both answers, and where two trajectories part', async () => {
    const page = await open('light', compared.message);
    assert.equal(await page.locator('.delta-table tr[data-group="all"] td[data-metric="exact match"] .delta-values').textContent(), '40.0% → 60.0%');
    assert.equal(await page.locator('.delta-table tr[data-group="all"] td[data-metric="exact match"] .delta').textContent(), '+20.0 pt');
    assert.match((await page.locator('.delta-table tr[data-group="all"] td[data-metric="exact match"] .delta').getAttribute('class'))!, /\bbetter\b/);
    // Regressions first, then improvements; the unchanged are a click away.
    assert.deepEqual(await page.locator('.vt-body .vt-row:not([hidden]) .vt-cell:nth-child(2)').allTextContents(), [
      'rocket-top',
      'astronaut-mission',
      'hubble-field',
    ]);
    assert.deepEqual(await page.locator('.vt-body .vt-row:not([hidden]) .vt-cell.change').allTextContents(), ['Regression', 'Improvement', 'Improvement']);
    assert.equal(await page.locator('.vt-row[data-key="0"] .vt-cell:nth-child(6)').textContent(), '✓ Payload fairing');
    assert.equal(await page.locator('.vt-row[data-key="0"] .vt-cell:nth-child(7)').textContent(), '✗ A satellite');
    await page.locator('.change-chip[data-change="both_right"]').click();
    assert.equal(await page.locator('.shown').textContent(), '4 of 5 samples');

    await page.locator('.vt-row[data-key="0"]').click();
    const request = (await posted(page)).find((m) => m.type === 'request');
    assert.ok(request?.type === 'request');
    assert.deepEqual(request.request, { method: 'divergence', key: 0, run: 1 });
    await page.locator('.divergence', { hasText: 'Finding where the trajectories part' }).waitFor();
    await deliver(page, {
      type: 'response',
      requestId: request.requestId,
      ok: true,
      divergence: { step: 2, a: 'gaze at [10, 20, 30, 40]', b: 'answer "A satellite"', aSteps: 3, bSteps: 2 },
    });
    await page.locator('.divergence', { hasText: 'First divergence at step 2' }).waitFor();
    assert.match((await page.locator('.divergence').textContent())!, /Agaze at \[10, 20, 30, 40\]Banswer "A satellite"/);
    await page.locator('vscode-button', { hasText: 'Open B' }).click();
    assert.deepEqual((await posted(page)).at(-1), { type: 'request', requestId: request.requestId + 1, request: { method: 'openSample', key: 0, run: 1 } });
    assert.deepEqual(await violations(page), { violations: [], errors: [] });
    await page.close();
  });

  for (const theme of ['light', 'dark', 'high-contrast'] as Theme[]) {
    it(`is readable in ${theme}: table, charts and comparison`, async () => {
      const page = await open(theme);
      await page.locator('.cause-chip[data-cause="wrong_answer"]').click();
      await page.locator('.vt-body .vt-row:not([hidden])').nth(2).click();
      const low = await lowContrastText(page);
      // The light pictures are the README's (`npm run screenshots`); the others are test output.
      const picture = (name: string) => path.join(theme === 'light' ? SCREENSHOTS : TEST_OUT_SCREENSHOTS, `${name}${theme === 'light' ? '' : `-${theme}`}.png`);
      await page.screenshot({ path: picture('runs-table') });
      await page.locator('.tab[data-tab="charts"]').click();
      await page.locator('.chart-heatmap canvas').first().waitFor();
      await page.waitForTimeout(300); // Chart.js animates its first draw
      low.push(...(await lowContrastText(page)));
      // The charts scroll inside the page: a taller window shows them all, the heatmap too.
      await page.setViewportSize({ width: 1400, height: 1060 });
      await page.waitForTimeout(300);
      await page.screenshot({ path: picture('runs-charts') });
      await page.close();
      const compare = await open(theme, compared.message);
      await compare.locator('.vt-row[data-key="0"]').click();
      low.push(...(await lowContrastText(compare)));
      await compare.screenshot({ path: path.join(TEST_OUT_SCREENSHOTS, `runs-compare-${theme}.png`) });
      await compare.close();
      assert.deepEqual(low, [], 'text under 4.5:1 against its background');
    });
  }
});
