// An annotator's day in the real VS Code (issue 19, "Wrong today"), with auto-save on as many
// people have it: undo and redo do not grow the annotator's file (saves go to
// trajectory.annotations/<annotator>.jsonl; the trajectory file is never written), and
// replaying the files gives what the panel shows; an edited trajectory keeps its tab when the next sample is opened.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { annotatorFileOf, readAnnotatedTrajectory } from '../../../src/core/annotationFiles';
import { applyAnnotations } from '../../../src/core/annotations';
import { makeScreenshotDirs, TEST_OUT_SCREENSHOTS } from '../../helpers/screenshots';
import { openWorkbench, ROOT, runFromPalette, webviewFrame, type Session } from './session';

const ASTRONAUT = 'demo/1-astronaut-patch/trajectory.jsonl';
const CHELSEA = 'demo/4-chelsea-name/trajectory.jsonl';
const COFFEE = 'demo/5-coffee-no-search/trajectory.jsonl';
const ROCKET = 'demo/2-rocket-dscovr/trajectory.jsonl';

describe('workbench: an annotator’s day with auto-save on', () => {
  let session: Session;
  let ws = '';
  const question = (rel: string) => (JSON.parse(readFileSync(path.join(ws, rel), 'utf8').split('\n')[0]!) as { question: string }).question;

  before(async () => {
    makeScreenshotDirs();
    session = await openWorkbench((dir) => {
      ws = dir;
      execFileSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'demo', '--out', path.join(ws, 'demo')], { cwd: ws, stdio: 'ignore' });
      mkdirSync(path.join(ws, '.vscode'));
      writeFileSync(
        path.join(ws, '.vscode', 'settings.json'),
        JSON.stringify({
          'workbench.startupEditor': 'none',
          'gog.annotator': 'Ann Otator',
          'files.autoSave': 'afterDelay',
          'files.autoSaveDelay': 300,
          // Go to File opens a preview tab, as a click in the Explorer does.
          'workbench.editor.enablePreviewFromQuickOpen': true,
        }),
      );
    });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed')
      await session?.page.screenshot({ path: path.join(TEST_OUT_SCREENSHOTS, `failed-annotator-day-${Date.now()}.png`) });
  });

  after(async () => {
    await session?.close();
  });

  async function open(page: Page, rel: string): Promise<Frame> {
    await runFromPalette(page, 'Go to File...');
    await page.locator('.quick-input-widget input').fill(rel);
    await page
      .locator('.quick-input-list .monaco-list-row', { hasText: path.basename(path.dirname(rel)) })
      .first()
      .waitFor();
    await page.keyboard.press('Enter');
    const frame = await webviewFrame(page, '.question', question(rel));
    await frame.locator('.review-bar').waitFor({ timeout: 30_000 });
    return frame;
  }

  const tabs = (page: Page) => page.locator('.tabs-container .tab', { hasText: 'trajectory.jsonl' });
  const activeTab = (page: Page) => page.locator('.tabs-container .tab.active', { hasText: 'trajectory.jsonl' }).first();
  const isDirty = async (page: Page) => /\bdirty\b/.test((await activeTab(page).getAttribute('class')) ?? '');
  async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
    for (const started = Date.now(); !(await check());) {
      if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting until ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('three edits, three undos and three redos, each auto-saved: the annotator’s file is back to empty, then 3 lines, and replays as the panel shows', async () => {
    const { page } = session;
    const trajectory = path.join(ws, ASTRONAUT);
    const original = readFileSync(trajectory);
    const file = annotatorFileOf(trajectory, 'Ann Otator');
    const bytes = () => (existsSync(file) ? readFileSync(file) : Buffer.alloc(0));
    const lineCount = () => bytes().toString('utf8').split('\n').filter(Boolean).length;
    assert.equal(lineCount(), 0);
    const frame = await open(page, ASTRONAUT);
    const counts: number[] = [];
    /** Does `act`, waits until auto-save has written something and the tab is clean, and counts the lines. */
    async function saved(what: string, act: () => Promise<void>): Promise<void> {
      const before = bytes();
      await act();
      await until(`auto-save writes after ${what}`, () => !bytes().equals(before));
      await until(`the tab is clean after ${what}`, async () => !(await isDirty(page)));
      counts.push(lineCount());
    }
    await saved('a label', async () => {
      await frame.locator('.turn[data-step="1"] .turn-head').click();
      await page.keyboard.press('a');
      await frame.locator('.verdict', { hasText: 'Accepted' }).waitFor();
    });
    await saved('dropping turn 2', async () => {
      await frame.locator('.turn[data-step="2"] .turn-head').click();
      await page.keyboard.press('d');
      await frame.locator('.turn.dropped[data-step="2"]').waitFor();
    });
    await saved('dropping turn 3', async () => {
      await frame.locator('.turn[data-step="3"] .turn-head').click();
      await page.keyboard.press('d');
      await frame.locator('.turn.dropped[data-step="3"]').waitFor();
    });
    const edited = bytes();
    const shown = async () => {
      const t = await readAnnotatedTrajectory(trajectory);
      const c = applyAnnotations(t.header, t.events);
      return { label: c.label?.label, by: c.label?.author, dropped: [...c.dropped].sort(), problems: [...t.problems, ...c.problems] };
    };
    assert.deepEqual(await shown(), { label: 'accepted', by: 'Ann Otator', dropped: [2, 3], problems: [] });

    await saved('undoing the drop of turn 3', async () => {
      await page.keyboard.press('Control+Z');
      await frame.locator('.turn:not(.dropped)[data-step="3"]').waitFor();
    });
    await saved('undoing the drop of turn 2', async () => {
      await page.keyboard.press('Control+Z');
      await frame.locator('.turn:not(.dropped)[data-step="2"]').waitFor();
    });
    await saved('undoing the label', async () => {
      await page.keyboard.press('Control+Z');
      await frame.locator('.verdict', { hasText: 'Accepted' }).waitFor({ state: 'detached' });
    });
    const undone = bytes();
    await saved('redoing the label', async () => {
      await page.keyboard.press('Control+Y');
      await frame.locator('.verdict', { hasText: 'Accepted' }).waitFor();
    });
    await saved('redoing the drop of turn 2', async () => {
      await page.keyboard.press('Control+Y');
      await frame.locator('.turn.dropped[data-step="2"]').waitFor();
    });
    await saved('redoing the drop of turn 3', async () => {
      await page.keyboard.press('Control+Y');
      await frame.locator('.turn.dropped[data-step="3"]').waitFor();
    });
    await page.screenshot({ path: path.join(TEST_OUT_SCREENSHOTS, 'workbench-annotator-day-autosave.png') });

    assert.deepEqual(counts, [1, 2, 3, 2, 1, 0, 1, 2, 3], 'the annotator’s file holds what is in effect, no more');
    assert.equal(undone.length, 0, 'every edit undone: the annotator’s file is empty again');
    assert.ok(readFileSync(trajectory).equals(original), 'the trajectory file is never written');
    const now = bytes();
    assert.ok(now.equals(edited), 'every edit redone: the file is what the three edits wrote');
    assert.deepEqual(await shown(), { label: 'accepted', by: 'Ann Otator', dropped: [2, 3], problems: [] });
    const times = now
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { t: string }).t);
    assert.deepEqual(times, [...times].sort(), 'the times in the file are in order');
  });

  it('at 1,600×900 the image is beside the turns, stacked on request with at most 35 % of the height; every focused field lies in view, clear of it', async () => {
    const { page } = session;
    await page.setViewportSize({ width: 1600, height: 900 });
    const frame = await open(page, ROCKET);
    type Rect = { top: number; bottom: number; left: number; right: number };
    type Place = { what: string; field: Rect; pane: Rect; turns: Rect; height: number; width: number };
    const place = () =>
      frame.evaluate((): Place => {
        type Node = { tagName: string; className: string; getBoundingClientRect(): Rect };
        const w = globalThis as unknown as {
          innerHeight: number;
          innerWidth: number;
          document: { activeElement: Node | null; querySelector(s: string): Node };
        };
        const f = w.document.activeElement;
        const r = f?.getBoundingClientRect() ?? { top: -1, bottom: -1, left: -1, right: -1 };
        // No inner functions here: the page has no __name helper that the test's compiler adds to them.
        const pb = w.document.querySelector('.image-pane').getBoundingClientRect();
        const tb = w.document.querySelector('.timeline').getBoundingClientRect();
        return {
          what: `${f?.tagName ?? ''}.${f?.className ?? ''}`,
          field: { top: r.top, bottom: r.bottom, left: r.left, right: r.right },
          pane: { top: pb.top, bottom: pb.bottom, left: pb.left, right: pb.right },
          turns: { top: tb.top, bottom: tb.bottom, left: tb.left, right: tb.right },
          height: w.innerHeight,
          width: w.innerWidth,
        };
      });
    const clear = (p: Place) =>
      p.field.top >= 0 &&
      p.field.bottom <= p.height &&
      (p.field.bottom <= p.pane.top || p.field.top >= p.pane.bottom || p.field.right <= p.pane.left || p.field.left >= p.pane.right);
    async function everyFieldInView(layout: string): Promise<void> {
      const steps = await frame.locator('.turn[data-step]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-step'))));
      await frame.locator(`.turn[data-step="${steps[0]}"] .turn-head`).click();
      for (const [n, step] of steps.entries()) {
        if (n > 0) await page.keyboard.press('j');
        for (const key of ['i', 't']) {
          await page.keyboard.press(key);
          const field = frame.locator(`.turn[data-step="${step}"] .text-edit`);
          await field.waitFor();
          let p = await place();
          // The scroll is smooth or immediate: the field is in view within a second.
          for (const started = Date.now(); Date.now() - started < 1000 && !clear(p); p = await place()) await page.waitForTimeout(50);
          const where = `${layout}, turn ${step}, key ${key}: the text box at ${JSON.stringify(p.field)}`;
          assert.match(p.what, /text-edit/, `${where} has the focus`);
          assert.ok(clear(p), `${where} lies outside the editor (${p.width}×${p.height}) or under the image ${JSON.stringify(p.pane)}`);
          await page.keyboard.press('Escape');
          await field.waitFor({ state: 'detached' });
        }
      }
    }
    const side = await place();
    assert.ok(side.width > side.height, `the editor is wider than tall: ${side.width}×${side.height}`);
    assert.ok(side.pane.right <= side.turns.left, `the image ${JSON.stringify(side.pane)} is beside the turns ${JSON.stringify(side.turns)}`);
    await everyFieldInView('side by side');
    await page.screenshot({ path: path.join(TEST_OUT_SCREENSHOTS, 'workbench-annotator-day-side-by-side.png') });

    // Stacked, chosen with the image's toolbar button: the image takes at most 35 % of the height.
    await frame.locator('.layout-switch').click();
    await frame.waitForFunction(
      () => !(globalThis as unknown as { document: { body: { classList: { contains(c: string): boolean } } } }).document.body.classList.contains('layout-side'),
    );
    await frame.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    const stacked = await place();
    assert.ok(stacked.pane.bottom <= stacked.turns.top + 1, 'the image is above the turns');
    assert.ok(
      stacked.pane.bottom - stacked.pane.top <= 0.35 * stacked.height + 1,
      `the image pane is ${Math.round(stacked.pane.bottom - stacked.pane.top)} of ${stacked.height} px`,
    );
    await everyFieldInView('stacked');
    await page.screenshot({ path: path.join(TEST_OUT_SCREENSHOTS, 'workbench-annotator-day-stacked.png') });
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  it('an edited trajectory keeps its tab: opening the next sample opens beside it', async () => {
    const { page } = session;
    const file = path.join(ws, COFFEE);
    const before = readFileSync(file);
    const frame = await open(page, COFFEE);
    await frame.locator('.turn[data-step="1"] .turn-head').click();
    await page.keyboard.press('r');
    await frame.locator('.verdict', { hasText: 'Rejected' }).waitFor();
    await until('the label is auto-saved', () => !readFileSync(file).equals(before));
    await until('the tab is clean', async () => !(await isDirty(page)));
    const openBefore = await tabs(page).count();
    await open(page, CHELSEA);
    // A tab names its file's folder in its icon's classes, and says "preview" in its aria-label while it is one.
    const shown = await tabs(page).evaluateAll((els) =>
      els.map((e) => `${e.querySelector('.monaco-icon-label')?.className.match(/\S+-name-dir-icon/)?.[0] ?? '?'}: ${e.getAttribute('aria-label')}`),
    );
    assert.ok(
      shown.some((t) => t.startsWith('5-coffee-no-search-name-dir-icon:') && !t.includes('preview')),
      `the edited trajectory's tab is still open, and no preview: ${JSON.stringify(shown)}`,
    );
    assert.equal(shown.length, openBefore + 1, `the next sample opened beside it: ${JSON.stringify(shown)}`);
  });
});
