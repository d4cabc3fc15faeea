// The workbench driven as a person would: the palette, typing, Enter; screenshots saved.
import { strict as assert } from 'node:assert';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { readTrajectory } from '../../../src/core/trajectoryFile';
import { recordingFromTrajectory, startReplayServer, type ReplayServer } from '../../../src/model/replayServer';
import { recording } from '../../helpers/recordings';
import { lowContrastText } from '../../webview/harness';
import { makeScreenshotDirs, SCREENSHOTS, TEST_OUT_SCREENSHOTS } from '../../helpers/screenshots';
import { afterTry, answerQuickInput, openWorkbench, pickFile, ROOT, runFromPalette, webviewFrame, type Session } from './session';

const QUESTION = 'From which Lagrange point does the spacecraft launched by this rocket observe the Earth?';
const GAZE_QUESTION = 'What is on top of the rocket?';
/** What the theme sets in a webview, as one string (evaluated in the page). */
const THEME_SIGNATURE = `document.body.className + ['foreground', 'editor-background', 'sideBar-background', 'descriptionForeground'].map((n) => getComputedStyle(document.documentElement).getPropertyValue('--vscode-' + n)).join()`;

describe('workbench: Glance-or-Gaze: Ask About Image… from the Command Palette', () => {
  let server: ReplayServer;
  let session: Session;

  before(async () => {
    makeScreenshotDirs();
    const recorded = path.join(ROOT, 'media', 'demo', 'recorded', '2-rocket-dscovr.trajectory.jsonl');
    const gazes = recording(GAZE_QUESTION, [
      '<think>The middle first.</think><search><bbox>[250, 300, 560, 900]</bbox></search>',
      '<reflect>Not there; the top.</reflect><search><bbox>[100, 80, 420, 330]</bbox></search>',
      '<think>Enough.</think><answer>The payload fairing</answer>',
    ]);
    server = await startReplayServer([recordingFromTrajectory(await readTrajectory(recorded)), { ...gazes, model: 'gog-demo-recorded' }], { latencyMs: 1500 });
    session = await openWorkbench((ws) => {
      mkdirSync(path.join(ws, 'photos'));
      copyFileSync(path.join(ROOT, 'media', 'demo', 'images', 'rocket.jpg'), path.join(ws, 'photos', 'rocket.jpg'));
      mkdirSync(path.join(ws, '.vscode'));
      writeFileSync(
        path.join(ws, '.vscode', 'settings.json'),
        JSON.stringify({ 'gog.endpoint': server.url, 'gog.boxFormat': 'rel-1000', 'workbench.startupEditor': 'none' }, null, 2),
      );
    });
  });

  afterEach(async function () {
    await afterTry(this.currentTest, session, 'ask');
  });

  after(async () => {
    await session?.close();
    await server?.close();
  });

  it('asks, shows progress, and reports the answer; the trajectory is in the workspace', async () => {
    const { page, workspace } = session;
    await runFromPalette(page, 'Glance-or-Gaze: Ask About Image…');
    // code-server has no native dialogs: VS Code's own file dialog takes a typed path.
    await pickFile(page, path.join(workspace, 'photos', 'rocket.jpg'));
    await answerQuickInput(page, QUESTION, /ask about rocket\.jpg/);
    const progress = page.locator('.notifications-toasts .notification-toast', { hasText: /Glance-or-Gaze.*turn \d/ });
    await progress.waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'workbench-progress.png') });
    assert.ok(await progress.getByRole('button', { name: 'Cancel' }).isVisible(), 'the run can be cancelled');
    const answer = page.locator('.notifications-toasts .notification-toast', { hasText: 'Answer: Sun–Earth L1' });
    await answer.waitFor({ timeout: 60_000 });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'workbench-answer.png') });
    assert.ok(await answer.getByRole('button', { name: 'Open Trajectory' }).isVisible());

    const runs = path.join(workspace, '.gog', 'runs');
    const [run] = readdirSync(runs);
    const t = await readTrajectory(path.join(runs, run!, 'trajectory.jsonl'));
    assert.equal(t.header?.question, QUESTION);
    assert.equal((t.events.at(-1) as { answer?: string }).answer, 'Sun–Earth L1');

    // The log channel holds the steps.
    await answer.getByRole('button', { name: 'Show Log' }).click();
    await page.locator('.output-view, .part.panel', { hasText: 'answer' }).first().waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'workbench-log.png') });
    assert.ok(existsSync(path.join(SCREENSHOTS, 'workbench-log.png')));
  });

  it('streams the run into the trajectory panel, with its gaze boxes on the image', async () => {
    const { page, workspace } = session;
    await page.keyboard.press('Escape');
    // One panel on screen from here on (the first test's run opened one too).
    await runFromPalette(page, 'View: Close All Editors');
    await runFromPalette(page, 'Glance-or-Gaze: Ask About Image…');
    await pickFile(page, path.join(workspace, 'photos', 'rocket.jpg'));
    await answerQuickInput(page, GAZE_QUESTION, /ask about rocket\.jpg/);
    const frame = await webviewFrame(page, '.question', GAZE_QUESTION);
    await frame.locator('.outcome', { hasText: 'Running' }).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'workbench-panel-running.png') });
    await frame.locator('.outcome.state-answered').waitFor({ timeout: 60_000 });
    assert.equal(await frame.locator('.question').textContent(), GAZE_QUESTION);
    assert.equal(await frame.locator('.gaze').count(), 2);
    assert.ok(await frame.locator('.gaze[data-step="2"]').isVisible(), 'the boxes are visible in the real webview');
    assert.equal(await frame.locator('.final-answer').textContent(), 'The payload fairing');
    assert.equal(await frame.getByRole('button', { name: 'Cancel' }).count(), 0, 'no Cancel once finished');
    // Against the colours the real theme gives the webview, not the harness's copies.
    assert.deepEqual(await lowContrastText(frame), [], 'text under 4.5:1 in the real theme');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'workbench-panel.png') });
  });

  it('is readable in every default colour theme: light, dark and high contrast', async () => {
    const { page, workspace } = session;
    const frame = await webviewFrame(page, '.question', GAZE_QUESTION);
    const settingsFile = path.join(workspace, '.vscode', 'settings.json');
    const settings = JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;
    const themes = ['Default Dark Modern', 'Default High Contrast', 'Default High Contrast Light', 'Default Light Modern', 'Default Dark+', 'Default Light+'];
    const failures: string[] = [];
    try {
      for (const theme of themes) {
        const before = await frame.evaluate(THEME_SIGNATURE);
        writeFileSync(settingsFile, JSON.stringify({ ...settings, 'workbench.colorTheme': theme }, null, 2));
        // The workbench re-themes the open webview: its body class and variables change.
        // (Polled from outside: the panel's CSP forbids the eval that waitForFunction needs.)
        for (let waited = 0; (await frame.evaluate(THEME_SIGNATURE)) === before; waited += 100) {
          if (waited > 20_000) throw new Error(`${theme} did not reach the webview in 20 s`);
          await page.waitForTimeout(100);
        }
        await page.waitForTimeout(300); // transitions settle
        const low = await lowContrastText(frame);
        if (low.length) failures.push(`${theme}: ${JSON.stringify(low.slice(0, 4))}${low.length > 4 ? ` and ${low.length - 4} more` : ''}`);
        await page.screenshot({ path: path.join(TEST_OUT_SCREENSHOTS, `workbench-theme-${theme.replace(/\W+/g, '-').toLowerCase()}.png`) });
      }
    } finally {
      writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
    }
    assert.deepEqual(failures, [], 'text under 4.5:1 against its background, in the real themes');
  });

  it('brings the trajectory panel back after a window reload', async () => {
    const { page } = session;
    // One panel (the streaming test closed the others): code-server's webviews can race over
    // their service worker when several restore at once.
    const tabs = page.locator('.tab', { hasText: 'Glance-or-Gaze: rocket.jpg' });
    await tabs.first().waitFor();
    assert.equal(await tabs.count(), 1);
    await runFromPalette(page, 'Developer: Reload Window');
    await page.waitForTimeout(1000);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    const frame = await webviewFrame(page, '.question', GAZE_QUESTION);
    await frame.locator('.outcome.state-answered').waitFor({ timeout: 30_000 });
    assert.equal(await frame.locator('.gaze').count(), 2, 'the revived panel shows the recorded run, boxes and all');
    assert.equal(await frame.locator('.final-answer').textContent(), 'The payload fairing');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'workbench-panel-reloaded.png') });
  });

  it('stops the agent from the panel’s Cancel button; the run so far stays on disk', async () => {
    const { page, workspace } = session;
    await page.keyboard.press('Escape');
    await runFromPalette(page, 'Glance-or-Gaze: Ask About Image…');
    await pickFile(page, path.join(workspace, 'photos', 'rocket.jpg'));
    await answerQuickInput(page, GAZE_QUESTION, /ask about rocket\.jpg/);
    const frame = await webviewFrame(page, '.outcome', 'Running');
    // Let the first turn land (the model takes 1.5 s a turn here), then cancel in the second.
    await frame.locator('.turn[data-step="1"] .crop').waitFor({ timeout: 30_000 });
    await frame.getByRole('button', { name: 'Cancel' }).click();
    await frame.locator('.outcome.state-cancelled').waitFor({ timeout: 10_000 });
    await page.screenshot({ path: path.join(TEST_OUT_SCREENSHOTS, 'workbench-panel-cancelled.png') });

    const runs = path.join(workspace, '.gog', 'runs');
    const newest = readdirSync(runs).sort().at(-1)!;
    const t = await readTrajectory(path.join(runs, newest, 'trajectory.jsonl'));
    assert.deepEqual(t.problems, []);
    assert.equal(t.header?.question, GAZE_QUESTION);
    const final = t.events.at(-1) as { type: string; stopReason?: string };
    assert.deepEqual([final.type, final.stopReason], ['final', 'cancelled']);
    assert.ok(
      t.events.some((e) => e.type === 'action' && e.step === 1),
      'the first turn, done before Cancel, is kept',
    );
    assert.equal(await frame.getByRole('button', { name: 'Cancel' }).count(), 0, 'no Cancel once stopped');
  });
});
