// Run Benchmark… in the real VS Code (code-server in Chromium), as a person runs it: the
// palette, the dataset in the file dialog, then the list of choices with their values; a bad
// concurrency is refused as typed, in the CLI's words; concurrency 3 and 2 rollouts are run
// against a wire server on 127.0.0.1; the next time, the list starts from those choices.
import { strict as assert } from 'node:assert';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { completion, startWireServer, type WireServer } from '../../helpers/wireServer';
import { makeScreenshotDirs } from '../../helpers/screenshots';
import { afterTry, answerQuickInput, openWorkbench, pickFile, ROOT, runFromPalette, type Session } from './session';

/** The row of the open list whose label is `label`, and its value (the description). */
const choiceRow = (page: Page, label: RegExp) =>
  page
    .locator('.quick-input-widget .quick-input-list .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: label }) })
    .first();

describe('workbench: Run Benchmark… with its choices', () => {
  let session: Session;
  let server: WireServer;
  let dataset: string;

  before(async () => {
    makeScreenshotDirs();
    server = await startWireServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(completion('<think>The patch says so.</think>\n<answer>Apollo 11</answer>'));
    });
    session = await openWorkbench((ws) => {
      mkdirSync(path.join(ws, '.vscode'));
      writeFileSync(
        path.join(ws, '.vscode', 'settings.json'),
        JSON.stringify({ 'workbench.startupEditor': 'none', 'gog.endpoint': server.url, 'gog.stream': false }),
      );
      mkdirSync(path.join(ws, 'data'));
      copyFileSync(path.join(ROOT, 'media', 'demo', 'images', 'rocket.jpg'), path.join(ws, 'data', 'rocket.jpg'));
      const records = ['Apollo 11', 'Gemini 4', 'Skylab'].map((answer, i) => ({
        id: `q${i}`,
        question: `Which mission is this (${i})?`,
        answer,
        image: 'rocket.jpg',
      }));
      dataset = path.join(ws, 'data', 'missions.jsonl');
      writeFileSync(dataset, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    });
  });

  afterEach(async function () {
    await afterTry(this.currentTest, session, 'bench-choices');
  });

  after(async () => {
    await session?.close();
    await server?.close();
  });

  const openChoices = async (page: Page) => {
    await runFromPalette(page, 'Glance-or-Gaze: Run Benchmark…');
    await pickFile(page, dataset);
    await choiceRow(page, /^Concurrency$/).waitFor({ timeout: 30_000 });
  };

  const edit = async (page: Page, label: RegExp, value: string) => {
    await choiceRow(page, label).click();
    await answerQuickInput(page, value);
    await choiceRow(page, label).waitFor();
  };

  it('refuses a bad value as it is typed, runs with the choices made, and starts from them the next time', async () => {
    const { page } = session;
    await openChoices(page);
    assert.equal(
      await choiceRow(page, /^Concurrency$/)
        .locator('.label-description')
        .textContent(),
      '4',
    );
    // The CLI's rule and words: `gog bench --concurrency 0` says the same.
    await choiceRow(page, /^Concurrency$/).click();
    const widget = page.locator('.quick-input-widget');
    await widget.locator('input').fill('0');
    await widget.filter({ hasText: '--concurrency must be a whole number from 1 to 1024; got 0' }).waitFor();
    await widget.locator('input').fill('3');
    await page.keyboard.press('Enter');
    await choiceRow(page, /^Concurrency$/).waitFor();
    await edit(page, /^Rollouts$/, '2');
    assert.equal(
      await choiceRow(page, /^Concurrency$/)
        .locator('.label-description')
        .textContent(),
      '3',
    );
    assert.equal(
      await choiceRow(page, /^Rollouts$/)
        .locator('.label-description')
        .textContent(),
      '2',
    );
    await choiceRow(page, /Run$/).click();

    // The run: three samples × two rollouts, in a new folder under .gog/runs/.
    const runs = path.join(session.workspace, '.gog', 'runs');
    const resultsOf = () =>
      existsSync(runs)
        ? readdirSync(runs).flatMap((d) => {
            const f = path.join(runs, d, 'summary.json');
            return existsSync(f) ? [JSON.parse(readFileSync(f, 'utf8')) as { done: number; finished: boolean }] : [];
          })
        : [];
    await page.locator('.notifications-toasts', { hasText: /6 results/ }).waitFor({ timeout: 60_000 });
    const summaries = resultsOf();
    assert.equal(summaries.length, 1);
    assert.equal(summaries[0]!.done, 6);
    const meta = JSON.parse(readFileSync(path.join(runs, readdirSync(runs)[0]!, 'bench.json'), 'utf8')) as { rollouts: number };
    assert.equal(meta.rollouts, 2);

    // The next time the list starts from what was chosen for this dataset.
    await openChoices(page);
    assert.equal(
      await choiceRow(page, /^Concurrency$/)
        .locator('.label-description')
        .textContent(),
      '3',
    );
    assert.equal(
      await choiceRow(page, /^Rollouts$/)
        .locator('.label-description')
        .textContent(),
      '2',
    );
    await page.keyboard.press('Escape');
  });
});
