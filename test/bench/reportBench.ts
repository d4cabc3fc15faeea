// `gog report RUN_DIR` over a 10,000-sample run with its trajectories: the built command
// makes the file, then headless Chromium opens it from disk as a colleague would. First
// rows: from navigation start (the file's first byte asked for) to the frame that paints
// the table with rows in it (the page's own gog:runs-first-paint mark), HTML parsing, the
// bundle and the table data included. Then one failure opened from the table: the click to
// the frame that shows its trajectory.
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { syntheticResults, writeBenchRun } from '../helpers/benchRuns';
import { launchChromium } from '../vscode/harness/chromium';
import { median, type Row } from './stats';

const SAMPLES = 10_000;
const ROOT = path.resolve(__dirname, '..', '..');

type PageWindow = {
  performance: { getEntriesByName(n: string): { startTime: number }[]; now(): number };
  document: { querySelectorAll(s: string): ArrayLike<unknown>; querySelector(s: string): { click(): void } | null };
  requestAnimationFrame(cb: () => void): void;
};

export async function reportBenchmarks(tmp: string, row: Row): Promise<void> {
  const dir = path.join(tmp, 'report-run', '20261124-100000-bench');
  await writeBenchRun(dir, syntheticResults(SAMPLES, { judged: true }));
  const out = path.join(tmp, 'report-run', 'report.html');
  const t0 = performance.now();
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'report', dir, '--out', out], {
    cwd: ROOT,
    maxBuffer: 1024 * 1024,
  });
  const made = performance.now() - t0;
  const size = (await fs.stat(out)).size;
  const details = /trajectories of ([\d,]+)/.exec(stdout)?.[1] ?? '0';

  const context = await launchChromium(path.join(tmp, 'chromium-report'), { width: 1400, height: 900 });
  const firstRows: number[] = [];
  const opened: number[] = [];
  try {
    for (let i = 0; i < 7; i++) {
      const page = await context.newPage();
      await page.goto(`file://${out}`, { waitUntil: 'commit' });
      await page.waitForFunction(() => (globalThis as unknown as PageWindow).performance.getEntriesByName('gog:runs-first-paint').length > 0, undefined, {
        timeout: 60_000,
      });
      const first = await page.evaluate(() => {
        const g = globalThis as unknown as PageWindow;
        return { ms: g.performance.getEntriesByName('gog:runs-first-paint')[0]!.startTime, rows: g.document.querySelectorAll('.vt-body .vt-row').length };
      });
      if (first.rows < 10) throw new Error(`the report painted ${first.rows} rows first`);
      firstRows.push(first.ms);
      // A failure opened from the table, once the page has settled.
      await page.waitForLoadState('load');
      await page.locator('.chip.all-failures').click();
      const ms = await page.evaluate(async () => {
        const g = globalThis as unknown as PageWindow;
        const t = g.performance.now();
        g.document.querySelector('.vt-body .vt-row')!.click();
        await new Promise<void>((r) => g.requestAnimationFrame(() => setTimeout(r, 0)));
        if (!g.document.querySelector('.sample-detail .gaze-step, .sample-detail .detail-step')) throw new Error('no trajectory shown');
        return g.performance.now() - t;
      });
      opened.push(ms);
      await page.close();
    }
  } finally {
    await context.close();
  }
  console.log(`\ngog report over ${SAMPLES.toLocaleString('en')} samples with trajectories, opened from disk in headless Chromium (medians of 7 fresh pages)`);
  row('report made (gog report, its own process)', `${(made / 1000).toFixed(1)} s`, '(no target)');
  console.log(`    ${(size / 1024 / 1024).toFixed(1)} MB, details of ${details} samples`);
  const fr = median(firstRows);
  row('first rows (navigation start → table painted with rows)', `${fr.toFixed(0)} ms`, '≤ 500 ms', fr / 500);
  row('a failure opened from the table (click → trajectory shown)', `${median(opened).toFixed(1)} ms`, '(no target)');
}
