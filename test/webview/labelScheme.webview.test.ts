// The project's label scheme and blind review in the real webview bundle, in headless Chromium:
// the review bar offers the scheme's verdicts with their keys and its error categories, refuses
// a verdict the scheme wants a reason for without one (nothing is sent), the `?` sheet lists the
// scheme's keys, a scheme file that could not be used is said, and blind review is said. The
// test plays the extension host (the init it would send, the answers to the view's requests).
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { LabelScheme } from '../../src/core/labelSchemeRules';
import type { AnnotationEvent, Edit } from '../../src/core/trajectory';
import { readTrajectory } from '../../src/core/trajectoryFile';
import type { HostMessage, ViewRequest } from '../../src/shared/messages';
import { tempDir } from '../helpers/fixtures';
import { launchChromium } from '../vscode/harness/chromium';
import { makeRuns } from './fixtures';
import { assetsFor, deliver, posted, startHarness, type Harness } from './harness';

type Init = Extract<HostMessage, { type: 'init' }>;

/** The extension's side: accepts every edit (into the pending list it posts back), lists no related runs. */
class Host {
  readonly requests: ViewRequest[] = [];
  private pending: AnnotationEvent[] = [];
  private seen = 0;
  constructor(private readonly page: Page) {}

  async serve(): Promise<void> {
    const messages = await posted(this.page);
    for (const m of messages.slice(this.seen)) {
      this.seen++;
      if (m.type !== 'request') continue;
      this.requests.push(m.request);
      const r = m.request;
      if (r.method === 'edit') {
        const annotation: AnnotationEvent = { type: 'annotation', step: 0, t: new Date().toISOString(), id: r.id, edit: r.edit };
        this.pending.push(annotation);
        await deliver(this.page, { type: 'pending', version: this.pending.length, annotations: this.pending });
        await deliver(this.page, { type: 'response', requestId: m.requestId, ok: true, result: { annotation, version: this.pending.length } });
      } else await deliver(this.page, { type: 'response', requestId: m.requestId, ok: true, result: r.method === 'related' ? { branches: [] } : null });
    }
  }

  /** The edits the view asked for. */
  labels(): Extract<Edit, { op: 'label' }>[] {
    return this.requests.flatMap((r) => (r.method === 'edit' && r.edit.op === 'label' ? [r.edit] : []));
  }
}

/** An element's computed display and visibility, and its box (run in the page). */
const SHOWN_SOURCE = String.raw`(e) => {
  const s = getComputedStyle(e);
  const r = e.getBoundingClientRect();
  return { display: s.display, visibility: s.visibility, width: r.width, height: r.height, right: r.right, innerWidth: window.innerWidth };
}`;
type Shown = { display: string; visibility: string; width: number; height: number; right: number; innerWidth: number };

const SCHEME: LabelScheme = {
  verdicts: [
    { label: 'accepted', key: 'y', name: 'Good' },
    { label: 'rejected', key: 'x', name: 'Wrong', needsReason: true },
  ],
  categories: [
    { id: 'wrong-region', name: 'Wrong region', key: '1', needsReason: true },
    { id: 'format', key: '2' },
  ],
  source: '/project/.gog/labels.json',
};

describe('the label scheme and blind review in the editor, in headless Chromium', function () {
  this.timeout(120_000);
  const tmp = tempDir('gog-scheme-');
  let harness: Harness;
  let context: BrowserContext;
  let file: string;
  let base: string;

  before(async () => {
    file = (await makeRuns(tmp.dir)).landscape;
    harness = await startHarness();
    base = harness.addRun('landscape', path.dirname(file));
    context = await launchChromium(path.join(tmp.dir, 'chromium'), { width: 1000, height: 1000 });
  });

  after(async () => {
    await context?.close();
    await harness?.close();
    tmp.cleanup();
  });

  async function openEditor(extra: Partial<Init>): Promise<{ page: Page; host: Host }> {
    const page = await context.newPage();
    await page.goto(harness.pageUrl('light'));
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
      annotator: 'ana',
      ...extra,
    });
    await page.locator('.turn[data-step="1"]').waitFor();
    const host = new Host(page);
    await host.serve();
    return { page, host };
  }

  /** Shown: laid out with a size, not display:none or visibility:hidden, inside the window. */
  async function assertShown(page: Page, selector: string, what: string): Promise<void> {
    const shown = await page.evaluate<Shown>(`(${SHOWN_SOURCE})(document.querySelector(${JSON.stringify(selector)}))`);
    assert.notEqual(shown.display, 'none', `${what}: display`);
    assert.equal(shown.visibility, 'visible', `${what}: visibility`);
    assert.ok(shown.width > 0 && shown.height > 0 && shown.right <= shown.innerWidth, `${what}: laid out in the window (${JSON.stringify(shown)})`);
  }
  async function assertNotShown(page: Page, selector: string, what: string): Promise<void> {
    const n = await page.locator(selector).count();
    if (!n) return;
    const s = await page.evaluate<Shown>(`(${SHOWN_SOURCE})(document.querySelector(${JSON.stringify(selector)}))`);
    const hidden = s.display === 'none' || s.height === 0;
    assert.ok(hidden, `${what} is not shown`);
  }
  const verdictButtons = (page: Page) => page.locator('.verdict-buttons > *').allTextContents();
  /** Presses a key on the page (not in a field) and lets the host answer. */
  async function press(page: Page, host: Host, key: string): Promise<void> {
    await page.locator('.turn[data-step="1"] .turn-head').click();
    await page.keyboard.press(key);
    await page.waitForTimeout(0);
    await host.serve();
  }
  const waitForLabels = async (page: Page, host: Host, n: number) => {
    for (let i = 0; i < 100 && host.labels().length < n; i++) {
      await page.waitForTimeout(20);
      await host.serve();
    }
    assert.equal(host.labels().length, n, 'labels sent');
  };

  it('offers the scheme’s verdicts with their keys and its error categories; a verdict that needs a reason is not given without one; ? lists the scheme’s keys', async () => {
    const { page, host } = await openEditor({ scheme: SCHEME });
    assert.deepEqual(
      (await verdictButtons(page)).map((t) => t.trim()),
      ['Good (y)', 'Wrong (x)'],
      'the scheme’s verdicts, with their keys',
    );
    await assertShown(page, '.verdict-buttons', 'the verdict buttons');
    await assertShown(page, '.category-buttons', 'the error categories');
    assert.deepEqual(
      (await page.locator('.category-buttons .category').allTextContents()).map((t) => t.trim()),
      ['Wrong region (1)', 'format (2)'],
    );

    // a, r, f are not the scheme's keys: nothing is labelled.
    for (const key of ['a', 'r', 'f']) await press(page, host, key);
    // x needs a reason: refused, said, nothing sent.
    await press(page, host, 'x');
    await page.locator('.review-message', { hasText: 'a Wrong verdict needs a reason' }).waitFor();
    await assertShown(page, '.review-message', 'the refusal');
    assert.deepEqual(host.labels(), [], 'nothing was sent for a, r, f, nor for x without a reason');

    // y is the scheme's accept.
    await press(page, host, 'y');
    await waitForLabels(page, host, 1);
    assert.equal(host.labels()[0]!.label, 'accepted');
    // 2 switches the category on: the label is given again with it.
    await press(page, host, '2');
    await waitForLabels(page, host, 2);
    assert.deepEqual(host.labels()[1]!.tags, ['format']);
    assert.equal(await page.locator('.category[data-category="format"]').getAttribute('aria-pressed'), 'true');
    // 1 needs a reason too: refused without a note.
    await press(page, host, '1');
    await page.locator('.review-message', { hasText: 'the error category wrong-region needs a reason' }).waitFor();
    assert.equal(host.labels().length, 2, 'nothing sent for a category that needs a reason without one');
    // With a reason, x labels rejected with it (leaving the note field gives the label there is again, with the note).
    await page.locator('.note-field').fill('the box is on the wrong rocket');
    await press(page, host, 'x');
    await waitForLabels(page, host, 4);
    assert.deepEqual({ label: host.labels()[3]!.label, note: host.labels()[3]!.note }, { label: 'rejected', note: 'the box is on the wrong rocket' });

    // The sheet lists the scheme's keys, not a, r, f.
    await press(page, host, '?');
    const sheet = page.locator('.shortcut-sheet');
    await sheet.waitFor();
    await assertShown(page, '.shortcut-sheet', 'the shortcut sheet');
    const keys = await sheet.locator('kbd').allTextContents();
    for (const k of ['y', 'x', '1', '2']) assert.ok(keys.includes(k), `the sheet lists ${k}: ${keys.join(' ')}`);
    for (const k of ['a', 'r', 'f']) assert.ok(!keys.includes(k), `the sheet does not list ${k}`);
    assert.match((await sheet.textContent()) ?? '', /Label the trajectory Wrong \(with a reason in the note\)/);
    await page.close();
  });

  it('without a scheme offers today’s three verdicts with a, r, f and no categories; a scheme file not used is said once, naming it', async () => {
    const { page, host } = await openEditor({});
    assert.deepEqual(
      (await verdictButtons(page)).map((t) => t.trim()),
      ['Accepted (a)', 'Rejected (r)', 'Needs fix (f)'],
    );
    await assertNotShown(page, '.category-buttons', 'the category row');
    await assertNotShown(page, '.scheme-warning', 'a scheme warning');
    await assertNotShown(page, '.blind-status', 'the blind note');
    await press(page, host, 'f');
    await waitForLabels(page, host, 1);
    assert.equal(host.labels()[0]!.label, 'needs-fix');
    await page.close();

    const warning =
      '/project/.gog/labels.json: verdicts.0.key: a key is one lower-case letter or digit; fix it, or remove it for the default verdicts (the default verdicts are used)';
    const warned = await openEditor({ schemeWarning: warning });
    assert.equal(await warned.page.locator('.scheme-warning').count(), 1, 'one warning');
    assert.equal((await warned.page.locator('.scheme-warning').textContent())?.trim(), warning);
    await assertShown(warned.page, '.scheme-warning', 'the scheme warning');
    assert.deepEqual(
      (await verdictButtons(warned.page)).map((t) => t.trim()),
      ['Accepted (a)', 'Rejected (r)', 'Needs fix (f)'],
    );
    await warned.page.close();

    // A scheme key that is one of the panel's own keys is not used, and said.
    const clash = await openEditor({
      scheme: {
        verdicts: [
          { label: 'accepted', key: 'e' },
          { label: 'rejected', key: 'r' },
        ],
        categories: [],
      },
    });
    assert.deepEqual(
      (await verdictButtons(clash.page)).map((t) => t.trim()),
      ['Accepted', 'Rejected (r)'],
    );
    assert.match((await clash.page.locator('.scheme-warning').textContent()) ?? '', /the key e of the verdict accepted is the panel’s own/);
    await clash.page.close();
  });

  it('says blind review in the bar: others’ labels hidden until you label', async () => {
    const { page } = await openEditor({ blind: { hidden: 2, revealed: false } });
    await assertShown(page, '.blind-status', 'the blind note');
    assert.equal((await page.locator('.blind-status').textContent())?.trim(), "blind: others' labels hidden until you label");
    await page.close();
    const after = await openEditor({ blind: { hidden: 0, revealed: true } });
    assert.equal((await after.page.locator('.blind-status').textContent())?.trim(), "blind: you labelled, others' labels shown");
    await after.page.close();
  });
});
