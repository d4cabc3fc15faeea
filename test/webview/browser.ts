// Chromium for the webview harness: one page of ours at a time, no cross-site frames, so
// Chromium runs as one process. The same Blink renders it under the same CSP, and the suite
// takes about a quarter less CPU and time than with a process per frame and a GPU process
// (the renderers Chromium forks are not its children, so GNU time never counted them).
// The workbench suite keeps the real process model, as VS Code's webviews are cross-site.
import type { BrowserContext } from 'playwright-core';
import { launchChromium as launch } from '../vscode/harness/chromium';

export function launchChromium(profileDir: string, viewport?: { width: number; height: number }): Promise<BrowserContext> {
  return launch(profileDir, viewport, { singleProcess: true });
}
