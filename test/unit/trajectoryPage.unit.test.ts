// The trajectory panel's page: its first message inside it while it fits (and exactly that
// message), the stylesheets inline under a CSP with no unsafe-inline, and preloads only for
// the first screen's images the host listed.
import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { TrajectoryEvent } from '../../src/core/trajectory';
import { MAX_EMBEDDED_INIT_CHARS, readTrajectoryStyles, renderTrajectoryPage, type InitMessage } from '../../src/shared/trajectoryPage';
import { tempDir } from '../helpers/fixtures';
import { sampleHeader } from '../helpers/trajectories';

const t = '2026-11-25T00:00:00.000Z';
const source = 'https://file+.vscode-resource.vscode-cdn.net';
const styles = { codicons: '@font-face { font-family: "codicon"; src: url("./codicon.ttf?5d4d76ab") format("truetype"); }', main: 'body { color: red }' };

/** Turn n gazes (its crop) and gets six thumbnails back. */
function turn(n: number): TrajectoryEvent[] {
  return [
    {
      type: 'action',
      step: n,
      t,
      action: { kind: 'image_search', scope: 'region', box: { model: [0, 0, 9, 9], sent: [0, 0, 9, 9], original: [0, 0, 9, 9] }, crop: `s${n}-crop.jpg` },
    },
    {
      type: 'observation',
      step: n,
      t,
      tool: 'image_search',
      results: [1, 2, 3, 4, 5, 6].map((rank) => ({
        rank,
        title: 't',
        url: 'https://example.org/',
        snippet: '',
        provider: 'p',
        thumbnail: `s${n}-thumb${rank}.jpg`,
      })),
      ms: 1,
    },
  ];
}

function init(events: TrajectoryEvent[], assets: Record<string, string>, question = 'Which telescope?'): InitMessage {
  return { type: 'init', title: 'run', header: sampleHeader({ question }), events, problems: [], assets, live: false, complete: true };
}

function page(i: InitMessage | undefined) {
  return renderTrajectoryPage({ nonce: 'abc123', source, scriptUrl: `${source}/main.js`, fontUrl: `${source}/codicon.ttf`, styles, init: i });
}

describe('trajectory page', () => {
  it('embeds the first message as inert JSON that reads back the same, whatever its text', () => {
    const hostile = '</script><img src=x onerror=alert(1)> <!-- \u2028\u2029 </SCRIPT> <![CDATA[';
    const message = init(turn(1), { 's1-crop.jpg': `${source}/run/s1-crop.jpg` }, hostile);
    const { html, embedded } = page(message);
    assert.ok(embedded);
    const open = '<script nonce="abc123" type="application/json" id="gog-init">';
    const start = html.indexOf(open) + open.length;
    const block = html.slice(start, html.indexOf('</script>', start));
    assert.ok(!/[<\u2028\u2029]/.test(block), 'no < nor line separators inside the block');
    assert.deepEqual(JSON.parse(block), { init: message });
    assert.equal(html.split('<script').length - 1, 2, 'the data block and the bundle, nothing else');
    // Asked for first, run once the page (and so the data block) is parsed.
    assert.ok(html.includes(`<script nonce="abc123" src="${source}/main.js" defer></script>`));
    assert.ok(html.indexOf(`src="${source}/main.js"`) < html.indexOf('rel="preload" as="image"'), 'the bundle is asked for before any image');
  });

  it('posts a first message too large for a page instead of embedding it', () => {
    const big = init([{ type: 'notice', step: 0, t, message: 'x'.repeat(MAX_EMBEDDED_INIT_CHARS) }], {});
    const { html, embedded } = page(big);
    assert.equal(embedded, false);
    assert.ok(!html.includes('gog-init'));
    assert.ok(html.length < 100_000);
    assert.equal(page(undefined).embedded, false);
  });

  it('inlines the styles with the nonce, the icon font from the webview, under a CSP without unsafe-inline', () => {
    const { html } = page(init([], {}));
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1]!.replace(/&#39;/g, "'");
    assert.equal(csp, `default-src 'none'; img-src ${source}; style-src 'nonce-abc123'; font-src ${source}; script-src 'nonce-abc123'`);
    assert.ok(!html.includes('rel="stylesheet"'));
    assert.ok(html.includes(`<style nonce="abc123">@font-face { font-family: "codicon"; src: url("${source}/codicon.ttf") format("truetype"); }</style>`));
    assert.ok(html.includes('<style nonce="abc123">body { color: red }</style>'));
    assert.ok(html.includes(`<link rel="preload" as="font" type="font/ttf" crossorigin href="${source}/codicon.ttf">`), 'the font is asked for at once');
  });

  it('preloads the question image and the first two turns’ images the host listed, at most eight, nothing else', () => {
    const events = [...turn(1), ...turn(2), ...turn(3)];
    const listed = [
      'image.jpg',
      's1-crop.jpg',
      's1-thumb1.jpg',
      's1-thumb3.jpg',
      's2-crop.jpg',
      's2-thumb1.jpg',
      's2-thumb2.jpg',
      's2-thumb3.jpg',
      's2-thumb4.jpg',
      's3-crop.jpg',
    ];
    const assets = Object.fromEntries(listed.map((rel) => [rel, `${source}/run/${rel}`]));
    const sent = sampleHeader().image.sent.path ?? sampleHeader().image.path;
    assets[sent] = `${source}/run/${sent}`;
    const preloads = [...page(init(events, assets)).html.matchAll(/<link rel="preload" as="image" href="([^"]+)">/g)].map((m) => m[1]);
    assert.deepEqual(
      preloads,
      [sent, 's1-crop.jpg', 's1-thumb1.jpg', 's1-thumb3.jpg', 's2-crop.jpg', 's2-thumb1.jpg', 's2-thumb2.jpg', 's2-thumb3.jpg'].map(
        (rel) => `${source}/run/${rel}`,
      ),
    );
    // s1-thumb2 is named by the record but not listed (refused by the host): never preloaded.
    assert.ok(!preloads.some((p) => p.includes('s1-thumb2')));
  });

  it('reads the stylesheets once per bundle folder', async () => {
    const tmp = tempDir('gog-page-');
    try {
      const dir = path.join(tmp.dir, 'webview');
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'codicon.css'), 'a {}');
      writeFileSync(path.join(dir, 'main.css'), 'b {}');
      assert.deepEqual(await readTrajectoryStyles(dir), { codicons: 'a {}', main: 'b {}' });
      writeFileSync(path.join(dir, 'main.css'), 'changed {}');
      assert.deepEqual(await readTrajectoryStyles(dir), { codicons: 'a {}', main: 'b {}' });
      await assert.rejects(readTrajectoryStyles(path.join(tmp.dir, 'missing')), /ENOENT/);
    } finally {
      tmp.cleanup();
    }
  });
});
