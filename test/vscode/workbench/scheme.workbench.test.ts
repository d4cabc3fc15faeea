// The project's label scheme and blind review in the real VS Code (code-server): the extension
// host reads `.gog/labels.json` of the workspace and sends it with the document, so the bar
// offers its verdicts and keys; with gog.review.blind another annotator's label (given with
// `gog label`) is not sent to the page at all until this annotator has given a verdict, then it
// is; a label command is held to the scheme too; a labels.json that is not JSON is named, with its line, on the next open, and the default
// verdicts are offered.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { makeScreenshotDirs } from '../../helpers/screenshots';
import { afterTry, openWorkbench, ROOT, runFromPalette, webviewFrame, type Session } from './session';

const REL = 'demo/1-astronaut-patch/trajectory.jsonl';
/** Bob's note: it must not reach the page before Ana's verdict. */
const SECRET = 'bob-thinks-the-box-is-off';

/** An element's computed display and visibility, and its box (run in the page). */
const SHOWN_SOURCE = String.raw`(e) => {
  const s = getComputedStyle(e);
  const r = e.getBoundingClientRect();
  return { display: s.display, visibility: s.visibility, width: r.width, height: r.height };
}`;

describe('workbench: the label scheme and blind review', () => {
  let session: Session;
  let schemeFile = '';
  let question = '';

  before(async () => {
    makeScreenshotDirs();
    session = await openWorkbench((ws) => {
      const cli = path.join(ROOT, 'dist', 'cli.js');
      execFileSync(process.execPath, [cli, 'demo', '--out', path.join(ws, 'demo')], { cwd: ws, stdio: 'ignore' });
      mkdirSync(path.join(ws, '.gog'));
      schemeFile = path.join(ws, '.gog', 'labels.json');
      writeFileSync(
        schemeFile,
        JSON.stringify({
          verdicts: [
            { label: 'accepted', key: 'y', name: 'Good' },
            { label: 'rejected', key: 'x', name: 'Wrong', needsReason: true },
          ],
          categories: [{ id: 'wrong-region', name: 'Wrong region', key: '1' }],
        }),
      );
      mkdirSync(path.join(ws, '.vscode'));
      writeFileSync(
        path.join(ws, '.vscode', 'settings.json'),
        JSON.stringify({ 'workbench.startupEditor': 'none', 'gog.annotator': 'ana', 'gog.review.blind': true }),
      );
      // Another annotator's label, in their own file beside the trajectory.
      execFileSync(process.execPath, [cli, 'label', REL, 'rejected', '--tag', 'wrong-region', '--note', SECRET, '--annotator', 'bob'], {
        cwd: ws,
        stdio: 'ignore',
      });
      question = (JSON.parse(readFileSync(path.join(ws, REL), 'utf8').split('\n')[0]!) as { question: string }).question;
    });
  });

  afterEach(async function () {
    await afterTry(this.currentTest, session, 'scheme');
  });

  after(async () => {
    await session?.close();
  });

  async function openTrajectory(page: Page): Promise<Frame> {
    await runFromPalette(page, 'Go to File...');
    await page.locator('.quick-input-widget input').fill(REL);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'trajectory.jsonl' }).first().waitFor();
    await page.keyboard.press('Enter');
    const frame = await webviewFrame(page, '.question', question);
    await frame.locator('.review-bar .verdict-buttons > *').first().waitFor({ timeout: 30_000 });
    return frame;
  }
  const buttons = async (frame: Frame) => (await frame.locator('.verdict-buttons > *').allTextContents()).map((t) => t.trim());
  /** Shown: laid out with a size, not display:none or visibility:hidden. */
  async function assertShown(frame: Frame, selector: string, what: string): Promise<void> {
    const s = await frame.evaluate<{
      display: string;
      visibility: string;
      width: number;
      height: number;
    }>(`(${SHOWN_SOURCE})(document.querySelector(${JSON.stringify(selector)}))`);
    assert.ok(s.display !== 'none' && s.visibility === 'visible' && s.width > 0 && s.height > 0, `${what} is shown: ${JSON.stringify(s)}`);
  }

  it('sends the scheme with the document, and withholds another annotator’s label until this annotator gives theirs', async () => {
    const { page } = session;
    const frame = await openTrajectory(page);
    assert.deepEqual(await buttons(frame), ['Good (y)', 'Wrong (x)'], 'the scheme’s verdicts and keys');
    await assertShown(frame, '.category-buttons', 'the error categories');
    await assertShown(frame, '.blind-status', 'the blind note');
    assert.equal((await frame.locator('.blind-status').textContent())?.trim(), "blind: others' labels hidden until you label");
    // Not hidden by the page: not in it at all (the page's source holds the first message).
    assert.match((await frame.locator('.verdict').textContent()) ?? '', /Not reviewed/);
    const html = await frame.content();
    assert.ok(!html.includes(SECRET) && !/\bbob\b/.test(html), 'nothing of Bob’s label reached the page');

    // The command Reject Trajectory is held to the scheme too: Wrong (rejected) needs a reason.
    await runFromPalette(page, 'Glance-or-Gaze: Reject Trajectory');
    await page.locator('.notifications-toasts', { hasText: 'not labelled: a rejected label needs a reason' }).waitFor({ timeout: 15_000 });
    assert.match((await frame.locator('.verdict').textContent()) ?? '', /Not reviewed/, 'nothing was labelled');
    assert.equal(await page.locator('.tabs-container .tab.dirty').count(), 0, 'nothing to save');

    await frame.locator('.turn[data-step="1"] .turn-head').click();
    await page.keyboard.press('y');
    await frame.locator('.verdict', { hasText: 'bob: Wrong' }).waitFor({ timeout: 15_000 });
    assert.match((await frame.locator('.verdict').textContent()) ?? '', /Good/);
    assert.equal((await frame.locator('.blind-status').textContent())?.trim(), "blind: you labelled, others' labels shown");
    await page.keyboard.press('Control+S');
    await page.locator('.tabs-container .tab.dirty').waitFor({ state: 'detached', timeout: 15_000 });
  });

  it('a labels.json that is not JSON is named with its line on the next open, and the default verdicts are offered', async () => {
    const { page } = session;
    writeFileSync(schemeFile, '{\n  "verdicts": [\n    { "label": "accepted", }\n  ]\n}\n');
    await runFromPalette(page, 'View: Close All Editors');
    await page.locator('.tabs-container .tab', { hasText: 'trajectory.jsonl' }).waitFor({ state: 'detached' });
    const frame = await openTrajectory(page);
    const warning = frame.locator('.scheme-warning');
    await warning.waitFor();
    assert.equal(await warning.count(), 1, 'one warning');
    assert.match((await warning.textContent()) ?? '', /\.gog\/labels\.json is not JSON \(line 3\)/);
    await assertShown(frame, '.scheme-warning', 'the warning');
    assert.deepEqual(await buttons(frame), ['Accepted (a)', 'Rejected (r)', 'Needs fix (f)']);
  });
});
