// A trajectory as one self-contained HTML file: the panel's own bundle and styles inlined,
// the record embedded as JSON, its images as data: URLs. Shares the panel's CSP rules:
// nothing remote, scripts and styles only with the page's nonce. Only images that are
// regular files inside the run folder are inlined (runAssets.ts); the others are named.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Redactor } from '../core/redact';
import { readAnnotatedTrajectory } from '../core/annotationFiles';
import type { HostMessage } from '../shared/messages';
import { newNonce, renderWebviewPage, scriptJson, withCodiconFont } from '../shared/webviewHtml';
import { referencedAssets } from '../core/referencedImages';
import { describeRefused, RunAssets } from '../data/runAssets';

const MIME: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.avif': 'image/avif',
};

/**
 * The largest trajectory a report is made of: everything goes into one HTML string, and a
 * browser would not open a much bigger page anyway.
 */
export const MAX_REPORT_TRAJECTORY_BYTES = 256 * 1024 * 1024;

export interface ReportResult {
  html: string;
  images: number;
  /** One line per image the record names that is not in the report, and why. */
  left: string[];
}

/**
 * Builds the report; `webviewDir` holds the built bundle (dist/webview). The record's text
 * goes through `redactor` (not the bundle, whose code a short secret could match).
 */
export async function buildReport(trajectoryFile: string, webviewDir: string, redactor: Redactor = Redactor.none): Promise<ReportResult> {
  const t = redactor.value(await readAnnotatedTrajectory(trajectoryFile, { maxBytes: MAX_REPORT_TRAJECTORY_BYTES }));
  if (!t.header) throw new Error(`${trajectoryFile} has no trajectory header${t.problems[0] ? ` (line ${t.problems[0].line}: ${t.problems[0].message})` : ''}`);
  const dir = path.dirname(trajectoryFile);
  const runAssets = new RunAssets(dir);
  const assets: Record<string, string> = {};
  const refused: Record<string, string> = {};
  const left: string[] = [];
  for (const check of await runAssets.checkAll(referencedAssets(t.header, t.events))) {
    const mime = MIME[path.extname(check.rel).toLowerCase()];
    if (!check.ok) {
      left.push(describeRefused(check));
      refused[check.rel] = check.reason;
    } else if (!mime) left.push(`${check.rel} is not an image a browser shows; not shown`);
    else assets[check.rel] = `data:${mime};base64,${(await runAssets.read(check)).toString('base64')}`;
  }
  const read = (name: string) => fs.readFile(path.join(webviewDir, name));
  const [script, styles, codicons, font] = await Promise.all([read('main.js'), read('main.css'), read('codicon.css'), read('codicon.ttf')]);
  const init: HostMessage = {
    type: 'init',
    title: path.basename(dir),
    header: t.header,
    events: t.events,
    problems: t.problems,
    assets,
    ...(Object.keys(refused).length ? { refused } : {}),
    live: false,
    complete: true,
  };
  const html = renderWebviewPage({
    title: `Glance-or-Gaze: ${t.header.question}`,
    nonce: newNonce(),
    imageSources: 'data:',
    styleSources: '',
    fontSources: 'data:',
    styles: [{ text: withCodiconFont(codicons.toString('utf8'), `data:font/ttf;base64,${font.toString('base64')}`) }, { text: styles.toString('utf8') }],
    scripts: [{ text: scriptJson({ init }), type: 'application/json', id: 'gog-report' }, { text: script.toString('utf8') }],
  });
  return { html, images: Object.keys(assets).length, left };
}
