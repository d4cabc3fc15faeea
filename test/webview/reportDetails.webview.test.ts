// A benchmark run's report opened from disk in headless Chromium, as a colleague without VS
// Code would: a failure clicked in the table shows its trajectory beside it (what is seen:
// computed style and geometry, not the DOM), with its gaze box drawn over the image; Enter on
// a row opens one too, Escape and the browser's Back close it; a hostile evidence title is
// shown as the text it is; the page asks for nothing and keeps to its CSP.
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { SampleResult } from '../../src/data/results';
import { comparedSamples, realBenchRun } from '../helpers/benchRuns';
import { tempDir } from '../helpers/fixtures';
import { launchChromium } from '../vscode/harness/chromium';
import { ROOT } from './harness';

type Probe = {
  __v: string[];
  __pwned?: number;
  document: { addEventListener(t: string, f: (e: { violatedDirective: string; blockedURI: string }) => void): void };
};

const CLI = path.join(ROOT, 'dist', 'cli.js');
const HOSTILE_TITLE = '<img src=x onerror="globalThis.__pwned=1"> Falcon 9';

interface Seen {
  display: string;
  visibility: string;
  box: { x: number; y: number; width: number; height: number };
  /** The element the pointer hits at the box's centre is inside it. */
  hit: boolean;
}

// Runs in the page, as plain JavaScript: the tests' TypeScript has no DOM types.
const SEEN = String.raw`(e) => {
  const s = getComputedStyle(e);
  const r = e.getBoundingClientRect();
  const at = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return { display: s.display, visibility: s.visibility, box: { x: r.left, y: r.top, width: r.width, height: r.height }, hit: !!at && (e === at || e.contains(at)) };
}`;

async function seen(page: Page, selector: string): Promise<Seen> {
  return page.evaluate<Seen>(`(${SEEN})(document.querySelector(${JSON.stringify(selector)}))`);
}

function inside(inner: Seen['box'], outer: Seen['box']): boolean {
  return (
    inner.x >= outer.x - 1 &&
    inner.y >= outer.y - 1 &&
    inner.x + inner.width <= outer.x + outer.width + 1 &&
    inner.y + inner.height <= outer.y + outer.height + 1
  );
}

describe('gog report RUN_DIR: a sample’s trajectory opened from the table', function () {
  this.timeout(180_000);
  const tmp = tempDir('gog-report-open-');
  const dir = path.join(tmp.dir, '20261124-100000-real');
  const out = path.join(tmp.dir, 'report.html');
  let context: BrowserContext;
  let results: SampleResult[];
  const requests: string[] = [];

  before(async () => {
    execFileSync(process.execPath, [path.join(ROOT, 'esbuild.mjs')], { cwd: ROOT });
    results = await realBenchRun(dir, comparedSamples('b'));
    // A search result whose title is markup: the rocket's first piece of evidence.
    const rocket = path.join(dir, results.find((r) => r.id === 'rocket-top')!.trajectory);
    const text = readFileSync(rocket, 'utf8');
    assert.match(text, /"title":"[^"]*"/, 'the rocket run has evidence');
    writeFileSync(
      rocket,
      text.replace(/"title":"[^"]*"/, () => `"title":${JSON.stringify(HOSTILE_TITLE)}`),
    );
    const made = spawnSync(process.execPath, [CLI, 'report', dir, '--out', out], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    context = await launchChromium(path.join(tmp.dir, 'chromium'), { width: 1400, height: 900 });
    context.on('request', (r) => requests.push(r.url()));
    await context.addInitScript(() => {
      const g = globalThis as unknown as Probe;
      g.__v = [];
      g.document.addEventListener('securitypolicyviolation', (e) => g.__v.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
  });
  after(async () => {
    await context?.close();
    tmp.cleanup();
  });

  it('shows a failure’s turns, evidence and gaze box beside the table when its row is clicked; Escape closes it', async () => {
    const page = await context.newPage();
    await page.goto(`file://${out}`);
    await page.locator('.shown', { hasText: /^5 samples$/ }).waitFor();
    assert.equal(
      await page.locator('.report-note').textContent(),
      'Trajectories in this report: 5 of 5 samples (click a sample to see its turns, evidence and gaze boxes). Failures go first: 2 of 2 failures are in.',
    );
    assert.equal((await seen(page, '.sample-detail')).display, 'none', 'nothing is open at first');
    await page.locator('.chip.all-failures').click();
    const key = results.findIndex((r) => r.id === 'rocket-top');
    await page.locator(`.vt-body .vt-row[data-key="${key}"]`).click();
    // The click changes the address; the pane opens on the hashchange that follows, a task later.
    await page.locator('.sample-detail .sd-id', { hasText: 'rocket-top' }).waitFor();
    const pane = await seen(page, '.sample-detail');
    assert.notEqual(pane.display, 'none');
    assert.equal(pane.visibility, 'visible');
    assert.ok(pane.hit && pane.box.width > 300 && pane.box.height > 300 && pane.box.x + pane.box.width <= 1400, `the pane is seen: ${JSON.stringify(pane)}`);
    assert.equal(await page.locator('.sample-detail .sd-id').textContent(), 'rocket-top');
    assert.ok(page.url().endsWith(`#sample-${key}`));
    // The image and the gaze box over it, inside it, of a size.
    await page.evaluate('document.querySelector(".sample-detail .sd-image").decode()');
    const image = await seen(page, '.sample-detail .sd-image');
    const gaze = await seen(page, '.sample-detail .gaze-box');
    assert.notEqual(gaze.display, 'none');
    assert.ok(image.box.width >= 200 && image.box.height >= 100, `the image: ${JSON.stringify(image.box)}`);
    assert.ok(
      gaze.box.width > 10 && gaze.box.height > 10 && inside(gaze.box, image.box),
      `the box ${JSON.stringify(gaze.box)} on the image ${JSON.stringify(image.box)}`,
    );
    assert.ok(
      await page.evaluate(
        '(() => { const img = document.querySelector(".sample-detail .sd-image"); return img.naturalWidth > 0 && img.src.startsWith("data:image/webp;base64,"); })()',
      ),
    );
    // The turns: the rocket gazed, then answered.
    const steps = await page.locator('.sample-detail .detail-step .sd-step-head').allTextContents();
    assert.deepEqual(steps, ['Step 1 · gaze (a region searched)', 'Step 2 · answer']);
    assert.equal(await page.locator('.sample-detail .sd-answer').textContent(), 'answer: A satellite');
    // The hostile title, as text, and nothing of it ran or was made.
    const titles = await page.locator('.sample-detail .sd-title').allTextContents();
    assert.ok(titles.includes(HOSTILE_TITLE), `the title as text: ${titles.join(' | ')}`);
    assert.equal(await page.locator('.sample-detail img:not(.sd-image)').count(), 0);
    assert.equal(await page.evaluate(() => (globalThis as unknown as Probe).__pwned), undefined);
    // Escape closes it and the address is the page's own again.
    await page.keyboard.press('Escape');
    await page.waitForFunction('!location.hash');
    assert.equal((await seen(page, '.sample-detail')).display, 'none');
    assert.deepEqual(await page.evaluate(() => (globalThis as unknown as Probe).__v), []);
    assert.deepEqual(
      requests.filter((u) => u !== `file://${out}` && !u.startsWith(`file://${out}#`) && !u.startsWith('data:')),
      [],
    );
    await page.close();
  });

  it('opens the selected row with Enter; Back closes it; a sample opened from its address shows; one without a trajectory says why', async () => {
    const page = await context.newPage();
    await page.goto(`file://${out}`);
    await page.locator('.shown', { hasText: /^5 samples$/ }).waitFor();
    const chelsea = results.findIndex((r) => r.id === 'chelsea-animal');
    await page.locator('.vt-body').focus();
    for (let i = 0; i <= chelsea; i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.locator('.sample-detail .sd-id', { hasText: 'chelsea-animal' }).waitFor();
    assert.notEqual((await seen(page, '.sample-detail')).display, 'none');
    assert.match((await page.locator('.sample-detail').textContent())!, /unreadable turn/);
    await page.goBack();
    await page.waitForFunction('!location.hash');
    assert.equal((await seen(page, '.sample-detail')).display, 'none');
    // The address names a sample: it opens with the page.
    const coffee = results.findIndex((r) => r.id === 'coffee-drink');
    await page.goto(`file://${out}#sample-${coffee}`);
    await page.reload();
    await page.locator('.sample-detail .sd-id', { hasText: 'coffee-drink' }).waitFor();
    assert.notEqual((await seen(page, '.sample-detail')).display, 'none');
    await page.close();

    // A report made with too small a budget to hold any trajectory says so, and so does each sample.
    const tiny = path.join(tmp.dir, 'tiny.html');
    const made = spawnSync(process.execPath, [CLI, 'report', dir, '--out', tiny, '--report-mb', '1'], { encoding: 'utf8' });
    assert.equal(made.status, 0, made.stderr);
    const small = await context.newPage();
    await small.goto(`file://${tiny}`);
    await small.locator('.shown', { hasText: /^5 samples$/ }).waitFor();
    assert.match(
      (await small.locator('.report-note').textContent())!,
      /^Trajectories in this report: 0 of 5 samples .* 0 of 2 failures are in; the others did not fit in the 1 MB budget \(gog report --report-mb\)\.$/,
    );
    await small.locator('.vt-body .vt-row').first().click();
    assert.match((await small.locator('.sample-detail .sd-missing').textContent())!, /did not fit in the report's 1 MB budget/);
    await small.close();
  });
});
