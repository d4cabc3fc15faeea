// The one way JSON from a file or a network body is parsed: its nesting is counted first,
// by a linear, iterative scan, and a value nested deeper than MAX_JSON_DEPTH is refused
// before JSON.parse sees it. JSON.parse itself copes with deep nesting; what comes after it
// does not (zod, our walkers, JSON.stringify when the value is written again, postMessage):
// they recurse, and a line nested 5,000 deep ends them with "Maximum call stack size
// exceeded". No real record comes near the limit (a trajectory event nests about 8 deep).

/** The deepest nesting of arrays and objects a JSON value may have. */
export const MAX_JSON_DEPTH = 64;

/** A JSON text nested deeper than the limit. Its message stands on its own in a sentence. */
export class JsonDepthError extends Error {
  constructor(readonly maxDepth: number) {
    super(`nested more than ${maxDepth} levels deep`);
    this.name = 'JsonDepthError';
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/**
 * Whether `text` opens more than `maxDepth` arrays and objects inside one another. Brackets
 * inside strings do not count (escapes are minded). Stops at the first level too deep, so a
 * hostile text costs no more than its length. Invalid JSON is left to JSON.parse.
 */
export function jsonTooDeep(text: string, maxDepth = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) i = stringEnd(text, i + 1);
    else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > maxDepth) return true;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth--;
  }
  return false;
}

/** Where the string that starts at `from` ends: its closing quote (one no backslash escapes), or the text's end. */
function stringEnd(text: string, from: number): number {
  for (let q = text.indexOf('"', from); q !== -1; q = text.indexOf('"', q + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(q - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return q;
  }
  return text.length;
}

/** JSON.parse, after the depth check: throws JsonDepthError, or JSON.parse's SyntaxError. */
export function parseJson(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  if (jsonTooDeep(text, maxDepth)) throw new JsonDepthError(maxDepth);
  return JSON.parse(text) as unknown;
}

/** A line's problem in words: "nested more than 64 levels deep", or "not valid JSON (…)". */
export function jsonProblem(e: unknown): string {
  return e instanceof JsonDepthError ? e.message : `not valid JSON (${(e as Error).message})`;
}

const PYTHON_CONSTANTS = /-?Infinity|NaN/y;

/**
 * JSON as Python's `json.loads` reads it: the same, plus the bare constants NaN, Infinity
 * and -Infinity that Python writes for floats JSON cannot hold (DynVQA's files have
 * `"gloden_query": NaN`). The constants outside strings become those numbers; the depth
 * check comes first, as in parseJson.
 */
export function parsePythonJson(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  if (jsonTooDeep(text, maxDepth)) throw new JsonDepthError(maxDepth);
  if (!text.includes('NaN') && !text.includes('Infinity')) return JSON.parse(text) as unknown;
  // Each constant outside a string becomes a string no file holds, read back by the reviver.
  const mark = `\u0000gog-${Math.random().toString(36).slice(2)}:`;
  let out = '';
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === QUOTE) {
      i = stringEnd(text, i + 1);
      continue;
    }
    PYTHON_CONSTANTS.lastIndex = i;
    const m = PYTHON_CONSTANTS.exec(text);
    if (m && m.index === i) {
      out += text.slice(last, i) + JSON.stringify(mark + m[0]);
      i += m[0].length - 1;
      last = i + 1;
    }
  }
  if (!out) return JSON.parse(text) as unknown;
  out += text.slice(last);
  return JSON.parse(out, (_key, value: unknown) => (typeof value === 'string' && value.startsWith(mark) ? Number(value.slice(mark.length)) : value)) as unknown;
}
