// Web and model text is untrusted: a corpus of script, event-handler, javascript:-link,
// SVG and broken-HTML payloads placed in every text field of a trajectory must run nothing
// and show up as the literal text it is.
import { strict as assert } from 'node:assert';
import { copyFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { TrajectoryEvent, TrajectoryHeader } from '../../src/core/trajectory';
import { tempDir } from '../helpers/fixtures';
import { sampleHeader } from '../helpers/trajectories';
import { launchChromium } from '../vscode/harness/chromium';
import { assetsFor, deliver, posted, ROOT, startHarness, violations, type Harness, type HarnessWindow } from './harness';

const PAYLOADS = [
  '<script>window.__xss = 1</script>',
  '<img src=x onerror="window.__xss = 2">',
  '<svg onload="window.__xss = 3"><script>window.__xss = 4</script></svg>',
  '<a href="javascript:window.__xss = 5">click me</a>',
  '"><iframe src="javascript:window.__xss = 7"></iframe>',
  '</pre></div></article><b onmouseover="window.__xss = 8">broken',
  '<style>body { display: none }</style>',
  '<math><mtext><table><mglyph><style><img src=x onerror="window.__xss = 10">',
  '<details open ontoggle="window.__xss = 11">',
  '\u202Ereversed\u202C <body onload="window.__xss = 12">',
];
const P = (i: number) => PAYLOADS[i % PAYLOADS.length]!;

function poisonedTrajectory(): { header: TrajectoryHeader; events: TrajectoryEvent[] } {
  const header = sampleHeader({
    question: `Question ${P(0)}`,
    gold: [P(1), P(2)],
    image: { ...sampleHeader().image, sent: { width: 504, height: 504, path: 'images/sent.jpg' } },
  });
  const t = '2026-11-24T10:00:00.000Z';
  const result = (i: number) => ({
    rank: i + 1,
    title: `Title ${P(i)}`,
    url: i === 0 ? 'javascript:window.__xss = 6' : `https://example.org/${encodeURIComponent(P(i))}`,
    snippet: `Snippet ${P(i + 3)}`,
    provider: `provider ${P(i + 5)}`,
    thumbnail: i === 0 ? 'javascript:alert(1)' : i === 1 ? '../../etc/passwd' : i === 2 ? 'https://evil.example/x.png' : 'images/thumb.jpg',
  });
  const events: TrajectoryEvent[] = [
    { type: 'model_turn', step: 1, t, raw: `Raw ${P(0)} ${P(3)}`, reasoning: P(4), ms: 5, finishReason: 'stop' },
    { type: 'reflection', step: 1, t, kind: 'think', text: `Think ${P(1)}` },
    { type: 'action', step: 1, t, action: { kind: 'text_search', query: `Query ${P(2)}` } },
    { type: 'observation', step: 1, t, tool: 'text_search', results: [0, 1, 2, 3, 4].map(result), ms: 3 },
    { type: 'model_turn', step: 2, t, raw: `Unparseable ${P(5)}`, ms: 5 },
    { type: 'action', step: 2, t, action: { kind: 'parse_error', message: `Parse error ${P(6)}` } },
    { type: 'notice', step: 2, t, message: `Notice ${P(7)}` },
    { type: 'model_turn', step: 3, t, raw: 'gaze', ms: 5 },
    {
      type: 'action',
      step: 3,
      t,
      action: {
        kind: 'image_search',
        scope: 'region',
        box: { model: [1, 2, 30, 40], sent: [1, 2, 30, 40], original: [1, 2, 31, 41] },
        crop: 'javascript:alert(2)',
      },
    },
    { type: 'observation', step: 3, t, tool: 'image_search', results: [], error: `Tool error ${P(8)}`, ms: 3 },
    { type: 'model_turn', step: 4, t, raw: `Answer ${P(9)}`, ms: 5 },
    { type: 'action', step: 4, t, action: { kind: 'answer', text: `Answer ${P(9)} ${P(0)}` } },
    { type: 'final', step: 4, t, answer: `Answer ${P(9)} ${P(0)}`, stopReason: 'error', error: `Error ${P(1)}`, turns: 4, ms: 20 },
  ];
  return { header, events };
}

describe('untrusted text in the trajectory panel', function () {
  this.timeout(60_000);
  const tmp = tempDir('gog-xss-');
  let harness: Harness;
  let context: BrowserContext;

  before(async () => {
    const run = path.join(tmp.dir, 'run');
    mkdirSync(path.join(run, 'images'), { recursive: true });
    copyFileSync(path.join(ROOT, 'media', 'demo', 'images', 'astronaut.png'), path.join(run, 'images', 'sent.jpg'));
    copyFileSync(path.join(ROOT, 'media', 'demo', 'corpus', 'images', 'sts-93-patch.jpg'), path.join(run, 'images', 'thumb.jpg'));
    harness = await startHarness();
    harness.addRun('run', run);
    context = await launchChromium(path.join(tmp.dir, 'chromium'));
  });

  after(async () => {
    await context?.close();
    await harness?.close();
    tmp.cleanup();
  });

  /** A new page whose dialogs (an alert a payload might open) are recorded and dismissed. */
  async function watchedPage(): Promise<{ page: Page; dialogs: string[] }> {
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    return { page, dialogs };
  }

  /** No payload set its marker, opened a dialog, or even tried something the CSP refused. */
  async function assertNothingRan(page: Page, dialogs: string[]): Promise<void> {
    assert.equal(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss), undefined, 'no payload ran');
    assert.deepEqual(dialogs, []);
    assert.deepEqual(await violations(page), { violations: [], errors: [] }, 'nothing was even attempted against the CSP');
  }

  it('runs nothing, shows every payload as text, and opens only web links', async () => {
    const { page, dialogs } = await watchedPage();
    await page.goto(harness.pageUrl('dark'));
    const { header, events } = poisonedTrajectory();
    await deliver(page, {
      type: 'init',
      title: P(3),
      header,
      events,
      problems: [{ line: 9, message: `Problem ${P(4)}` }],
      assets: assetsFor(`${harness.origin}/run/run`, events, header),
      live: false,
      complete: true,
    });
    await page.locator('.turn[data-step="4"]').waitFor();
    // Give injected handlers every chance: hover and click across everything, open every fold.
    for (const toggle of await page.locator('.turn-head .link-button, .fold').all()) await toggle.click().catch(() => undefined);
    for (const card of await page.locator('.turn, .outcome, .problems').all()) await card.hover().catch(() => undefined);
    await page.locator('.result-title').first().click(); // the javascript: link
    await page.locator('.result-title').nth(1).click(); // an https link
    await page.waitForTimeout(300);

    await assertNothingRan(page, dialogs);

    const found = await page.evaluate(() => {
      const d = (
        globalThis as unknown as {
          document: {
            querySelector(s: string): {
              textContent: string;
              querySelectorAll(s: string): { length: number; [i: number]: { getAttribute(n: string): string | null; attributes: { name: string }[] } };
            };
          };
        }
      ).document;
      const app = d.querySelector('#app');
      const all = app.querySelectorAll('*');
      const handlers: string[] = [];
      for (let i = 0; i < all.length; i++) for (const a of Array.from(all[i]!.attributes)) if (a.name.startsWith('on')) handlers.push(a.name);
      const imgs = app.querySelectorAll('img');
      const srcs: string[] = [];
      for (let i = 0; i < imgs.length; i++) srcs.push(imgs[i]!.getAttribute('src') ?? '');
      return {
        text: app.textContent,
        handlers,
        dangerous: app.querySelectorAll('script, iframe, object, embed, svg, math, style, a[href], details, b, body').length,
        srcs,
      };
    });
    assert.deepEqual(found.handlers, [], 'no event-handler attributes');
    assert.equal(found.dangerous, 0, 'no elements from the payloads');
    for (const p of PAYLOADS) assert.ok(found.text.includes(p), `shown as text: ${p}`);
    const base = `${harness.origin}/run/run/`;
    assert.ok(found.srcs.length >= 2, 'the image and the one safe thumbnail load');
    for (const src of found.srcs) assert.ok(src.startsWith(base), `only run-folder images: ${src}`);

    const requests = (await posted(page)).filter((m) => m.type === 'request').map((m) => (m as { request: unknown }).request);
    assert.deepEqual(requests, [{ method: 'openExternal', url: `https://example.org/${encodeURIComponent(P(1))}` }], 'the javascript: link was not passed on');
    await page.close();
  });

  it('keeps hostile text inside the first message embedded in the page: nothing breaks out of its <script> block', async () => {
    const { page, dialogs } = await watchedPage();
    const breakouts = [
      '</script><img src=x onerror="window.__xss = 20">',
      '</SCRIPT ><script>window.__xss = 21</script>',
      '<!-- <script>window.__xss = 22</script> -->',
      '<!--<script>',
      ']]></style></head><body onload="window.__xss = 23">\u2028\u2029',
    ];
    const { header, events } = poisonedTrajectory();
    const hostile = {
      ...header,
      question: `Question ${breakouts[0]} ${breakouts[2]}`,
      gold: breakouts,
    };
    const answer = `Answer ${breakouts[1]} ${breakouts[3]} ${breakouts[4]}`;
    const shown = events.map((e) =>
      e.type === 'final' ? { ...e, answer } : e.type === 'action' && e.action.kind === 'answer' ? { ...e, action: { ...e.action, text: answer } } : e,
    );
    const { url, embedded } = await harness.trajectoryPageUrl('dark', {
      type: 'init',
      title: breakouts[0]!,
      source: `/runs/${breakouts[3]}/trajectory.jsonl`,
      header: hostile,
      events: shown,
      problems: [{ line: 2, message: breakouts[1]! }],
      assets: assetsFor(`${harness.origin}/run/run`, shown, hostile),
      live: false,
      complete: true,
      editable: true,
      pending: { version: 0, annotations: [] },
    });
    assert.ok(embedded, 'the trajectory travels inside the page');
    // The page as the browser receives it: the data block is one element, closed only by its own end tag.
    const html = await (await fetch(url)).text();
    const block = html.slice(html.indexOf('id="gog-init">'), html.indexOf('</script>', html.indexOf('id="gog-init">')));
    assert.ok(!/<\/script|<!--/i.test(block), 'no </script or <!-- inside the data block');
    await page.goto(url);
    await page.locator('.turn[data-step="4"]').waitFor();
    await page.waitForTimeout(300);

    await assertNothingRan(page, dialogs);
    const found = await page.evaluate(() => {
      const d = (
        globalThis as unknown as {
          document: {
            querySelector(s: string): { textContent: string; querySelectorAll(s: string): { length: number } } | null;
            querySelectorAll(s: string): { length: number };
          };
        }
      ).document;
      return {
        text: d.querySelector('#app')!.textContent,
        scripts: d.querySelectorAll('script').length,
        dataBlock: !!d.querySelector('#gog-init'),
        injected: d.querySelector('#app')!.querySelectorAll('script, img[src="x"], style').length,
      };
    });
    // The acquireVsCodeApi stand-in and the bundle: the data block was read and dropped, nothing added.
    assert.equal(found.scripts, 2);
    assert.equal(found.dataBlock, false);
    assert.equal(found.injected, 0);
    for (const b of [breakouts[0]!, breakouts[2]!]) assert.ok(found.text.includes(b), `the question shown as text: ${b}`);
    assert.ok(found.text.includes(answer), 'the answer shown as text, whole');
    assert.deepEqual(
      (await posted(page)).filter((m) => m.type === 'ready'),
      [{ type: 'ready' }],
      'the view still says ready, once, for the messages after the first',
    );
    await page.close();
  });

  it('ignores messages that are not part of the protocol', async () => {
    const page = await context.newPage();
    await page.goto(harness.pageUrl('light'));
    await page.evaluate(() => {
      const w = globalThis as unknown as HarnessWindow;
      w.dispatchEvent(new w.MessageEvent('message', { data: { type: 'init', title: 1 } }));
      w.dispatchEvent(new w.MessageEvent('message', { data: '<img src=x onerror="window.__xss = 13">' }));
    });
    assert.equal(await page.locator('.turn').count(), 0);
    assert.equal(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss), undefined);
    await page.close();
  });
});
