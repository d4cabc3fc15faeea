// `gog report`: the same panel as one HTML file, opened from disk in Chromium.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { tempDir } from '../helpers/fixtures';
import { launchChromium } from '../vscode/harness/chromium';
import { makeRuns } from './fixtures';
import { ROOT } from './harness';
import { buildOnce } from '../helpers/build';

type Probe = { __v: string[]; document: { addEventListener(t: string, f: (e: { violatedDirective: string; blockedURI: string }) => void): void } };

describe('gog report', function () {
  this.timeout(120_000);
  const tmp = tempDir('gog-report-');
  let context: BrowserContext;
  let trajectory: string;

  before(async () => {
    buildOnce();
    trajectory = (await makeRuns(tmp.dir)).exif6;
    context = await launchChromium(path.join(tmp.dir, 'chromium'));
    await context.addInitScript(() => {
      const g = globalThis as unknown as Probe;
      g.__v = [];
      g.document.addEventListener('securitypolicyviolation', (e) => g.__v.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
  });
  after(async () => {
    await context?.close();
    tmp.cleanup();
  });

  async function open(file: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`file://${file}`);
    return page;
  }

  it('writes one self-contained file that shows the run with its images and boxes', async () => {
    const out = path.join(tmp.dir, 'shared', 'report.html');
    const printed = execFileSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'report', trajectory, '--out', out], { encoding: 'utf8' });
    assert.match(printed, /report: .*report\.html \(\d+ KB, \d+ images inlined\)/);
    const html = readFileSync(out, 'utf8');
    assert.doesNotMatch(html, /(src|href)="(https?:|file:|\/)/, 'nothing is loaded from outside the file');
    assert.match(
      html,
      /Content-Security-Policy" content="default-src &#39;none&#39;; img-src data:; style-src &#39;nonce-[^&]+&#39;; font-src data:; script-src &#39;nonce-/,
    );
    const page = await open(out);
    await page.locator('.turn[data-step="3"]').waitFor();
    assert.equal(await page.locator('.gaze').count(), 2);
    assert.equal(await page.locator('.final-answer').textContent(), 'The payload fairing');
    await page.locator('.photo').evaluate((img) => (img as unknown as { decode(): Promise<void> }).decode());
    const photo = (await page.locator('.photo').boundingBox())!;
    assert.ok(photo.height > photo.width, 'the EXIF-6 photo is shown upright (portrait)');
    assert.deepEqual(await page.evaluate(() => (globalThis as unknown as Probe).__v), []);
    await page.close();
  });

  it('writes next to the trajectory by default and refuses a file that is not a trajectory', async () => {
    execFileSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'report', trajectory]);
    assert.ok(readFileSync(path.join(path.dirname(trajectory), 'report.html')).length > 0);
    let failed: { status: number; stderr: string } | undefined;
    try {
      execFileSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'report', path.join(ROOT, 'package.json')], { stdio: 'pipe' });
    } catch (e) {
      failed = { status: (e as { status: number }).status, stderr: String((e as { stderr: Buffer }).stderr) };
    }
    assert.equal(failed?.status, 1);
    assert.match(failed.stderr, /^gog: .*package\.json has no trajectory header \(line 1: /);
  });
});
