// The links a markdown file makes: inline links and images, reference definitions and
// HTML src/href attributes, outside code blocks and code spans (a path in backticks is
// text, not a link).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export interface MarkdownLink {
  /** As written, without its #fragment. */
  target: string;
  line: number;
  image: boolean;
}

/** Not a file of the package: web, mail and command links, and anchors within the page. */
export function isRelativeLink(target: string): boolean {
  return target !== '' && !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('//');
}

export function markdownLinks(text: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  let fence: string | undefined;
  text.split('\n').forEach((raw, i) => {
    const opening = /^ {0,3}(`{3,}|~{3,})/.exec(raw);
    if (opening) {
      if (!fence) fence = opening[1]![0]!;
      else if (opening[1]![0] === fence) fence = undefined;
      return;
    }
    if (fence) return;
    const line = raw.replace(/(`+)[^`]*?\1/g, '');
    const add = (target: string, image: boolean) => links.push({ target: target.split('#')[0]!.trim(), line: i + 1, image });
    for (const m of line.matchAll(/(!?)\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) add(m[2]!, m[1] === '!');
    for (const m of line.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/g)) add(m[1]!, false);
    for (const m of line.matchAll(/<(img|a)\b[^>]*\b(?:src|href)="([^"]+)"/gi)) add(m[2]!, m[1]!.toLowerCase() === 'img');
  });
  return links;
}

/** Relative links of a markdown file, as paths from `root` (posix separators). */
export function relativeLinks(root: string, file: string): (MarkdownLink & { resolved: string })[] {
  const dir = path.dirname(path.join(root, file));
  return markdownLinks(readFileSync(path.join(root, file), 'utf8'))
    .filter((l) => isRelativeLink(l.target))
    .map((l) => ({
      ...l,
      resolved: path
        .relative(root, path.resolve(dir, decodeURI(l.target)))
        .split(path.sep)
        .join('/'),
    }));
}
