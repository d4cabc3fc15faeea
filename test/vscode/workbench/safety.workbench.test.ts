// A run folder from someone else, opened in the real VS Code: an image the record names
// that is a link to a file outside the folder is not shown (localResourceRoots alone would
// let a link inside the folder through), and the panel says why.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TEST_OUT_SCREENSHOTS, makeScreenshotDirs } from '../../helpers/screenshots';
import { afterTry, openWorkbench, ROOT, runFromPalette, webviewFrame, type Session } from './session';

describe('workbench: a shared run folder with a link out of it', () => {
  let session: Session;
  const outside = path.join(os.tmpdir(), `gog-outside-${process.pid}.png`);
  let question = '';

  before(async () => {
    makeScreenshotDirs();
    copyFileSync(path.join(ROOT, 'media', 'demo', 'images', 'coffee.png'), outside);
    session = await openWorkbench((ws) => {
      execFileSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'demo', '--out', path.join(ws, 'shared')], { cwd: ws, stdio: 'ignore' });
      const run = path.join(ws, 'shared', '1-astronaut-patch');
      // The first gaze's crop now points at a real photo outside the workspace.
      rmSync(path.join(run, 'images', 's1-crop.jpg'));
      symlinkSync(outside, path.join(run, 'images', 's1-crop.jpg'));
      mkdirSync(path.join(ws, '.vscode'));
      writeFileSync(path.join(ws, '.vscode', 'settings.json'), JSON.stringify({ 'workbench.startupEditor': 'none' }));
      question = (JSON.parse(readFileSync(path.join(run, 'trajectory.jsonl'), 'utf8').split('\n')[0]!) as { question: string }).question;
    });
  });

  afterEach(async function () {
    await afterTry(this.currentTest, session, 'safety');
  });

  after(async () => {
    await session?.close();
    rmSync(outside, { force: true });
  });

  it('the trajectory editor shows the run without the linked image, and says why', async () => {
    const { page } = session;
    await runFromPalette(page, 'Go to File...');
    await page.locator('.quick-input-widget input').fill('shared/1-astronaut-patch/trajectory.jsonl');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'trajectory.jsonl' }).first().waitFor();
    await page.keyboard.press('Enter');
    const frame = await webviewFrame(page, '.question', question);
    await frame.locator('.turn[data-step="2"] img.crop').waitFor({ timeout: 30_000 });
    // The second gaze's crop, a file of the run, loads (once in view: images load lazily); the first, a link out, is not even asked for.
    const crop2 = frame.locator('.turn[data-step="2"] img.crop');
    await crop2.scrollIntoViewIfNeeded();
    let loaded = false;
    for (let i = 0; i < 100 && !loaded; i++) {
      loaded = await crop2.evaluate((img: { complete: boolean; naturalWidth: number }) => img.complete && img.naturalWidth > 0);
      if (!loaded) await page.waitForTimeout(100);
    }
    assert.ok(loaded, 'the crop inside the run folder is shown');
    assert.equal(await frame.locator('.turn[data-step="1"] img.crop').count(), 0);
    assert.match(
      (await frame.locator('.turn[data-step="1"] .refused').textContent()) ?? '',
      /Crop not shown: images\/s1-crop\.jpg links to a file outside the run folder/,
    );
    assert.match((await frame.locator('.withheld').textContent()) ?? '', /1 image named by this record is not shown/);
    const sources = await frame.locator('img').evaluateAll((imgs) => imgs.map((i) => (i as unknown as { src: string }).src));
    assert.ok(!sources.some((s) => s.includes('s1-crop')), sources.join('\n'));
    await page.screenshot({ path: path.join(TEST_OUT_SCREENSHOTS, 'workbench-link-out-refused.png') });
  });
});
