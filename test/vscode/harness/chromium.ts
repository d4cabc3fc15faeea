// Debian's Chromium, headless, driven by playwright-core (no browser download).
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.GOG_CHROMIUM ?? '/usr/bin/chromium';

/**
 * A fresh profile in `profileDir`. Its preferences allow third-party cookies: VS Code
 * webviews are served from another site (<uuid>.localhost) and Chromium's default of
 * blocking them stops the webview's service worker.
 */
export async function launchChromium(profileDir: string, viewport = { width: 1400, height: 900 }): Promise<BrowserContext> {
  mkdirSync(path.join(profileDir, 'Default'), { recursive: true });
  writeFileSync(path.join(profileDir, 'Default', 'Preferences'), JSON.stringify({ profile: { cookie_controls_mode: 0, block_third_party_cookies: false } }));
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      // Without these Chromium keeps trying to reach the internet, which is closed here.
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
