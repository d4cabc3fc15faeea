// The agreement view (Show Agreement…) of the run review bundle in headless Chromium, behind
// the harness's CSP, fed what the extension sends: `gog agreement`'s figures (agreementOf, the
// same function) over real trajectory files whose folder names, annotator names and error
// categories are markup. Everything from the files shows as text; the buttons send the
// requests the host answers.
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { Label } from '../../src/core/trajectory';
import { agreementOf } from '../../src/data/agreement/agreementRun';
import { appendAnnotation } from '../../src/run/annotate';
import type { AgreementMessage } from '../../src/shared/agreementMessage';
import type { RunsHostMessage, RunsViewMessage } from '../../src/shared/runsMessages';
import { tempDir } from '../helpers/fixtures';
import { sampleHeader } from '../helpers/trajectories';
import { launchChromium } from '../vscode/harness/chromium';
import { startHarness, violations, type Harness, type HarnessWindow } from './harness';

const HOSTILE_DIR = '<img src=x onerror="window.__pwned=1">';
const HOSTILE_TAG = '<script>window.__pwned=2</script>';
const HOSTILE_NAME = '<b onmouseover=alert(1)>eve</b>';

async function deliver(page: Page, message: RunsHostMessage): Promise<void> {
  await page.evaluate((m) => {
    const w = globalThis as unknown as HarnessWindow;
    w.dispatchEvent(new w.MessageEvent('message', { data: m }));
  }, message);
}

async function posted(page: Page): Promise<RunsViewMessage[]> {
  return page.evaluate(() => (globalThis as unknown as { __gog: { posted: RunsViewMessage[] } }).__gog.posted);
}

async function trajectory(file: string, id: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const t = '2026-12-05T10:00:00.000Z';
  const lines = [
    sampleHeader({ id, sampleId: id, dataset: 'mine' }),
    { type: 'action', step: 1, t, id: 'e1', action: { kind: 'answer', text: 'a rocket' } },
    { type: 'final', step: 1, t, id: 'e2', answer: 'a rocket', stopReason: 'answered', turns: 1, ms: 10 },
  ];
  await fs.writeFile(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
}

describe('agreement view in headless Chromium', function () {
  this.timeout(120_000);
  const tmp = tempDir('gog-agreement-webview-');
  let harness: Harness;
  let context: BrowserContext;
  let message: AgreementMessage;

  before(async () => {
    const dir = path.join(tmp.dir, HOSTILE_DIR);
    const label = (file: string, who: string, l: Label, tags?: string[]) => appendAnnotation(file, { op: 'label', label: l, ...(tags ? { tags } : {}) }, who);
    for (let i = 0; i < 4; i++) {
      const file = path.join(dir, `s${i}`, 'trajectory.jsonl');
      await trajectory(file, `s${i}`);
      await label(file, 'ann', 'accepted');
      // Disagree on s0 and s1.
      await label(file, HOSTILE_NAME, i < 2 ? 'rejected' : 'accepted', i < 2 ? [HOSTILE_TAG] : undefined);
    }
    const run = await agreementOf(dir, tmp.dir);
    message = {
      type: 'agreement',
      target: dir,
      report: run.report,
      conflictCount: run.report.conflicts.length,
      notes: [`${HOSTILE_DIR}: not read`],
      verdicts: ['accepted', 'rejected', 'needs-fix'],
    };
    harness = await startHarness();
    context = await launchChromium(path.join(tmp.dir, 'chromium'), { width: 1200, height: 900 });
  });

  after(async () => {
    await context?.close();
    await harness?.close();
    tmp.cleanup();
  });

  it('shows the figures and conflicts with markup from folder names, annotator names and categories as text, running none of it', async () => {
    const page = await context.newPage();
    await page.goto(harness.pageUrl('light', 'runs'));
    await page.waitForFunction(() => (globalThis as unknown as { __gog: { posted: unknown[] } }).__gog.posted.length > 0);
    await deliver(page, message);
    await page.locator('.agreement-conflicts').waitFor();

    assert.equal(await page.locator('h1').textContent(), `Agreement over ${message.target}`);
    // ann · eve: 2 of 4 agree; table [[2,2],[0,0]] (ann accepted throughout): p_e = 1·0.5 + 0 = 0.5, κ = (0.5 − 0.5)/(1 − 0.5) = 0.
    assert.deepEqual(await page.locator('.agreement-verdicts table').first().locator('thead th').allTextContents(), ['Annotators', 'Samples', 'Agree', 'κ']);
    const pairs = ['ann', HOSTILE_NAME].sort();
    const pair = page.locator('.agreement-verdicts .agreement-pair').first();
    assert.deepEqual(await pair.locator('th, td').allTextContents(), [`${pairs[0]} · ${pairs[1]}`, '4', '50.0%', '0.000']);
    assert.equal(await page.locator('.agreement-category').textContent(), `${HOSTILE_TAG} (given on 2 samples)`);
    const conflicts = page.locator('.conflict-list .conflict');
    assert.equal(await conflicts.count(), 2);
    assert.equal(await conflicts.first().locator('.conflict-path').textContent(), `${HOSTILE_DIR}/s0/trajectory.jsonl`);
    assert.match((await conflicts.first().locator('.conflict-labels').textContent()) ?? '', /<b onmouseover=alert\(1\)>eve<\/b>: rejected/);
    assert.equal(await page.locator('.agreement-notes li').textContent(), `${HOSTILE_DIR}: not read`);
    // Nothing of it became markup, nothing ran.
    assert.equal(await page.locator('img, script:not([src]):not([nonce]), b').count(), 0);
    assert.equal(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned), undefined);
    assert.deepEqual(await violations(page), { violations: [], errors: [] });
    await page.close();
  });

  it('sends adjudicate, open and review requests from the conflicts list, and shows a conflict settled once the host says so', async () => {
    const page = await context.newPage();
    await page.goto(harness.pageUrl('dark', 'runs'));
    await page.waitForFunction(() => (globalThis as unknown as { __gog: { posted: unknown[] } }).__gog.posted.length > 0);
    await deliver(page, message);
    const second = page.locator('.conflict-list .conflict').nth(1);
    await second.waitFor();
    await second.locator('vscode-button', { hasText: 'rejected' }).click();
    await second.locator('.conflict-path').click();
    await page.locator('vscode-button', { hasText: 'Review Conflicts' }).click();
    const requests = (await posted(page)).flatMap((m) => (m.type === 'request' ? [m.request] : []));
    assert.deepEqual(requests, [{ method: 'adjudicate', index: 1, label: 'rejected' }, { method: 'openConflict', index: 1 }, { method: 'reviewConflicts' }]);

    const settled = {
      ...message,
      report: { ...message.report, conflicts: message.report.conflicts.map((c, i) => (i === 1 ? { ...c, adjudicated: 'rejected' as const } : c)) },
    };
    await deliver(page, settled);
    await page.locator('.conflict.settled').waitFor();
    assert.equal(await page.locator('.conflict').nth(1).locator('.conflict-settled').textContent(), 'settled: rejected (adjudicated)');
    assert.equal(await page.locator('.conflict').nth(1).locator('vscode-button').count(), 0, 'a settled conflict has no adjudicate buttons');
    assert.equal(await page.locator('.conflict').nth(0).locator('vscode-button').count(), 3);
    assert.match((await page.locator('.agreement-conflicts h2').textContent()) ?? '', /2 samples where the verdicts differ, 1 not settled/);
    assert.deepEqual(await violations(page), { violations: [], errors: [] });
    await page.close();
  });
});
