// Gaze quality in a run's Charts (issue 19, item 7), in headless Chromium: a benchmark run
// written as `gog bench` writes it, where an annotator corrected a gaze of one benchmark to
// the model's own box (IoU 1) and a gaze of another to a box beside it (IoU 0), and no other
// benchmark's. The figures are `gog agreement`'s (agreementOf over the run, what the run panel
// sends); the bars are found on the canvas by their colour.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { agreementOf } from '../../src/data/agreement/agreementRun';
import { readSampleRecord } from '../../src/data/agreement/readSample';
import { appendAnnotation } from '../../src/run/annotate';
import { runMessage } from '../../src/run/reviewMessages';
import type { GazeQualityMessage } from '../../src/shared/agreementMessage';
import type { RunsHostMessage } from '../../src/shared/runsMessages';
import { syntheticResults, writeBenchRun } from '../helpers/benchRuns';
import { tempDir } from '../helpers/fixtures';
import { launchChromium } from '../vscode/harness/chromium';
import { barsOf } from './chartBars';
import { startHarness, violations, type Harness, type HarnessWindow } from './harness';

const COLOUR = '#1f9e89';

async function deliver(page: Page, message: RunsHostMessage): Promise<void> {
  await page.evaluate((m) => {
    const w = globalThis as unknown as HarnessWindow;
    w.dispatchEvent(new w.MessageEvent('message', { data: m }));
  }, message);
}

describe('gaze quality in the run charts, in headless Chromium', function () {
  this.timeout(120_000);
  const tmp = tempDir('gog-gaze-quality-webview-');
  let harness: Harness;
  let context: BrowserContext;
  let run: RunsHostMessage;
  let quality: GazeQualityMessage;
  let benchmarks: string[];

  before(async () => {
    const dir = path.join(tmp.dir, '20261205-100000-mixed');
    const results = syntheticResults(60);
    await writeBenchRun(dir, results);
    benchmarks = [...new Set(results.map((r) => r.benchmark))].sort();
    // fvqa: a gaze corrected to the model's own box; infoseek: to a box beside it.
    for (const [benchmark, same] of [
      ['fvqa', true],
      ['infoseek', false],
    ] as const) {
      const found = [];
      for (const r of results.filter((x) => x.benchmark === benchmark)) {
        const file = path.join(dir, r.trajectory);
        const record = await readSampleRecord({ file, root: dir });
        if (record.gazes.size) found.push({ file, gaze: [...record.gazes][0]! });
        if (found.length) break;
      }
      assert.ok(found.length, `a ${benchmark} sample with a gaze`);
      const { file, gaze } = found[0]!;
      const [x1, y1, x2, y2] = gaze[1];
      const box: [number, number, number, number] = same ? [x1, y1, x2, y2] : [x2 + 1, y1, x2 + 1 + (x2 - x1), y2];
      await appendAnnotation(file, { op: 'set_box', target: gaze[0], box }, 'ann');
    }
    const agreement = await agreementOf(dir, dir);
    quality = { type: 'gazeQuality', byBenchmark: agreement.report.gazeQuality.byBenchmark, byCategory: agreement.report.gazeQuality.byCategory };
    run = (await runMessage(dir)).message;
    harness = await startHarness();
    context = await launchChromium(path.join(tmp.dir, 'chromium'), { width: 1400, height: 1000 });
  });

  after(async () => {
    await context?.close();
    await harness?.close();
    tmp.cleanup();
  });

  async function charts(q?: GazeQualityMessage): Promise<Page> {
    const page = await context.newPage();
    await page.goto(harness.pageUrl('light', 'runs'));
    await page.waitForFunction(() => (globalThis as unknown as { __gog: { posted: unknown[] } }).__gog.posted.length > 0);
    await deliver(page, run);
    if (q) await deliver(page, q);
    await page.locator('.vt-body .vt-row').first().waitFor();
    await page.locator('.tab[data-tab="charts"]').click();
    await page.locator('.chart[data-chart="heatmap"] canvas').first().waitFor();
    return page;
  }

  it('draws the mean IoU of the model’s box with the corrections per benchmark: 1 as a full bar, 0 as a short bar, no corrections as no bar', async () => {
    assert.deepEqual(
      quality.byBenchmark.map((g) => [g.key, g.count, g.meanIou]),
      [
        ['fvqa', 1, 1],
        ['infoseek', 1, 0],
      ],
    );
    const page = await charts(quality);
    const chart = page.locator('.chart[data-chart="gaze-quality-benchmark"]');
    assert.equal(await chart.locator('h3').textContent(), 'Gaze quality by benchmark');
    const bars = await barsOf(page, 'gaze-quality-benchmark', COLOUR);
    assert.equal(bars.length, 2, 'a bar for fvqa and one for infoseek, none for the four without corrections');
    assert.ok(bars[0]!.x < bars[1]!.x, 'in name order: fvqa, then infoseek');
    // Heights: painted pixels of the colour in each bar's column.
    const heights = await page.evaluate<number[]>(`(() => {
      const c = document.querySelector('.chart[data-chart="gaze-quality-benchmark"] canvas');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const scale = c.width / c.getBoundingClientRect().width;
      return ${JSON.stringify(bars.map((b) => b.x))}.map((cssX) => {
        const x = Math.round(cssX * scale);
        let n = 0;
        for (let y = 0; y < c.height; y++) { const i = (y * c.width + x) * 4; if (Math.abs(d[i] - 0x1f) < 4 && Math.abs(d[i + 1] - 0x9e) < 4 && Math.abs(d[i + 2] - 0x89) < 4) n++; }
        return n;
      });
    })()`);
    assert.ok(heights[0]! > 100, `fvqa's IoU of 1 is a full bar (${heights[0]} px)`);
    assert.ok(heights[1]! >= 3 && heights[1]! <= 5, `infoseek's IoU of 0 is a short bar (${heights[1]} px)`);
    const text = (await chart.locator('.chart-text').textContent())!;
    assert.match(text, /fvqa 1\.000 over 1; infoseek 0\.000 over 1/);
    for (const b of benchmarks.filter((b) => b !== 'fvqa' && b !== 'infoseek')) assert.match(text, new RegExp(`${b} no corrected boxes`));
    assert.equal(await page.locator('.chart[data-chart="gaze-quality-category"]').count(), 1, 'by category too');
    assert.deepEqual(await violations(page), { violations: [], errors: [] });
    await page.close();
  });

  it('has no gaze quality chart when no sample has a corrected box', async () => {
    const page = await charts({ type: 'gazeQuality', byBenchmark: [], byCategory: [] });
    assert.equal(await page.locator('.chart[data-chart="gaze-quality-benchmark"], .chart[data-chart="gaze-quality-category"]').count(), 0);
    assert.ok((await page.locator('.chart').count()) > 3, 'the other charts are there');
    await page.close();
  });
});
