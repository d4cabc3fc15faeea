// A web page's HTML as the text a reader would see, with html-to-text: a string-to-string
// converter (htmlparser2 underneath, no DOM, nothing executed or fetched). Script and style
// bodies never reach the output (the parser keeps them apart from text); templates,
// noscript, hidden elements, embedded documents, form controls and images are skipped;
// links keep their words, never their targets (no `javascript:` URLs in the text).
import { convert, type HtmlToTextOptions, type SelectorDefinition } from 'html-to-text';

export interface PageText {
  title?: string;
  text: string;
}

/** Elements whose content a reader does not see, or that is not text. */
const SKIPPED = [
  'template',
  'noscript',
  'svg',
  'math',
  'canvas',
  'iframe',
  'frame',
  'object',
  'embed',
  'video',
  'audio',
  'img',
  'picture',
  'input',
  'button',
  'select',
  'textarea',
  'nav',
  '[hidden]',
  '[aria-hidden="true" i]',
  // Inline styles are matched as written; the usual spellings cover nearly every page.
  '[style*="display:none" i]',
  '[style*="display: none" i]',
  '[style*="visibility:hidden" i]',
  '[style*="visibility: hidden" i]',
];

/** Below this depth html-to-text writes an ellipsis (unbounded, its recursion overflows the stack). */
const MAX_DEPTH = 200;
/**
 * Pages nested deeper than this are refused before parsing: htmlparser2 keeps open tags
 * in an array it unshifts, so parsing costs depth × tags, minutes for 5 MB of nested divs.
 */
export const MAX_NESTING = 1000;
/** Characters of HTML converted at most (two seconds of work at worst, markup only); the rest is not read. */
export const MAX_HTML_CHARS = 2_000_000;

/** Elements without content, or closed implicitly by their next sibling, never nest deep: not counted. */
const UNCOUNTED = new Set(
  'area base br col embed hr img input link meta param source track wbr keygen p li dt dd option optgroup tr td th tbody thead tfoot colgroup rb rt rp'.split(
    ' ',
  ),
);
/**
 * Comments, raw-text elements (whose content is not markup) and tags, in one linear pass.
 * Each alternative also ends at the end of the page: a tag or a raw-text start tag that is
 * never closed then matches once, instead of being tried (to the end) at every "<" after it.
 */
const TOKENS = /<!--[\s\S]*?(?:-->|$)|<(script|style|textarea|title|xmp)\b[^>]*(?:>[\s\S]*?(?:<\/\1\s*>|$)|$)|<(\/?)([a-zA-Z][^\s/>]*)[^>]*?(\/?)(?:>|$)/gi;

/** The deepest nesting of elements, as a parser would roughly see it. */
export function nestingDepth(html: string): number {
  let depth = 0;
  let max = 0;
  for (const m of html.matchAll(TOKENS)) {
    const name = m[3]?.toLowerCase();
    if (!name || UNCOUNTED.has(name)) continue;
    if (m[2]) depth = Math.max(0, depth - 1);
    else if (!m[4]) max = Math.max(max, ++depth);
  }
  return max;
}

function options(onTitle: (title: string) => void): HtmlToTextOptions {
  const selectors: SelectorDefinition[] = [
    { selector: 'title', format: 'pageTitle' },
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
    ...(['h1', 'h2', 'h3', 'h4', 'h5', 'h6'] as const).map((h) => ({ selector: h, options: { uppercase: false } })),
    ...SKIPPED.map((selector) => ({ selector, format: 'skip' })),
  ];
  return {
    wordwrap: false,
    // The whole document, head included, so the title formatter sees <title>.
    baseElements: { selectors: ['html'], returnDomByDefault: true },
    limits: { maxDepth: MAX_DEPTH },
    formatters: {
      // Keeps the first title and writes nothing: it is returned apart from the text.
      pageTitle: (elem) => {
        onTitle(elem.children.map((c) => c.data ?? '').join(''));
      },
    },
    selectors,
  };
}

/** The page's readable text and its title; throws for a page nested deeper than MAX_NESTING. */
export function htmlToPageText(page: string): PageText {
  const html = page.length > MAX_HTML_CHARS ? page.slice(0, MAX_HTML_CHARS) : page;
  const depth = nestingDepth(html);
  if (depth > MAX_NESTING) throw new Error(`the page nests elements ${depth} deep; pages deeper than ${MAX_NESTING} are not read`);
  let title: string | undefined;
  const text = convert(
    html,
    options((t) => {
      const clean = t.replace(/\s+/g, ' ').trim();
      if (title === undefined && clean) title = clean;
    }),
  );
  const tidy = text
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return title !== undefined ? { title, text: tidy } : { text: tidy };
}
