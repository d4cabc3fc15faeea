// `gog report RUN_DIR` on a benchmark run folder: the run review as one HTML file, opened
// from disk in headless Chromium: it renders the overview, the charts and the failures
// table, asks the network for nothing, keeps to its CSP, and shows hostile run text as text.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { syntheticResults, writeBenchRun } from '../helpers/benchRuns';
import { tempDir } from '../helpers/fixtures';
import { makeScreenshotDirs, TEST_OUT_SCREENSHOTS } from '../helpers/screenshots';
import { launchChromium } from '../vscode/harness/chromium';
import { makeRuns } from './fixtures';
import { ROOT } from './harness';
import { buildOnce } from '../helpers/build';

type Probe = {
  __v: string[];
  __pwned?: number;
  document: { addEventListener(t: string, f: (e: { violatedDirective: string; blockedURI: string }) => void): void };
};

const CLI = path.join(ROOT, 'dist', 'cli.js');
const HOSTILE = {
  question: `<img src=x onerror="globalThis.__pwned=1"> What is this?`,
  answer: `<script>globalThis.__pwned=2</script>`,
  category: `</script><script>globalThis.__pwned=3</script>`,
  gold: [`<svg onload="globalThis.__pwned=4">`],
};

describe('gog report RUN_DIR (a benchmark run)', function () {
  this.timeout(120_000);
  const tmp = tempDir('gog-run-report-');
  const dir = path.join(tmp.dir, '20261124-100000-infoseek');
  let context: BrowserContext;
  const requests: string[] = [];

  before(async () => {
    buildOnce();
    const results = syntheticResults(400, { judged: true });
    results[7] = { ...results[7]!, ...HOSTILE };
    await writeBenchRun(dir, results, { trajectories: false });
    appendFileSync(path.join(dir, 'results.jsonl'), '{"id": "half\n');
    context = await launchChromium(path.join(tmp.dir, 'chromium'), { width: 1400, height: 900 });
    context.on('request', (r) => requests.push(r.url()));
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

  it('writes one self-contained file next to the run, naming the broken line it left out', () => {
    const run = spawnSync(process.execPath, [CLI, 'report', dir], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^report: .*20261124-100000-infoseek\/report\.html \(\d+ KB, 400 samples; trajectories of 0: 0 of \d+ failures\)\n$/);
    // The run kept no trajectories: said once, not 400 times.
    assert.match(
      run.stderr,
      /^gog: warning: results\.jsonl line 401: not valid JSON.*\(left out of the report\)\ngog: warning: 400 samples' trajectories could not be read, the first q00000: the trajectory samples\/q00000\/trajectory\.jsonl is missing from the run folder \(they are not in the report\)\n$/,
    );
    const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
    assert.doesNotMatch(html, /(src|href)=["']?(https?:|file:|\/\/|\/)/i, 'nothing is loaded from outside the file');
    assert.match(
      html,
      /Content-Security-Policy" content="default-src &#39;none&#39;; img-src data:; style-src &#39;nonce-[^&]+&#39;; font-src data:; script-src &#39;nonce-/,
    );
    assert.ok(!html.includes(tmp.dir), 'no local path of the machine that made it');
    assert.ok(!html.includes('<script>globalThis'), 'run text sits in the page only as escaped JSON');
  });

  it('shows the scores, the failures table and the charts, asks the network for nothing, and keeps hostile text inert', async () => {
    const out = path.join(tmp.dir, 'shared', 'run.html');
    const run = spawnSync(process.execPath, [CLI, 'report', dir, '--out', out], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    requests.length = 0;
    const page = await open(out);
    await page.locator('.vt-body .vt-row').first().waitFor();
    assert.equal(await page.locator('h1.run-title').textContent(), '20261124-100000-infoseek');
    assert.equal(await page.locator('.shown').textContent(), '400 samples');
    await page.locator('.problems', { hasText: 'line 401: not valid JSON' }).waitFor();
    // The failures: all failures, then the hostile sample found by its text and shown as text.
    await page.locator('.chip.all-failures').click();
    assert.match((await page.locator('.shown').textContent())!, /^\d+ of 400 samples$/);
    await page.locator('.chip.all-failures').click();
    await page.locator('.filter-text').fill('onerror');
    assert.equal(await page.locator('.shown').textContent(), '1 of 400 samples');
    const row = page.locator('.vt-body .vt-row:not([hidden])').first();
    assert.ok((await row.textContent())!.includes(HOSTILE.question), 'the question is shown as the text it is');
    // Charts painted from the embedded rows, under the CSP.
    await page.locator('.tab[data-tab="charts"]').click();
    for (const chart of ['accuracy-benchmark', 'accuracy-category', 'turns', 'heatmap'])
      await page.locator(`.chart[data-chart="${chart}"] canvas`).first().waitFor();
    const ink = await page.evaluate(() => {
      type Canvas = {
        width: number;
        height: number;
        getContext(t: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
      };
      const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<Canvas> } }).document;
      return Array.from(doc.querySelectorAll('.chart canvas:not(.heatmap-legend)')).map((c) => {
        const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
        return n > 500;
      });
    });
    assert.deepEqual(ink, [true, true, true, true, true, true]);
    // A report has no prices: no cost chart, and no word of settings it cannot change.
    assert.equal(await page.locator('.chart[data-chart="cost"]').count(), 0);
    assert.ok(await page.locator('select[aria-label="Category"] option', { hasText: HOSTILE.category }).count(), 'the hostile category is an option, as text');
    // Nothing ran, nothing was injected, nothing was fetched but the file itself.
    assert.equal(await page.evaluate(() => (globalThis as unknown as Probe).__pwned), undefined);
    assert.equal(await page.locator('img, svg[onload], script:not([nonce])').count(), 0);
    assert.deepEqual(await page.evaluate(() => (globalThis as unknown as Probe).__v), []);
    assert.ok(requests.includes(`file://${out}`), 'requests are seen');
    assert.deepEqual(
      requests.filter((u) => u !== `file://${out}` && !u.startsWith('data:')),
      [],
    );
    await page.close();
  });

  it('says which run is which: its name, how it was made and its notes, as text that fits; no editing in a report', async () => {
    const named = path.join(tmp.dir, 'named-run');
    await writeBenchRun(named, syntheticResults(12), { trajectories: false });
    const meta = {
      kind: 'gog-bench',
      schema: 1,
      started: '2026-11-24T10:00:00.000Z',
      dataset: {
        file: 'end2end.parquet',
        sha256: 'ab'.repeat(32),
        format: 'parquet',
        layout: 'mmsearch',
        records: 12,
        samples: 12,
        problems: [],
        problemCount: 0,
      },
      limit: null,
      rollouts: 1,
      samples: 12,
      settings: { model: 'qwen2.5-vl-7b-gog', dialect: 'gog', boxFormat: 'rel-1000', maxTurns: 6, imageSearch: 'local', textSearch: 'local' },
      endpoints: ['http://gpu-node-07.internal:8000/v1'],
      prompts: { source: 'built-in' },
      tools: { gog: '0.1.0' },
      workspace: { commit: '0123456789abcdef0123456789abcdef01234567', branch: 'exp/<img src=x onerror="globalThis.__pwned=5">' },
    };
    writeFileSync(path.join(named, 'bench.json'), JSON.stringify(meta));
    writeFileSync(
      path.join(named, 'notes.json'),
      JSON.stringify({ name: 'step 400 <b>bold</b>', notes: 'lr 1e-6, KL 0.01\n<script>globalThis.__pwned=6</script>' }),
    );
    const out = path.join(tmp.dir, 'shared', 'named.html');
    const run = spawnSync(process.execPath, [CLI, 'report', named, '--out', out], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const page = await open(out);
    await page.setViewportSize({ width: 900, height: 700 });
    await page.locator('.vt-body .vt-row').first().waitFor();
    assert.equal(await page.locator('h1.run-title').textContent(), 'step 400 <b>bold</b>');
    assert.equal(await page.locator('h1.run-title').getAttribute('title'), 'folder named-run');
    const facts = await page.locator('.run-identity dt').allTextContents();
    assert.deepEqual(facts, ['model', 'endpoint', 'dialect', 'boxes', 'prompts', 'max turns', 'search', 'gog', 'commit']);
    assert.equal(await page.locator('.run-identity dd').nth(1).textContent(), 'gpu-node-07.internal:8000');
    assert.equal(await page.locator('.run-identity dd').last().textContent(), '0123456789ab (exp/<img src=x onerror="globalThis.__pwned=5">)');
    assert.equal(await page.locator('.run-notes').textContent(), 'lr 1e-6, KL 0.01\n<script>globalThis.__pwned=6</script>');
    // What a person sees: every fact and the notes inside the page's width, none hidden.
    const width = 900;
    for (const box of [...(await page.locator('.run-identity dd').all()), page.locator('.run-notes')]) {
      const b = (await box.boundingBox())!;
      assert.ok(b && b.width > 0 && b.height > 0 && b.x >= 0 && b.x + b.width <= width, `inside the page: ${JSON.stringify(b)}`);
      assert.notEqual(
        await box.evaluate((e) => (globalThis as unknown as { getComputedStyle(x: unknown): { display: string } }).getComputedStyle(e).display),
        'none',
      );
    }
    assert.equal(await page.locator('vscode-button', { hasText: /Rename|notes/ }).count(), 0, 'a report cannot rename');
    makeScreenshotDirs();
    await page.screenshot({ path: path.join(TEST_OUT_SCREENSHOTS, 'runs-identity.png'), clip: { x: 0, y: 0, width: 900, height: 260 } });
    assert.equal(await page.evaluate(() => (globalThis as unknown as Probe).__pwned), undefined);
    assert.equal(await page.locator('b, img, script:not([nonce])').count(), 0);
    await page.close();
  });

  it('still reports a single run: its folder or its trajectory file; refuses a folder that is neither', async () => {
    const trajectory = (await makeRuns(path.join(tmp.dir, 'single'))).landscape;
    const folder = path.dirname(trajectory);
    const run = spawnSync(process.execPath, [CLI, 'report', path.basename(trajectory) === 'trajectory.jsonl' ? folder : trajectory], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^report: .*report\.html \(\d+ KB, \d+ images? inlined\)\n$/);
    mkdirSync(path.join(tmp.dir, 'plain'));
    const bad = spawnSync(process.execPath, [CLI, 'report', path.join(tmp.dir, 'plain')], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^gog: .*plain is neither a benchmark run \(results\.jsonl, summary\.json\) nor a run folder \(trajectory\.jsonl\)\n/);
  });
});
