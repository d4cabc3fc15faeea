// The run review's trajectory search in the real VS Code (code-server in Chromium): a run
// in the workspace's .gog/runs/ opened from the Runs view, a word typed into its "Search
// trajectories…" box, and the extension searching the run's trajectory files on its side
// (worker threads from dist/findWorker.js) until the table lists exactly the samples whose
// trajectories hold it, one of them from the run's second message of rows; the filter's
// chip removed lists every sample again.
import { strict as assert } from 'node:assert';
import { appendFileSync, mkdirSync, cpSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { SampleResult } from '../../../src/data/results';
import { syntheticResults, writeBenchRun } from '../../helpers/benchRuns';
import { tempDir } from '../../helpers/fixtures';
import { makeScreenshotDirs, TEST_OUT_SCREENSHOTS } from '../../helpers/screenshots';
import { afterTry, openWorkbench, webviewFrame, type Session } from './session';

const RUN = '20261126-100000-bench';
/** The samples (results.jsonl lines) whose trajectories get the word; 601 comes in the run's second message. */
const PLANTED = [3, 250, 601];
const WORD = 'Wombat';

describe('workbench: searching a run’s trajectories', () => {
  const made = tempDir('gog-workbench-find-');
  let session: Session;
  let results: SampleResult[];

  before(async () => {
    makeScreenshotDirs();
    results = syntheticResults(700, { seed: 5 });
    const dir = path.join(made.dir, RUN);
    await writeBenchRun(dir, results);
    for (const i of PLANTED)
      appendFileSync(
        path.join(dir, results[i]!.trajectory),
        JSON.stringify({ type: 'reflection', step: 1, t: '2026-11-26T10:00:00.000Z', kind: 'reflect', text: `A ${WORD} in sample ${i}.` }) + '\n',
      );
    session = await openWorkbench((ws) => {
      cpSync(made.dir, path.join(ws, '.gog', 'runs'), { recursive: true });
      mkdirSync(path.join(ws, '.vscode'));
      writeFileSync(path.join(ws, '.vscode', 'settings.json'), JSON.stringify({ 'workbench.startupEditor': 'none' }));
    });
  });

  afterEach(async function () {
    await afterTry(this.currentTest, session, 'find');
  });

  after(async () => {
    await session?.close();
    made.cleanup();
  });

  it('lists the samples whose trajectories hold a word typed in the search box, and all again when its chip is removed', async () => {
    const { page } = session;
    await page.locator('.activitybar .action-item a[aria-label^="Glance-or-Gaze"]').click();
    const row = page.locator('.pane-body .monaco-list-row', { hasText: RUN });
    await row.waitFor({ timeout: 60_000 });
    await row.locator('.label-name').click();
    let frame = await webviewFrame(page, 'h1.run-title', RUN);
    await frame.locator('.shown', { hasText: new RegExp(`^${results.length} samples$`) }).waitFor();

    await frame.locator('.find-text').fill(WORD.toLowerCase());
    await frame.locator('.find-status', { hasText: /^In the trajectories of 3 samples$/ }).waitFor({ timeout: 60_000 });
    await frame.locator('.shown', { hasText: `3 of ${results.length} samples` }).waitFor();
    const keys = await frame
      .locator('.vt-body .vt-row:not([hidden])')
      .evaluateAll((rows) => rows.map((r) => Number((r as unknown as { dataset: { key: string } }).dataset.key)));
    assert.deepEqual(
      keys.sort((x, y) => x - y),
      PLANTED,
    );
    // Selected with the keyboard (a click opens the sample): its match shows under the table.
    await frame.locator(`.vt-body .vt-row[data-key="${keys[0]}"]`).focus();
    await frame.locator('.vt-body').press('ArrowDown');
    await frame.locator('.detail-found mark', { hasText: WORD }).first().waitFor();
    await page.screenshot({ path: path.join(TEST_OUT_SCREENSHOTS, 'workbench-runs-find.png') });
    // A click opens the sample in the editor; back on the run, the search and what it found are there again.
    await frame.locator(`.vt-body .vt-row[data-key="${PLANTED[2]}"]`).click();
    await page.locator('.tabs-container .tab.active', { hasText: 'trajectory.jsonl' }).waitFor();
    await page.locator('.tabs-container .tab', { hasText: `Run: ${RUN}` }).click();
    frame = await webviewFrame(page, '.shown', `3 of ${results.length} samples`);
    assert.equal(await frame.locator('.find-text').inputValue(), WORD.toLowerCase());

    await frame.locator('.facet[data-facet="found"]').click();
    await frame.locator('.shown', { hasText: new RegExp(`^${results.length} samples$`) }).waitFor();
  });
});
