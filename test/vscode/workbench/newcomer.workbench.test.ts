// A newcomer's path through the workbench, driven as a person would: finding the commands
// by name in the Command Palette, the Explorer's menu on an image, the demo, the Get
// Started walkthrough. Screenshots in test/.out/screenshots/.
import { strict as assert } from 'node:assert';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { readTrajectory } from '../../../src/core/trajectoryFile';
import { makeScreenshotDirs, SCREENSHOTS, TEST_OUT_SCREENSHOTS } from '../../helpers/screenshots';
import { afterTry, openWorkbench, ROOT, runFromPalette, webviewFrame, type Session } from './session';

const ASTRONAUT_QUESTION = 'Which space telescope was deployed on the mission whose patch this astronaut is wearing?';
const PALETTE_TITLES = ['Glance-or-Gaze: Try the Demo', 'Glance-or-Gaze: Ask About Image…', 'Glance-or-Gaze: Open Trajectory…', 'Glance-or-Gaze: Set API Key'];

/**
 * The Command Palette's rows for what was typed, once they include every title wanted or
 * after 20 s. Commands of an extension under development arrive a few seconds after the
 * workbench shows, so the palette is reopened until then.
 */
async function paletteRows(page: Page, typed: string, wanted: readonly string[]): Promise<string[]> {
  const input = page.locator('.quick-input-widget input');
  const labels = page.locator('.quick-input-list .monaco-list-row .label-name');
  let rows: string[] = [];
  for (const started = Date.now(); Date.now() - started < 20_000;) {
    await page.keyboard.press('F1');
    try {
      await input.fill(`>${typed}`, { timeout: 3000 });
      // The list is virtual: only the rows in view are in the page, so page down through it.
      const seen = new Set<string>();
      for (let waited = 0; waited < 3000; waited += 200) {
        await page.waitForTimeout(200);
        for (const r of await labels.allTextContents()) seen.add(r);
        rows = [...seen];
        if (wanted.every((w) => rows.includes(w))) return rows;
        await page.keyboard.press('PageDown');
      }
    } catch {
      // the palette lost the focus: open it again
    } finally {
      await page.keyboard.press('Escape');
    }
  }
  return rows;
}

describe('workbench: a newcomer’s path', () => {
  let session: Session;

  before(async () => {
    makeScreenshotDirs();
    session = await openWorkbench((ws) => {
      mkdirSync(path.join(ws, 'photos'));
      copyFileSync(path.join(ROOT, 'media', 'demo', 'images', 'rocket.jpg'), path.join(ws, 'photos', 'rocket.jpg'));
      mkdirSync(path.join(ws, '.vscode'));
      writeFileSync(path.join(ws, '.vscode', 'settings.json'), JSON.stringify({ 'workbench.startupEditor': 'none' }, null, 2));
    });
  });

  afterEach(async function () {
    await afterTry(this.currentTest, session, 'newcomer');
  });

  after(async () => {
    await session?.close();
  });

  it('finds every command in the Command Palette by typing "glance", and by typing "gog"', async () => {
    const { page } = session;
    for (const typed of ['glance', 'gog']) {
      const rows = await paletteRows(page, typed, PALETTE_TITLES);
      for (const title of PALETTE_TITLES) assert.ok(rows.includes(title), `"${typed}" finds ${title}; it lists ${JSON.stringify(rows)}`);
      // The Explorer's own entry is for menus only.
      assert.equal(rows.filter((r) => r.includes('Ask About Image')).length, 1, `"${typed}" lists Ask About Image once`);
    }
  });

  it('offers Glance-or-Gaze: Ask About Image… on an image in the Explorer, named as in the palette', async () => {
    const { page } = session;
    const row = (name: string) => page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first();
    await row('photos').click();
    await row('rocket.jpg').click({ button: 'right' });
    const item = page.locator('.context-view .action-label', { hasText: /Ask About Image/ });
    await item.waitFor();
    assert.deepEqual(await item.allTextContents(), ['Glance-or-Gaze: Ask About Image…']);
    await page.screenshot({ path: path.join(TEST_OUT_SCREENSHOTS, 'workbench-explorer-menu.png') });
    await page.keyboard.press('Escape');
  });

  it('Try the Demo: pick a question, and the run streams into the trajectory panel', async () => {
    const { page, workspace } = session;
    await runFromPalette(page, 'Glance-or-Gaze: Try the Demo');
    const first = page.locator('.quick-input-widget .monaco-list-row', { hasText: ASTRONAUT_QUESTION });
    await first.waitFor();
    assert.equal(await page.locator('.quick-input-widget .monaco-list-row').count(), 5, 'the five recorded questions');
    await page.screenshot({ path: path.join(TEST_OUT_SCREENSHOTS, 'workbench-demo-pick.png') });
    await page.keyboard.press('Enter'); // the first is selected
    const frame = await webviewFrame(page, '.question', ASTRONAUT_QUESTION);
    // Paced for watching: the first turn shows while the run goes on, about a second a turn.
    await frame.locator('.turn[data-step="1"]').waitFor({ timeout: 60_000 });
    assert.equal(await frame.locator('.outcome.state-answered').count(), 0, 'the first turn is seen before the answer');
    await frame.locator('.outcome.state-answered').waitFor({ timeout: 60_000 });
    const turns = await frame.locator('.turn').count();
    assert.ok(turns >= 3, `${turns} turns`);
    assert.equal(await frame.locator('.final-answer').textContent(), 'Chandra X-ray Observatory');
    assert.equal(await frame.locator('.gaze').count(), 2, 'the wrong gaze and the right one');
    await page.locator('.notifications-toasts .notification-toast', { hasText: 'Answer: Chandra X-ray Observatory' }).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'workbench-demo.png') });
    const runs = readdirSync(path.join(workspace, '.gog', 'runs'));
    assert.equal(runs.length, 1);
    const t = await readTrajectory(path.join(workspace, '.gog', 'runs', runs[0]!, 'trajectory.jsonl'));
    assert.equal(t.header?.question, ASTRONAUT_QUESTION);
    // The pace is the run's own, as recorded (the page may be handed a burst when the machine is busy).
    const at = t.events.filter((e) => e.type === 'model_turn').map((e) => Date.parse(e.t));
    assert.equal(at.length, turns);
    const gaps = at.slice(1).map((x, i) => x - at[i]!);
    assert.ok(
      gaps.every((g) => g >= 800),
      `the model's turns came ${JSON.stringify(gaps)} ms apart: about a second a turn`,
    );
    await page.keyboard.press('Escape');
    await runFromPalette(page, 'View: Close All Editors');
  });

  it('opens the Get Started walkthrough from the Command Palette; each step has its button and page', async () => {
    const { page } = session;
    // An open Welcome page ignores a request to show another walkthrough.
    await runFromPalette(page, 'View: Close All Editors');
    // Extension walkthroughs are registered a few seconds after start: reopen the list until it is there.
    const item = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Get Started with Glance-or-Gaze' });
    for (let i = 0; ; i++) {
      await runFromPalette(page, 'Welcome: Open Walkthrough...');
      try {
        await item.waitFor({ timeout: 2000 });
        break;
      } catch (e) {
        if (i === 10) throw e;
        await page.keyboard.press('Escape');
      }
    }
    await item.click();
    const category = page.locator('.gettingStartedCategoriesContainer, .getting-started-category, .gettingStartedSlideDetails').first();
    await category.waitFor();
    await page.locator('.gettingStartedSlideDetails', { hasText: 'Get Started with Glance-or-Gaze' }).waitFor();
    for (const title of ['Try the demo', 'Point it at your endpoint', 'Set an API key', 'Ask about your own image', 'Open a trajectory'])
      await page.locator('.getting-started-step', { hasText: title }).first().waitFor();
    await page.locator('h3.step-title', { hasText: 'Try the demo' }).click();
    const frame = await webviewFrame(page, 'h1', 'Try the demo');
    assert.ok(await frame.locator('img').count(), 'the first step shows the panel');
    await page.locator('.getting-started-step a, .getting-started-step .button-link', { hasText: 'Try the Demo' }).first().waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'workbench-walkthrough.png') });
  });
});
