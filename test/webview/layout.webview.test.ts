// The editor's layout at the size the issue measured (743 px high, as an editor with the
// panel closed on a laptop): the sticky image leaves most of the height to the turns, can be
// folded away (remembered), and every field that takes the focus lies in the window, clear
// of the sticky image. The real webview bundle in headless Chromium.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { readTrajectory } from '../../src/core/trajectoryFile';
import { tempDir } from '../helpers/fixtures';
import { launchChromium } from '../vscode/harness/chromium';
import { makeRuns } from './fixtures';
import { assetsFor, deliver, startHarness, type Harness } from './harness';

// Taller than wide: the image stacks above the turns (layout.ts).
const WIDTH = 700;
const HEIGHT = 743;

/** Where the focused element lies, against the window and the sticky image pane. */
async function focusedPlace(page: Page): Promise<{ what: string; top: number; bottom: number; paneTop: number; paneBottom: number; height: number }> {
  return page.evaluate(() => {
    type Rect = { top: number; bottom: number };
    type Node = { tagName: string; className: string; getBoundingClientRect(): Rect };
    const w = globalThis as unknown as { innerHeight: number; document: { activeElement: Node | null; querySelector(s: string): Node } };
    const f = w.document.activeElement;
    const r = f?.getBoundingClientRect();
    const p = w.document.querySelector('.image-pane').getBoundingClientRect();
    return {
      what: f ? `${f.tagName.toLowerCase()}.${f.className}` : 'nothing',
      top: r?.top ?? -1,
      bottom: r?.bottom ?? -1,
      paneTop: p.top,
      paneBottom: p.bottom,
      height: w.innerHeight,
    };
  });
}

function assertInView(place: Awaited<ReturnType<typeof focusedPlace>>, what: string): void {
  assert.ok(
    place.top >= 0 && place.bottom <= place.height,
    `${what}: ${place.what} at ${place.top}–${place.bottom} lies outside the window (0–${place.height})`,
  );
  assert.ok(
    place.bottom <= place.paneTop || place.top >= place.paneBottom,
    `${what}: ${place.what} at ${place.top}–${place.bottom} lies under the sticky image (${place.paneTop}–${place.paneBottom})`,
  );
}

describe('the editor’s layout in headless Chromium (743 px high)', function () {
  this.timeout(120_000);
  const tmp = tempDir('gog-layout-');
  let harness: Harness;
  let context: BrowserContext;
  let file: string;
  let base: string;

  before(async () => {
    file = (await makeRuns(tmp.dir)).landscape;
    harness = await startHarness();
    base = harness.addRun('landscape', path.dirname(file));
    context = await launchChromium(path.join(tmp.dir, 'chromium'), { width: WIDTH, height: HEIGHT });
  });

  after(async () => {
    await context?.close();
    await harness?.close();
    tmp.cleanup();
  });

  async function openEditor(): Promise<Page> {
    const page = await context.newPage();
    await page.goto(harness.pageUrl('dark'));
    await page.waitForFunction(() => (globalThis as unknown as { __gog: { posted: unknown[] } }).__gog.posted.length > 0);
    const t = await readTrajectory(file);
    await deliver(page, {
      type: 'init',
      title: 'trajectory.jsonl',
      header: t.header!,
      events: t.events,
      problems: t.problems,
      assets: assetsFor(base, t.events, t.header),
      live: false,
      complete: true,
      editable: true,
      pending: { version: 0, annotations: [] },
    });
    await page.locator('.turn[data-step="3"]').waitFor();
    return page;
  }

  it('the sticky image takes at most 35 % of the height, and folds away to its toolbar (remembered)', async () => {
    const page = await openEditor();
    const pane = (await page.locator('.image-pane').boundingBox())!;
    assert.ok(pane.height <= 0.35 * HEIGHT + 1, `the image pane is ${Math.round(pane.height)} of ${HEIGHT} px`);
    const fold = page.locator('.image-collapse');
    assert.equal(await fold.getAttribute('aria-label'), 'Hide the image');
    await fold.click();
    const folded = (await page.locator('.image-pane').boundingBox())!;
    assert.ok(folded.height < 60, `folded, the pane is its toolbar: ${Math.round(folded.height)} px`);
    const state = await page.evaluate(() => (globalThis as unknown as { __gog: { state?: unknown } }).__gog.state);
    assert.equal((state as { imageCollapsed?: boolean } | undefined)?.imageCollapsed, true, 'the fold is kept in the webview state');
    assert.equal(await fold.getAttribute('aria-label'), 'Show the image');
    await fold.click();
    assert.ok((await page.locator('.image-pane').boundingBox())!.height > 100);
    await page.close();
  });

  it('wider than tall, the image is beside the turns; the image’s button stacks it, and the choice is kept', async () => {
    const page = await openEditor();
    await page.setViewportSize({ width: 1600, height: 900 });
    const side = async () =>
      page.evaluate(() => (globalThis as unknown as { document: { body: { className: string } } }).document.body.className.includes('layout-side'));
    await page.waitForFunction(() => (globalThis as unknown as { document: { body: { className: string } } }).document.body.className.includes('layout-side'));
    const pane = (await page.locator('.image-pane').boundingBox())!;
    const turns = (await page.locator('.timeline').boundingBox())!;
    assert.ok(pane.x + pane.width <= turns.x, `the image (${pane.x}+${pane.width}) is left of the turns (${turns.x})`);
    assert.ok(pane.height > 0.5 * 900, `beside the turns, the image has the height: ${Math.round(pane.height)} px`);
    await page.locator('.layout-switch').click();
    assert.equal(await side(), false, 'stacked on request');
    const state = await page.evaluate(() => (globalThis as unknown as { __gog: { state?: { layout?: string } } }).__gog.state);
    assert.equal(state?.layout, 'stacked', 'the choice is kept in the webview state');
    await page.setViewportSize({ width: WIDTH, height: HEIGHT });
    await page.close();
  });

  it('every field that takes the focus lies in the window, clear of the sticky image', async () => {
    const page = await openEditor();
    const steps = await page.locator('.turn[data-step]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-step'))));
    assert.ok(steps.length >= 3);
    // From the first turn down, by key: j selects the next turn; i opens a new reflection's box, t a text's.
    await page.locator(`.turn[data-step="${steps[0]}"] .turn-head`).click();
    for (const [n, step] of steps.entries()) {
      if (n > 0) await page.keyboard.press('j');
      for (const key of ['i', 't']) {
        await page.keyboard.press(key);
        const field = page.locator(`.turn[data-step="${step}"] .text-edit`);
        await field.waitFor();
        await page.waitForFunction(() =>
          (
            globalThis as unknown as { document: { activeElement: { classList: { contains(c: string): boolean } } | null } }
          ).document.activeElement?.classList.contains('text-edit'),
        );
        // Scrolling (ours or the browser's) is done within two frames.
        await page.evaluate(() => {
          const w = globalThis as unknown as { requestAnimationFrame(f: () => void): void };
          return new Promise<void>((r) => w.requestAnimationFrame(() => w.requestAnimationFrame(r)));
        });
        assertInView(await focusedPlace(page), `turn ${step}, key ${key}`);
        await page.keyboard.press('Escape');
        await field.waitFor({ state: 'detached' });
      }
    }
    await page.close();
  });
});
