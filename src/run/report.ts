// A trajectory as one self-contained HTML file: the panel's own bundle and styles inlined,
// the record embedded as JSON, its images as data: URLs. Shares the panel's CSP rules:
// nothing remote, scripts and styles only with the page's nonce.
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readTrajectory } from '../core/trajectoryFile';
import type { TrajectoryEvent, TrajectoryHeader } from '../core/trajectory';
import { isRunAsset, type HostMessage } from '../shared/messages';
import { newNonce, renderWebviewPage } from '../shared/webviewHtml';

const MIME: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.avif': 'image/avif',
};

/** Every image the panel would show for this record. */
export function referencedAssets(header: TrajectoryHeader | undefined, events: TrajectoryEvent[]): string[] {
  const out = new Set<string>();
  if (header) out.add(header.image.sent.path ?? header.image.path);
  for (const e of events) {
    if (e.type === 'action' && e.action.kind === 'image_search' && e.action.crop) out.add(e.action.crop);
    if (e.type === 'observation') for (const r of e.results) if (r.thumbnail) out.add(r.thumbnail);
  }
  return [...out].filter(isRunAsset);
}

/** JSON that cannot end the <script> it sits in. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export interface ReportResult {
  html: string;
  images: number;
  missing: string[];
}

/** Builds the report; `webviewDir` holds the built bundle (dist/webview). */
export async function buildReport(trajectoryFile: string, webviewDir: string): Promise<ReportResult> {
  const t = await readTrajectory(trajectoryFile);
  if (!t.header) throw new Error(`${trajectoryFile} has no trajectory header${t.problems[0] ? ` (line ${t.problems[0].line}: ${t.problems[0].message})` : ''}`);
  const dir = path.dirname(trajectoryFile);
  const assets: Record<string, string> = {};
  const missing: string[] = [];
  for (const rel of referencedAssets(t.header, t.events)) {
    const file = path.join(dir, rel);
    const mime = MIME[path.extname(rel).toLowerCase()];
    if (!mime || !existsSync(file)) {
      missing.push(rel);
      continue;
    }
    assets[rel] = `data:${mime};base64,${(await fs.readFile(file)).toString('base64')}`;
  }
  const read = (name: string) => fs.readFile(path.join(webviewDir, name));
  const [script, styles, codicons, font] = await Promise.all([read('main.js'), read('main.css'), read('codicon.css'), read('codicon.ttf')]);
  const fontUrl = `data:font/ttf;base64,${font.toString('base64')}`;
  const init: HostMessage = {
    type: 'init',
    title: path.basename(dir),
    header: t.header,
    events: t.events,
    problems: t.problems,
    assetBase: '',
    live: false,
    complete: true,
  };
  const html = renderWebviewPage({
    title: `Glance-or-Gaze: ${t.header.question}`,
    nonce: newNonce(),
    imageSources: 'data:',
    styleSources: '',
    fontSources: 'data:',
    styles: [{ text: codicons.toString('utf8').replace(/url\(["']?\.\/codicon\.ttf[^)"']*["']?\)/g, `url("${fontUrl}")`) }, { text: styles.toString('utf8') }],
    scripts: [{ text: scriptJson({ init, assets }), type: 'application/json', id: 'gog-report' }, { text: script.toString('utf8') }],
  });
  return { html, images: Object.keys(assets).length, missing };
}
