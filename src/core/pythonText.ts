// Python's string semantics where the peers' scoring scripts rely on them and JavaScript's
// differ: what `str.split()` and `str.strip()` take for whitespace, `round()`, (Python splits on the
// separators U+001C–U+001F and U+0085, JavaScript's \s does not, and JavaScript's \s takes
// U+FEFF, which Python keeps), `str.isdigit()`, and `str()` of the values a JSON record
// holds. A score computed here must equal the one the peer's own script prints.

/** The characters for which Python's `str.isspace()` is true (CPython, Unicode 15). */
export const PY_SPACE_CLASS = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

const SPACE_RUN = new RegExp(`[${PY_SPACE_CLASS}]+`, 'u');
const EDGE_SPACE = new RegExp(`^[${PY_SPACE_CLASS}]+|[${PY_SPACE_CLASS}]+$`, 'gu');

/** `text.split()`: runs of Python whitespace separate, no empty parts. */
export function pySplit(text: string): string[] {
  return text.split(SPACE_RUN).filter((t) => t !== '');
}

/** `text.strip()`. */
export function pyStrip(text: string): string {
  return text.replace(EDGE_SPACE, '');
}

/**
 * `str.isdigit()` for one character: decimal digits (Nd) and the characters Unicode gives a
 * digit value without being decimal (superscripts, subscripts, circled digits and the like).
 */
const DIGIT =
  /^(?:\p{Nd}|[\u00b2\u00b3\u00b9\u1369-\u1371\u19da\u2070\u2074-\u2079\u2080-\u2089\u2460-\u2468\u2474-\u247c\u2488-\u2490\u24ea\u24f5-\u24fd\u24ff\u2776-\u277e\u2780-\u2788\u278a-\u2792\u{10a40}-\u{10a43}\u{10e60}-\u{10e68}\u{11052}-\u{1105a}\u{1f100}-\u{1f10a}])$/u;

export function pyIsDigit(ch: string): boolean {
  return DIGIT.test(ch);
}

/** A decimal digit of any script as its ASCII digit, as Python's `float()` reads it. */
export function asciiDigits(text: string): string {
  return text.replace(/\p{Nd}/gu, (d) => {
    // Unicode's decimal digits come in runs of ten from zero (some runs adjoin, as the five
    // mathematical sets do): the value is the distance from the run's start, modulo ten.
    const cp = d.codePointAt(0)!;
    let start = cp;
    while (start > 0 && /\p{Nd}/u.test(String.fromCodePoint(start - 1))) start--;
    return String((cp - start) % 10);
  });
}

/** Python's `repr()` of a string: single quotes unless it holds one and no double quote. */
export function pyReprString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (isPrintable(ch)) out += ch;
    else if (cp < 0x100) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return out + quote;
}

/** `str.isprintable()` for one character: not Cc, Cf, Cs, Co, Cn, Zl, Zp, and no space but ' '. */
function isPrintable(ch: string): boolean {
  if (ch === ' ') return true;
  return !/^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]$/u.test(ch);
}

/**
 * Python's `str(v)` of a value parsed from JSON (`repr` inside lists and dicts). Numbers print
 * as Python prints the int or float `json.loads` made, except that a float with no fraction
 * written `2.0` in the file is read as the number 2 here and prints `2` (Python: `2.0`).
 */
export function pyStr(v: unknown): string {
  if (typeof v === 'string') return v;
  return pyRepr(v);
}

function pyRepr(v: unknown, depth = 0): string {
  if (depth > 64) return '[...]';
  if (typeof v === 'string') return pyReprString(v);
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return pyNumber(v);
  if (Array.isArray(v)) return `[${v.map((x) => pyRepr(x, depth + 1)).join(', ')}]`;
  if (typeof v === 'object') {
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${pyReprString(k)}: ${pyRepr(x, depth + 1)}`)
      .join(', ')}}`;
  }
  return ''; // a symbol or function: JSON holds neither
}

/** `repr(float)`/`str(int)`: the shortest round-trip digits, with Python's exponent form. */
function pyNumber(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return Object.is(n, -0) ? '-0.0' : String(n);
  const abs = Math.abs(n);
  // Python switches to exponent form below 1e-4 and from 1e16; JavaScript at 1e-7 and 1e21.
  if (abs >= 1e16 || abs < 1e-4) {
    const [mantissa, exp] = n.toExponential().split('e') as [string, string];
    const e = Number(exp);
    return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  return String(n);
}

/** Python's `round(x, digits)`: to the nearest of the exact binary value, ties to even. */
export function pyRound(x: number, digits: number): number {
  const exact = x.toFixed(60);
  const [whole = '0', frac = ''] = exact.replace('-', '').split('.');
  const tail = frac.slice(digits);
  if (/^50*$/.test(tail)) {
    const lastDigit = Number(frac[digits - 1] ?? whole.slice(-1));
    const down = Number(`${whole}.${frac.slice(0, digits)}`);
    const r = lastDigit % 2 === 0 ? down : Number((down + 10 ** -digits).toFixed(digits));
    return x < 0 ? -r : r;
  }
  return Number(x.toFixed(digits));
}
