// The failures table over a 10,000-sample run, in headless Chromium on the real run review
// bundle behind the test harness (its CSP), fed what the extension posts for a real run
// folder; and the extension host's memory for reading and holding that run, measured in a
// Node process of its own.
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { runMessage, runMessages } from '../../src/run/reviewMessages';
import type { RunsHostMessage } from '../../src/shared/runsMessages';
import { syntheticResults, writeBenchRun } from '../helpers/benchRuns';
import { launchChromium } from '../vscode/harness/chromium';
import { startHarness } from '../webview/harness';
import { median, type Row } from './stats';

const SAMPLES = 10_000;
const ROOT = path.resolve(__dirname, '..', '..');

type BenchWindow = {
  __run: unknown;
  document: {
    querySelector(s: string): { click(): void; value: string; dispatchEvent(e: unknown): void; textContent: string | null } | null;
    querySelectorAll(s: string): ArrayLike<unknown>;
  };
  dispatchEvent(e: unknown): void;
  MessageEvent: new (t: string, i: object) => unknown;
  Event: new (t: string, i?: object) => unknown;
  requestAnimationFrame(cb: () => void): void;
};

/**
 * The run as the panel posts it (runMessages: the first rows, then the rest in chunks),
 * each message its own task and structured-cloned as postMessage delivers it, validation
 * included; timed inside the page. First paint: the frame after the first message is out,
 * with rows in it. All listed: every row in and painted.
 */
async function load(page: Page): Promise<{ firstPaint: number; drawnAtFirstPaint: number; allListed: number; shown: string }> {
  return page.evaluate(async () => {
    const g = globalThis as unknown as BenchWindow;
    const messages = g.__run as unknown[];
    const frame = () => new Promise<void>((r) => g.requestAnimationFrame(() => setTimeout(r, 0)));
    const drawn = () => g.document.querySelectorAll('.vt-body .vt-row:not([hidden])').length;
    const t0 = performance.now();
    g.dispatchEvent(new g.MessageEvent('message', { data: structuredClone(messages[0]) }));
    const first = frame().then(() => ({ ms: performance.now() - t0, drawn: drawn() }));
    for (const m of messages.slice(1)) {
      await new Promise((r) => setTimeout(r, 0));
      g.dispatchEvent(new g.MessageEvent('message', { data: structuredClone(m) }));
    }
    await frame();
    const allListed = performance.now() - t0;
    const f = await first;
    return { firstPaint: f.ms, drawnAtFirstPaint: f.drawn, allListed, shown: g.document.querySelector('.shown')!.textContent ?? '' };
  });
}

/** One interaction, from the event to the frame that shows its result. */
async function timed(page: Page, action: 'sort' | 'filter' | 'cause', arg: string): Promise<{ ms: number; shown: string }> {
  return page.evaluate(
    async ({ action, arg }) => {
      const g = globalThis as unknown as BenchWindow;
      const t0 = performance.now();
      if (action === 'sort') g.document.querySelector(`.vt-h[data-column="${arg}"]`)!.click();
      else if (action === 'cause') g.document.querySelector(`.cause-chip[data-cause="${arg}"]`)!.click();
      else {
        const input = g.document.querySelector('.filter-text')!;
        input.value = arg;
        input.dispatchEvent(new g.Event('input', { bubbles: true }));
      }
      await new Promise<void>((r) => g.requestAnimationFrame(() => setTimeout(r, 0)));
      return { ms: performance.now() - t0, shown: g.document.querySelector('.shown')!.textContent ?? '' };
    },
    { action, arg },
  );
}

export async function runsBenchmarks(tmp: string, row: Row): Promise<void> {
  const dir = path.join(tmp, 'runs', '20261124-100000-bench');
  await writeBenchRun(dir, syntheticResults(SAMPLES, { judged: true }), { trajectories: false });

  // The extension host: a fresh Node process reads and holds the run as the panel does.
  const memory: { rows: number; peakRss: number; heldRss: number; heldHeap: number; baseRss: number; postedBytes: number; readMs: number }[] = [];
  for (let i = 0; i < 3; i++) {
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(__dirname, 'runsMemory.ts'), dir], {
      cwd: ROOT,
      maxBuffer: 1024 * 1024,
    });
    memory.push(JSON.parse(stdout.trim().split('\n').at(-1)!) as (typeof memory)[number]);
  }
  if (memory.some((m) => m.rows !== SAMPLES)) throw new Error(`the host read ${memory.map((m) => m.rows).join(', ')} rows, not ${SAMPLES}`);
  const mb = (b: number) => b / 1024 / 1024;
  console.log(`\nreviewing a ${SAMPLES.toLocaleString('en')}-sample run: extension host side (a fresh Node process, medians of 3)`);
  const peak = median(memory.map((m) => mb(m.peakRss)));
  row('peak resident memory, reading and holding the run', `${peak.toFixed(0)} MB`, '≤ 300 MB', peak / 300);
  console.log(
    `    of which: Node itself ${median(memory.map((m) => mb(m.baseRss))).toFixed(0)} MB; heap held after reading ${median(memory.map((m) => mb(m.heldHeap))).toFixed(0)} MB; message posted to the table ${median(memory.map((m) => mb(m.postedBytes))).toFixed(1)} MB; read in ${median(memory.map((m) => m.readMs)).toFixed(0)} ms`,
  );

  // The table, in headless Chromium.
  const { message } = await runMessage(dir);
  const messages: RunsHostMessage[] = runMessages(message.run, message.rows, message.problems);
  const harness = await startHarness();
  const context = await launchChromium(path.join(tmp, 'chromium-runs'), { width: 1400, height: 900 });
  await context.addInitScript({ content: 'globalThis.__name = (f) => f;' });
  const paints: number[] = [];
  const listed: number[] = [];
  const times: Record<string, number[]> = {};
  try {
    for (let i = 0; i < 7; i++) {
      const page = await context.newPage();
      await page.goto(harness.pageUrl('dark', 'runs'));
      await page.waitForFunction(() => (globalThis as unknown as { __gog: { posted: unknown[] } }).__gog.posted.length > 0);
      await page.evaluate((m) => ((globalThis as unknown as BenchWindow).__run = m), messages);
      const p = await load(page);
      if (p.shown !== `${SAMPLES.toLocaleString('en')} samples` || p.drawnAtFirstPaint < 10)
        throw new Error(`the table did not show the run: ${p.shown}, ${p.drawnAtFirstPaint} rows drawn at first paint`);
      paints.push(p.firstPaint);
      listed.push(p.allListed);
      // Each interaction from a settled page; each one checked to have done what it says.
      for (const [label, action, arg] of [
        ['sort by turns', 'sort', 'turns'],
        ['sort by question (text)', 'sort', 'question'],
        ['filter by cause (parse error)', 'cause', 'parse_error'],
        ['filter by text (typing "lighthouse")', 'filter', 'lighthouse'],
        ['clear the text filter', 'filter', ''],
      ] as const) {
        await page.waitForTimeout(50);
        const t = await timed(page, action, arg);
        if (action !== 'sort' && !/ of /.test(t.shown) && arg) throw new Error(`${label} did not filter: ${t.shown}`);
        (times[label] ??= []).push(t.ms);
      }
      await page.close();
    }
  } finally {
    await context.close();
    await harness.close();
  }
  console.log(`\nfailures table over ${SAMPLES.toLocaleString('en')} samples, headless Chromium, real bundle (medians of 7 fresh pages)`);
  const fp = median(paints);
  row('first paint (first message in → table painted with rows)', `${fp.toFixed(0)} ms`, '≤ 300 ms', fp / 300);
  row(`every row listed (${messages.length} messages in → painted)`, `${median(listed).toFixed(0)} ms`, '(no target)');
  for (const [label, ms] of Object.entries(times)) {
    const m = median(ms);
    row(label, `${m.toFixed(1)} ms`, '≤ 100 ms', m / 100);
  }
}
