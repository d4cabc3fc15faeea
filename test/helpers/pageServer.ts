// Web pages on 127.0.0.1 for page reading: an article full of what a reader must never
// return (script and style bodies, noscript, templates, hidden elements, an XSS payload in
// every usual form), pages in other types and charsets, failures, and a small search
// endpoint answering like SearXNG's JSON API with results that point back at these pages.
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Words a reader must keep: the article's readable text. */
export const VISIBLE = ['Gustave Eiffel', '330 metres', 'wrought iron', 'Opening day', 'Click to expand the history', 'Height', '1889'];

/** Words only found in things a reader must drop. */
export const NOISE = [
  'SCRIPT_NOISE',
  'JSONLD_NOISE',
  'STYLE_NOISE',
  'CSS_CONTENT_NOISE',
  'NOSCRIPT_NOISE',
  'TEMPLATE_NOISE',
  'HIDDEN_NOISE',
  'ARIA_NOISE',
  'DISPLAY_NOISE',
  'VISIBILITY_NOISE',
  'COMMENT_NOISE',
  'SVG_NOISE',
  'BUTTON_NOISE',
  'alert(',
  'onerror',
  'onload',
  'onclick',
  'javascript:',
  'XSS_',
];

export const ARTICLE_TITLE = 'Eiffel Tower – facts & figures';

export const ARTICLE_HTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Eiffel Tower &ndash; facts &amp; figures</title>
<style>body { color: #333 } .STYLE_NOISE { display: block } body::after { content: "CSS_CONTENT_NOISE" }</style>
<script>window.SCRIPT_NOISE = 1; document.write("<p>SCRIPT_NOISE written</p>"); var s = "</scr" + "ipt>SCRIPT_NOISE tail";</script>
<script type="application/ld+json">{"@type": "Article", "headline": "JSONLD_NOISE"}</script>
</head>
<body onload="alert('XSS_BODY')">
<nav><a href="/">Home</a> <a href="/shop">Shop</a></nav>
<noscript><p>NOSCRIPT_NOISE: please enable JavaScript</p></noscript>
<template id="row"><p>TEMPLATE_NOISE</p></template>
<h1>The tower Gustave Eiffel built</h1>
<p>The tower is <b>330 metres</b> tall and made of <i>wrought iron</i>.
<img src=x onerror="alert('XSS_IMG')"><img src="data:image/svg+xml,<svg onload=alert('XSS_DATA')>" alt="">
<a href="javascript:alert('XSS_LINK')">Read more</a>.</p>
<!-- COMMENT_NOISE -->
<div hidden>HIDDEN_NOISE</div>
<div aria-hidden="true">ARIA_NOISE</div>
<div style="display: none">DISPLAY_NOISE</div>
<span style="VISIBILITY:HIDDEN">VISIBILITY_NOISE</span>
<svg onload="alert('XSS_SVG')"><text>SVG_NOISE</text><script>alert('XSS_SVG_SCRIPT')</script></svg>
<iframe src="javascript:alert('XSS_FRAME')">XSS_FRAME_TEXT</iframe>
<div onclick="alert('XSS_CLICK')">Click to expand the history</div>
<button onclick="alert('XSS_BUTTON')">BUTTON_NOISE</button>
<h2>Opening day</h2>
<table><tr><th>Height</th><th>Opened</th></tr><tr><td>330 m</td><td>1889</td></tr></table>
<script>alert('XSS_SCRIPT')</script>
</body>
</html>`;

export interface PageServer {
  url: string;
  /** Requests by path, in order. */
  requests: string[];
  close(): Promise<void>;
}

type Route = (res: http.ServerResponse, url: URL, base: string) => void;

const ROUTES: Record<string, Route> = {
  '/article': (res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(ARTICLE_HTML);
  },
  '/plain': (res) => {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Plain facts: the tower was repainted in 2022.\n');
  },
  '/latin1': (res) => {
    // No charset in the header: the <meta> says it.
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(
      Buffer.from('<html><head><meta charset="iso-8859-1"><title>Caf\xe9</title></head><body><p>Caf\xe9 cr\xe8me near the tower.</p></body></html>', 'latin1'),
    );
  },
  '/pdf': (res) => {
    res.writeHead(200, { 'content-type': 'application/pdf' });
    res.end('%PDF-1.4 not a web page');
  },
  '/missing': (res) => {
    res.writeHead(404, { 'content-type': 'text/html' });
    res.end('<html><body><h1>Not found</h1></body></html>');
  },
  '/empty': (res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html><head><script>SCRIPT_NOISE</script></head><body><div hidden>HIDDEN_NOISE</div></body></html>');
  },
  '/big': (res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<html><body><p>${'x'.repeat(6 * 1024 * 1024)}</p></body></html>`);
  },
  '/deep': (res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<html><body>${'<div>'.repeat(100_000)}deep</body></html>`);
  },
  '/moved': (res) => {
    res.writeHead(302, { location: '/article' });
    res.end();
  },
  '/search': (res, url, base) => {
    // SearXNG's JSON answer: results with url, title and content (the snippet).
    const q = url.searchParams.get('q') ?? '';
    const results = [
      { url: `${base}/article`, title: 'Eiffel Tower', content: `snippet one for ${q}` },
      { url: `${base}/missing`, title: 'Gone', content: 'snippet two' },
      { url: `${base}/plain`, title: 'Plain facts', content: 'snippet three' },
      { url: `${base}/article`, title: 'Eiffel Tower again', content: 'snippet four' },
      { url: `${base}/latin1`, title: 'Café', content: 'snippet five' },
    ];
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ query: q, results }));
  },
};

export async function startPageServer(): Promise<PageServer> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  let base = '';
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(url.pathname);
    const route = ROUTES[url.pathname];
    if (route) return route(res, url, base);
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('no such page');
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
