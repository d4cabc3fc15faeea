// Annotating a trajectory in the real VS Code, driven as a person does: edits made in the
// panel by key make the tab dirty, Ctrl+S appends them after the untouched original, a
// reload shows them again; Ctrl+Z takes them back until the file is byte for byte what it
// was, and Ctrl+Y puts them back. Screenshots in test/.out/screenshots/.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { applyAnnotations } from '../../../src/core/annotations';
import { annotationsFolderOf, annotatorFileOf } from '../../../src/core/annotationFiles';
import { parseTrajectory } from '../../../src/core/trajectoryFile';
import { makeScreenshotDirs, TEST_OUT_SCREENSHOTS } from '../../helpers/screenshots';
import { afterTry, openWorkbench, ROOT, runFromPalette, webviewFrame, type Session } from './session';

const REL = 'demo/1-astronaut-patch/trajectory.jsonl';

describe('workbench: annotating a trajectory', () => {
  let session: Session;
  let file = '';
  let original: Buffer;
  let question = '';

  before(async () => {
    makeScreenshotDirs();
    session = await openWorkbench((ws) => {
      execFileSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'demo', '--out', path.join(ws, 'demo')], { cwd: ws, stdio: 'ignore' });
      mkdirSync(path.join(ws, '.vscode'));
      writeFileSync(path.join(ws, '.vscode', 'settings.json'), JSON.stringify({ 'workbench.startupEditor': 'none', 'files.hotExit': 'onExitAndWindowClose' }));
      file = path.join(ws, REL);
      original = readFileSync(file);
      question = (JSON.parse(original.toString('utf8').split('\n')[0]!) as { question: string }).question;
    });
  });

  afterEach(async function () {
    await afterTry(this.currentTest, session, 'annotate');
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
    await frame.locator('.review-bar').waitFor({ timeout: 30_000 });
    return frame;
  }

  const tab = (page: Page) => page.locator('.tabs-container .tab', { hasText: 'trajectory.jsonl' }).first();
  /**
   * The trajectory's editor after the window was reloaded: the one the window restored, or
   * opened again when it restored none (a page reload can cut short the saving of the window's
   * state; code-server then shows its Welcome page, or no editor). Decided by what the editor
   * area shows, not by waiting out a minute for a webview that is not coming.
   */
  async function afterReload(page: Page): Promise<Frame> {
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    // Nothing restored shows as the Welcome page, or as the empty editor area's watermark.
    const nothing = page.locator('.tabs-container .tab', { hasText: 'Welcome' }).or(page.locator('.editor-group-watermark'));
    await tab(page)
      .or(nothing)
      .first()
      .waitFor({ timeout: 30_000 })
      .catch(() => undefined);
    return (await tab(page).count()) ? webviewFrame(page, '.question', question) : openTrajectory(page);
  }
  const isDirty = async (page: Page) => /\bdirty\b/.test((await tab(page).getAttribute('class')) ?? '');
  async function until(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
    for (const started = Date.now(); !(await check());) {
      if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting until ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  /** What a save wrote: the trajectory file, then the annotators' files beside it (annotationFiles.ts), as one record. */
  const annotatorBytes = () => {
    const dir = annotationsFolderOf(file);
    return existsSync(dir)
      ? readdirSync(dir)
          .sort()
          .map((n) => readFileSync(path.join(dir, n)))
      : [];
  };
  const onDisk = () => Buffer.concat([readFileSync(file), ...annotatorBytes()]);

  it('edits by key make the tab dirty; Ctrl+S appends them after the untouched original; a reload shows them', async () => {
    const { page } = session;
    let frame = await openTrajectory(page);
    assert.equal(await isDirty(page), false);
    await frame.locator('.turn[data-step="1"] .turn-head').click();
    await frame.locator('.gaze[data-step="1"] .handle').first().waitFor();
    await page.keyboard.press('e');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Escape');
    await page.keyboard.press('a');
    await frame.locator('.verdict.label-accepted').waitFor();
    await until('the tab is dirty', () => isDirty(page));
    assert.ok(onDisk().equals(original), 'nothing is written before a save');
    await page.screenshot({ path: path.join(TEST_OUT_SCREENSHOTS, 'workbench-annotate-dirty.png') });

    await page.keyboard.press('Control+S');
    await until('the tab is saved', async () => !(await isDirty(page)));
    const saved = onDisk();
    assert.ok(saved.subarray(0, original.length).equals(original), 'the original bytes are untouched');
    const added = saved.subarray(original.length).toString('utf8').trim().split('\n');
    const ops = added.map((l) => (JSON.parse(l) as { type: string; edit: { op: string } }).edit.op);
    assert.deepEqual(ops, ['set_box', 'label']);
    const t = parseTrajectory(saved.toString('utf8'));
    assert.deepEqual(t.problems, []);
    const corrected = applyAnnotations(t.header, t.events);
    assert.equal(corrected.label?.label, 'accepted');
    assert.equal(corrected.changed.size, 1);
    assert.deepEqual(corrected.problems, []);

    // A reload of the window: the saved annotations are read back and shown, in the editor
    // the window restores. (The command saves the window's state first; a page reload right
    // after a save can cut that short, and the window then restores no editor.)
    await Promise.all([page.waitForEvent('load', { timeout: 60_000 }), runFromPalette(page, 'Developer: Reload Window')]);
    frame = await afterReload(page);
    await frame.locator('.verdict.label-accepted').waitFor({ timeout: 30_000 });
    await frame.locator('.turn[data-step="1"] .mark-changed').waitFor();
    await frame.locator('.ghost').waitFor({ state: 'attached' });
    // Not the tab's dirty dot: code-server may restore a hot-exit backup taken before the save
    // and mark the tab dirty. The file is what counts: the reload added nothing to it.
    assert.ok(onDisk().equals(saved), 'a reload writes nothing');
    await page.screenshot({ path: path.join(TEST_OUT_SCREENSHOTS, 'workbench-annotate-reloaded.png') });
  });

  it('Ctrl+Z takes edits back until the file is byte for byte what it was; Ctrl+Y puts them back', async () => {
    const { page } = session;
    const frame = await webviewFrame(page, '.question', question);
    const before = onDisk();
    await tab(page).click();
    await frame.locator('.turn[data-step="2"] .turn-head').click();
    await page.keyboard.press('d'); // drop turn 2
    await frame.locator('.turn.dropped[data-step="2"]').waitFor();
    await page.keyboard.press('r'); // rejected
    await frame.locator('.verdict.label-rejected').waitFor();
    await until('the tab is dirty', () => isDirty(page));

    // Twice at once, as a person does: neither is lost (VS Code refuses an undo while one runs),
    // and neither overtakes the edits before it.
    await page.keyboard.press('Control+Z');
    await page.keyboard.press('Control+Z');
    await frame.locator('.verdict.label-accepted').waitFor();
    await frame.locator('.turn:not(.dropped)[data-step="2"]').waitFor();
    await until('the tab is clean again', async () => !(await isDirty(page)));
    await page.keyboard.press('Control+S');
    await page.waitForTimeout(500);
    assert.ok(onDisk().equals(before), 'undoing every edit leaves the file exactly as it was');

    await page.keyboard.press('Control+Y');
    await frame.locator('.turn.dropped[data-step="2"]').waitFor();
    await until('the tab is dirty', () => isDirty(page));
    // u is the panel's own key for the same undo.
    await page.keyboard.press('u');
    await frame.locator('.turn:not(.dropped)[data-step="2"]').waitFor();
    await until('the tab is clean again', async () => !(await isDirty(page)));

    // Undo past a save: the saved label is taken back by a revert appended on the next save.
    await page.keyboard.press('f');
    await frame.locator('.verdict.label-needs-fix').waitFor();
    await until('the tab is dirty', () => isDirty(page));
    await page.keyboard.press('Control+S');
    await until('the tab is saved', async () => !(await isDirty(page)));
    const withLabel = onDisk();
    await page.keyboard.press('Control+Z');
    await frame.locator('.verdict.label-accepted').waitFor();
    await until('the tab is dirty', () => isDirty(page));
    await page.keyboard.press('Control+S');
    await until('the tab is saved', async () => !(await isDirty(page)));
    const after = onDisk();
    assert.ok(after.subarray(0, withLabel.length).equals(withLabel), 'what was saved before is untouched');
    const last = JSON.parse(after.toString('utf8').trim().split('\n').at(-1)!) as { edit: { op: string } };
    assert.equal(last.edit.op, 'revert');
    const t = parseTrajectory(after.toString('utf8'));
    const corrected = applyAnnotations(t.header, t.events);
    assert.equal(corrected.label?.label, 'accepted', 'the needs-fix label is taken back on disk too');
    assert.equal(corrected.changed.size, 1, 'the moved box stays');
  });

  it('unsaved edits are not lost on a reload of the window', async () => {
    const { page } = session;
    let frame = await webviewFrame(page, '.question', question);
    const before = onDisk();
    await frame.locator('.turn[data-step="2"] .turn-head').click();
    await page.keyboard.press('d');
    await frame.locator('.turn.dropped[data-step="2"]').waitFor();
    await until('the tab is dirty', () => isDirty(page));
    await page.waitForTimeout(2500); // VS Code backs dirty editors up a moment after a change
    await page.reload();
    frame = await afterReload(page);
    await frame.locator('.turn.dropped[data-step="2"]').waitFor({ timeout: 30_000 });
    // The web workbench saves dirty editors as the page unloads (desktop VS Code keeps a hot-exit
    // backup instead, restored dirty): either way the edit is there, and the file holds the
    // original with at most that one annotation appended.
    const now = onDisk();
    assert.ok(now.subarray(0, before.length).equals(before), 'what was on disk is untouched');
    const added = now.subarray(before.length).toString('utf8').trim();
    if (added) assert.deepEqual((JSON.parse(added) as { edit: unknown }).edit, { op: 'drop_step', target: 2 });
    else await until('the restored editor is dirty', () => isDirty(page), 30_000);
    // After a reload nothing has the keyboard focus until something is clicked, as for a person.
    await tab(page).click();
    await page.keyboard.press('Control+S');
    // What counts is on disk. (code-server keeps the dirty dot on an editor restored from a
    // hot-exit backup even after a save that wrote it: checked by the file, not the tab.)
    const dropped = () => [...applyAnnotations(parseTrajectory(onDisk().toString('utf8')).header, parseTrajectory(onDisk().toString('utf8')).events).dropped];
    await until('turn 2 is dropped on disk', () => Promise.resolve(dropped().includes(2)));
    assert.ok(onDisk().subarray(0, before.length).equals(before), 'what was on disk is untouched');
    // Put turn 2 back for what follows.
    await frame.locator('.turn[data-step="2"] .turn-head').click();
    await page.keyboard.press('d');
    await frame.locator('.turn:not(.dropped)[data-step="2"]').waitFor();
    for (let i = 0; dropped().length; i++) {
      if (i > 10) throw new Error('turn 2 was not put back on disk');
      await page.waitForTimeout(500); // the edit reaches VS Code a moment after the view shows it
      await page.keyboard.press('Control+S');
      await page.waitForTimeout(1000);
    }
  });

  it("shows another annotator's labels as soon as their file lands beside the trajectory (a git pull), writing nothing", async () => {
    const { page } = session;
    const frame = await webviewFrame(page, '.question', question);
    const before = onDisk();
    const trajectoryBefore = readFileSync(file);
    const theirs = annotatorFileOf(file, 'Ben Okafor');
    mkdirSync(path.dirname(theirs), { recursive: true });
    const line = { type: 'annotation', step: 0, t: new Date().toISOString(), id: 'ben-1', author: 'Ben Okafor', edit: { op: 'label', label: 'rejected' } };
    writeFileSync(theirs, JSON.stringify(line) + '\n');
    await frame.locator('.verdict.label-rejected', { hasText: 'Ben Okafor' }).waitFor({ timeout: 15_000 });
    await page.waitForTimeout(500);
    assert.ok(readFileSync(file).equals(trajectoryBefore), 'the trajectory file is untouched');
    assert.ok(readFileSync(theirs).equals(Buffer.from(JSON.stringify(line) + '\n')), 'their file is as they wrote it');
    assert.equal(onDisk().length, before.length + Buffer.byteLength(JSON.stringify(line) + '\n'), 'nothing else was written');
  });

  it('lines appended on disk while edits are unsaved are kept, the save goes after them; a file rewritten on disk is never saved over', async () => {
    const { page } = session;
    const frame = await webviewFrame(page, '.question', question);
    // Another annotator's "rejected" is shown already: the unsaved change is what says the key
    // landed. A key pressed while the webview takes the focus back can go to the workbench
    // instead, as it can for a person, who presses it again.
    const unsaved = frame.locator('.review-bar .unsaved', { hasText: /unsaved change/ });
    for (let tries = 1; ; tries++) {
      await frame.locator('.turn[data-step="1"] .turn-head').click();
      // Pressed again only while no press has landed: each press adds a label.
      if (!(await unsaved.count())) await page.keyboard.press('r');
      try {
        await unsaved.waitFor({ timeout: 5000 });
        break;
      } catch (e) {
        if (tries === 3) throw e;
        console.log(`    (the key "r" went elsewhere; pressed again, try ${tries + 1})`);
      }
    }
    assert.equal(await unsaved.textContent(), '1 unsaved change · Ctrl+S saves them into the file');
    await frame.locator('.verdict.label-rejected').waitFor();
    await until('the tab is dirty', () => isDirty(page));
    // `gog label` (or a run still writing) appends while the editor holds unsaved edits.
    const t = new Date().toISOString();
    appendFileSync(
      file,
      JSON.stringify({ type: 'annotation', step: 0, t, id: 'cli-1', edit: { op: 'label', label: 'needs-fix', note: 'from a script' } }) + '\n',
    );
    const appended = onDisk();
    await page.waitForTimeout(1500); // the watcher's debounce
    await frame.locator('.turn[data-step="1"] .turn-head').click();
    await page.keyboard.press('Control+S');
    await until('the tab is saved', async () => !(await isDirty(page)));
    const saved = onDisk();
    assert.ok(saved.subarray(0, appended.length).equals(appended), 'the appended line is kept');
    const last = JSON.parse(saved.toString('utf8').trim().split('\n').at(-1)!) as { edit: { op: string; label?: string } };
    assert.deepEqual([last.edit.op, last.edit.label], ['label', 'rejected']);
    assert.equal(applyAnnotations(parseTrajectory(saved.toString('utf8')).header, parseTrajectory(saved.toString('utf8')).events).label?.label, 'rejected');

    // Someone rewrites the file while an edit is unsaved: Save refuses and says so; the file stays theirs.
    await page.keyboard.press('a');
    await frame.locator('.verdict.label-accepted').waitFor();
    await until('the tab is dirty', () => isDirty(page));
    const annotatorsBefore = Buffer.concat(annotatorBytes());
    writeFileSync(file, original);
    await page.waitForTimeout(1500);
    await frame.locator('.turn[data-step="1"] .turn-head').click();
    await page.keyboard.press('Control+S');
    await page.locator('.notifications-toasts', { hasText: 'changed on disk' }).first().waitFor({ timeout: 15_000 });
    await page.waitForTimeout(1000);
    assert.ok(readFileSync(file).equals(original) && Buffer.concat(annotatorBytes()).equals(annotatorsBefore), 'the rewritten file is not saved over');
    assert.equal(await isDirty(page), true, 'the unsaved edit is kept');
    await page.screenshot({ path: path.join(TEST_OUT_SCREENSHOTS, 'workbench-annotate-conflict.png') });
  });
});
