// What `gog find` and the run review's trajectory search look for: a text or a regular expression, in
// some of the fields a trajectory's reader cares about. Compiled twice over: a matcher for
// a field's text, and a test on a raw JSON line that is never false when one of the line's
// texts could match, so lines that cannot match are passed over unparsed.
import { FIND_FIELDS, MAX_PATTERN_CHARS, type FindField } from '../../core/findFields';
import { requiredLiteral } from './requiredLiteral';

export { FIND_FIELDS, MAX_PATTERN_CHARS, type FindField } from '../../core/findFields';

export interface FindQuery {
  /** The text, or the regular expression's source. */
  pattern: string;
  regex: boolean;
  ignoreCase: boolean;
  fields: readonly FindField[];
}

/** A query that cannot run: an empty text, a pattern that is not a regular expression. The message stands in a sentence. */
export class FindQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FindQueryError';
  }
}

/** Where the first match of a text lies, and how many matches it holds (up to MAX_COUNTED). */
export interface TextHit {
  start: number;
  end: number;
  count: number;
}

/** Matches counted in one text at most; "1000+" beyond. */
export const MAX_COUNTED = 1000;

export interface CompiledQuery {
  readonly query: FindQuery;
  /** The first match in a field's text. */
  find(text: string): TextHit | undefined;
  /** Whether a raw JSON line may hold a match in one of its strings: false only when none can. */
  mayMatchLine(line: string): boolean;
}

// The characters a unicode-mode pattern lets be escaped (`\-` is an error there).
const escapeRegExp = (s: string) => s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');

/** How JSON.stringify writes `text` inside a string: what a line written by us holds. */
export function jsonEscaped(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

/**
 * Whether a line holds a JSON escape JSON.stringify would not have written for a character
 * of a needle: `\/`, or any `\u` (another writer's `\u00e9` for é). Such a line may spell the
 * needle otherwise, so it is parsed rather than passed over.
 */
function foreignEscapes(line: string): boolean {
  return line.includes('\\u') || line.includes('\\/');
}

/** A test on raw lines for a literal every match contains. */
function lineTest(literal: string, ignoreCase: boolean): (line: string) => boolean {
  const needle = jsonEscaped(literal);
  if (!ignoreCase) return (line) => line.includes(needle) || foreignEscapes(line);
  // The same case folding as the field matcher (/iu), on the needle as written in JSON.
  const re = new RegExp(escapeRegExp(needle), 'iu');
  return (line) => re.test(line) || foreignEscapes(line);
}

function countFrom(re: RegExp, text: string, first: RegExpExecArray): number {
  let count = 1;
  let m: RegExpExecArray | null = first;
  while (count < MAX_COUNTED) {
    // An empty match would be found again at the same place: step over one code point.
    if (m[0] === '') re.lastIndex += (text.codePointAt(re.lastIndex) ?? 0) > 0xffff ? 2 : 1;
    if (re.lastIndex > text.length) break;
    m = re.exec(text);
    if (!m) break;
    count++;
  }
  return count;
}

/** Compiles a query; throws FindQueryError when it cannot run. Compiling never runs the pattern. */
export function compileQuery(query: FindQuery): CompiledQuery {
  if (!query.pattern) throw new FindQueryError('the text to find is empty');
  if (query.pattern.length > MAX_PATTERN_CHARS)
    throw new FindQueryError(`the text to find is ${query.pattern.length} characters long, more than the ${MAX_PATTERN_CHARS} it may be`);
  if (!query.fields.length) throw new FindQueryError(`no field to search; name some of ${FIND_FIELDS.join(', ')}`);
  const source = query.regex ? query.pattern : escapeRegExp(query.pattern);
  let re: RegExp;
  try {
    re = new RegExp(source, `gu${query.ignoreCase ? 'i' : ''}`);
  } catch (e) {
    // V8 says "Invalid regular expression: /(a/gu: Unterminated group": the reason is what the user needs.
    const why = (e as Error).message.replace(/^Invalid regular expression: \/[\s\S]*\/[dgimsuvy]*: /, '');
    throw new FindQueryError(`the pattern is not a regular expression (${why.charAt(0).toLowerCase()}${why.slice(1)})`);
  }
  const literal = query.regex ? requiredLiteral(query.pattern) : query.pattern;
  const mayMatchLine = literal ? lineTest(literal, query.ignoreCase) : () => true;
  if (!query.regex && !query.ignoreCase) {
    const text = query.pattern;
    return {
      query,
      mayMatchLine,
      find(s) {
        const start = s.indexOf(text);
        if (start < 0) return undefined;
        let count = 1;
        for (let at = s.indexOf(text, start + text.length); at >= 0 && count < MAX_COUNTED; at = s.indexOf(text, at + text.length)) count++;
        return { start, end: start + text.length, count };
      },
    };
  }
  return {
    query,
    mayMatchLine,
    find(s) {
      re.lastIndex = 0;
      const m = re.exec(s);
      if (!m) return undefined;
      const hit = { start: m.index, end: m.index + m[0].length };
      return { ...hit, count: countFrom(re, s, m) };
    },
  };
}

/** `--in reasoning,answer`: the fields named, each once, in FIND_FIELDS order. */
export function parseFields(list: readonly string[]): FindField[] {
  const names = list.flatMap((s) => s.split(',')).map((s) => s.trim().toLowerCase());
  const wrong = names.filter((n) => n && !(FIND_FIELDS as readonly string[]).includes(n));
  if (wrong.length)
    throw new FindQueryError(`unknown field${wrong.length > 1 ? 's' : ''} ${wrong.map((w) => `"${w}"`).join(', ')}; use ${FIND_FIELDS.join(', ')}`);
  return FIND_FIELDS.filter((f) => names.includes(f));
}
