// Reviewing benchmark runs in the real VS Code (code-server in Chromium), as a person would:
// the Runs view lists two runs in the workspace's .gog/runs/ with their scores; a click
// opens the failures table; a filter and a click open a sample in the trajectory editor;
// back on the table, the filter and the selection are as they were left; then the two runs
// compared; a run renamed and given notes; the listed rows exported. The runs are real folders: results.jsonl, summary.json, trajectories, photos.
import { strict as assert } from 'node:assert';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { SampleResult } from '../../../src/data/results';
import { isRight } from '../../../src/data/verdict';
import { syntheticResults, writeBenchRun } from '../../helpers/benchRuns';
import { tempDir } from '../../helpers/fixtures';
import { makeScreenshotDirs, TEST_OUT_SCREENSHOTS } from '../../helpers/screenshots';
import { afterTry, answerQuickInput, openWorkbench, runFromPalette, webviewFrame, type Session } from './session';

const RUN_A = '20261124-100000-bench';
const RUN_B = '20261125-100000-bench';

describe('workbench: reviewing benchmark runs', () => {
  const made = tempDir('gog-workbench-runs-');
  let session: Session;
  let a: SampleResult[];
  let b: SampleResult[];

  before(async () => {
    makeScreenshotDirs();
    a = syntheticResults(700, { seed: 3 }); // over FIRST_ROWS: the table comes in two messages
    b = syntheticResults(700, { seed: 11 });
    await writeBenchRun(path.join(made.dir, RUN_A), a);
    await writeBenchRun(path.join(made.dir, RUN_B), b);
    session = await openWorkbench((ws) => {
      cpSync(made.dir, path.join(ws, '.gog', 'runs'), { recursive: true });
      mkdirSync(path.join(ws, '.vscode'));
      writeFileSync(path.join(ws, '.vscode', 'settings.json'), JSON.stringify({ 'workbench.startupEditor': 'none' }));
    });
  });

  afterEach(async function () {
    await afterTry(this.currentTest, session, 'runs');
  });

  after(async () => {
    await session?.close();
    made.cleanup();
  });

  it('lists the runs with their scores in the Runs view and opens the failures table from it', async () => {
    const { page } = session;
    await page.locator('.activitybar .action-item a[aria-label^="Glance-or-Gaze"]').click();
    const row = page.locator('.pane-body .monaco-list-row', { hasText: RUN_A });
    await row.waitFor({ timeout: 60_000 });
    const right = a.filter(isRight).length;
    assert.equal(await row.locator('.label-description').textContent(), `${((100 * right) / a.length).toFixed(1)}% · ${a.length} samples`);
    await page.locator('.pane-body .monaco-list-row', { hasText: RUN_B }).waitFor();
    await row.locator('.label-name').click();
    const frame = await webviewFrame(page, 'h1.run-title', RUN_A);
    await frame.locator('.vt-body .vt-row').first().waitFor();
    await frame.locator('.shown', { hasText: new RegExp(`^${a.length} samples$`) }).waitFor();
  });

  it('filters, opens a sample in the trajectory editor, and finds the table as it was on coming back', async () => {
    const { page } = session;
    let frame = await webviewFrame(page, 'h1.run-title', RUN_A);
    const parse = a.filter((r) => r.cause === 'parse_error');
    assert.ok(parse.length > 3);
    await frame.locator('.cause-chip[data-cause="parse_error"]').click();
    // A sample from the second message of the run: its selection is put back once all rows are in.
    const term = parse.find((r) => a.indexOf(r) >= 500)!.gold[0]!;
    await frame.locator('.filter-text').fill(term);
    const listed = parse.filter((r) => `${r.question}\n${r.answer}\n${r.gold.join('\n')}`.toLowerCase().includes(term.toLowerCase()));
    const shown = `${listed.length} of ${a.length} samples`;
    await frame.locator('.shown', { hasText: shown }).waitFor();
    const first = listed.at(-1)!;
    const key = a.indexOf(first);
    assert.ok(key >= 500);
    await frame.locator(`.vt-body .vt-row[data-key="${key}"]`).click();
    // The sample opens in the trajectory editor, in the table's group.
    const editor = await webviewFrame(page, '.question', first.question);
    await editor.locator(`.turn[data-step="${first.turns}"]`).waitFor({ timeout: 30_000 });
    await page.locator('.tabs-container .tab.active', { hasText: 'trajectory.jsonl' }).waitFor();
    await page.screenshot({ path: path.join(TEST_OUT_SCREENSHOTS, 'workbench-runs-sample.png') });
    // Back to the table: the same filters, the same count, the same row selected.
    await page.locator('.tabs-container .tab', { hasText: `Run: ${RUN_A}` }).click();
    frame = await webviewFrame(page, '.shown', shown);
    assert.equal(await frame.locator('.cause-chip[data-cause="parse_error"]').getAttribute('aria-pressed'), 'true');
    assert.equal(await frame.locator('.filter-text').inputValue(), term);
    assert.equal(await frame.locator('.vt-row[aria-selected="true"]').getAttribute('data-key'), String(key));
    await page.screenshot({ path: path.join(TEST_OUT_SCREENSHOTS, 'workbench-runs-back.png') });
  });

  it('steps to the next and previous sample the table lists from the trajectory editor, and the table follows', async () => {
    const { page } = session;
    let frame = await webviewFrame(page, 'h1.run-title', RUN_A);
    // The parse errors, in dataset order: the list the editor steps through.
    await frame.locator('.filter-text').fill('');
    const parse = a.filter((r) => r.cause === 'parse_error');
    await frame.locator('.shown', { hasText: `${parse.length} of ${a.length} samples` }).waitFor();
    await frame.locator(`.vt-body .vt-row[data-key="${a.indexOf(parse[0]!)}"]`).click();
    let editor = await webviewFrame(page, '.question', parse[0]!.question);
    await editor.locator('.turn').first().waitFor({ timeout: 30_000 });
    // The editor's title bar has both buttons; the palette steps too.
    await page.locator('.editor-actions .action-label[aria-label^="Next Sample"]').click();
    await webviewFrame(page, '.question', parse[1]!.question);
    await runFromPalette(page, 'Glance-or-Gaze: Next Sample');
    editor = await webviewFrame(page, '.question', parse[2]!.question);
    await editor.locator('.turn').first().waitFor({ timeout: 30_000 });
    await page.locator('.editor-actions .action-label[aria-label^="Previous Sample"]').click();
    editor = await webviewFrame(page, '.question', parse[1]!.question);
    await editor.locator('.turn').first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(TEST_OUT_SCREENSHOTS, 'workbench-runs-next-sample.png') });
    // One editor tab, replaced in place, not one per sample.
    assert.equal(await page.locator('.tabs-container .tab', { hasText: 'trajectory.jsonl' }).count(), 1);
    // Back on the table: the sample the editor reached is the one selected.
    await page.locator('.tabs-container .tab', { hasText: `Run: ${RUN_A}` }).click();
    frame = await webviewFrame(page, 'h1.run-title', RUN_A);
    await frame.locator(`.vt-row[aria-selected="true"][data-key="${a.indexOf(parse[1]!)}"]`).waitFor();
  });

  it('compares the two runs: regressions listed, and where a sample’s trajectories part', async () => {
    const { page } = session;
    await runFromPalette(page, 'Glance-or-Gaze: Compare Runs…');
    const pick = async (name: string) => {
      const item = page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first();
      await item.waitFor();
      await item.click();
    };
    await pick(RUN_A);
    await pick(RUN_B);
    const frame = await webviewFrame(page, 'h1.compare-title', 'Comparing two runs');
    const regressions = a.filter((r, i) => isRight(r) && !isRight(b[i]!));
    await frame.locator('.change-chip[data-change="regression"] .chip-count', { hasText: String(regressions.length) }).waitFor();
    // Only the regressions listed, whichever changes the view starts with.
    for (const [change, want] of [
      ['regression', 'true'],
      ['improvement', 'false'],
    ] as const) {
      const chip = frame.locator(`.change-chip[data-change="${change}"]`);
      if ((await chip.getAttribute('aria-pressed')) !== want) await chip.click();
    }
    await frame
      .locator('.compare-view .shown, .shown', { hasText: `${regressions.length} of ${a.length} samples` })
      .first()
      .waitFor();
    const key = a.indexOf(regressions[0]!);
    await frame.locator(`.vt-body .vt-row[data-key="${key}"]`).click();
    await frame.locator('.compare-detail .detail-question', { hasText: regressions[0]!.question }).waitFor();
    const divergence = frame.locator('.compare-detail .divergence:not(.dim)');
    await divergence.waitFor({ timeout: 30_000 });
    assert.doesNotMatch((await divergence.textContent())!, /Could not/);
    await page.screenshot({ path: path.join(TEST_OUT_SCREENSHOTS, 'workbench-runs-compare.png') });
  });
  it('renames a run and gives it notes: kept in its folder, shown in the table and the Runs view; Export Table… writes the rows listed', async () => {
    const { page, workspace } = session;
    const runDir = path.join(workspace, '.gog', 'runs', RUN_A);
    // Named by its folder again, should a first try have renamed it (the suite retries once).
    rmSync(path.join(runDir, 'notes.json'), { force: true });
    await page
      .locator('.tabs-container .tab', { hasText: /^Run: / })
      .first()
      .click();
    let frame = await webviewFrame(page, 'h1.run-title');
    await frame.locator('vscode-button', { hasText: 'Rename…' }).click();
    await answerQuickInput(page, 'Qwen2.5-VL 7B, gaze on', /Rename run/);
    frame = await webviewFrame(page, 'h1.run-title', 'Qwen2.5-VL 7B, gaze on');
    await frame.locator('vscode-button', { hasText: 'Add notes…' }).click();
    await answerQuickInput(page, 'checkpoint 1200; provider serper', /Notes on run/);
    await frame.locator('p.run-notes', { hasText: 'checkpoint 1200; provider serper' }).waitFor();
    const stored = JSON.parse(readFileSync(path.join(runDir, 'notes.json'), 'utf8')) as { name?: string; notes?: string };
    assert.equal(stored.name, 'Qwen2.5-VL 7B, gaze on');
    assert.equal(stored.notes, 'checkpoint 1200; provider serper');
    // The Runs view lists it by its new name; the other run keeps its folder's.
    await page.locator('.pane-body .monaco-list-row .label-name', { hasText: 'Qwen2.5-VL 7B, gaze on' }).waitFor({ timeout: 30_000 });
    await page.locator('.pane-body .monaco-list-row .label-name', { hasText: RUN_B }).waitFor();

    // Export Table…: the rows the table lists (parse errors, dataset order), as CSV.
    const parse = a.filter((r) => r.cause === 'parse_error');
    await frame.locator('.filter-text').fill('');
    await frame.locator('.shown', { hasText: `${parse.length} of ${a.length} samples` }).waitFor();
    const out = path.join(workspace, 'parse-errors.csv');
    await frame.locator('vscode-button', { hasText: 'Export Table…' }).click();
    const dialog = page.locator('.quick-input-widget');
    await dialog.locator('input').waitFor();
    // VS Code's own save dialog: it fills in a starting name; replace it with the whole path.
    for (let i = 0; !(await dialog.locator('input').inputValue()).endsWith('.csv'); i++) {
      if (i > 100) throw new Error('the save dialog never showed its starting name');
      await page.waitForTimeout(100);
    }
    await dialog.locator('input').fill(out);
    // The dialog ignores OK while it is still listing the folder for what was typed (its
    // progress bar shows), as it does for a person, who clicks again: so until it closes.
    for (let tries = 1; await dialog.isVisible(); tries++) {
      if (tries > 10) throw new Error('the save dialog never took the path');
      await dialog
        .getByRole('button', { name: 'OK' })
        .click({ timeout: 2000 })
        .catch(() => undefined);
      await dialog.waitFor({ state: 'hidden', timeout: 2000 }).catch(() => undefined);
    }
    await page.locator('.notifications-toasts', { hasText: `${parse.length} samples exported to parse-errors.csv` }).waitFor({ timeout: 30_000 });
    assert.ok(existsSync(out));
    const lines = readFileSync(out, 'utf8').trimEnd().split('\r\n');
    assert.equal(lines.length, parse.length + 1, 'a header and one line per listed sample');
    const questions = lines.slice(1).map((l) => parse.find((r) => l.includes(r.question))?.question);
    assert.deepEqual(
      questions,
      parse.map((r) => r.question),
      'the listed rows in the table’s order (dataset order)',
    );
  });
});
