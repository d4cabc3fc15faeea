// The trajectory view's page, as the extension sets it in a webview and the browser tests
// and the benchmark load it. Built so a fresh panel draws at once: the stylesheets inline,
// the first message embedded as JSON data (the view draws it as soon as its script runs,
// without waiting for `ready` and the host's answer), and the first screen's images
// preloaded while the script is fetched. The script stays external, with the page's nonce.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { referencedAssets } from '../core/referencedImages';
import type { HostMessage } from './messages';
import { EMBEDDED_INIT_ID } from './pageData';
import { escapeHtml, renderWebviewPage, scriptJson, withCodiconFont } from './webviewHtml';

export type InitMessage = Extract<HostMessage, { type: 'init' }>;

/** A larger first message is posted after `ready` instead: a page that big would parse slower than the round trip. */
export const MAX_EMBEDDED_INIT_CHARS = 4 * 1024 * 1024;
/** Turns whose images are preloaded, as the view draws the first ones with eager images (webview/app.ts). */
const FIRST_SCREEN_STEPS = 2;
const MAX_PRELOADS = 8;

/** The bundle's stylesheets as text; read once per bundle folder and process. */
export interface TrajectoryStyles {
  codicons: string;
  main: string;
}

const stylesRead = new Map<string, Promise<TrajectoryStyles>>();

export function readTrajectoryStyles(webviewDir: string): Promise<TrajectoryStyles> {
  let read = stylesRead.get(webviewDir);
  if (!read) {
    const file = (name: string) => fs.readFile(path.join(webviewDir, name), 'utf8');
    read = Promise.all([file('codicon.css'), file('main.css')]).then(([codicons, main]) => ({ codicons, main }));
    // A failed read is not kept: the next page tries again.
    read.catch(() => stylesRead.delete(webviewDir));
    stylesRead.set(webviewDir, read);
  }
  return read;
}

/**
 * URLs of the images the first screen shows: the question's image and those of the first
 * turns, only as `init.assets` lists them (the host checked those), never a path of the record.
 */
export function firstScreenImages(init: InitMessage): string[] {
  const steps = [...new Set(init.events.map((e) => e.step))].sort((a, b) => a - b).slice(0, FIRST_SCREEN_STEPS);
  const shown = init.events.filter((e) => steps.includes(e.step));
  const urls = referencedAssets(init.header ?? undefined, shown).flatMap((rel) => {
    const url = init.assets?.[rel];
    return url ? [url] : [];
  });
  return [...new Set(urls)].slice(0, MAX_PRELOADS);
}

export interface TrajectoryPageParts {
  nonce: string;
  /** Where the page may load the script, images and the icon font from (a webview's cspSource). */
  source: string;
  scriptUrl: string;
  fontUrl: string;
  styles: TrajectoryStyles;
  /** The first message, embedded when it fits under MAX_EMBEDDED_INIT_CHARS. */
  init?: InitMessage;
  /**
   * What VS Code itself puts in a webview, for the browser harness only: theme variables
   * (styles), the acquireVsCodeApi stand-in (scripts, run before the bundle), the body's theme class.
   */
  vscode?: { styles: string[]; scripts: string[]; bodyClass: string };
}

/** The page; `embedded` says whether it carries the first message (else the host posts it after `ready`). */
export function renderTrajectoryPage(p: TrajectoryPageParts): { html: string; embedded: boolean } {
  const json = p.init ? scriptJson({ init: p.init }) : undefined;
  const embedded = !!json && json.length <= MAX_EMBEDDED_INIT_CHARS;
  const html = renderWebviewPage({
    title: 'Glance-or-Gaze trajectory',
    nonce: p.nonce,
    imageSources: p.source,
    // Every stylesheet is inline with the nonce: none is fetched.
    styleSources: '',
    fontSources: p.source,
    styles: [{ text: withCodiconFont(p.styles.codicons, p.fontUrl) }, { text: p.styles.main }, ...(p.vscode?.styles ?? []).map((text) => ({ text }))],
    scripts: [
      ...(embedded ? [{ text: json, type: 'application/json', id: EMBEDDED_INIT_ID }] : []),
      ...(p.vscode?.scripts ?? []).map((text) => ({ text })),
      // Asked for from the head, before the images; run once the data block and VS Code's parts are parsed.
      { src: p.scriptUrl, defer: true },
    ],
    preloadImages: p.init ? firstScreenImages(p.init) : [],
    preloadFonts: [p.fontUrl],
  });
  return { html: p.vscode ? html.replace('<body>', `<body class="${escapeHtml(p.vscode.bodyClass)}">`) : html, embedded };
}
