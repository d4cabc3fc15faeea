// The Compare view over three runs and the side-by-side trajectory diff, in headless
// Chromium as the extension's panels show them. What is checked is what a user sees: rows
// on screen by computed style and geometry (tableVisibility.ts), the significance figure of
// each pair as drawn, the divergence marker and both runs' gaze boxes by their boxes on the
// page and the colours in a screenshot; text from the runs and the model rendered as text.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { runLabel } from '../../src/data/compare';
import { compareMessage } from '../../src/run/reviewMessages';
import { diffMessage } from '../../src/run/diffMessage';
import type { Change, ComparePair, DiffMessage, RunsHostMessage, RunsViewMessage } from '../../src/shared/runsMessages';
import { comparedSamples, realBenchRun, syntheticResults, writeBenchRun } from '../helpers/benchRuns';
import { tempDir } from '../helpers/fixtures';
import { makeScreenshotDirs, SCREENSHOTS, TEST_OUT_SCREENSHOTS } from '../helpers/screenshots';
import { writeThreeRuns } from '../helpers/verdictRuns';
import { launchChromium } from '../vscode/harness/chromium';
import { startHarness, violations, type Harness, type HarnessWindow } from './harness';
import { assertShows, frames, seenRows } from './tableVisibility';
import { buildOnce } from '../helpers/build';

type CompareMessage = Extract<RunsHostMessage, { type: 'compare' }>;

async function deliver(page: Page, message: RunsHostMessage): Promise<void> {
  await page.evaluate((m) => {
    const w = globalThis as unknown as HarnessWindow;
    w.dispatchEvent(new w.MessageEvent('message', { data: m }));
  }, message);
}

async function requests(page: Page): Promise<Extract<RunsViewMessage, { type: 'request' }>[]> {
  const all = await page.evaluate(() => (globalThis as unknown as { __gog: { posted: RunsViewMessage[] } }).__gog.posted);
  return all.flatMap((m) => (m.type === 'request' ? [m] : []));
}

/** Disagreements first (regressions, then improvements), each kind in dataset order: worked out here, not by the view. */
const ORDER: Change[] = ['regression', 'improvement', 'all_wrong', 'all_right', 'partial'];
function listed(pairs: readonly ComparePair[], changes: ReadonlySet<Change>): number[] {
  return pairs
    .filter((p) => changes.has(p.change))
    .sort((x, y) => ORDER.indexOf(x.change) - ORDER.indexOf(y.change) || x.index - y.index || x.rollout - y.rollout)
    .map((p) => p.key);
}

/** The change of a sample read from its verdicts against the baseline, as the issue defines it. */
function changeByHand(p: ComparePair, baseline: number): Change {
  if (p.sides.some((s) => !s)) return 'partial';
  const base = p.sides[baseline]!.right;
  if (p.sides.some((s) => s!.right !== base)) return base ? 'regression' : 'improvement';
  return base ? 'all_right' : 'all_wrong';
}

/** An element's box and computed style, or null when it is not drawn. */
const BOX_SOURCE = String.raw`(sel) => Array.from(document.querySelectorAll(sel)).map((e) => {
  const s = getComputedStyle(e);
  const r = e.getBoundingClientRect();
  const at = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return { hit: !!at && (e === at || e.contains(at)), left: r.left, top: r.top, width: r.width, height: r.height, display: s.display, visibility: s.visibility,
    boxShadow: s.boxShadow, outlineStyle: s.outlineStyle, outlineWidth: s.outlineWidth, outlineColor: s.outlineColor,
    text: e.textContent, step: e.dataset.step, side: e.dataset.side };
})`;
interface Drawn {
  /** The pointer at its centre lands on it: not scrolled away or covered. */
  hit: boolean;
  left: number;
  top: number;
  width: number;
  height: number;
  display: string;
  visibility: string;
  boxShadow: string;
  outlineStyle: string;
  outlineWidth: string;
  outlineColor: string;
  text: string;
  step?: string;
  side?: string;
}
const drawn = (page: Page, sel: string) => page.evaluate<Drawn[]>(`(${BOX_SOURCE})(${JSON.stringify(sel)})`);
const shows = (d: Drawn) => d.display !== 'none' && d.visibility !== 'hidden' && d.width > 0 && d.height > 0;

describe('Compare over three runs and the trajectory diff, in headless Chromium', function () {
  this.timeout(300_000);
  const tmp = tempDir('gog-compare-runs-view-');
  let harness: Harness;
  let context: BrowserContext;
  const three = ['a', 'b', 'c'].map((n) => path.join(tmp.dir, 'three', n)) as [string, string, string];
  const [realA, realB] = [path.join(tmp.dir, 'real-a'), path.join(tmp.dir, 'real-b')];

  before(async () => {
    makeScreenshotDirs();
    buildOnce();
    await writeThreeRuns(three);
    await realBenchRun(realA, comparedSamples('a'));
    await realBenchRun(realB, comparedSamples('b'));
    harness = await startHarness();
    context = await launchChromium(path.join(tmp.dir, 'chromium'), { width: 1400, height: 900 });
  });

  after(async () => {
    await context?.close();
    await harness?.close();
    tmp.cleanup();
  });

  async function openPanel(messages: RunsHostMessage[]): Promise<Page> {
    const page = await context.newPage();
    await page.goto(harness.pageUrl('light', 'runs'));
    await page.waitForFunction(() => (globalThis as unknown as { __gog: { posted: unknown[] } }).__gog.posted.length > 0);
    for (const m of messages) await deliver(page, m);
    return page;
  }

  /** The matrix shows exactly the listed samples, each row with every run's verdict as the model has it. */
  async function assertMatrix(page: Page, m: CompareMessage, changes: ReadonlySet<Change>, what: string): Promise<void> {
    const keys = listed(m.pairs, changes);
    const seen = await assertShows(page, keys, { label: (k) => m.pairs[k]!.id, labelCell: 1, what });
    for (const row of seen.rows) {
      const p = m.pairs[row.key!]!;
      assert.equal(p.change, changeByHand(p, m.baseline), `${what}: ${p.id} read against ${runLabel(m.baseline)}`);
      p.sides.forEach((s, i) => assert.equal(row.cells[5 + i]![0], s ? (s.right ? '✓' : '✗') : '—', `${what}: ${p.id} in run ${runLabel(i)}`));
    }
  }

  /** The "all samples" significance row of each run against the baseline, as drawn. */
  async function pairedRows(page: Page): Promise<Record<string, { p: string; verdict: string; ci: string; shown: boolean }>> {
    const out: Record<string, { p: string; verdict: string; ci: string; shown: boolean }> = {};
    for (const run of ['A', 'B', 'C']) {
      const row = page.locator(`.paired-table tr[data-kind="all"][data-run="${run}"]`);
      if (!(await row.count())) continue;
      const [box] = await drawn(page, `.paired-table tr[data-kind="all"][data-run="${run}"] .paired-p`);
      out[run] = {
        p: (await row.locator('.paired-p').textContent())!,
        verdict: (await row.locator('.paired-verdict').textContent())!,
        ci: (await row.locator('.paired-ci').textContent())!,
        shown: !!box && shows(box) && box.hit,
      };
    }
    return out;
  }

  it('Compare, three runs: the verdict matrix with disagreements first, a significance figure per pair, and another baseline chosen', async () => {
    const first = (await compareMessage(three)).message;
    const page = await openPanel([first]);
    await page.locator('.delta-table').waitFor();
    assert.equal(await page.locator('.compare-title').textContent(), 'Comparing 3 runs');
    assert.deepEqual(await page.locator('.vt-head .vt-cell').allTextContents(), ['Change', 'Sample', 'Benchmark', 'Question', 'Gold', 'A (base)', 'B', 'C']);
    // As opened: the samples the runs disagree on, and nothing else.
    const changes = new Set<Change>(['regression', 'improvement']);
    await assertMatrix(page, first, changes, 'as opened');
    assert.equal(await page.locator('.shown').textContent(), '18 of 41 samples');
    // Every kind listed: the disagreements still come first.
    for (const c of ['all_wrong', 'all_right', 'partial'] as const) {
      await page.locator(`.change-chip[data-change="${c}"]`).click();
      changes.add(c);
    }
    await frames(page);
    await assertMatrix(page, first, changes, 'every kind listed');
    const top = (await seenRows(page)).rows.slice(0, 18).map((r) => first.pairs[r.key!]!.change);
    assert.ok(
      top.every((c) => c === 'regression' || c === 'improvement'),
      `the first 18 rows are the disagreements: ${top.join(', ')}`,
    );
    // The significance of each run against A, as drawn (p by hand: 2·(1+15+105+455)/2^15 and 2·(1+6)/2^6; verdictRuns.ts).
    const paired = await pairedRows(page);
    assert.deepEqual(Object.keys(paired), ['B', 'C']);
    assert.deepEqual([paired.B!.p, paired.B!.verdict, paired.B!.shown], ['0.035', 'significant at 5%', true]);
    assert.deepEqual([paired.C!.p, paired.C!.verdict, paired.C!.shown], ['0.219', 'could be noise', true]);
    assert.match(paired.B!.ci, /^−\d+\.\d to −\d+\.\d pt$/);

    // Another baseline: the view asks the host, which answers and sends the comparison read against B.
    await page.locator('.baseline-choice select').selectOption('1');
    const asked = (await requests(page)).at(-1)!;
    assert.deepEqual(asked.request, { method: 'baseline', run: 1 });
    await deliver(page, { type: 'response', requestId: asked.requestId, ok: true });
    const second = (await compareMessage(three, { baseline: 1 })).message;
    await deliver(page, second);
    await page.locator('.vt-head .vt-cell', { hasText: 'B (base)' }).waitFor();
    await frames(page);
    await assertMatrix(page, second, changes, 'against B');
    const againstB = await pairedRows(page);
    assert.deepEqual(Object.keys(againstB), ['A', 'C']);
    // A against B is the same table the other way round (two-sided); C against B: b=5, c=10, 2·(1+15+105+455+1365+3003)/2^15 = 0.30176.
    assert.deepEqual([againstB.A!.p, againstB.A!.verdict], ['0.035', 'significant at 5%']);
    assert.deepEqual([againstB.C!.p, againstB.C!.verdict], ['0.302', 'could be noise']);
    assert.equal(await page.locator('.compare-run.is-baseline .side-label').textContent(), 'B');

    // A sample selected: each run that disagrees with the baseline is set against it, and a diff is one click away.
    const regression = listed(second.pairs, new Set(['regression']))[0]!;
    const p = second.pairs[regression]!;
    await page.locator(`.vt-body .vt-row[data-key="${regression}"]`).click();
    const disagreeing = p.sides.flatMap((s, i) => (i !== 1 && s && s.right !== p.sides[1]!.right ? [i] : []));
    assert.ok(disagreeing.length > 0);
    const divergences = (await requests(page)).filter((r) => r.request.method === 'divergence').map((r) => r.request);
    assert.deepEqual(
      divergences,
      disagreeing.map((run) => ({ method: 'divergence', key: regression, run })),
    );
    await page.locator('vscode-button', { hasText: `Diff B ↔ ${runLabel(disagreeing[0]!)}` }).click();
    assert.deepEqual((await requests(page)).at(-1)!.request, { method: 'diff', key: regression, run: disagreeing[0] });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'compare-three-runs.png') });
    assert.deepEqual(await violations(page), { violations: [], errors: [] });
    await page.close();
  });

  it('Compare, four to eight runs at 1,170 px: every header whole, the matrix rows the model lists, a significance row per run', async () => {
    const all = Array.from({ length: 8 }, (_, i) => path.join(tmp.dir, 'eight', `run-${i + 1}`));
    for (const [i, d] of all.entries()) await writeBenchRun(d, syntheticResults(300, { seed: 3 + 7 * i }), { trajectories: false });
    for (const n of [4, 5, 6, 7, 8]) {
      const m = (await compareMessage(all.slice(0, n))).message;
      const page = await openPanel([m]);
      await page.setViewportSize({ width: 1170, height: 900 });
      await page.locator('.delta-table').waitFor();
      await frames(page);
      const letters = Array.from({ length: n }, (_, i) => (i ? runLabel(i) : 'A (base)'));
      assert.deepEqual(await page.locator('.vt-head .vt-cell').allTextContents(), ['Change', 'Sample', 'Benchmark', 'Question', 'Gold', ...letters]);
      const cut = await page.evaluate<string[]>(`Array.from(document.querySelectorAll('.vt-head .vt-cell'))
        .filter((c) => c.scrollWidth > c.clientWidth || c.getBoundingClientRect().right > document.documentElement.clientWidth)
        .map((c) => c.textContent)`);
      assert.deepEqual(cut, [], `${n} runs: headers whole and inside the window`);
      await assertMatrix(page, m, new Set(['regression', 'improvement']), `${n} runs`);
      const rows = await drawn(page, '.paired-table tr[data-kind="all"] .paired-p');
      assert.equal(rows.length, n - 1);
      for (const r of rows) assert.ok(shows(r) && r.hit, `${n} runs: a significance figure drawn where it can be seen: ${r.text}`);
      assert.deepEqual(await violations(page), { violations: [], errors: [] });
      await page.close();
    }
  });

  it('the trajectory diff: turns aligned by step, the first divergence marked, both runs’ gaze boxes on one image in two colours, run text as text', async () => {
    const compared = await compareMessage([realA, realB]);
    const key = compared.message.pairs.findIndex((p) => p.id === 'rocket-top');
    const [ra, rb] = compared.sources[key]!;
    const bases = [harness.addRun('real-a', realA), harness.addRun('real-b', realB)];
    const message: DiffMessage = await diffMessage(
      [
        { dir: realA, label: 'A', result: ra! },
        { dir: realB, label: 'B', result: rb! },
      ],
      (file) => {
        const i = file.startsWith(realA + path.sep) ? 0 : 1;
        return `${bases[i]}/${path.relative([realA, realB][i]!, file).split(path.sep).map(encodeURIComponent).join('/')}`;
      },
    );
    // Text from the run and the model, hostile: it must show as the characters it is.
    const evil = '<img src=x onerror="document.title=\'pwned\'"><b>bold</b>';
    message.sample.question = `What is on top? ${evil}`;
    message.sides[1].side.answer = `A satellite ${evil}`;
    // The gazes each run made, read from its events here, not by the view's model.
    const gazes = message.sides.map((s) =>
      s.events.flatMap((e) =>
        e.type === 'action' && e.action.kind === 'image_search' && e.action.scope === 'region' && e.action.box ? [e.action.box.original] : [],
      ),
    );
    assert.deepEqual(
      gazes.map((g) => g.length),
      [2, 1],
      'A gazes twice, B once (comparedSamples)',
    );
    assert.equal(message.divergence.step, 2, 'A gazes again at step 2 where B answers');

    const page = await openPanel([message]);
    await page.locator('.diff-turns').waitFor();
    await page.waitForFunction(`(() => { const i = document.querySelector('.diff-photo'); return i && i.complete && i.naturalWidth > 0; })()`);
    await frames(page);

    // Run text as text: no element made from it, the characters shown as given.
    assert.equal(await page.locator('.diff-top .detail-question').textContent(), `What is on top? ${evil}`);
    assert.match((await page.locator('.legend-item[data-side="1"]').textContent())!, /A satellite <img src=x onerror=.*<b>bold<\/b>/);
    assert.equal(await page.locator('img[src="x"], b').count(), 0);
    assert.notEqual(await page.title(), 'pwned');

    // Turns aligned: each step's cells share their top with the step's header.
    const steps = await drawn(page, '.diff-step[data-step]');
    assert.deepEqual(
      steps.map((s) => s.step),
      ['1', '2', '3'],
    );
    const cells = await drawn(page, '.diff-turn[data-step]');
    for (const s of steps) {
      const row = cells.filter((c) => c.step === s.step);
      assert.equal(row.length, 2, `step ${s.step}: a cell per run (a turn or a gap)`);
      for (const c of row) assert.ok(Math.abs(c.top - s.top) < 1, `step ${s.step}: run ${c.side}'s cell is level with the step (${c.top} vs ${s.top})`);
    }
    assert.match(cells.find((c) => c.step === '3' && c.side === '1')!.text, /^no turn 3 in B$/);

    // The first divergence marked: the marker at step 2, drawn; both its cells outlined, no other cell.
    const [marker, ...more] = await drawn(page, '.diverge-mark');
    assert.equal(more.length, 0, 'one marker');
    assert.ok(marker && shows(marker), 'the marker is drawn');
    assert.equal(marker.text, 'first divergence');
    const step2 = steps.find((s) => s.step === '2')!;
    assert.ok(marker.top >= step2.top && marker.top < step2.top + step2.height, 'the marker is in step 2’s row');
    for (const c of cells) {
      const marked = c.outlineStyle === 'solid' && c.outlineWidth === '2px';
      assert.equal(marked, c.step === '2', `step ${c.step}, run ${c.side}: outlined only at the divergence`);
    }
    assert.match((await page.locator('.diff-summary').textContent()) ?? '', /^First divergence at step 2: A gaze at \[.*\] · B answer "A satellite"/);

    // Both runs' boxes on the one image: where the gaze was, in the run's colour.
    const [photo] = await drawn(page, '.diff-photo');
    assert.ok(photo && shows(photo));
    const { width: W, height: H } = message.image!;
    const colours = ['rgb(0, 114, 178)', 'rgb(230, 159, 0)'];
    const boxes = await drawn(page, '.diff-box');
    for (const side of [0, 1]) {
      const mine = boxes.filter((b) => b.side === String(side));
      assert.equal(mine.length, gazes[side]!.length, `run ${runLabel(side)}: a box per gaze`);
      mine.forEach((b, i) => {
        const [x1, y1, x2, y2] = gazes[side]![i]!;
        const want = {
          left: photo.left + (x1 / W) * photo.width,
          top: photo.top + (y1 / H) * photo.height,
          width: ((x2 - x1) / W) * photo.width,
          height: ((y2 - y1) / H) * photo.height,
        };
        for (const k of ['left', 'top', 'width', 'height'] as const)
          assert.ok(Math.abs(b[k] - want[k]) <= 1, `run ${runLabel(side)} box ${i} ${k}: ${b[k]} vs ${want[k]}`);
        assert.ok(b.boxShadow.includes(colours[side]!), `run ${runLabel(side)} box ${i} drawn in ${colours[side]}: ${b.boxShadow}`);
      });
    }
    // A's first box and B's are the same region: both rings show there, A's outside, B's inside.
    const shot = path.join(TEST_OUT_SCREENSHOTS, 'trajectory-diff.png');
    await page.screenshot({ path: shot });
    const { data, info } = await sharp(shot).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const pixel = (x: number, y: number) => {
      const at = (Math.round(y) * info.width + Math.round(x)) * 3;
      return [data[at]!, data[at + 1]!, data[at + 2]!];
    };
    const near = (got: number[], want: number[]) => Math.hypot(got[0]! - want[0]!, got[1]! - want[1]!, got[2]! - want[2]!) < 40;
    const [blue, orange] = [
      [0, 114, 178],
      [230, 159, 0],
    ];
    for (const b of boxes) {
      const mid = b.top + b.height / 2;
      if (b.side === '0') {
        assert.ok(near(pixel(b.left - 1.5, mid), blue), `A's ring outside its box's left edge: ${String(pixel(b.left - 1.5, mid))}`);
        assert.ok(near(pixel(b.left + b.width + 1.5, mid), blue), `A's ring outside its right edge`);
      } else {
        assert.ok(near(pixel(b.left + 1.5, mid), orange), `B's ring inside its box's left edge: ${String(pixel(b.left + 1.5, mid))}`);
        assert.ok(near(pixel(b.left + b.width - 1.5, mid), orange), `B's ring inside its right edge`);
      }
    }
    // The legend names the runs in the same colours.
    const swatches = await page.evaluate<string[]>(
      `Array.from(document.querySelectorAll('.legend-item .swatch')).map((e) => getComputedStyle(e).backgroundColor)`,
    );
    assert.deepEqual(swatches, colours);
    assert.deepEqual(await violations(page), { violations: [], errors: [] });
    await page.close();
  });
});
