// The trajectory webview's HTML, shared by the extension panel, the standalone report and
// the browser-test harness. Strict CSP: nothing by default, scripts and inline styles only
// with the nonce, images, styles and fonts only from the given sources, never the web.

export interface WebviewPage {
  title: string;
  nonce: string;
  /** Sources allowed for images, styles, fonts (the webview's cspSource, or 'data:' for a report). */
  imageSources: string;
  styleSources: string;
  fontSources: string;
  /** Stylesheets and scripts, already resolved to URLs the page may load; or inline text. */
  styles: ({ href: string } | { text: string })[];
  /** `defer`: asked for from the head, before any image, and run once the page is parsed. */
  scripts: ({ src: string; defer?: boolean } | { text: string; type?: string; id?: string })[];
  /** Images fetched while the script loads (URLs the host already checked, within imageSources). */
  preloadImages?: readonly string[];
  /** Fonts the styles use, fetched at once rather than when the first text in them is laid out. */
  preloadFonts?: readonly string[];
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function newNonce(): string {
  const bytes = new Uint8Array(18);
  globalThis.crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString('base64').replace(/[+/=]/g, '');
}

export function contentSecurityPolicy(p: Pick<WebviewPage, 'nonce' | 'imageSources' | 'styleSources' | 'fontSources'>): string {
  return [
    "default-src 'none'",
    `img-src ${p.imageSources}`,
    `style-src ${[p.styleSources, `'nonce-${p.nonce}'`].filter(Boolean).join(' ')}`,
    `font-src ${p.fontSources}`,
    `script-src 'nonce-${p.nonce}'`,
  ].join('; ');
}

/** JSON that cannot end the <script> it sits in, nor read differently there than in a file. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** codicon.css with its font at `fontUrl` (the stylesheet names it relative to itself). */
export function withCodiconFont(css: string, fontUrl: string): string {
  const url = `url("${fontUrl.replace(/["\\\n]/g, encodeURIComponent)}")`;
  return css.replace(/url\(["']?\.\/codicon\.ttf[^)"']*["']?\)/g, () => url);
}

/**
 * Script text safe inside <script>: only `</script` and `<!--` can end or confuse the element.
 * Both escapes mean the same in JS strings and regular expressions; JSON data should also
 * have its `<` written as \u003c by whoever serialises it.
 */
function inlineScript(text: string): string {
  return text.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

export function renderWebviewPage(p: WebviewPage): string {
  const n = escapeHtml(p.nonce);
  const styles = p.styles
    .map((s) =>
      'href' in s
        ? `<link rel="stylesheet" nonce="${n}" href="${escapeHtml(s.href)}">`
        : `<style nonce="${n}">${s.text.replace(/<\/style/gi, '<\\/style')}</style>`,
    )
    .join('\n    ');
  const deferred = p.scripts.flatMap((s) => ('src' in s && s.defer ? [`<script nonce="${n}" src="${escapeHtml(s.src)}" defer></script>`] : [])).join('\n    ');
  const scripts = p.scripts
    .filter((s) => !('src' in s && s.defer))
    .map((s) =>
      'src' in s
        ? `<script nonce="${n}" src="${escapeHtml(s.src)}"></script>`
        : `<script nonce="${n}"${s.type ? ` type="${escapeHtml(s.type)}"` : ''}${s.id ? ` id="${escapeHtml(s.id)}"` : ''}>${inlineScript(s.text)}</script>`,
    )
    .join('\n    ');
  const preloads = [
    ...(p.preloadFonts ?? []).map((href) => `<link rel="preload" as="font" type="font/ttf" crossorigin href="${escapeHtml(href)}">`),
    ...(p.preloadImages ?? []).map((href) => `<link rel="preload" as="image" href="${escapeHtml(href)}">`),
  ].join('\n    ');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(p))}">
    <meta property="csp-nonce" content="${n}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    <title>${escapeHtml(p.title)}</title>
    ${deferred}
    ${preloads}
    ${styles}
  </head>
  <body>
    <div id="app" class="app"></div>
    ${scripts}
  </body>
</html>
`;
}
