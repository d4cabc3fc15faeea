// The run review's trajectory search in headless Chromium: the real runs bundle behind the
// harness's CSP, and in the extension's place the same code the panel runs
// (src/data/find/findInRun.ts) over a real run folder, its answers delivered as the panel
// posts them. The box sends only the query; the table lists exactly the samples found as
// they come (computed style and geometry); a match is shown as text, whatever it holds; a
// new query replaces the old and the old one's late answers are dropped; a regex that
// cannot run says why; removing the filter lists every sample again.
import { strict as assert } from 'node:assert';
import { appendFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { findInRun } from '../../src/data/find/findInRun';
import { FIND_FIELDS } from '../../src/data/find/findQuery';
import { runMessage } from '../../src/run/reviewMessages';
import type { FindHit, ReviewRow, RunsHostMessage, RunsViewMessage } from '../../src/shared/runsMessages';
import { syntheticResults, writeBenchRun } from '../helpers/benchRuns';
import { tempDir } from '../helpers/fixtures';
import { sampleHeader } from '../helpers/trajectories';
import { launchChromium } from '../vscode/harness/chromium';
import { startHarness, violations, type Harness, type HarnessWindow } from './harness';
import { assertShows, frames } from './tableVisibility';

type FindMessage = Extract<RunsViewMessage, { type: 'find' }>;

const HOSTILE = '<img src=x onerror="document.title=\'pwned\'"><b>bold</b>';
/** The samples whose trajectories get the planted text (keys), and one whose trajectory is a link out of the run folder. */
const PLANTED = [7, 42, 150];
const LINKED_OUT = 99;

async function deliver(page: Page, message: RunsHostMessage): Promise<void> {
  await page.evaluate((m) => {
    const w = globalThis as unknown as HarnessWindow;
    w.dispatchEvent(new w.MessageEvent('message', { data: m }));
  }, message);
}

async function posted(page: Page): Promise<RunsViewMessage[]> {
  return page.evaluate(() => (globalThis as unknown as { __gog: { posted: RunsViewMessage[] } }).__gog.posted);
}

/** The find message the page posts next (after `after` of them). */
async function nextFind(page: Page, after: number): Promise<FindMessage> {
  await page.waitForFunction((n) => {
    const all = (globalThis as unknown as { __gog: { posted: { type: string }[] } }).__gog.posted;
    return all.filter((m) => m.type === 'find').length > n;
  }, after);
  return (await posted(page)).filter((m): m is FindMessage => m.type === 'find')[after]!;
}

describe('the run review’s trajectory search in headless Chromium', function () {
  this.timeout(120_000);
  const tmp = tempDir('gog-find-webview-');
  let harness: Harness;
  let context: BrowserContext;
  let dir: string;
  let run: Extract<RunsHostMessage, { type: 'run' }>;
  let rows: ReviewRow[];
  let trajectories: string[];

  before(async () => {
    dir = path.join(tmp.dir, '20261124-100000-fvqa');
    await writeBenchRun(dir, syntheticResults(200));
    const loaded = await runMessage(dir);
    run = loaded.message;
    rows = run.rows;
    trajectories = loaded.rows.trajectories;
    const t = '2026-11-24T10:00:00.000Z';
    for (const key of PLANTED)
      appendFileSync(
        path.join(dir, trajectories[key]!),
        JSON.stringify({ type: 'reflection', step: 1, t, kind: 'reflect', text: `Before it ${HOSTILE} a Koala sat, sample ${key}.` }) + '\n',
      );
    // A sample whose trajectory file is a link to one outside the run, holding the text too.
    const outside = path.join(tmp.dir, 'outside.trajectory.jsonl');
    writeFileSync(
      outside,
      [sampleHeader(), { type: 'reflection', step: 1, t, kind: 'reflect', text: 'a koala outside' }].map((l) => JSON.stringify(l)).join('\n') + '\n',
    );
    const linked = path.join(dir, trajectories[LINKED_OUT]!);
    rmSync(linked);
    symlinkSync(outside, linked);
    harness = await startHarness();
    context = await launchChromium(path.join(tmp.dir, 'chromium'), { width: 1400, height: 900 });
  });

  after(async () => {
    await context?.close();
    await harness?.close();
    tmp.cleanup();
  });

  async function open(): Promise<Page> {
    const page = await context.newPage();
    await page.goto(harness.pageUrl('light', 'runs'));
    await page.waitForFunction(() => (globalThis as unknown as { __gog: { posted: unknown[] } }).__gog.posted.length > 0);
    await deliver(page, run);
    await page.locator('.vt-body .vt-row').first().waitFor();
    return page;
  }

  /** What the panel does with a find message: the run searched by findInRun, every batch of samples found. */
  async function search(m: FindMessage): Promise<{ batches: FindHit[][]; done: Extract<RunsHostMessage, { type: 'findDone' }> }> {
    const batches: FindHit[][] = [];
    const outcome = await findInRun({
      runDir: dir,
      trajectories,
      query: { pattern: m.pattern, regex: m.regex, ignoreCase: true, fields: FIND_FIELDS },
      signal: new AbortController().signal,
      onHits: (hits) => batches.push(hits),
    });
    return { batches, done: { type: 'findDone', search: m.search, ...outcome } };
  }

  const label = (key: number) => rows[key]!.id;
  const show = (page: Page, listed: number[], what: string) => assertShows(page, listed, { label, labelCell: 0, what });
  const status = (page: Page) => page.locator('.find-status').textContent();

  it('sends only the query, lists exactly the samples found as they come, and shows each match as text', async () => {
    const page = await open();
    const all = rows.map((r) => r.key);
    await show(page, all, 'as opened');
    await page.locator('.find-text').fill('koala');
    const find = await nextFind(page, 0);
    assert.deepEqual(find, { type: 'find', search: 1, pattern: 'koala', regex: false });
    await frames(page);
    // Searching, nothing found yet: nothing listed, and the filter says why.
    assert.equal(await status(page), 'Searching the trajectories…');
    assert.equal(await page.locator('.shown').textContent(), '0 of 200 samples');
    assert.equal(await page.locator('.facet[data-facet="found"]').textContent(), 'Trajectories: koala ✕');

    const { batches, done } = await search(find);
    const hits = batches.flat();
    assert.deepEqual(
      hits.map((h) => h.key).sort((a, b) => a - b),
      PLANTED,
      'the planted samples, each once, none through the link out',
    );
    assert.deepEqual(done, { type: 'findDone', search: 1, searched: 199 });

    // Streamed: the first sample found is listed before the others come.
    const [first, ...rest] = [...hits].sort((a, b) => b.key - a.key);
    await deliver(page, { type: 'found', search: 1, hits: [first!] });
    await frames(page);
    await show(page, [first!.key], 'one sample found so far');
    assert.equal(await status(page), 'Searching the trajectories… 1 sample so far');
    await deliver(page, { type: 'found', search: 1, hits: rest });
    await deliver(page, done);
    await frames(page);
    await show(page, PLANTED, 'every sample found, in dataset order');
    assert.equal(await status(page), 'In the trajectories of 3 samples');
    assert.equal(await page.locator('.shown').textContent(), '3 of 200 samples');

    // The match, as text: the markup in it is shown, never made.
    await page.locator(`.vt-row[data-key="${PLANTED[1]}"]`).click();
    const found = page.locator('.detail-found');
    const hit = hits.find((h) => h.key === PLANTED[1])!;
    assert.equal(await found.textContent(), `step 1 reflection: ${hit.before}${hit.match}${hit.after}`);
    assert.ok(hit.before.endsWith(`"><b>bold</b> a `), hit.before);
    assert.equal(await found.locator('mark').textContent(), 'Koala');
    assert.equal(await found.locator('img, b').count(), 0);
    assert.notEqual(await page.title(), 'pwned');
    assert.deepEqual(await violations(page), { violations: [], errors: [] });
    await page.close();
  });

  it('replaces a search with a new one (the old one’s late answers dropped), says why a regex cannot run, and lists every sample when the filter goes', async () => {
    const page = await open();
    await page.locator('.find-text').fill('koala');
    const first = await nextFind(page, 0);
    // Enter searches at once, without waiting for the typing to pause.
    await page.locator('.find-text').fill('no such text anywhere');
    await page.locator('.find-text').press('Enter');
    const second = await nextFind(page, 1);
    assert.deepEqual(second, { type: 'find', search: 2, pattern: 'no such text anywhere', regex: false });
    // The first search's answers arrive late: they list nothing.
    const old = await search(first);
    for (const hits of old.batches) await deliver(page, { type: 'found', search: 1, hits });
    await deliver(page, old.done);
    const now = await search(second);
    assert.deepEqual(now.batches, []);
    await deliver(page, now.done);
    await frames(page);
    await show(page, [], 'the second search, which found nothing');
    assert.equal(await status(page), 'In the trajectories of 0 samples');

    // A regular expression that is not one: said in one line, nothing listed.
    await page.locator('.find-regex input').check();
    await page.locator('.find-text').fill('(a');
    await page.locator('.find-text').press('Enter');
    const bad = (await posted(page)).filter((m): m is FindMessage => m.type === 'find').at(-1)!;
    assert.deepEqual({ ...bad, search: 0 }, { type: 'find', search: 0, pattern: '(a', regex: true });
    await deliver(page, (await search(bad)).done);
    await frames(page);
    assert.equal(await status(page), 'Search stopped: the pattern is not a regular expression (unterminated group)');

    // The filter removed: the search stops (an empty query) and every sample is listed again.
    const before = (await posted(page)).filter((m) => m.type === 'find').length;
    await page.locator('.facet[data-facet="found"]').click();
    const cleared = await nextFind(page, before);
    assert.equal(cleared.pattern, '');
    await frames(page);
    await show(
      page,
      rows.map((r) => r.key),
      'the search filter removed',
    );
    assert.equal(await status(page), '');
    assert.equal(await page.locator('.facet[data-facet="found"]').count(), 0);
    assert.deepEqual(await violations(page), { violations: [], errors: [] });
    await page.close();
  });
});
