// Charts that filter: a click on a benchmark bar, a category bar, a turns bar or a heatmap
// cell lists exactly the samples it stands for (checked on screen, as the table tests do),
// the filter shows as a chip that removes it, and the count says "N of M". A rate of 0 % is
// a bar, a group with no samples has none; tokens, time and (with prices) cost per sample
// are drawn by benchmark.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { failureCause, type SampleResult } from '../../src/data/results';
import { runMessage } from '../../src/run/reviewMessages';
import type { ReviewRow, RunsHostMessage, RunsViewMessage } from '../../src/shared/runsMessages';
import { gazeDensity } from '../../webview/runs/overviewModel';
import { syntheticResults, writeBenchRun } from '../helpers/benchRuns';
import { tempDir } from '../helpers/fixtures';
import { makeScreenshotDirs, TEST_OUT_SCREENSHOTS } from '../helpers/screenshots';
import { launchChromium } from '../vscode/harness/chromium';
import { barsOf } from './chartBars';
import { startHarness, violations, type Harness, type HarnessWindow } from './harness';
import { assertShows, frames } from './tableVisibility';

type RunMessage = Extract<RunsHostMessage, { type: 'run' }>;

const SERIES = { exactMatch: '#3b8eea', judge: '#b180d7', right: '#2ea043', wrong: '#e5534b', cost: '#d18616' };
const PRICES = { prompt: 0.5, completion: 1.5 };
const HEATMAP = { grid: 64, side: 280 };

async function deliver(page: Page, message: RunsHostMessage): Promise<void> {
  await page.evaluate((m) => {
    const w = globalThis as unknown as HarnessWindow;
    w.dispatchEvent(new w.MessageEvent('message', { data: m }));
  }, message);
}

const isRight = (r: ReviewRow) => (r.judge ?? r.em > 0) === true;
const datasetOrder = (a: ReviewRow, b: ReviewRow) => a.index - b.index || a.rollout - b.rollout || a.key - b.key;
const label = (r: ReviewRow) => r.id + (r.rollout ? ` #${r.rollout}` : '');

/** Groups as the charts list them: most samples first, then by name. */
function groupsBy(rows: readonly ReviewRow[], field: 'benchmark' | 'category'): { value: string; rows: ReviewRow[] }[] {
  const by = new Map<string, ReviewRow[]>();
  for (const r of rows) by.set(r[field], [...(by.get(r[field]) ?? []), r]);
  return [...by]
    .map(([value, rs]) => ({ value, rows: rs }))
    .sort((a, b) => b.rows.length - a.rows.length || (a.value || '(none)').localeCompare(b.value || '(none)'));
}

/**
 * A run with a benchmark no sample of which is right (its bars are 0 %) and one no sample
 * of which was judged (no judge bar), besides six ordinary ones.
 */
function results(): SampleResult[] {
  return syntheticResults(600, { judged: true }).map((r, i) => {
    let out = r;
    if (i % 40 === 1)
      out = {
        ...r,
        benchmark: 'zerobench',
        answer: 'nothing like it',
        stopReason: 'answered',
        timedOut: undefined,
        error: undefined,
        parseErrors: 0,
        scores: { ...r.scores, exactMatch: 0, f1: 0, judge: { correct: false, reply: 'no', model: 'judge-model' } },
      };
    else if (i % 40 === 2) out = { ...r, benchmark: 'unjudged', scores: { ...r.scores, judge: undefined } };
    return { ...out, cause: failureCause(out) };
  });
}

describe('charts that filter the table', function () {
  this.timeout(300_000);
  const tmp = tempDir('gog-chart-filters-');
  let harness: Harness;
  let context: BrowserContext;
  let run: RunMessage;
  let rows: ReviewRow[];

  before(async () => {
    makeScreenshotDirs();
    const dir = path.join(tmp.dir, '20261124-100000-charts');
    await writeBenchRun(dir, results(), { trajectories: false });
    const message = (await runMessage(dir)).message;
    run = { ...message, run: { ...message.run, prices: PRICES } };
    rows = run.rows;
    harness = await startHarness();
    context = await launchChromium(path.join(tmp.dir, 'chromium'), { width: 1400, height: 1000 });
  });

  after(async () => {
    await context?.close();
    await harness?.close();
    tmp.cleanup();
  });

  async function open(message: RunsHostMessage = run): Promise<Page> {
    const page = await context.newPage();
    await page.goto(harness.pageUrl('light', 'runs'));
    await page.waitForFunction(() => (globalThis as unknown as { __gog: { posted: unknown[] } }).__gog.posted.length > 0);
    await deliver(page, message);
    await page.locator('.vt-body .vt-row').first().waitFor();
    await page.locator('.tab[data-tab="charts"]').click();
    await page.locator('.chart[data-chart="heatmap"] canvas').first().waitFor();
    return page;
  }

  /** After a click in the charts: the samples tab lists exactly `expected`, says "N of 600", and shows the filter as a chip. */
  async function listsExactly(page: Page, expected: ReviewRow[], facet: string, chipText: RegExp, what: string): Promise<void> {
    assert.ok(expected.length > 0, `${what}: the pick has samples`);
    // Chart.js handles a click on the next animation frame.
    await page
      .locator(`.facet[data-facet="${facet}"]`)
      .waitFor({ timeout: 10_000 })
      .catch(() => assert.fail(`${what}: the click made no filter`));
    assert.equal(await page.locator('.tab[data-tab="samples"]').getAttribute('aria-selected'), 'true', `${what}: the table is shown`);
    assert.equal(await page.locator('.shown').textContent(), `${expected.length} of 600 samples`, what);
    const chip = page.locator(`.facet[data-facet="${facet}"]`);
    assert.match((await chip.textContent())!, chipText, `${what}: the filter is shown`);
    const keys = [...expected].sort(datasetOrder).map((r) => r.key);
    await assertShows(page, keys, { label: (k) => label(rows[k]!), labelCell: 0, what });
    // Scrolled to the end too: nothing but the picked samples, to the last.
    await page.locator('.vt-body').evaluate((b) => ((b as unknown as { scrollTop: number }).scrollTop = 1e9));
    await frames(page);
    await assertShows(page, keys, { label: (k) => label(rows[k]!), labelCell: 0, what: `${what}, scrolled to the end` });
    // The chip removes the filter: every row is back.
    await chip.click();
    assert.equal(await page.locator(`.facet[data-facet="${facet}"]`).count(), 0, `${what}: the chip is gone`);
    assert.equal(await page.locator('.shown').textContent(), '600 samples', `${what}: every row back`);
    await assertShows(
      page,
      [...rows].sort(datasetOrder).map((r) => r.key),
      { label: (k) => label(rows[k]!), labelCell: 0, what: `${what}, removed` },
    );
    await page.locator('.tab[data-tab="charts"]').click();
    await frames(page); // Chart.js sizes its canvases again once the tab shows
  }

  it('a click on a benchmark, category or turns bar, or a heatmap cell, lists exactly its samples, with a chip that takes the filter off', async () => {
    const page = await open();
    // Benchmarks, left to right: every one is a bar; click each.
    const benchmarks = groupsBy(rows, 'benchmark');
    // Found before any click: a hovered bar's tooltip is drawn on the canvas too.
    const benchmarkBars = await barsOf(page, 'accuracy-benchmark', SERIES.exactMatch);
    const judgeBars = await barsOf(page, 'accuracy-benchmark', SERIES.judge);
    assert.equal(benchmarkBars.length, benchmarks.length, 'one exact-match bar per benchmark, 0 % too');
    for (const [i, g] of benchmarks.entries()) {
      await page.locator('.chart[data-chart="accuracy-benchmark"] canvas').click({ position: benchmarkBars[i]! });
      await listsExactly(page, g.rows, 'benchmark', new RegExp(`^Benchmark: ${g.value} ✕$`), `benchmark bar ${g.value}`);
      // The select says the same.
      if (i === 0) assert.equal(await page.locator('select[aria-label="Benchmark"]').inputValue(), '');
    }
    // The judge bar of a benchmark picks it too.
    await page.locator('.chart[data-chart="accuracy-benchmark"] canvas').click({ position: judgeBars[1]! });
    await listsExactly(page, benchmarks[1]!.rows, 'benchmark', /^Benchmark: /, 'judge bar');

    // Categories, top to bottom (horizontal bars).
    const categories = groupsBy(rows, 'category');
    const categoryBars = await barsOf(page, 'accuracy-category', SERIES.exactMatch, true);
    assert.equal(categoryBars.length, categories.length);
    for (const i of [0, categories.length - 1]) {
      await page.locator('.chart[data-chart="accuracy-category"] canvas').click({ position: categoryBars[i]! });
      await listsExactly(page, categories[i]!.rows, 'category', new RegExp(`^Category: ${categories[i]!.value} ✕$`), `category bar ${categories[i]!.value}`);
    }

    // Turns: the right part of the first column, and the wrong part of the last (no right there).
    const turns = [...new Set(rows.map((r) => r.turns))].sort((a, b) => a - b);
    const rightBars = await barsOf(page, 'turns', SERIES.right);
    const withRight = turns.filter((t) => rows.some((r) => r.turns === t && isRight(r)));
    assert.equal(rightBars.length, withRight.length);
    await page.locator('.chart[data-chart="turns"] canvas').click({ position: rightBars[0]! });
    await listsExactly(
      page,
      rows.filter((r) => r.turns === withRight[0] && isRight(r)),
      'turns',
      new RegExp(`^Turns: ${withRight[0]} turns?, right ✕$`),
      'turns bar (right)',
    );
    const wrongOnly = turns.filter((t) => !withRight.includes(t));
    assert.deepEqual(wrongOnly, [8], 'the out-of-turns column has no right samples');
    const wrongAtBase = await barsOf(page, 'turns', SERIES.wrong);
    await page.locator('.chart[data-chart="turns"] canvas').click({ position: wrongAtBase.at(-1)! });
    await listsExactly(
      page,
      rows.filter((r) => r.turns === 8 && !isRight(r)),
      'turns',
      /^Turns: 8 turns, wrong ✕$/,
      'turns bar (wrong)',
    );

    // The heatmap's hottest cell, for all samples, then for the failures only.
    const covers = (r: ReviewRow, col: number, row: number) =>
      r.gazes.some(([x1, y1, x2, y2]) => x2 > x1 && y2 > y1 && x1 * 64 < col + 1 && x2 * 64 > col && y1 * 64 < row + 1 && y2 * 64 > row);
    for (const mode of ['all', 'failures'] as const) {
      const shown = mode === 'all' ? rows : rows.filter((r) => !isRight(r));
      const d = gazeDensity(shown, HEATMAP.grid);
      const hottest = d.cells.indexOf(d.max);
      const [col, row] = [hottest % HEATMAP.grid, Math.floor(hottest / HEATMAP.grid)];
      await page.locator(`.chart-heatmap .chip[data-mode="${mode}"]`).click();
      const cell = HEATMAP.side / HEATMAP.grid;
      await page.locator('.chart-heatmap canvas.heatmap').click({ position: { x: (col + 0.5) * cell, y: (row + 0.5) * cell } });
      await listsExactly(
        page,
        shown.filter((r) => covers(r, col, row)),
        'gaze',
        new RegExp(
          `^Gaze: ${Math.round(((col + 0.5) / 64) * 100)}% across, ${Math.round(((row + 0.5) / 64) * 100)}% down${mode === 'failures' ? ' \\(failures\\)' : ''} ✕$`,
        ),
        `heatmap cell (${mode})`,
      );
    }

    // Two picks at once: both chips, the rows that pass both; the queue is named by both.
    await page.locator('.chart[data-chart="accuracy-benchmark"] canvas').click({ position: benchmarkBars[0]! });
    await page.locator('.tab[data-tab="charts"]').click();
    await frames(page);
    await page.locator('.chart[data-chart="turns"] canvas').click({ position: rightBars[0]! });
    await page.locator('.facet[data-facet="turns"]').waitFor();
    const both = rows.filter((r) => r.benchmark === benchmarks[0]!.value && r.turns === withRight[0] && isRight(r));
    assert.equal(await page.locator('.shown').textContent(), `${both.length} of 600 samples`);
    assert.equal(await page.locator('.facet').count(), 2);
    await assertShows(
      page,
      [...both].sort(datasetOrder).map((r) => r.key),
      { label: (k) => label(rows[k]!), labelCell: 0, what: 'two picks' },
    );
    await page.locator('vscode-button', { hasText: 'Review in a queue' }).click();
    const posted = await page.evaluate(() => (globalThis as unknown as { __gog: { posted: RunsViewMessage[] } }).__gog.posted);
    const queue = posted.filter((m) => m.type === 'request').at(-1);
    assert.ok(queue?.type === 'request' && queue.request.method === 'startQueue');
    assert.equal(queue.request.label, `${benchmarks[0]!.value}, ${withRight[0]} turn${withRight[0] === 1 ? '' : 's'}, right`);
    await page.screenshot({ path: path.join(TEST_OUT_SCREENSHOTS, 'runs-table-chart-filters.png') });
    // The filters come back with a rebuilt webview (a new page, the same state, the run sent again).
    const state = await page.evaluate(() => (globalThis as unknown as { __gog: { state: { benchmark: string; turns: unknown } } }).__gog.state);
    assert.deepEqual([state.benchmark, state.turns], [benchmarks[0]!.value, { turns: withRight[0], outcome: 'right' }]);
    await page.reload();
    await page.waitForFunction(() => (globalThis as unknown as { __gog: { posted: unknown[] } }).__gog.posted.length > 0);
    await deliver(page, run);
    await page.locator('.shown', { hasText: `${both.length} of 600 samples` }).waitFor();
    assert.deepEqual(await page.locator('.facet').evaluateAll((fs) => fs.map((f) => (f as unknown as { dataset: { facet: string } }).dataset.facet)), [
      'benchmark',
      'turns',
    ]);
    await assertShows(
      page,
      [...both].sort(datasetOrder).map((r) => r.key),
      { label: (k) => label(rows[k]!), labelCell: 0, what: 'two picks, rebuilt' },
    );
    assert.deepEqual(await violations(page), { violations: [], errors: [] });
    await page.close();
  });

  it('draws 0 % as a bar and no samples as none; tokens, time and, with prices, cost per sample by benchmark', async () => {
    const page = await open();
    const benchmarks = groupsBy(rows, 'benchmark');
    const zero = benchmarks.findIndex((g) => g.value === 'zerobench');
    const unjudged = benchmarks.findIndex((g) => g.value === 'unjudged');
    assert.ok(zero >= 0 && unjudged >= 0);
    // Exact match: a bar for every benchmark, zerobench's short but there.
    const em = await barsOf(page, 'accuracy-benchmark', SERIES.exactMatch);
    assert.equal(em.length, benchmarks.length);
    // Judge: none for the benchmark nobody judged, a short one for zerobench's 0 %.
    const judge = await barsOf(page, 'accuracy-benchmark', SERIES.judge);
    assert.equal(judge.length, benchmarks.length - 1, 'no judge bar where nothing was judged');
    // A group's judge bar stands right of its exact-match bar, before the next group's.
    const judgeOf = (i: number) => judge.filter((b) => b.x > em[i]!.x && b.x < (em[i + 1]?.x ?? Infinity));
    assert.equal(judgeOf(zero).length, 1, "zerobench's judge bar at 0 % is drawn");
    assert.equal(judgeOf(unjudged).length, 0, 'unjudged has no judge bar');
    // How short: drawn, and next to nothing against the others.
    const heights = await page.evaluate(`(() => {
      const c = document.querySelector('.chart[data-chart="accuracy-benchmark"] canvas');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      return ${JSON.stringify(em.map((b) => Math.round(b.x)))}.map((x) => {
        let n = 0;
        for (let y = 0; y < c.height; y++) { const i = (y * c.width + x) * 4; if (Math.abs(d[i] - 59) < 4 && Math.abs(d[i + 1] - 142) < 4 && Math.abs(d[i + 2] - 234) < 4) n++; }
        return n;
      });
    })()`);
    const h = heights as number[];
    assert.ok(h[zero]! >= 3 && h[zero]! <= 5, `the 0 % bar is a few pixels high (${h[zero]})`);
    assert.ok(Math.min(...h.filter((_, i) => i !== zero)) > 40, 'the others are tall');
    const benchmarkText = (await page.locator('.chart[data-chart="accuracy-benchmark"] .chart-text').textContent())!;
    assert.match(benchmarkText, /zerobench 0\.0% \(judge 0\.0%\) of 15/);
    assert.match(benchmarkText, /unjudged \d+\.\d% \(not judged\) of 15/);
    // A turn count no sample took: no bar, and said so.
    const turnsText = (await page.locator('.chart[data-chart="turns"] .chart-text').textContent())!;
    assert.match(turnsText, /6 turns: no samples; 7 turns: no samples; 8 turns: 0 right, \d+ wrong/);

    // Tokens, time and cost per sample, by benchmark, as the text alternatives say.
    const mean = (rs: ReviewRow[], f: (r: ReviewRow) => number) => rs.reduce((s, r) => s + f(r), 0) / rs.length;
    const fvqa = rows.filter((r) => r.benchmark === 'fvqa');
    const tokensText = (await page.locator('.chart[data-chart="tokens"] .chart-text').textContent())!;
    assert.ok(
      tokensText.includes(
        `fvqa ${Math.round(mean(fvqa, (r) => r.tokens[0])).toLocaleString('en')} prompt + ${Math.round(mean(fvqa, (r) => r.tokens[1])).toLocaleString('en')} completion tokens (${fvqa.length} samples)`,
      ),
      tokensText,
    );
    const ms = fvqa.map((r) => r.ms).sort((a, b) => a - b);
    const median = ms.length % 2 ? ms[ms.length >> 1]! : (ms[(ms.length >> 1) - 1]! + ms[ms.length >> 1]!) / 2;
    assert.ok((await page.locator('.chart[data-chart="latency"] .chart-text').textContent())!.includes(`fvqa median ${(median / 1000).toFixed(1)} s`));
    const cost = (mean(fvqa, (r) => r.tokens[0]) * PRICES.prompt + mean(fvqa, (r) => r.tokens[1]) * PRICES.completion) / 1e6;
    const costText = (await page.locator('.chart[data-chart="cost"] .chart-text').textContent())!;
    assert.match(costText, /^Mean cost per sample, at 0\.5 per million prompt tokens and 1\.5 per million completion tokens: /);
    assert.ok(costText.includes(`fvqa ${Number(cost.toPrecision(2))} per sample`), `${costText} has ${cost.toPrecision(2)}`);
    // Their bars filter too.
    const costBars = await barsOf(page, 'cost', SERIES.cost);
    assert.equal(costBars.length, benchmarks.length);
    await page.locator('.chart[data-chart="cost"] canvas').click({ position: costBars[2]! });
    await page.locator('.facet[data-facet="benchmark"]').waitFor();
    assert.equal(await page.locator('.shown').textContent(), `${benchmarks[2]!.rows.length} of 600 samples`);
    assert.match((await page.locator('.facet[data-facet="benchmark"]').textContent())!, new RegExp(`^Benchmark: ${benchmarks[2]!.value} `));
    await page.locator('.facet[data-facet="benchmark"]').click();
    await page.locator('.tab[data-tab="charts"]').click();
    await page.setViewportSize({ width: 1400, height: 1500 });
    await frames(page);
    await page.screenshot({ path: path.join(TEST_OUT_SCREENSHOTS, 'runs-charts-all.png') });
    assert.deepEqual(await violations(page), { violations: [], errors: [] });
    await page.close();

    // No prices: no cost chart, and the panel says which settings give one.
    const unpriced = await open({ ...run, run: { ...run.run, prices: undefined } });
    assert.equal(await unpriced.locator('.chart[data-chart="cost"] canvas').count(), 0);
    assert.match(
      (await unpriced.locator('.chart[data-chart="cost"] .chart-text').textContent())!,
      /gog\.review\.pricePromptPerMillion and gog\.review\.priceCompletionPerMillion/,
    );
    await unpriced.close();
  });
});
