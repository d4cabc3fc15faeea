// The real webview bundle in headless Chromium, fed trajectories the real agent wrote.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { readTrajectory, type LoadedTrajectory } from '../../src/core/trajectoryFile';
import type { ActionEvent } from '../../src/core/trajectory';
import type { HostMessage } from '../../src/shared/messages';
import type { InitMessage } from '../../src/shared/trajectoryPage';
import { tempDir } from '../helpers/fixtures';
import { launchChromium } from '../vscode/harness/chromium';
import { makeScreenshotDirs, SCREENSHOTS, TEST_OUT_SCREENSHOTS } from '../helpers/screenshots';
import { makeDemoRun, makeRuns, makeTroubledRun, syntheticRun, type Shape } from './fixtures';
import { assetsFor, deliver, lowContrastText, posted, startHarness, violations, type Harness, type Theme } from './harness';

function initMessage(t: LoadedTrajectory, base: string, live = false, events = t.events): HostMessage {
  return { type: 'init', title: 'test', header: t.header!, events, problems: t.problems, assets: assetsFor(base, events, t.header), live, complete: true };
}

async function rawPng(png: Buffer): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** Mean absolute difference between a screenshot region and an image file scaled to it. */
async function differenceTo(shot: Buffer, file: string): Promise<number> {
  const a = await rawPng(shot);
  const { data } = await sharp(file).resize(a.width, a.height, { fit: 'fill' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i]! - data[i]!);
  return sum / a.data.length;
}

describe('trajectory panel in headless Chromium', function () {
  this.timeout(120_000);
  const tmp = tempDir('gog-webview-');
  let harness: Harness;
  let context: BrowserContext;
  let runs: Record<Shape, string>;
  const bases = {} as Record<Shape, string>;

  before(async () => {
    makeScreenshotDirs();
    runs = await makeRuns(tmp.dir);
    harness = await startHarness();
    for (const shape of Object.keys(runs) as Shape[]) bases[shape] = harness.addRun(shape, path.dirname(runs[shape]));
    bases.landscape = harness.addRun('landscape', path.dirname(runs.landscape));
    context = await launchChromium(path.join(tmp.dir, 'chromium'), { width: 1000, height: 1200 });
  });

  after(async () => {
    await context?.close();
    await harness?.close();
    tmp.cleanup();
  });

  async function open(theme: Theme = 'light'): Promise<Page> {
    const page = await context.newPage();
    await page.goto(harness.pageUrl(theme));
    await page.waitForFunction(() => (globalThis as unknown as { __gog: { posted: unknown[] } }).__gog.posted.length > 0);
    assert.deepEqual(await posted(page), [{ type: 'ready' }], 'the webview says ready before anything else');
    return page;
  }

  async function show(shape: Shape, theme: Theme = 'light'): Promise<{ page: Page; t: LoadedTrajectory }> {
    const page = await open(theme);
    const t = await readTrajectory(runs[shape]);
    await deliver(page, initMessage(t, bases[shape]));
    await page.locator('.photo').waitFor();
    await page.waitForFunction(() => {
      const img = (
        globalThis as unknown as { document: { querySelector(s: string): { complete: boolean; naturalWidth: number } | null } }
      ).document.querySelector('.photo');
      return !!img && img.complete && img.naturalWidth > 0;
    });
    await page.locator('.turn').nth(2).waitFor();
    return { page, t };
  }

  for (const shape of ['landscape', 'portrait', 'exif6'] as Shape[]) {
    it(`draws the gaze boxes on the right pixels (${shape})`, async () => {
      const { page, t } = await show(shape);
      const { width: W, height: H } = t.header!.image.oriented;
      assert.equal(W < H, shape !== 'landscape', 'portrait and EXIF-6 images are taller than wide once oriented');
      const photo = (await page.locator('.photo').boundingBox())!;
      assert.ok(Math.abs(photo.width / photo.height - W / H) < 0.01, `the image is shown upright (${photo.width}×${photo.height} vs ${W}×${H})`);
      const actions = t.events.filter((e): e is ActionEvent => e.type === 'action' && e.action.kind === 'image_search');
      assert.equal(actions.length, 2);
      const diffs: number[][] = [];
      for (const a of actions) {
        if (a.action.kind !== 'image_search' || !a.action.box) throw new Error('expected a gaze');
        const [x1, y1, x2, y2] = a.action.box.original;
        const box = (await page.locator(`.gaze[data-step="${a.step}"]`).boundingBox())!;
        const expected = {
          x: photo.x + (x1 / W) * photo.width,
          y: photo.y + (y1 / H) * photo.height,
          w: ((x2 - x1) / W) * photo.width,
          h: ((y2 - y1) / H) * photo.height,
        };
        assert.ok(Math.abs(box.x - expected.x) <= 1, `left ${box.x} vs ${expected.x}`);
        assert.ok(Math.abs(box.y - expected.y) <= 1, `top ${box.y} vs ${expected.y}`);
        assert.ok(Math.abs(box.width - expected.w) <= 1, `width ${box.width} vs ${expected.w}`);
        assert.ok(Math.abs(box.height - expected.h) <= 1, `height ${box.height} vs ${expected.h}`);
        // What is under the box is what was cropped and searched: compare the pixels.
        const inset = 6;
        const shot = await page.screenshot({ clip: { x: box.x + inset, y: box.y + inset, width: box.width - 2 * inset, height: box.height - 2 * inset } });
        diffs.push(await Promise.all(actions.map((b) => differenceTo(shot, path.join(path.dirname(runs[shape]), (b.action as { crop: string }).crop)))));
      }
      // Each box shows its own crop, much more than the other one.
      assert.ok(diffs[0]![0]! < 25 && diffs[0]![0]! < 0.6 * diffs[0]![1]!, `box 1 vs crops: ${String(diffs[0])}`);
      assert.ok(diffs[1]![1]! < 25 && diffs[1]![1]! < 0.6 * diffs[1]![0]!, `box 2 vs crops: ${String(diffs[1])}`);
      assert.deepEqual(await violations(page), { violations: [], errors: [] });
      await page.close();
    });
  }

  it('links a box and its turn card both ways on hover', async () => {
    const { page } = await show('landscape');
    await page.locator('.gaze[data-step="2"]').hover();
    assert.match((await page.locator('.turn[data-step="2"]').getAttribute('class'))!, /\blinked\b/);
    assert.doesNotMatch((await page.locator('.turn[data-step="1"]').getAttribute('class'))!, /\blinked\b/);
    await page.locator('.turn[data-step="1"] .turn-head').hover();
    assert.match((await page.locator('.gaze[data-step="1"]').getAttribute('class'))!, /\blinked\b/);
    assert.doesNotMatch((await page.locator('.gaze[data-step="2"]').getAttribute('class'))!, /\blinked\b/);
    await page.close();
  });

  it('zooms into a box on click, keeps the zoom while moving between steps, hides boxes', async () => {
    const { page } = await show('landscape');
    const viewport = (await page.locator('.viewport').boundingBox())!;
    const centre = (b: { x: number; y: number; width: number; height: number }) => ({ x: b.x + b.width / 2, y: b.y + b.height / 2 });
    await page.locator('.gaze[data-step="1"]').click();
    const label = await page.locator('.zoom-label').textContent();
    assert.notEqual(label, '1×');
    await page.waitForTimeout(200); // the zoom transition
    const zoomed = (await page.locator('.gaze[data-step="1"]').boundingBox())!;
    assert.ok(zoomed.width > viewport.width * 0.5 || zoomed.height > viewport.height * 0.5, 'the box fills much of the view');
    assert.match((await page.locator('.turn[data-step="1"]').getAttribute('class'))!, /\bselected\b/);
    await page.keyboard.press('ArrowDown');
    await page.waitForTimeout(200);
    assert.equal(await page.locator('.zoom-label').textContent(), label, 'the zoom level is kept');
    assert.match((await page.locator('.turn[data-step="2"]').getAttribute('class'))!, /\bselected\b/);
    assert.match((await page.locator('.gaze[data-step="2"]').getAttribute('class'))!, /\bcurrent\b/);
    // The view moves to the new step's box (as near the middle as the image's edges allow).
    const c2 = centre((await page.locator('.gaze[data-step="2"]').boundingBox())!);
    const view = (await page.locator('.viewport').boundingBox())!; // the page scrolled the card into view
    assert.ok(c2.x > view.x && c2.x < view.x + view.width && c2.y > view.y && c2.y < view.y + view.height, 'the view follows the new step');
    await page.keyboard.press('0');
    assert.equal(await page.locator('.zoom-label').textContent(), '1×');
    await page.keyboard.press('b');
    assert.equal(await page.locator('.gaze').first().isVisible(), false);
    await page.keyboard.press('b');
    assert.equal(await page.locator('.gaze').first().isVisible(), true);
    const state = await page.evaluate(() => (globalThis as unknown as { __gog: { state: unknown } }).__gog.state);
    assert.deepEqual({ ...(state as object), scrollTop: undefined }, { selectedStep: 2, zoom: 1, hideBoxes: false, scrollTop: undefined });
    await page.close();
  });

  it('opens evidence links through the extension, and http(s) links only', async () => {
    const { page } = await show('landscape');
    await page.locator('.result-title').first().click();
    const requests = (await posted(page)).filter((m) => m.type === 'request');
    assert.equal(requests.length, 1);
    assert.deepEqual((requests[0] as { request: unknown }).request, { method: 'openExternal', url: 'https://www.flickr.com/photos/spacex/' });
    await page.close();
  });

  it('draws the first message carried by its page before saying ready, then takes what follows, each turn once', async () => {
    const t = await readTrajectory(runs.landscape);
    const first = t.events.filter((e) => e.step <= 1);
    const rest = t.events.slice(first.length);
    const init: InitMessage = { ...(initMessage(t, bases.landscape, true, first) as InitMessage), complete: false };
    const { url, embedded } = await harness.trajectoryPageUrl('dark', init);
    assert.ok(embedded);
    const page = await context.newPage();
    await page.goto(url);
    await page.locator('.turn[data-step="1"]').waitFor();
    assert.deepEqual(await posted(page), [{ type: 'ready' }], 'drawn from the page alone; ready said once');
    // The first screen's images were asked for by the page's head, before the bundle drew them; all of them checked ones.
    const loaded = await page.evaluate(async () => {
      const d = globalThis as unknown as {
        document: { querySelectorAll(s: string): ArrayLike<{ href: string }>; fonts: { load(f: string): Promise<unknown[]> } };
        performance: { getEntriesByType(t: string): { name: string; initiatorType: string }[] };
      };
      return {
        preloads: Array.from(d.document.querySelectorAll('link[rel="preload"][as="image"]')).map((l) => l.href),
        stylesheets: d.document.querySelectorAll('link[rel="stylesheet"]').length,
        resources: d.performance.getEntriesByType('resource').map((r) => ({ name: r.name, by: r.initiatorType })),
        iconFont: (await d.document.fonts.load('16px codicon')).length,
      };
    });
    const firstImages = [
      t.header!.image.sent.path ?? t.header!.image.path,
      ...first.flatMap((e) => (e.type === 'action' && e.action.kind === 'image_search' && e.action.crop ? [e.action.crop] : [])),
    ];
    assert.ok(firstImages.length >= 2);
    for (const rel of firstImages) assert.ok(loaded.preloads.includes(init.assets[rel]!), `preloaded: ${rel}`);
    for (const href of loaded.preloads) assert.ok(Object.values(init.assets).includes(href), `only images the host listed: ${href}`);
    for (const href of loaded.preloads)
      assert.ok(
        loaded.resources.some((r) => r.name === href && r.by === 'link'),
        `fetched by the preload: ${href}`,
      );
    assert.equal(loaded.stylesheets, 0, 'styles are inline');
    assert.ok(!loaded.resources.some((r) => r.name.endsWith('.css')), 'no stylesheet fetched');
    assert.equal(loaded.iconFont, 1, 'the icon font loads from the bundle under the CSP');

    for (const e of rest) await deliver(page, { type: 'events', events: [e], complete: false, assets: assetsFor(bases.landscape, [e]) });
    await deliver(page, { type: 'status', running: false });
    const steps = [...new Set(t.events.map((e) => e.step))].filter((s) => s > 0);
    for (const step of steps) assert.equal(await page.locator(`.turn[data-step="${step}"]`).count(), 1, `turn ${step} shown once`);
    assert.equal(await page.locator('.turn').count(), steps.length);
    assert.equal(await page.locator('.gaze').count(), 2);
    assert.deepEqual(await violations(page), { violations: [], errors: [] });
    await page.close();
  });

  it('streams a live run step by step, shows model text as it arrives, and cancels', async () => {
    const t = await readTrajectory(runs.landscape);
    const page = await open('dark');
    await deliver(page, initMessage(t, bases.landscape, true, []));
    await page.getByRole('button', { name: 'Cancel' }).waitFor();
    assert.equal(await page.locator('.turn').count(), 0);
    await deliver(page, { type: 'status', running: true, message: 'Turn 1: asking the model' });
    await deliver(page, { type: 'delta', step: 1, text: '<think>Look at ' });
    await deliver(page, { type: 'delta', step: 1, text: 'the middle' });
    await page.locator('.turn[data-step="1"] .streaming').filter({ hasText: '<think>Look at the middle' }).waitFor();
    let shown = 0;
    for (const e of t.events) {
      if (e.type === 'final') break;
      await deliver(page, { type: 'events', events: [e], complete: false, assets: assetsFor(bases.landscape, [e]) });
      shown = Math.max(shown, e.step);
      assert.equal(await page.locator('.turn').count(), shown, `after the ${e.type} of turn ${e.step}`);
    }
    assert.equal(await page.locator('.turn[data-step="1"] .streaming').count(), 0, 'the recorded turn replaces the streamed text');
    assert.equal(await page.locator('.gaze').count(), 2);
    await page.locator('.outcome', { hasText: 'Running' }).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'webview-live.png') });

    await page.getByRole('button', { name: 'Cancel' }).click();
    const cancel = (await posted(page)).find((m) => m.type === 'request');
    assert.ok(cancel && cancel.type === 'request');
    assert.deepEqual(cancel.request, { method: 'cancel' });
    await page.getByRole('button', { name: 'Cancelling…' }).waitFor();
    await deliver(page, { type: 'response', requestId: cancel.requestId, ok: true });
    await deliver(page, {
      type: 'events',
      events: [{ type: 'final', step: 2, t: 'x', answer: null, stopReason: 'cancelled', turns: 2, ms: 900 }],
      complete: true,
    });
    await deliver(page, { type: 'status', running: false });
    await page.locator('.outcome.state-cancelled').waitFor();
    assert.equal(await page.getByRole('button', { name: /Cancel/ }).count(), 0);
    assert.deepEqual(await violations(page), { violations: [], errors: [] });
    await page.close();
  });

  it('opens a 5,000-line trajectory in chunks: every turn listed, far cards filled in when reached', async () => {
    const big = await syntheticRun(path.join(tmp.dir, 'big'), 1250, false);
    const base = harness.addRun('big', path.dirname(big.trajectory));
    const page = await open('dark');
    // As the extension sends it: a first part, then chunks.
    await deliver(page, {
      type: 'init',
      title: 'big',
      header: big.header,
      events: big.events.slice(0, 200),
      problems: [],
      assets: assetsFor(base, big.events.slice(0, 200), big.header),
      live: false,
      complete: false,
    });
    await page.locator('.turn[data-step="1"] .reasoning').waitFor();
    for (let i = 200; i < big.events.length; i += 500) {
      const chunk = big.events.slice(i, i + 500);
      await deliver(page, { type: 'events', events: chunk, complete: i + 500 >= big.events.length, assets: assetsFor(base, chunk) });
    }
    await page.waitForFunction(() => performance.getEntriesByName('gog:rendered').length > 0);
    assert.equal(await page.locator('.turn').count(), 1250);
    const steps = await page.locator('.turn').evaluateAll((cards) => cards.map((c) => Number((c as unknown as { dataset: { step: string } }).dataset.step)));
    assert.deepEqual(
      steps,
      Array.from({ length: 1250 }, (_, i) => i + 1),
      'in step order',
    );
    assert.ok((await page.locator('.turn.shell').count()) > 1000, 'far cards are light until needed');
    assert.equal(await page.locator('.final-answer').textContent(), 'A rocket');
    const last = page.locator('.turn[data-step="1250"]');
    await last.scrollIntoViewIfNeeded();
    await page.locator('.turn[data-step="1250"]:not(.shell) .result').first().waitFor();
    await page.locator('.turn[data-step="1"]').click();
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
    await page.locator('.turn.selected[data-step="4"]:not(.shell)').waitFor();
    assert.deepEqual(await violations(page), { violations: [], errors: [] });
    await page.close();
  });

  it('is readable in light, dark and high-contrast themes (contrast measured; screenshots of the astronaut demo)', async () => {
    const trajectory = await makeDemoRun(path.join(tmp.dir, 'astronaut'), '1-astronaut-patch');
    const base = harness.addRun('astronaut', path.dirname(trajectory));
    const t = await readTrajectory(trajectory);
    const troubledFile = await makeTroubledRun(path.join(tmp.dir, 'troubled'));
    const troubledBase = harness.addRun('troubled', path.dirname(troubledFile));
    const troubled = await readTrajectory(troubledFile);
    assert.equal(troubled.problems.length, 1, 'the fixture has its malformed line');
    for (const theme of ['light', 'dark', 'high-contrast'] as Theme[]) {
      const page = await open(theme);
      await page.setViewportSize({ width: 900, height: 1250 });
      await deliver(page, initMessage(t, base));
      await page.locator('.turn[data-step="2"] .crop').waitFor();
      await page.waitForFunction(() => performance.getEntriesByName('gog:rendered').length > 0);
      await page.locator('.photo').evaluate((img) => (img as unknown as { decode(): Promise<void> }).decode());
      await page.locator('.gaze[data-step="2"]').hover();
      assert.match((await page.locator('.turn[data-step="2"]').getAttribute('class'))!, /\blinked\b/);
      await page.screenshot({ path: path.join(SCREENSHOTS, `webview-${theme}.png`) });
      // WCAG AA for body text, for every text on the page (the hovered card included).
      assert.deepEqual(await lowContrastText(page), [], `${theme}: text under 4.5:1 against its background`);
      assert.deepEqual(await violations(page), { violations: [], errors: [] });
      await page.close();

      // Errors, an out-of-turns outcome and a malformed-line warning have colours of their own.
      const errors = await open(theme);
      await errors.setViewportSize({ width: 900, height: 1250 });
      await deliver(errors, initMessage(troubled, troubledBase));
      await errors.locator('.problems').waitFor();
      await errors.locator('.turn.has-error').first().waitFor();
      await errors.waitForFunction(() => performance.getEntriesByName('gog:rendered').length > 0);
      await errors.locator('.photo').evaluate((img) => (img as unknown as { decode(): Promise<void> }).decode());
      await errors.screenshot({ path: path.join(TEST_OUT_SCREENSHOTS, `webview-${theme}-errors.png`) });
      assert.deepEqual(await lowContrastText(errors), [], `${theme}, failed run: text under 4.5:1 against its background`);
      await errors.close();
    }
  });
});
