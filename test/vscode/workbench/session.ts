// A VS Code workbench a test can drive like a person: code-server with our extension
// under development, headless Chromium, a workspace folder of the test's own.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BrowserContext, Frame, Page } from 'playwright-core';
import { launchChromium } from '../harness/chromium';
import { startCodeServer, type CodeServer } from '../harness/codeServer';
import { ROOT } from '../../helpers/fixtures';
import { TEST_OUT_SCREENSHOTS } from '../../helpers/screenshots';
import { workbenchUrl } from '../harness/workbenchUrl';

export { ROOT } from '../../helpers/fixtures';

export interface Session {
  page: Page;
  workspace: string;
  close(): Promise<void>;
}

export async function openWorkbench(prepare: (workspace: string) => void): Promise<Session> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gog-workbench-'));
  const workspace = path.join(dir, 'workspace');
  mkdirSync(workspace);
  prepare(workspace);
  let server: CodeServer | undefined;
  let context: BrowserContext | undefined;
  try {
    server = await startCodeServer({
      runDir: path.join(dir, 'server'),
      userDataDir: path.join(dir, 'profile'),
      extensionsDir: path.join(dir, 'extensions'),
      disableWorkspaceTrust: true,
    });
    context = await launchChromium(path.join(dir, 'chromium'));
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(workbenchUrl(server, { folder: workspace, extensionDevelopmentPath: ROOT }));
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.explorer-folders-view, .explorer-viewlet').first().waitFor({ timeout: 60_000 });
    const s = server;
    const c = context;
    return {
      page,
      workspace,
      async close() {
        await c.close().catch(() => undefined);
        await s.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await context?.close().catch(() => undefined);
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/**
 * F1, type the command's title, Enter: how a person runs a command. The extension under
 * development contributes its commands a few seconds after the workbench shows, so the
 * palette is reopened until the command is listed.
 */
export async function runFromPalette(page: Page, title: string, timeoutMs = 60_000): Promise<void> {
  // The row labelled exactly so: Enter would take whatever the fuzzy filter ranked first.
  const exact = new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  const row = page
    .locator('.quick-input-list .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: exact }) })
    .first();
  const input = page.locator('.quick-input-widget input');
  for (const started = Date.now(); ;) {
    await page.keyboard.press('F1');
    try {
      // F1 in a webview that is still loading goes nowhere: press it again.
      await input.waitFor({ timeout: 3000 });
    } catch (e) {
      if (Date.now() - started > timeoutMs) throw e;
      continue;
    }
    try {
      // The palette closes when something takes the focus (a Welcome page opening at start, a
      // view restored): then again, also when that happens between finding the row and clicking it.
      await input.fill(`>${title}`, { timeout: 3000 });
      await row.waitFor({ timeout: 3000 });
      await row.click({ timeout: 3000 });
      return;
    } catch (e) {
      if (Date.now() - started > timeoutMs) throw e;
      await page.keyboard.press('Escape');
    }
  }
}

/** VS Code's own file dialog (code-server has no native one): type the path, wait for the file, OK. */
export async function pickFile(page: Page, file: string): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('input');
  // The dialog fills in its starting folder once it has listed it; typing before that is lost.
  await widget.locator('.monaco-list-row').first().waitFor();
  for (let i = 0; !(await input.inputValue()).endsWith('/'); i++) {
    if (i > 100) throw new Error('the file dialog never showed its starting folder');
    await page.waitForTimeout(100);
  }
  for (let attempt = 0; ; attempt++) {
    await input.fill(file);
    await widget
      .locator('.monaco-list-row', { hasText: path.basename(file) })
      .first()
      .waitFor();
    if ((await input.inputValue()) === file) break;
    if (attempt === 5) throw new Error(`the file dialog kept replacing the path: ${await input.inputValue()}`);
  }
  await widget.getByRole('button', { name: 'OK' }).click();
}

/** The quick input's text box once it asks for `prompt` (a file dialog, an input box). */
export async function answerQuickInput(page: Page, text: string, expect?: RegExp): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  if (expect) await widget.filter({ hasText: expect }).waitFor();
  const input = widget.locator('input');
  await input.fill(text);
  await page.keyboard.press('Enter');
}

/**
 * The frame holding a webview's content. VS Code nests it in iframes it swaps as the view
 * loads, so it is found by what it shows, not by a selector on the iframe.
 */
export async function webviewFrame(page: Page, selector: string, hasText?: string, timeoutMs = 60_000): Promise<Frame> {
  for (const started = Date.now(); Date.now() - started < timeoutMs;) {
    for (const frame of page.frames()) {
      if (
        await frame
          .locator(selector, hasText ? { hasText } : {})
          .count()
          .catch(() => 0)
      )
        return frame;
    }
    await page.waitForTimeout(250);
  }
  throw new Error(`no webview shows ${selector}${hasText ? ` with "${hasText}"` : ''}`);
}

/**
 * After a try of a test that did not pass: a screenshot of the workbench, then Escape, so that
 * a dialog the try left open does not take the clicks of its retry. (Mocha runs afterEach
 * before a retry with the test's state not yet "failed".) Its own failures are only logged:
 * a page that crashed must not stop the retry.
 */
export async function afterTry(test: Mocha.Test | undefined, session: Session | undefined, name: string): Promise<void> {
  if (!session || test?.state === 'passed') return;
  try {
    await session.page.screenshot({ path: path.join(TEST_OUT_SCREENSHOTS, `failed-${name}-${Date.now()}.png`) });
    await session.page.keyboard.press('Escape');
  } catch (e) {
    console.error(`after a failed try of "${test?.title ?? '?'}": ${(e as Error).message}`);
  }
}
