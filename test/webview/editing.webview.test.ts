// Editing in the real webview bundle, in headless Chromium: gaze boxes dragged, resized and
// drawn with the mouse and nudged with the keys, labels, drops, texts and reflections from
// the keyboard, and no shortcut while typing. The test plays the extension host: it answers
// each request as the document does (the annotation checked with the same checkEdit, then
// the pending list posted back), so what is asserted is what the view asked for and showed.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { applyAnnotations } from '../../src/core/annotations';
import type { Box } from '../../src/core/geometry';
import type { AnnotationEvent, TrajectoryEvent } from '../../src/core/trajectory';
import { readTrajectory, type LoadedTrajectory } from '../../src/core/trajectoryFile';
import { checkEdit } from '../../src/review/edits';
import { stepOfEdit } from '../../src/review/editStep';
import type { ViewRequest } from '../../src/shared/messages';
import { tempDir } from '../helpers/fixtures';
import { makeScreenshotDirs, SCREENSHOTS } from '../helpers/screenshots';
import { launchChromium } from '../vscode/harness/chromium';
import { makeRuns } from './fixtures';
import { assetsFor, deliver, lowContrastText, posted, startHarness, violations, type Harness, type Theme } from './harness';

type Rect = { x: number; y: number; width: number; height: number };

/** The extension's side, for one open trajectory: answers requests, keeps the pending annotations. */
class PlayedHost {
  readonly requests: ViewRequest[] = [];
  pending: AnnotationEvent[] = [];
  /** Refuse the next edit with this message. */
  refuseNext: string | undefined;
  private version = 0;
  private seen = 0;

  constructor(
    private readonly page: Page,
    private readonly t: LoadedTrajectory,
  ) {}

  /** Answers what the view posted since last time; waits until a request of `method` (if given) came. */
  async serve(method?: ViewRequest['method'], timeout = 5000): Promise<ViewRequest | undefined> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const messages = await posted(this.page);
      let found: ViewRequest | undefined;
      for (const m of messages.slice(this.seen)) {
        this.seen++;
        if (m.type !== 'request') continue;
        this.requests.push(m.request);
        await this.answer(m.requestId, m.request);
        if (m.request.method === method) found = m.request;
      }
      if (!method || found) return found;
      if (Date.now() > deadline) throw new Error(`no ${method} request came`);
      await this.page.waitForTimeout(20);
    }
  }

  private async answer(requestId: number, r: ViewRequest): Promise<void> {
    const respond = (ok: boolean, result: unknown, error?: string) =>
      deliver(this.page, { type: 'response', requestId, ok, ...(ok ? { result } : { error: error! }) });
    switch (r.method) {
      case 'edit': {
        if (this.refuseNext) {
          const why = this.refuseNext;
          this.refuseNext = undefined;
          return respond(false, null, why);
        }
        const events: TrajectoryEvent[] = [...this.t.events, ...this.pending];
        const annotation: AnnotationEvent = { type: 'annotation', step: stepOfEdit(r.edit, events), t: new Date().toISOString(), id: r.id, edit: r.edit };
        const problem = checkEdit(this.t.header, events, annotation);
        if (problem) return respond(false, null, problem);
        this.pending.push(annotation);
        await this.postPending();
        return respond(true, { annotation, version: this.version });
      }
      case 'history':
        // What VS Code's undo stack does to the document: the newest edit goes.
        if (r.action === 'undo' && this.pending.pop()) await this.postPending();
        return respond(true, null);
      case 'related':
        return respond(true, { branches: [] });
      case 'queue':
        return respond(true, { opened: null });
      default:
        return respond(true, null);
    }
  }

  private async postPending(): Promise<void> {
    this.version++;
    await deliver(this.page, { type: 'pending', version: this.version, annotations: this.pending });
  }

  edits(op?: string): AnnotationEvent['edit'][] {
    return this.requests.flatMap((r) => (r.method === 'edit' && (!op || r.edit.op === op) ? [r.edit] : []));
  }
}

describe('editing a trajectory in headless Chromium', function () {
  this.timeout(120_000);
  const tmp = tempDir('gog-editing-');
  let harness: Harness;
  let context: BrowserContext;
  let file: string;
  let base: string;

  before(async () => {
    makeScreenshotDirs();
    file = (await makeRuns(tmp.dir)).landscape;
    harness = await startHarness();
    base = harness.addRun('landscape', path.dirname(file));
    context = await launchChromium(path.join(tmp.dir, 'chromium'), { width: 1000, height: 1300 });
  });

  after(async () => {
    await context?.close();
    await harness?.close();
    tmp.cleanup();
  });

  async function openEditor(
    theme: Theme = 'light',
    saved: { annotations?: AnnotationEvent[]; annotator?: string } = {},
  ): Promise<{ page: Page; t: LoadedTrajectory; host: PlayedHost }> {
    const page = await context.newPage();
    await page.goto(harness.pageUrl(theme));
    await page.waitForFunction(() => (globalThis as unknown as { __gog: { posted: unknown[] } }).__gog.posted.length > 0);
    const t = await readTrajectory(file);
    t.events.push(...(saved.annotations ?? []));
    await deliver(page, {
      type: 'init',
      title: 'trajectory.jsonl',
      header: t.header!,
      events: t.events,
      problems: t.problems,
      assets: assetsFor(base, t.events, t.header),
      live: false,
      complete: true,
      editable: true,
      pending: { version: 0, annotations: [] },
      ...(saved.annotator ? { annotator: saved.annotator } : {}),
    });
    await page.waitForFunction(() => {
      const img = (
        globalThis as unknown as { document: { querySelector(s: string): { complete: boolean; naturalWidth: number } | null } }
      ).document.querySelector('.photo');
      return !!img && img.complete && img.naturalWidth > 0;
    });
    await page.locator('.turn[data-step="3"]').waitFor();
    const host = new PlayedHost(page, t);
    await host.serve('related');
    return { page, t, host };
  }

  const gazeOf = (t: LoadedTrajectory, step: number) => {
    const a = t.events.find((e) => e.type === 'action' && e.step === step);
    if (a?.type !== 'action' || a.action.kind !== 'image_search' || !a.action.box) throw new Error(`turn ${step} has no gaze`);
    return { id: a.id!, box: a.action.box.original };
  };
  const rect = async (page: Page, selector: string): Promise<Rect> => (await page.locator(selector).boundingBox())!;
  const near = (a: number, b: number, tolerance: number, what: string) => assert.ok(Math.abs(a - b) <= tolerance, `${what}: ${a} vs ${b}`);

  it('moves, resizes and redraws the selected gaze box with the mouse: one edit each, shown at once and marked', async () => {
    const { page, t, host } = await openEditor();
    const { width: W, height: H } = t.header!.image.oriented;
    const gaze = gazeOf(t, 1);
    await page.locator('.turn[data-step="1"] .turn-head').click();
    await page.locator('.gaze[data-step="1"] .handle.h-se').waitFor();
    assert.equal(await page.locator('.gaze[data-step="2"] .handle').count(), 0, 'only the selected turn’s box can be edited');
    const photo = await rect(page, '.photo');
    const px = W / photo.width;
    const py = H / photo.height;

    // Move: drag the box's middle 60 px right and 30 px up.
    const before = await rect(page, '.gaze[data-step="1"]');
    const from = { x: before.x + before.width / 2, y: before.y + before.height / 2 };
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(from.x + 30, from.y - 15, { steps: 4 });
    await page.mouse.move(from.x + 60, from.y - 30, { steps: 4 });
    await page.mouse.up();
    const moved = (await host.serve('edit')) as Extract<ViewRequest, { method: 'edit' }>;
    assert.equal(moved.edit.op, 'set_box');
    if (moved.edit.op !== 'set_box') return;
    assert.equal(moved.edit.target, gaze.id);
    const [x1, y1, x2, y2] = gaze.box;
    near(moved.edit.box[0], x1 + 60 * px, 2, 'moved left');
    near(moved.edit.box[1], y1 - 30 * py, 2, 'moved top');
    assert.equal(moved.edit.box[2] - moved.edit.box[0], x2 - x1, 'the width is kept');
    assert.equal(moved.edit.box[3] - moved.edit.box[1], y2 - y1, 'the height is kept');
    const after = await rect(page, '.gaze[data-step="1"]');
    near(after.x, before.x + 60, 2, 'the box is drawn where it was dropped');
    near(after.y, before.y - 30, 2, 'the box is drawn where it was dropped');
    assert.equal(await page.locator('.zoom-label').textContent(), '1×', 'the drag did not end in a zooming click');
    // Where the model had put it stays visible, dashed; the turn says it was edited.
    const ghost = await rect(page, '.ghost');
    near(ghost.x, before.x, 1, 'the old place is outlined');
    near(ghost.width, before.width, 1, 'the old place is outlined');
    await page.locator('.turn[data-step="1"] .mark-changed').waitFor();
    assert.match((await page.locator('.turn[data-step="1"] .box-before').textContent()) ?? '', new RegExp(`\\[${gaze.box.join(', ')}\\]`));

    // Resize: the bottom-right handle 30 px right, 25 px down; the top-left corner stays.
    const se = await rect(page, '.gaze[data-step="1"] .h-se');
    await page.mouse.move(se.x + se.width / 2, se.y + se.height / 2);
    await page.mouse.down();
    await page.mouse.move(se.x + se.width / 2 + 30, se.y + se.height / 2 + 25, { steps: 5 });
    await page.mouse.up();
    const resized = (await host.serve('edit')) as Extract<ViewRequest, { method: 'edit' }>;
    if (resized.edit.op !== 'set_box') throw new Error('expected set_box');
    assert.deepEqual(resized.edit.box.slice(0, 2), moved.edit.box.slice(0, 2));
    near(resized.edit.box[2], moved.edit.box[2] + 30 * px, 2, 'right edge');
    near(resized.edit.box[3], moved.edit.box[3] + 25 * py, 2, 'bottom edge');

    // Redraw: drag on the image outside the box, from near the bottom-left corner.
    const start = { x: photo.x + photo.width * 0.05, y: photo.y + photo.height * 0.7 };
    await page.mouse.move(start.x, start.y);
    await page.mouse.down();
    await page.mouse.move(start.x + 100, start.y + 80, { steps: 6 });
    await page.mouse.up();
    const drawn = (await host.serve('edit')) as Extract<ViewRequest, { method: 'edit' }>;
    if (drawn.edit.op !== 'set_box') throw new Error('expected set_box');
    near(drawn.edit.box[0], (start.x - photo.x) * px, 2, 'drawn left');
    near(drawn.edit.box[1], (start.y - photo.y) * py, 2, 'drawn top');
    near(drawn.edit.box[2], (start.x + 100 - photo.x) * px, 2, 'drawn right');
    near(drawn.edit.box[3], (start.y + 80 - photo.y) * py, 2, 'drawn bottom');

    // A drag past the image's edge stops at it.
    const box = await rect(page, '.gaze[data-step="1"]');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x - 2000, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    const clamped = (await host.serve('edit')) as Extract<ViewRequest, { method: 'edit' }>;
    if (clamped.edit.op !== 'set_box') throw new Error('expected set_box');
    assert.equal(clamped.edit.box[0], 0, 'stopped at the left edge');

    // The corrected trajectory is what the view shows; the original is a key away and not editable.
    const corrected = applyAnnotations(t.header, [...t.events, ...host.pending]);
    const action = corrected.events.find((e) => e.id === gaze.id);
    assert.ok(action?.type === 'action' && action.action.kind === 'image_search');
    assert.match((await page.locator('.turn[data-step="1"] .box-pixels').textContent()) ?? '', new RegExp(`\\[${action.action.box!.original.join(', ')}\\]`));
    await page.keyboard.press('o');
    await page.locator('.review-bar.showing-original').waitFor();
    const original = await rect(page, '.gaze[data-step="1"]');
    near(original.x, before.x, 1, 'the original shows the recorded box');
    assert.equal(await page.locator('.gaze .handle').count(), 0, 'the original is not edited');
    assert.equal(await page.locator('.turn-tools').count(), 0);
    await page.keyboard.press('o');
    await page.locator('.review-bar:not(.showing-original)').waitFor();
    assert.equal(host.edits().length, 4, 'one edit per gesture, none for moving the pointer');
    assert.deepEqual(await violations(page), { violations: [], errors: [] });
    await page.close();
  });

  it('works from the keyboard: e and arrows edit the box, labels, drop, reflections and texts by key, none while typing; ? lists the keys; u undoes', async () => {
    const { page, t, host } = await openEditor();
    const { width: W, height: H } = t.header!.image.oriented;
    const gaze = gazeOf(t, 1);
    const step = { x: Math.max(1, Math.round(W * 0.005)), y: Math.max(1, Math.round(H * 0.005)) };

    await page.keyboard.press('j'); // turn 1
    await page.keyboard.press('e'); // its box
    assert.equal(
      await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { dataset: { step?: string } } } }).document.activeElement.dataset.step),
      '1',
    );
    await page.keyboard.press('ArrowRight');
    let e = (await host.serve('edit')) as Extract<ViewRequest, { method: 'edit' }>;
    assert.deepEqual(e.edit, { op: 'set_box', target: gaze.id, box: [gaze.box[0] + step.x, gaze.box[1], gaze.box[2] + step.x, gaze.box[3]] });
    await page.keyboard.press('Shift+ArrowDown');
    e = (await host.serve('edit')) as Extract<ViewRequest, { method: 'edit' }>;
    assert.deepEqual(e.edit, { op: 'set_box', target: gaze.id, box: [gaze.box[0] + step.x, gaze.box[1], gaze.box[2] + step.x, gaze.box[3] + step.y] });
    await page.keyboard.press('Alt+ArrowLeft');
    e = (await host.serve('edit')) as Extract<ViewRequest, { method: 'edit' }>;
    if (e.edit.op !== 'set_box') throw new Error('expected set_box');
    assert.equal(e.edit.box[0], gaze.box[0] + step.x - Math.round(W * 0.05), 'Alt: ten times the step');
    await page.keyboard.press('Escape');

    // Labels by key; the verdict shows at once.
    await page.keyboard.press('a');
    e = (await host.serve('edit')) as Extract<ViewRequest, { method: 'edit' }>;
    assert.deepEqual(e.edit, { op: 'label', label: 'accepted' });
    assert.match((await page.locator('.verdict').textContent()) ?? '', /Accepted/);

    // Typing a note: its letters are not shortcuts; leaving the field labels again with it.
    const edits = host.edits().length;
    await page.locator('.note-field').click();
    await page.keyboard.type('a fair answer, drop nothing');
    await host.serve();
    assert.equal(host.edits().length, edits, 'no key typed in the note did anything');
    await page.keyboard.press('Tab');
    e = (await host.serve('edit')) as Extract<ViewRequest, { method: 'edit' }>;
    assert.deepEqual(e.edit, { op: 'label', label: 'accepted', note: 'a fair answer, drop nothing' });
    await page.locator('.turn[data-step="1"] .turn-head').click();

    await page.keyboard.press('f');
    e = (await host.serve('edit')) as Extract<ViewRequest, { method: 'edit' }>;
    assert.deepEqual(e.edit, { op: 'label', label: 'needs-fix', note: 'a fair answer, drop nothing' });

    // Drop and restore the selected turn.
    await page.keyboard.press('d');
    e = (await host.serve('edit')) as Extract<ViewRequest, { method: 'edit' }>;
    assert.deepEqual(e.edit, { op: 'drop_step', target: 1 });
    await page.locator('.turn.dropped[data-step="1"]').waitFor();
    assert.match((await page.locator('.gaze[data-step="1"]').getAttribute('class')) ?? '', /\bdropped\b/);
    await page.keyboard.press('d');
    e = (await host.serve('edit')) as Extract<ViewRequest, { method: 'edit' }>;
    assert.deepEqual(e.edit, { op: 'restore_step', target: 1 });
    await page.locator('.turn:not(.dropped)[data-step="1"]').waitFor();

    // Insert a reflection: typed letters (a, r, f, d…) stay in the text; Ctrl+Enter keeps it.
    await page.keyboard.press('i');
    await page.locator('.inserting textarea').waitFor();
    const reflection = 'A rocket’s top is the fairing; read it there, not the middle.';
    const before = host.edits().length;
    await page.keyboard.type(reflection);
    await host.serve();
    assert.equal(host.edits().length, before);
    await page.keyboard.press('Control+Enter');
    e = (await host.serve('edit')) as Extract<ViewRequest, { method: 'edit' }>;
    assert.deepEqual(e.edit, { op: 'insert_reflection', target: 1, kind: 'reflect', text: reflection });
    await page.locator('.turn[data-step="1"] .reasoning.inserted').waitFor();
    assert.equal(await page.locator('.turn[data-step="1"] .reasoning.inserted .reasoning-text').textContent(), reflection);

    // Edit the answer: j j to turn 3, t, replace the text.
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('t');
    const field = page.locator('.turn[data-step="3"] .text-edit');
    await field.waitFor();
    await field.fill('The payload fairing, white');
    await page.keyboard.press('Control+Enter');
    e = (await host.serve('edit')) as Extract<ViewRequest, { method: 'edit' }>;
    const answerId = t.events.find((x) => x.type === 'action' && x.step === 3)!.id!;
    assert.deepEqual(e.edit, { op: 'set_text', target: answerId, text: 'The payload fairing, white' });
    await page.locator('.final-answer', { hasText: 'The payload fairing, white' }).waitFor();

    // Escape in a text editor drops what was typed.
    await page.keyboard.press('t');
    await field.waitFor();
    await field.fill('never kept');
    await page.keyboard.press('Escape');
    await host.serve();
    assert.equal(host.edits('set_text').length, 1);

    // ? lists the keys (u among them); Escape closes it.
    await page.keyboard.press('?');
    await page.locator('.shortcut-sheet').waitFor();
    assert.match((await page.locator('.shortcut-sheet').textContent()) ?? '', /Undo the last edit/);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'shortcut-sheet.png') });
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('.shortcut-sheet').count(), 0);

    // u: VS Code's undo; the host's pending list shrinks and the view follows.
    await page.keyboard.press('u');
    const undo = await host.serve('history');
    assert.deepEqual(undo, { method: 'history', action: 'undo' });
    await page.locator('.final-answer', { hasText: 'The payload fairing' }).waitFor();
    assert.equal(await page.locator('.final-answer', { hasText: 'white' }).count(), 0, 'the undone answer is gone');

    // n asks for the next trajectory of the queue.
    await page.keyboard.press('n');
    assert.deepEqual(await host.serve('queue'), { method: 'queue', move: 'next' });

    // Screenshot of the editing UI with a corrected box, an inserted reflection and a label.
    await page.locator('.turn[data-step="1"] .turn-head').click();
    await page.keyboard.press('e');
    await page.keyboard.press('Shift+ArrowRight');
    await host.serve('edit');
    await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    await page.screenshot({ path: path.join(SCREENSHOTS, 'editing.png'), fullPage: true });
    assert.deepEqual(await violations(page), { violations: [], errors: [] });
    await page.close();
  });

  it('takes Ctrl+Z, Ctrl+Y and Ctrl+Shift+Z as its own undo and redo, sent behind its edits (in a text field they are the field’s)', async () => {
    const { page, host } = await openEditor();
    // VS Code's webview listens for keys on the page's window, after the page's own listeners.
    await page.evaluate(() => {
      const g = globalThis as unknown as { __vscodeKeys: string[]; addEventListener(t: string, f: (e: { key: string; ctrlKey: boolean }) => void): void };
      g.__vscodeKeys = [];
      g.addEventListener('keydown', (e) => {
        if (e.ctrlKey && e.key.length === 1) g.__vscodeKeys.push(e.key);
      });
    });
    const vscodeKeys = () => page.evaluate(() => (globalThis as unknown as { __vscodeKeys: string[] }).__vscodeKeys);
    await page.locator('.turn[data-step="2"] .turn-head').click();
    // An edit and the undo at once: the undo request is posted after the edit's.
    await page.keyboard.press('d');
    await page.keyboard.press('Control+z');
    await host.serve('history');
    const order = host.requests.filter((r) => r.method === 'edit' || r.method === 'history').map((r) => r.method);
    assert.deepEqual(order, ['edit', 'history']);
    await page.keyboard.press('Control+y');
    await page.keyboard.press('Control+Shift+Z');
    await host.serve();
    await page.waitForTimeout(100);
    await host.serve();
    assert.deepEqual(
      host.requests.filter((r) => r.method === 'history'),
      [
        { method: 'history', action: 'undo' },
        { method: 'history', action: 'redo' },
        { method: 'history', action: 'redo' },
      ],
    );
    assert.deepEqual(await vscodeKeys(), [], 'VS Code did not get them too (it would undo twice)');
    // In the note field Ctrl+Z is the field's own.
    await page.locator('.note-field').click();
    await page.keyboard.type('ab');
    await page.keyboard.press('Control+z');
    await page.waitForTimeout(100);
    await host.serve();
    assert.equal(host.requests.filter((r) => r.method === 'history').length, 3, 'no undo of the trajectory from the note field');
    assert.deepEqual(await vscodeKeys(), ['z']);
    await page.close();
  });

  it('shows an unsaved verdict as replacing the annotator’s own saved one, and others’ verdicts beside it', async () => {
    const t0 = '2026-11-30T10:00:00.000Z';
    const label = (author: string, id: string): AnnotationEvent => ({
      type: 'annotation',
      step: 0,
      t: t0,
      id,
      author,
      edit: { op: 'label', label: 'accepted' },
    });
    const verdictAfterReject = async (annotator: string) => {
      const { page, host } = await openEditor('light', { annotations: [label('ana', 'ua1')], annotator });
      await page.locator('.verdict.label-accepted').waitFor();
      await page.keyboard.press('r');
      await host.serve('edit');
      await page.locator('.verdict.label-rejected').waitFor();
      const text = (await page.locator('.verdict').textContent())?.trim();
      await page.close();
      return text;
    };
    assert.equal(await verdictAfterReject('ana'), 'Rejected', 'ana’s own saved accept is replaced, not shown as another’s');
    assert.equal(await verdictAfterReject('ben'), 'Rejected · ana: Accepted');
  });

  it('never asks for a box too small to search, and takes back an edit the host refuses, saying why', async () => {
    const { page, t, host } = await openEditor();
    const gaze = gazeOf(t, 2);
    await page.locator('.turn[data-step="2"] .turn-head').click();
    // The host refuses the next edit (the file changed on disk, say): the view puts the box back.
    host.refuseNext = 'the file changed on disk';
    const shown = await rect(page, '.gaze[data-step="2"]');
    await page.mouse.move(shown.x + shown.width / 2, shown.y + shown.height / 2);
    await page.mouse.down();
    await page.mouse.move(shown.x + shown.width / 2 + 50, shown.y + shown.height / 2 + 10, { steps: 5 });
    await page.mouse.up();
    await host.serve('edit');
    await page.locator('.review-message', { hasText: 'Not recorded: the file changed on disk' }).waitFor();
    const back = await rect(page, '.gaze[data-step="2"]');
    near(back.x, shown.x, 1, 'the refused move is taken back');
    assert.equal(await page.locator('.ghost').count(), 0, 'nothing is marked corrected');

    await page.keyboard.press('e');
    // Shrink the box with big steps far past its smallest: the view stops at the minimum.
    for (let i = 0; i < 40; i++) await page.keyboard.press('Shift+Alt+ArrowLeft');
    await host.serve();
    const boxes = (host.edits('set_box') as Extract<AnnotationEvent['edit'], { op: 'set_box' }>[]).slice(1);
    assert.ok(boxes.length > 0 && boxes.length < 40, `${boxes.length} edits, then nothing more to shrink`);
    const smallest: Box = boxes.at(-1)!.box;
    assert.ok(smallest[2] - smallest[0] < gaze.box[2] - gaze.box[0]);
    assert.equal(host.pending.length, boxes.length, 'the record accepted every box asked for');
    assert.doesNotMatch((await page.locator('.review-message').textContent()) ?? '', /small/);

    assert.deepEqual(await violations(page), { violations: [], errors: [] });
    await page.close();
  });

  for (const theme of ['light', 'dark', 'high-contrast'] as Theme[]) {
    it(`keeps the editing UI readable in the ${theme} theme (contrast measured)`, async () => {
      const { page, host } = await openEditor(theme);
      await page.locator('.turn[data-step="1"] .turn-head').click();
      await page.keyboard.press('e');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('Escape');
      await page.keyboard.press('i');
      await page.keyboard.type('Look at the top.');
      await page.keyboard.press('Control+Enter');
      await page.keyboard.press('f');
      await host.serve('edit');
      await page.locator('.turn[data-step="1"] .mark-changed').waitFor();
      await page.locator('.reasoning.inserted').waitFor();
      assert.deepEqual(await lowContrastText(page), []);
      await page.screenshot({ path: path.join(SCREENSHOTS, `editing-${theme}.png`) });
      await page.close();
    });
  }
});
