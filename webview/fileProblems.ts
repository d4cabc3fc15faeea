// What of the file the panel does not show, said above everything else: lines that could not
// be read (the rest is shown), and images the record names that the host withheld, with why.
import { el, icon } from './dom';

export function fileProblemsView(problems: readonly { line: number; message: string }[]): HTMLElement | null {
  if (!problems.length) return null;
  return el(
    'section',
    { class: 'problems', attrs: { role: 'alert' } },
    icon('warning'),
    ` ${problems.length} line${problems.length === 1 ? '' : 's'} of this file could not be read and are not shown (the rest is):`,
    el('ul', {}, ...problems.slice(0, 20).map((p) => el('li', { class: 'text' }, `line ${p.line}: ${p.message}`))),
  );
}

/** `withheld`: [run-folder path, why] for each image refused. */
export function withheldImagesView(withheld: readonly [string, string][]): HTMLElement | null {
  if (!withheld.length) return null;
  return el(
    'section',
    { class: 'problems withheld', attrs: { role: 'alert' } },
    icon('shield'),
    ` ${withheld.length} image${withheld.length === 1 ? '' : 's'} named by this record ${withheld.length === 1 ? 'is' : 'are'} not shown:`,
    el('ul', {}, ...withheld.slice(0, 20).map(([rel, reason]) => el('li', { class: 'text' }, `${rel} ${reason}`))),
  );
}
