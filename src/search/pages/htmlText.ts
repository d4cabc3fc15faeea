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

/** Deeper nesting than this is not a page a person reads (and would cost stack). */
const MAX_DEPTH = 200;

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

/** The page's readable text and its title. */
export function htmlToPageText(html: string): PageText {
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
