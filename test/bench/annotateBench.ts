// Annotating at speed: moving to the next trajectory of a review queue of 2,000, and one
// edit applied and redrawn. The queue side is the extension's own code (the index, the
// queue, the file read and parsed as the document reads it); the panel is the real bundle
// in headless Chromium, a fresh page per trajectory as VS Code gives each editor its own,
// built by the extension's own page builder (trajectoryPage.ts: the first message inside
// the page, styles inline, the first screen's images preloaded).
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import type { TrajectoryEvent } from '../../src/core/trajectory';
import { flagsFileOf, writeFlags } from '../../src/review/queueFlags';
import { paceText, QueuePace } from '../../src/review/queuePace';
import { QueueIndex } from '../../src/review/queueIndex';
import { ReviewQueue } from '../../src/review/reviewQueue';
import { readTrajectoryBytes } from '../../src/review/trajectoryOnDisk';
import type { HostMessage } from '../../src/shared/messages';
import type { InitMessage } from '../../src/shared/trajectoryPage';
import { ROOT } from '../helpers/fixtures';
import { launchChromium } from '../vscode/harness/chromium';
import { syntheticRun } from '../webview/fixtures';
import { assetsFor, startHarness, type Harness } from '../webview/harness';
import { median, type Row } from './stats';

const QUEUE_SIZE = 2000;

type PageWindow = {
  __gog: { posted: unknown[] };
  document: {
    body: { getBoundingClientRect(): unknown };
    querySelector(s: string): { dispatchEvent(e: unknown): void; focus(): void } | null;
    querySelectorAll(s: string): ArrayLike<{ decode(): Promise<void>; getBoundingClientRect(): { top: number; bottom: number } }>;
  };
  innerHeight: number;
  dispatchEvent(e: unknown): void;
  MessageEvent: new (t: string, i: object) => unknown;
  KeyboardEvent: new (t: string, i: object) => unknown;
  requestAnimationFrame(cb: () => void): void;
};

/** 2,000 run folders, each the demo's astronaut run with its own question; images linked, not copied. */
async function makeQueue(tmp: string): Promise<string> {
  const demo = path.join(tmp, 'demo');
  execFileSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'demo', '--out', demo], { stdio: 'ignore' });
  const source = path.join(demo, '1-astronaut-patch');
  const lines = (await fs.readFile(path.join(source, 'trajectory.jsonl'), 'utf8')).trimEnd().split('\n');
  const header = JSON.parse(lines[0]!) as { question: string; id: string };
  const root = path.join(tmp, 'queue');
  for (let i = 1; i <= QUEUE_SIZE; i++) {
    const dir = path.join(root, `run-${String(i).padStart(4, '0')}`);
    await fs.mkdir(dir, { recursive: true });
    const own = JSON.stringify({ ...header, id: `${header.id}-${i}`, question: `${header.question} (#${i})` });
    await fs.writeFile(path.join(dir, 'trajectory.jsonl'), [own, ...lines.slice(1)].join('\n') + '\n');
    for (const name of await fs.readdir(source)) if (name !== 'trajectory.jsonl') await fs.symlink(path.join(source, name), path.join(dir, name));
  }
  return root;
}

/**
 * In the page: waits until the view has drawn every card (its `gog:rendered` mark), then
 * until the images in view are decoded; both times from the page's navigation start.
 */
async function renderedAndDecoded(): Promise<{ drawn: number; decoded: number }> {
  const g = globalThis as unknown as PageWindow;
  await new Promise<void>((resolve) => {
    const poll = () => (performance.getEntriesByName('gog:rendered', 'mark').length ? resolve() : g.requestAnimationFrame(poll));
    poll();
  });
  const drawn = performance.getEntriesByName('gog:rendered', 'mark')[0]!.startTime;
  const visible = Array.from(g.document.querySelectorAll('img')).filter((i) => {
    const r = i.getBoundingClientRect();
    return r.bottom > 0 && r.top < g.innerHeight;
  });
  await Promise.all(visible.map((i) => i.decode().catch(() => undefined)));
  return { drawn, decoded: performance.now() };
}

/**
 * A fresh panel page shows `message`, as the extension opens one: the page built with the
 * message inside it, loaded, until every card is drawn and the images in view are decoded.
 */
async function showInFreshPage(page: Page, harness: Harness, message: InitMessage): Promise<{ build: number; drawn: number; decoded: number }> {
  const t0 = performance.now();
  const { url, embedded } = await harness.trajectoryPageUrl('dark', message);
  if (!embedded) throw new Error('the benchmark trajectory no longer fits in its page');
  const build = performance.now() - t0;
  await page.goto(url, { waitUntil: 'commit' });
  return { build, ...(await page.evaluate(renderedAndDecoded)) };
}

/** The panel already open shows `message` in place of what it showed. */
async function showInPage(page: Page, message: HostMessage): Promise<void> {
  await page.evaluate(async (msg) => {
    const g = globalThis as unknown as PageWindow;
    performance.clearMarks();
    g.dispatchEvent(new g.MessageEvent('message', { data: msg }));
    await new Promise<void>((resolve) => {
      const poll = () => (performance.getEntriesByName('gog:rendered', 'mark').length ? resolve() : g.requestAnimationFrame(poll));
      poll();
    });
    const visible = Array.from(g.document.querySelectorAll('img')).filter((i) => {
      const r = i.getBoundingClientRect();
      return r.bottom > 0 && r.top < g.innerHeight;
    });
    await Promise.all(visible.map((i) => i.decode().catch(() => undefined)));
  }, message);
}

async function queueBenchmark(tmp: string, harness: Harness, page: Page, row: Row): Promise<void> {
  const root = await makeQueue(tmp);
  const cacheFile = path.join(tmp, 'queue-index.json');
  const t0 = performance.now();
  const index = new QueueIndex(root, cacheFile);
  const queue = new ReviewQueue(await index.scan());
  const firstScan = performance.now() - t0;
  await index.saveCache();
  const t1 = performance.now();
  const again = new QueueIndex(root, cacheFile);
  await again.loadCache();
  queue.set(await again.scan());
  const cachedScan = performance.now() - t1;

  // What the extension does on "next": the one left is indexed again (its label may be new,
  // counted toward the pace), the next is found (or, for Skip, the next unreviewed), read and
  // parsed into the message its panel is sent; the status bar's text is made again.
  const pace = new QueuePace(Date.now());
  let status = '';
  const nextMessage = async (here: string | undefined, skip = false): Promise<{ rel: string; message: InitMessage }> => {
    if (here) {
      const before = queue.entry(here);
      const after = await again.refresh(here);
      if (before && !before.label && after?.label) pace.labelGiven(Date.now());
      queue.update(here, after);
      if (skip) queue.skip(here);
    }
    const next = (skip ? queue.nextUnreviewed(here) : queue.step(here, 1))!;
    const c = queue.counts;
    status = paceText(pace.summary(c.reviewed, c.total, Date.now()));
    const file = path.join(root, next.rel);
    const { trajectory } = await readTrajectoryBytes(file, 256 * 1024 * 1024);
    const base = harness.addRun(next.rel, path.dirname(file));
    // The message the editor's view sends for a document (trajectoryWebview.ts `show`).
    const message: InitMessage = {
      type: 'init',
      title: path.basename(path.dirname(file)),
      source: file,
      header: trajectory.header!,
      events: trajectory.events,
      problems: trajectory.problems,
      assets: assetsFor(base, trajectory.events, trajectory.header),
      live: false,
      complete: true,
      editable: true,
      pending: { version: 0, annotations: [] },
    };
    return { rel: next.rel, message };
  };
  const moves: number[] = [];
  const hostParts: number[] = [];
  const drawn: number[] = [];
  const decoded: number[] = [];
  let here: string | undefined;
  for (let i = 0; i < 25; i++) {
    const started = performance.now();
    const { rel, message } = await nextMessage(here);
    const found = performance.now() - started;
    const shown = await showInFreshPage(page, harness, message);
    moves.push(performance.now() - started);
    hostParts.push(found + shown.build);
    drawn.push(shown.drawn);
    decoded.push(shown.decoded - shown.drawn);
    here = rel;
  }
  // The same moves shown by a panel already open (no page to load): what the queue itself costs.
  const inPlace: number[] = [];
  const inPlaceHost: number[] = [];
  for (let i = 0; i < 25; i++) {
    const started = performance.now();
    const { rel, message } = await nextMessage(here);
    inPlaceHost.push(performance.now() - started);
    await showInPage(page, message);
    inPlace.push(performance.now() - started);
    here = rel;
  }
  // Skip: the next unreviewed, the one left passed over by Resume; shown by the panel already loaded.
  const skips: number[] = [];
  for (let i = 0; i < 9; i++) {
    const started = performance.now();
    const { rel, message } = await nextMessage(here, true);
    await showInPage(page, message);
    skips.push(performance.now() - started);
    here = rel;
  }
  // Flag: the toggle and this annotator's flags file written whole (atomic, fsynced), 100 flags in it.
  const flagsFile = flagsFileOf(path.join(tmp, 'queue-state'), 'bench', 'Bench Annotator');
  queue.flagged = new Set(queue.shown.slice(0, 100).map((e) => e.rel));
  const flags: number[] = [];
  for (let i = 0; i < 9; i++) {
    const started = performance.now();
    queue.toggleFlag(here!);
    await writeFlags(flagsFile, 'Bench Annotator', queue.flagged);
    flags.push(performance.now() - started);
  }
  if (!status.includes('reviewed')) throw new Error(`the status bar's text was not made: ${status}`);
  console.log(`\nreview queue of ${QUEUE_SIZE.toLocaleString('en')} trajectories (medians of 25 moves; a fresh panel page each)`);
  row('index the folder, first time (every file read)', `${firstScan.toFixed(0)} ms`, '');
  row('index it again from the cache (stat only)', `${cachedScan.toFixed(0)} ms`, '');
  const m = median(moves);
  row('next trajectory: find, read, parse, new panel drawn, images decoded', `${m.toFixed(0)} ms`, '≤ 150 ms', m / 150);
  row('  of which the extension side (index, find, read, parse, page built)', `${median(hostParts).toFixed(1)} ms`, '');
  row('  of which a new page, from its navigation start until every card is drawn', `${median(drawn).toFixed(0)} ms`, '');
  row('  of which then the images in view decoded', `${median(decoded).toFixed(0)} ms`, '');
  const p = median(inPlace);
  row('next trajectory shown by a panel already loaded (same steps)', `${p.toFixed(0)} ms`, '≤ 150 ms', p / 150);
  row('  of which the extension side (index, find, read, parse, status text)', `${median(inPlaceHost).toFixed(1)} ms`, '');
  console.log(
    '  (timed: the one left indexed again, the next found, read and parsed, the status text made, the message posted to the real panel bundle in Chromium until every card is drawn and the images in view are decoded; not timed: VS Code opening the tab)',
  );
  const k = median(skips);
  row('skip to the next unreviewed, panel already loaded (median of 9)', `${k.toFixed(0)} ms`, '≤ 150 ms', k / 150);
  row('flag: toggle and write the flags file whole (median of 9)', `${median(flags).toFixed(1)} ms`, '(no target)');
}

async function editBenchmark(tmp: string, harness: Harness, page: Page, row: Row): Promise<void> {
  const forty = await syntheticRun(path.join(tmp, 'forty'), 40, true);
  const events: TrajectoryEvent[] = forty.events.map((e, i) => ({ ...e, id: e.id ?? `e${i + 1}` }));
  const base = harness.addRun('forty', path.dirname(forty.trajectory));
  await showInFreshPage(page, harness, {
    type: 'init',
    title: 'bench',
    header: forty.header,
    events,
    problems: [],
    assets: assetsFor(base, events, forty.header),
    live: false,
    complete: true,
    editable: true,
    pending: { version: 0, annotations: [] },
  });
  const gazeStep = events.find((e) => e.type === 'action' && e.action.kind === 'image_search' && e.action.scope === 'region')!.step;
  await page.locator(`.turn[data-step="${gazeStep}"] .turn-head`).click();
  await page.keyboard.press('e');
  const times = await page.evaluate(async (step) => {
    const g = globalThis as unknown as PageWindow;
    const box = g.document.querySelector(`.gaze[data-step="${step}"]`)!;
    const out: number[] = [];
    for (let i = 0; i < 40; i++) {
      const t0 = performance.now();
      // One key on the box: the edit is proposed, the corrected trajectory recomputed, the card and the boxes redrawn.
      box.dispatchEvent(new g.KeyboardEvent('keydown', { key: i % 2 ? 'ArrowLeft' : 'ArrowRight', bubbles: true, cancelable: true }));
      g.document.body.getBoundingClientRect(); // the layout the next frame would do
      out.push(performance.now() - t0);
      await new Promise((r) => g.requestAnimationFrame(() => r(undefined)));
    }
    return out;
  }, gazeStep);
  console.log('\nediting (40-turn trajectory, 200 evidence thumbnails; median of 40 key presses on a gaze box)');
  const m = median(times.slice(5));
  row('apply an edit and redraw (proposed, corrected, drawn, laid out)', `${m.toFixed(1)} ms`, '≤ 16 ms', m / 16);
}

export async function annotateBenchmarks(tmp: string, row: Row): Promise<void> {
  const harness = await startHarness();
  const context = await launchChromium(path.join(tmp, 'chromium-annotate'), { width: 1100, height: 1000 });
  // tsx keeps function names with an __name helper; the callbacks sent to the page need it too.
  await context.addInitScript({ content: 'globalThis.__name = (f) => f;' });
  try {
    const page = await context.newPage();
    await queueBenchmark(tmp, harness, page, row);
    await editBenchmark(tmp, harness, page, row);
  } finally {
    await context.close();
    await harness.close();
  }
}
