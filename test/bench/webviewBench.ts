// The trajectory panel's speed in headless Chromium: the real bundle in the test harness,
// timed inside the page from the moment a message is dispatched (validation included).
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import type { HostMessage } from '../../src/shared/messages';
import { launchChromium } from '../vscode/harness/chromium';
import { syntheticRun } from '../webview/fixtures';
import { assetsFor, startHarness } from '../webview/harness';
import { median, type Row } from './stats';

interface PageTimes {
  firstPaint: number;
  rendered: number;
  visibleImages: number;
  longestTask: number;
}

type BenchWindow = {
  __bench: { t0: number; longest: number; observer: { disconnect(): void } };
  document: { querySelectorAll(s: string): ArrayLike<{ decode(): Promise<void>; getBoundingClientRect(): { top: number; bottom: number } }> };
  innerHeight: number;
  dispatchEvent(e: unknown): void;
  MessageEvent: new (t: string, i: object) => unknown;
  PerformanceObserver: new (cb: (list: { getEntries(): { duration: number }[] }) => void) => { observe(o: object): void; disconnect(): void };
  requestAnimationFrame(cb: () => void): void;
};

/**
 * Delivers the messages one call each, as the extension's postMessage does (each arrives
 * as its own task), then waits for the panel's marks and the images in view.
 */
async function timeLoad(page: Page, messages: HostMessage[]): Promise<PageTimes> {
  await page.evaluate(() => {
    const g = globalThis as unknown as BenchWindow;
    const observer = new g.PerformanceObserver((list) => list.getEntries().forEach((e) => (g.__bench.longest = Math.max(g.__bench.longest, e.duration))));
    observer.observe({ type: 'longtask', buffered: false });
    performance.clearMarks();
    g.__bench = { t0: performance.now(), longest: 0, observer };
  });
  for (const m of messages) {
    await page.evaluate((msg) => {
      const g = globalThis as unknown as BenchWindow;
      g.dispatchEvent(new g.MessageEvent('message', { data: msg }));
    }, m);
  }
  return page.evaluate(async () => {
    const g = globalThis as unknown as BenchWindow;
    const mark = (name: string) =>
      new Promise<number>((resolve) => {
        const poll = () => {
          const m = performance.getEntriesByName(name, 'mark').at(-1);
          if (m) resolve(m.startTime);
          else g.requestAnimationFrame(poll);
        };
        poll();
      });
    const firstPaint = (await mark('gog:first-paint')) - g.__bench.t0;
    const rendered = (await mark('gog:rendered')) - g.__bench.t0;
    const visible = Array.from(g.document.querySelectorAll('img')).filter((i) => {
      const r = i.getBoundingClientRect();
      return r.bottom > 0 && r.top < g.innerHeight;
    });
    await Promise.all(visible.map((i) => i.decode().catch(() => undefined)));
    const visibleImages = performance.now() - g.__bench.t0;
    await new Promise((r) => setTimeout(r, 50));
    g.__bench.observer.disconnect();
    return { firstPaint, rendered, visibleImages, longestTask: g.__bench.longest };
  });
}

export async function webviewBenchmarks(tmp: string, row: Row): Promise<void> {
  const harness = await startHarness();
  const context = await launchChromium(path.join(tmp, 'chromium'), { width: 1100, height: 1000 });
  // tsx keeps function names with an __name helper; the callbacks sent to the page need it too.
  await context.addInitScript({ content: 'globalThis.__name = (f) => f;' });
  try {
    const forty = await syntheticRun(path.join(tmp, 'forty'), 40, true);
    const base40 = harness.addRun('forty', path.dirname(forty.trajectory));
    const init = (events: typeof forty.events, header: typeof forty.header, base: string, complete = true, live = false): HostMessage => ({
      type: 'init',
      title: 'bench',
      header,
      events,
      problems: [],
      assets: assetsFor(base, events, header),
      live,
      complete,
    });

    const loads: PageTimes[] = [];
    for (let i = 0; i < 7; i++) {
      const page = await context.newPage();
      await page.goto(harness.pageUrl('dark'));
      loads.push(await timeLoad(page, [init(forty.events, forty.header, base40)]));
      await page.close();
    }
    console.log('\ntrajectory panel, headless Chromium (40 turns, 200 evidence thumbnails; medians of 7 fresh pages)');
    const fp = median(loads.map((l) => l.firstPaint));
    const full = median(loads.map((l) => Math.max(l.rendered, l.visibleImages)));
    row('first meaningful paint (header, outcome, image, first cards)', `${fp.toFixed(0)} ms`, '≤ 300 ms', fp / 300);
    row('full render (every card laid out, images in view decoded)', `${full.toFixed(0)} ms`, '≤ 1000 ms', full / 1000);

    // Appending a streamed step: a live panel, events delivered one at a time as a run would.
    const page = await context.newPage();
    await page.goto(harness.pageUrl('dark'));
    await timeLoad(page, [init([], forty.header, base40, true, true)]);
    const perStep = await page.evaluate(
      async (events) => {
        const g = globalThis as unknown as {
          document: { body: { getBoundingClientRect(): unknown } };
          dispatchEvent(e: unknown): void;
          MessageEvent: new (t: string, i: object) => unknown;
        };
        const byStep = new Map<number, number>();
        for (const e of events) {
          const t0 = performance.now();
          g.dispatchEvent(new g.MessageEvent('message', { data: { type: 'events', events: [e.event], complete: false, assets: e.assets } }));
          g.document.body.getBoundingClientRect(); // the layout the next frame would do
          byStep.set(e.event.step, (byStep.get(e.event.step) ?? 0) + performance.now() - t0);
          await new Promise((r) => setTimeout(r, 0));
        }
        return [...byStep.values()];
      },
      forty.events.filter((e) => e.type !== 'final').map((e) => ({ event: e, assets: assetsFor(base40, [e]) })),
    );
    await page.close();
    const step = median(perStep.slice(5));
    row('appending a streamed step (its 4 events, validated, drawn, laid out)', `${step.toFixed(1)} ms`, '≤ 16 ms', step / 16);

    // A 5,000-line file, sent as the extension sends it: 200 events, then chunks of 500.
    const big = await syntheticRun(path.join(tmp, 'big'), 1250, false);
    const baseBig = harness.addRun('big', path.dirname(big.trajectory));
    const messages: HostMessage[] = [init(big.events.slice(0, 200), big.header, baseBig, false)];
    for (let i = 200; i < big.events.length; i += 500)
      messages.push({
        type: 'events',
        events: big.events.slice(i, i + 500),
        complete: i + 500 >= big.events.length,
        assets: assetsFor(baseBig, big.events.slice(i, i + 500)),
      });
    const bigTimes: PageTimes[] = [];
    for (let i = 0; i < 3; i++) {
      const p = await context.newPage();
      await p.goto(harness.pageUrl('dark'));
      bigTimes.push(await timeLoad(p, messages));
      await p.close();
    }
    console.log(`\na ${big.events.length + 1}-line trajectory (1,250 turns), medians of 3`);
    row('first meaningful paint', `${median(bigTimes.map((t) => t.firstPaint)).toFixed(0)} ms`, '');
    row('every card rendered', `${median(bigTimes.map((t) => t.rendered)).toFixed(0)} ms`, '');
    row('longest main-thread task while loading', `${median(bigTimes.map((t) => t.longestTask)).toFixed(0)} ms`, '');
  } finally {
    await context.close();
    await harness.close();
  }
}
