// The review queue in the real VS Code: opened on a queue file the run review wrote under
// .gog/queues/, in its own view in the Glance-or-Gaze container (not the Explorer), each
// trajectory listed by its dataset sample id, counted in its view and in the status bar (with
// the pace), resumed at the first unreviewed, worked through from the panel's keys (a label,
// then n: the label is saved and the next trajectory opens), skipped and flagged.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { applyAnnotations } from '../../../src/core/annotations';
import { annotationsFolderOf } from '../../../src/core/annotationFiles';
import { parseTrajectory } from '../../../src/core/trajectoryFile';
import { makeScreenshotDirs, TEST_OUT_SCREENSHOTS } from '../../helpers/screenshots';
import { completion, startWireServer, type WireServer } from '../../helpers/wireServer';
import { afterTry, openWorkbench, pickFile, ROOT, runFromPalette, webviewFrame, type Session } from './session';

const RUNS = ['2-rocket-dscovr', '3-hubble-galaxies', '4-chelsea-name', '5-coffee-no-search'];
/** The dataset's ids for those samples, as a benchmark run records them in the header. */
const SAMPLE_IDS = ['val-0102', 'val-0103', 'val-0104', 'val-0105'];

/** Files under `dir` whose path matches `pattern`. */
function findFiles(dir: string, pattern: RegExp): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? findFiles(p, pattern) : pattern.test(p) ? [p] : [];
  });
}

describe('workbench: a review queue', () => {
  let session: Session;
  let queueFile = '';
  const questions: string[] = [];
  let parentFile = '';
  let parentQuestion = '';
  let branchFile = '';
  const files: string[] = [];
  // The model a re-run asks: answers at once.
  let model: WireServer;

  before(async () => {
    makeScreenshotDirs();
    model = await startWireServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(completion('<think>The name is on the shirt.</think>\n<answer>Chelsea</answer>'));
    });
    session = await openWorkbench((ws) => {
      execFileSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'demo', '--out', path.join(ws, 'demo')], { cwd: ws, stdio: 'ignore' });
      mkdirSync(path.join(ws, '.vscode'));
      writeFileSync(
        path.join(ws, '.vscode', 'settings.json'),
        JSON.stringify({ 'workbench.startupEditor': 'none', 'gog.endpoint': model.url, 'gog.stream': false }),
      );
      RUNS.forEach((run, i) => {
        const file = path.join(ws, 'demo', run, 'trajectory.jsonl');
        files.push(file);
        const [first, ...rest] = readFileSync(file, 'utf8').split('\n');
        const header = JSON.parse(first!) as { question: string };
        questions.push(header.question);
        writeFileSync(file, [JSON.stringify({ ...header, dataset: 'mmsearch', sampleId: SAMPLE_IDS[i] }), ...rest].join('\n'));
      });
      // What the run review writes: a JSON list of trajectory paths.
      mkdirSync(path.join(ws, '.gog', 'queues'), { recursive: true });
      queueFile = path.join(ws, '.gog', 'queues', 'demo-wrong-answer.json');
      writeFileSync(queueFile, JSON.stringify(files, null, 2) + '\n');
      // A branch of the astronaut run re-run from its turn 2, where a re-run writes it.
      parentFile = path.join(ws, 'demo', '1-astronaut-patch', 'trajectory.jsonl');
      const lines = readFileSync(parentFile, 'utf8').trimEnd().split('\n');
      const header = JSON.parse(lines[0]!) as { id: string; question: string };
      parentQuestion = header.question;
      branchFile = path.join(ws, 'demo', '1-astronaut-patch', 'branches', 's2-b1', 'trajectory.jsonl');
      mkdirSync(path.dirname(branchFile), { recursive: true });
      const branchHeader = { ...header, id: `${header.id}-b1`, parent: { file: '../../trajectory.jsonl', id: header.id, step: 2 } };
      writeFileSync(branchFile, [JSON.stringify(branchHeader), ...lines.slice(1)].join('\n') + '\n');
    });
  });

  afterEach(async function () {
    await afterTry(this.currentTest, session, 'queue');
  });

  after(async () => {
    await session?.close();
    await model?.close();
  });

  const queuePane = (page: Page) => page.locator('.pane', { hasText: 'Review Queue' });
  const queueMessage = (page: Page) => queuePane(page).locator('.message, .tree-explorer-viewlet-tree-view-message').first();
  const queueStatus = (page: Page) => page.locator('.statusbar-item', { hasText: /\d+\/\d+ reviewed/ });
  const row = (page: Page, label: string) => queuePane(page).locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: label }) });
  const labelOf = (file: string) => {
    // The trajectory file, then the annotators' files beside it (annotationFiles.ts), where a save writes labels.
    const dir = annotationsFolderOf(file);
    const annotators = existsSync(dir)
      ? readdirSync(dir)
          .sort()
          .map((n) => readFileSync(path.join(dir, n), 'utf8'))
      : [];
    const t = parseTrajectory([readFileSync(file, 'utf8'), ...annotators].join(''));
    return applyAnnotations(t.header, t.events).label?.label;
  };

  it('opens a queue file in its own view beside Runs, listed by dataset id, counts it in the view and the status bar, resumes at the first unreviewed, and moves on by key, saving the label', async () => {
    const { page } = session;
    assert.equal(await queueStatus(page).count(), 0, 'no status-bar item while no queue is open');
    await runFromPalette(page, 'Glance-or-Gaze: Open Review Queue…');
    await pickFile(page, queueFile);
    await queuePane(page).locator('.monaco-list-row').nth(3).waitFor({ timeout: 30_000 });
    assert.equal(await queuePane(page).locator('.monaco-list-row').count(), 4);
    assert.match((await queueMessage(page).textContent()) ?? '', /0 of 4 reviewed/);
    // In the Glance-or-Gaze container, beside Runs; not in the Explorer.
    const container = page.locator('[id="workbench.view.extension.glance-or-gaze"]');
    await container.locator('.pane', { hasText: 'Review Queue' }).waitFor({ timeout: 15_000 });
    await container.locator('.pane-header', { hasText: 'Runs' }).waitFor();
    assert.equal(await page.locator('[id="workbench.view.explorer"] .pane', { hasText: 'Review Queue' }).count(), 0, 'not in the Explorer');
    // Each row: the dataset's sample id, then the folder.
    assert.deepEqual(await queuePane(page).locator('.monaco-list-row .label-name').allTextContents(), SAMPLE_IDS);
    assert.deepEqual(
      (await queuePane(page).locator('.monaco-list-row .label-description').allTextContents()).map((d) => d.trim()),
      RUNS,
    );
    await queueStatus(page).waitFor({ timeout: 15_000 });
    assert.match((await queueStatus(page).textContent()) ?? '', /^\s*0\/4 reviewed · pace after the first label\s*$/);

    await runFromPalette(page, 'Glance-or-Gaze: Review Queue: Resume at the First Unreviewed');
    let frame = await webviewFrame(page, '.question', questions[0]);
    await frame.locator('.queue-info', { hasText: '1 of 4' }).waitFor({ timeout: 30_000 });
    await frame.locator('.turn-head').first().click();
    await page.keyboard.press('a');
    await frame.locator('.verdict.label-accepted').waitFor();
    await page.keyboard.press('n');

    frame = await webviewFrame(page, '.question', questions[1]);
    await frame.locator('.queue-info', { hasText: '2 of 4' }).waitFor({ timeout: 30_000 });
    assert.equal(labelOf(files[0]!), 'accepted', 'moving on saved the label');
    await queuePane(page).locator('.message', { hasText: '1 of 4 reviewed' }).first().waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('.tabs-container .tab', { hasText: 'trajectory.jsonl' }).count(), 1, 'the tab left behind is closed');
    // The status bar: reviewed/total, the pace per hour, the time the three left take.
    await queueStatus(page).filter({ hasText: '1/4 reviewed' }).waitFor({ timeout: 15_000 });
    assert.match((await queueStatus(page).textContent()) ?? '', /^\s*1\/4 reviewed · \d+\/h · (\d+ (h \d+ )?min|under a minute) left\s*$/);
    // The move left the Explorer closed (it would reveal the file, expanding the run folders) and the queue in view.
    assert.equal(await page.locator('.explorer-folders-view').isVisible(), false, 'the Explorer stays closed');
    assert.ok(await queuePane(page).locator('.monaco-list-row').first().isVisible());

    // Reject this one, then back with p: the first is shown, labelled.
    await frame.locator('.turn-head').first().click();
    await page.keyboard.press('r');
    await frame.locator('.verdict.label-rejected').waitFor();
    await page.keyboard.press('p');
    frame = await webviewFrame(page, '.question', questions[0]);
    await frame.locator('.verdict.label-accepted').waitFor({ timeout: 30_000 });
    assert.equal(labelOf(files[1]!), 'rejected');

    // Resume goes to the first not yet reviewed: the third.
    await runFromPalette(page, 'Glance-or-Gaze: Review Queue: Resume at the First Unreviewed');
    frame = await webviewFrame(page, '.question', questions[2]);
    await frame.locator('.verdict', { hasText: 'Not reviewed' }).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(TEST_OUT_SCREENSHOTS, 'workbench-review-queue.png') });
  });

  it('Re-run from here runs gog.rerunFromStep on the turn: a branch run beside the trajectory, from that turn', async () => {
    const { page } = session;
    const frame = await webviewFrame(page, '.question', questions[2]);
    await frame.locator('.turn[data-step="1"] button', { hasText: 'Re-run from here' }).click();
    await page.locator('.notifications-toasts', { hasText: 'the branch from step 1' }).first().waitFor({ timeout: 60_000 });
    const branches = path.join(path.dirname(files[2]!), 'branches');
    assert.ok(existsSync(branches), 'a branches folder beside the trajectory');
    const [branch] = readdirSync(branches);
    const header = JSON.parse(readFileSync(path.join(branches, branch!, 'trajectory.jsonl'), 'utf8').split('\n')[0]!) as { parent?: { step: number } };
    assert.equal(header.parent?.step, 1);
  });

  it('lists a branch beside its parent; Keep this branch labels the branch accepted and the parent rejected', async () => {
    const { page } = session;
    await runFromPalette(page, 'Glance-or-Gaze: Open Trajectory…');
    await pickFile(page, parentFile);
    const frame = await webviewFrame(page, '.question', parentQuestion);
    await frame.locator('.branches', { hasText: '1 branch' }).waitFor({ timeout: 30_000 });
    assert.match((await frame.locator('.branches').textContent()) ?? '', /branches\/s2-b1\/trajectory\.jsonl · from turn 2/);
    await frame.locator('.branches .keep-branch').click();
    await frame.locator('.verdict.label-rejected').waitFor();
    for (let i = 0; labelOf(branchFile) !== 'accepted'; i++) {
      if (i > 100) throw new Error('the branch was not labelled');
      await page.waitForTimeout(100);
    }
    assert.equal(labelOf(parentFile), undefined, "the parent's label is an edit to save, not yet on disk");
    await page.keyboard.press('Control+S');
    for (let i = 0; labelOf(parentFile) !== 'rejected'; i++) {
      if (i > 100) throw new Error('the parent was not saved rejected');
      await page.waitForTimeout(100);
    }
    // The branch opens from the list, naming its parent.
    await frame.locator('.branches button', { hasText: 'branches/s2-b1/trajectory.jsonl' }).click();
    await page.locator('.tabs-container .tab.active', { hasText: 'trajectory.jsonl' }).waitFor();
    const branch = await webviewFrame(page, '.parent', 'A branch: re-run from turn 2');
    await branch.locator('.verdict.label-accepted').waitFor({ timeout: 30_000 });
  });

  it('skips to the next unreviewed without a label, and flags one for a second look: an icon, a filter, a file kept across a reload', async () => {
    const { page } = session;
    await runFromPalette(page, 'Glance-or-Gaze: Review Queue: Resume at the First Unreviewed');
    let frame = await webviewFrame(page, '.question', questions[2]);
    await frame.locator('.queue-info', { hasText: '3 of 4' }).waitFor({ timeout: 30_000 });
    // Alt+S in the panel: Skip.
    await frame.locator('.turn-head').first().click();
    await page.keyboard.press('Alt+s');
    frame = await webviewFrame(page, '.question', questions[3]);
    await frame.locator('.queue-info', { hasText: '4 of 4' }).waitFor({ timeout: 30_000 });
    assert.equal(labelOf(files[2]!), undefined, 'the skipped one has no label');
    await row(page, SAMPLE_IDS[2]!).locator('.label-description', { hasText: 'skipped' }).waitFor({ timeout: 15_000 });
    assert.match((await queueStatus(page).textContent()) ?? '', /2\/4 reviewed/, 'a skip is not a review');

    // Flag the one on screen: a flag icon on its row, in this annotator's flags file.
    // Alt+G in the panel: Flag.
    await frame.locator('.turn-head').first().click();
    await page.keyboard.press('Alt+g');
    await row(page, SAMPLE_IDS[3]!).locator('.custom-view-tree-node-item-icon.codicon-flag').waitFor({ timeout: 15_000 });
    assert.equal(await queuePane(page).locator('.monaco-list-row .custom-view-tree-node-item-icon.codicon-flag').count(), 1);
    const profile = path.join(path.dirname(session.workspace), 'profile');
    const [flagsFile, ...more] = findFiles(profile, /[\\/]review-index[\\/][0-9a-f]+\.flags[\\/][^\\/]+\.json$/);
    assert.ok(flagsFile, 'a flags file beside the queue index');
    assert.deepEqual(more, []);
    assert.deepEqual((JSON.parse(readFileSync(flagsFile, 'utf8')) as { flagged: string[] }).flagged, [`${RUNS[3]}/trajectory.jsonl`]);

    // The flagged only.
    await runFromPalette(page, 'Glance-or-Gaze: Review Queue: Show Flagged');
    await queueMessage(page).filter({ hasText: 'showing 1: flagged' }).waitFor({ timeout: 15_000 });
    // The tree redraws after the message: wait for its rows to be the flagged one.
    for (let i = 0; (await queuePane(page).locator('.monaco-list-row').count()) !== 1; i++) {
      if (i > 150) throw new Error('the view kept showing the unflagged');
      await page.waitForTimeout(100);
    }
    assert.deepEqual(await queuePane(page).locator('.monaco-list-row .label-name').allTextContents(), [SAMPLE_IDS[3]]);
    await runFromPalette(page, 'Glance-or-Gaze: Review Queue: Clear Filter');
    await queuePane(page).locator('.monaco-list-row').nth(3).waitFor({ timeout: 15_000 });

    // A reload of the window: the queue comes back with its flag.
    await page.reload();
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await row(page, SAMPLE_IDS[3]!).locator('.custom-view-tree-node-item-icon.codicon-flag').waitFor({ timeout: 60_000 });
    await queueStatus(page).filter({ hasText: '2/4 reviewed' }).waitFor({ timeout: 30_000 });
  });
});
