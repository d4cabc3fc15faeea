// The real webview bundle in a real browser, without VS Code: a page served on 127.0.0.1
// built by the panel's own page builder (trajectoryPage.ts: same HTML, CSP, inline styles,
// embedded first message and preloads), a stand-in for acquireVsCodeApi that records what
// the webview posts, VS Code-like theme variables, and run folders for its images.
import type { TrajectoryEvent, TrajectoryHeader } from '../../src/core/trajectory';
import { referencedAssets } from '../../src/core/referencedImages';
import { createReadStream, existsSync, statSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import type { HostMessage, ViewMessage } from '../../src/shared/messages';
import { readTrajectoryStyles, renderTrajectoryPage, type InitMessage } from '../../src/shared/trajectoryPage';
import { newNonce, renderWebviewPage } from '../../src/shared/webviewHtml';
import { ROOT } from '../helpers/fixtures';

export { ROOT };

const DIST = path.join(ROOT, 'dist', 'webview');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.ttf': 'font/ttf',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.map': 'application/json',
};

/** A few of the variables VS Code sets on a webview, per theme (from its default themes). */
export const THEMES = {
  light: {
    'vscode-foreground': '#3b3b3b',
    'vscode-editor-background': '#ffffff',
    'vscode-descriptionForeground': '#717171',
    'vscode-panel-border': '#e5e5e5',
    'vscode-sideBar-background': '#f8f8f8',
    'vscode-textLink-foreground': '#005fb8',
    'vscode-errorForeground': '#f85149',
    'vscode-focusBorder': '#005fb8',
    'vscode-font-family': 'system-ui, sans-serif',
    'vscode-font-size': '13px',
    'vscode-checkbox-background': '#ffffff',
    'vscode-checkbox-border': '#cecece',
    'vscode-checkbox-foreground': '#3b3b3b',
    'vscode-button-background': '#005fb8',
    'vscode-button-foreground': '#ffffff',
    'vscode-button-secondaryBackground': '#e5e5e5',
    'vscode-button-secondaryForeground': '#3b3b3b',
    'vscode-icon-foreground': '#3b3b3b',
    'vscode-testing-iconPassed': '#73c991',
    'vscode-inputValidation-warningBackground': '#f6f5d2',
  },
  dark: {
    'vscode-foreground': '#cccccc',
    'vscode-editor-background': '#1f1f1f',
    'vscode-descriptionForeground': '#9d9d9d',
    'vscode-panel-border': '#2b2b2b',
    'vscode-sideBar-background': '#181818',
    'vscode-textLink-foreground': '#4daafc',
    'vscode-errorForeground': '#f85149',
    'vscode-focusBorder': '#0078d4',
    'vscode-font-family': 'system-ui, sans-serif',
    'vscode-font-size': '13px',
    'vscode-checkbox-background': '#313131',
    'vscode-checkbox-border': '#3c3c3c',
    'vscode-checkbox-foreground': '#cccccc',
    'vscode-button-background': '#0078d4',
    'vscode-button-foreground': '#ffffff',
    'vscode-button-secondaryBackground': '#313131',
    'vscode-button-secondaryForeground': '#cccccc',
    'vscode-icon-foreground': '#cccccc',
    'vscode-testing-iconPassed': '#73c991',
    'vscode-inputValidation-warningBackground': '#352a05',
  },
  // Dark High Contrast: black ground, borders instead of fills (VS Code adds body.vscode-high-contrast).
  'high-contrast': {
    'vscode-foreground': '#ffffff',
    'vscode-editor-background': '#000000',
    'vscode-descriptionForeground': '#ffffffb3',
    'vscode-panel-border': '#6fc3df',
    'vscode-contrastBorder': '#6fc3df',
    'vscode-contrastActiveBorder': '#f38518',
    'vscode-sideBar-background': '#000000',
    'vscode-textLink-foreground': '#21a6ff',
    'vscode-errorForeground': '#f48771',
    'vscode-focusBorder': '#f38518',
    'vscode-font-family': 'system-ui, sans-serif',
    'vscode-font-size': '13px',
    'vscode-checkbox-background': '#000000',
    'vscode-checkbox-border': '#6fc3df',
    'vscode-checkbox-foreground': '#ffffff',
    'vscode-button-background': '#000000',
    'vscode-button-border': '#6fc3df',
    'vscode-button-foreground': '#ffffff',
    'vscode-button-secondaryBackground': '#000000',
    'vscode-button-secondaryForeground': '#ffffff',
    'vscode-icon-foreground': '#ffffff',
    'vscode-testing-iconPassed': '#73c991',
    'vscode-inputValidation-warningBackground': '#000000',
  },
} as const;
export type Theme = keyof typeof THEMES;

/**
 * Stands in for VS Code: records posts, keeps state, reports CSP violations. The state also
 * goes to sessionStorage, so a reloaded page gets it back as a rebuilt webview does.
 */
const STUB = `
const kept = sessionStorage.getItem('gog-state');
window.__gog = { posted: [], state: kept ? JSON.parse(kept) : undefined, violations: [], errors: [] };
document.addEventListener('securitypolicyviolation', (e) => window.__gog.violations.push(e.violatedDirective + ' ' + e.blockedURI));
window.addEventListener('error', (e) => window.__gog.errors.push(String(e.message)));
function acquireVsCodeApi() {
  return {
    postMessage: (m) => window.__gog.posted.push(JSON.parse(JSON.stringify(m))),
    getState: () => window.__gog.state,
    setState: (s) => { window.__gog.state = s; sessionStorage.setItem('gog-state', JSON.stringify(s)); },
  };
}`;

/**
 * What the extension sends with a record's events: the URL of every image they name (the
 * real host first checks each is a regular file inside the run folder; runAssets.ts).
 */
export function assetsFor(base: string, events: readonly TrajectoryEvent[], header?: TrajectoryHeader): Record<string, string> {
  return Object.fromEntries(referencedAssets(header, events).map((rel) => [rel, `${base}/${rel}`]));
}

export interface Harness {
  origin: string;
  /** Serves a run folder under /run/<name>/; returns the base URL its images are served at. */
  addRun(name: string, dir: string): string;
  /** The page of a bundle: the trajectory view (main) or the run review views (runs), waiting for messages. */
  pageUrl(theme: Theme, bundle?: 'main' | 'runs'): string;
  /** The page the extension would set for a trajectory whose first message is `init` (embedded when it fits). */
  trajectoryPageUrl(theme: Theme, init: InitMessage): Promise<{ url: string; embedded: boolean }>;
  close(): Promise<void>;
}

/** What VS Code adds to every webview: its theme variables and body class, and acquireVsCodeApi. */
function vscodeParts(theme: Theme): { styles: string[]; scripts: string[]; bodyClass: string } {
  const vars = Object.entries(THEMES[theme] ?? THEMES.light)
    .map(([k, v]) => `--${k}: ${v};`)
    .join(' ');
  return { styles: [`html { ${vars} }`], scripts: [STUB], bodyClass: `vscode-${theme}` };
}

export async function startHarness(): Promise<Harness> {
  const runs = new Map<string, string>();
  const pages = new Map<string, string>();
  let origin = '';
  const trajectoryPage = async (theme: Theme, init?: InitMessage) =>
    renderTrajectoryPage({
      nonce: newNonce(),
      source: origin,
      scriptUrl: `${origin}/dist/main.js`,
      fontUrl: `${origin}/dist/codicon.ttf`,
      styles: await readTrajectoryStyles(DIST),
      init,
      vscode: vscodeParts(theme),
    });
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://harness');
    const theme = (url.searchParams.get('theme') ?? 'light') as Theme;
    const sendHtml = (html: string) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(html);
    };
    if (url.pathname === '/' && url.searchParams.get('bundle') === 'runs') {
      const parts = vscodeParts(theme);
      const html = renderWebviewPage({
        title: 'harness',
        nonce: newNonce(),
        imageSources: origin,
        styleSources: origin,
        fontSources: origin,
        styles: [{ href: `${origin}/dist/codicon.css` }, { href: `${origin}/dist/runs.css` }, { text: parts.styles[0]! }],
        scripts: [{ text: STUB }, { src: `${origin}/dist/runs.js` }],
      }).replace('<body>', `<body class="${parts.bodyClass}">`);
      return sendHtml(html);
    }
    if (url.pathname === '/') {
      trajectoryPage(theme).then(
        (p) => sendHtml(p.html),
        (e: unknown) => {
          res.writeHead(500);
          res.end(String(e));
        },
      );
      return;
    }
    if (url.pathname.startsWith('/page/') && pages.has(url.pathname)) return sendHtml(pages.get(url.pathname)!);
    let file: string | undefined;
    const parts = url.pathname.split('/').map(decodeURIComponent);
    if (parts[1] === 'dist') file = path.join(DIST, ...parts.slice(2));
    else if (parts[1] === 'run' && runs.has(parts[2]!)) file = path.join(runs.get(parts[2]!)!, ...parts.slice(3));
    const base = parts[1] === 'dist' ? DIST : runs.get(parts[2] ?? '');
    if (!file || !base || !path.resolve(file).startsWith(path.resolve(base) + path.sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404);
      return void res.end();
    }
    // As VS Code's webview service worker answers: an ETag with no-cache, so a page revalidates what it has
    // (a 304 for an unchanged file) and the browser keeps what it keeps for cached resources.
    const stat = statSync(file);
    const etag = `"${stat.size.toString(16)}-${stat.mtimeMs.toString(16)}"`;
    const headers = { etag, 'cache-control': 'no-cache', 'last-modified': stat.mtime.toUTCString() };
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers);
      return void res.end();
    }
    res.writeHead(200, { ...headers, 'content-type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    addRun(name, dir) {
      runs.set(name, dir);
      return `${origin}/run/${encodeURIComponent(name)}`;
    },
    pageUrl: (theme, bundle = 'main') => `${origin}/?theme=${theme}${bundle === 'runs' ? '&bundle=runs' : ''}`,
    async trajectoryPageUrl(theme, init) {
      const { html, embedded } = await trajectoryPage(theme, init);
      const at = `/page/${pages.size + 1}`;
      pages.set(at, html);
      return { url: `${origin}${at}`, embedded };
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** The page's window as the harness sees it (the test code has no DOM types). */
export type HarnessWindow = {
  __gog: { posted: ViewMessage[]; state: unknown; violations: string[]; errors: string[] };
  dispatchEvent(event: unknown): void;
  MessageEvent: new (type: string, init: { data: unknown }) => unknown;
};

/** Delivers a host message the way VS Code does: a message event on the window. */
export async function deliver(page: Page, message: HostMessage): Promise<void> {
  await page.evaluate((m) => {
    const w = globalThis as unknown as HarnessWindow;
    w.dispatchEvent(new w.MessageEvent('message', { data: m }));
  }, message);
}

export async function posted(page: Page): Promise<ViewMessage[]> {
  return page.evaluate(() => (globalThis as unknown as HarnessWindow).__gog.posted);
}

export async function violations(page: Page): Promise<{ violations: string[]; errors: string[] }> {
  return page.evaluate(() => {
    const g = (globalThis as unknown as HarnessWindow).__gog;
    return { violations: g.violations, errors: g.errors };
  });
}

export interface LowContrast {
  text: string;
  selector: string;
  ratio: number;
}

// Runs in the page, as plain JavaScript: the tests' TypeScript has no DOM types.
const LOW_CONTRAST_SOURCE = String.raw`(min) => {
  // Computed colours are rgb()/rgba(), or color(srgb r g b / a) with 0–1 channels after color-mix().
  const parse = (c) => {
    const m = c.match(/^(rgba?|color)\((?:srgb )?([^)]+)\)$/);
    if (!m) throw new Error('contrast check: unknown colour syntax ' + c);
    const [r, g, b, a] = m[2].split(/[ ,/]+/).filter(Boolean).map(Number);
    const scale = m[1] === 'color' ? 255 : 1;
    return [r * scale, g * scale, b * scale, a ?? 1];
  };
  const over = (top, below) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + below[i] * (1 - a)).concat(1);
  };
  // What is painted behind an element: its own and its ancestors' fills, down to an opaque one.
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    return layers.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255, 1]);
  };
  const luminance = (rgb) => {
    const lin = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * lin(rgb[0]) + 0.7152 * lin(rgb[1]) + 0.0722 * lin(rgb[2]);
  };
  const found = [];
  const seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || seen.has(el) || !n.textContent.trim()) continue;
    seen.add(el);
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (style.visibility !== 'visible' || Number(style.opacity) === 0 || box.width === 0 || box.height === 0) continue;
    const bg = background(el);
    const fg = over(parse(style.color), bg);
    const [hi, lo] = [luminance(fg), luminance(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    if (ratio < min) {
      const selector = el.tagName.toLowerCase() + (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '');
      found.push({ text: n.textContent.trim().slice(0, 40), selector, ratio: Math.round(ratio * 100) / 100 });
    }
  }
  return found;
}`;

/**
 * Text in the page whose WCAG contrast against what is behind it is under `min`.
 * Colours are the computed ones; translucent text and fills are blended over the
 * nearest background below them, as the browser paints them.
 */
export async function lowContrastText(page: Pick<Page, 'evaluate'>, min = 4.5): Promise<LowContrast[]> {
  return page.evaluate<LowContrast[]>(`(${LOW_CONTRAST_SOURCE})(${JSON.stringify(min)})`);
}
