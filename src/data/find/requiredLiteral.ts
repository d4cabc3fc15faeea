// The longest run of plain characters that every match of a regular expression contains,
// read from its source (unicode mode, as the finder compiles it): `DSCOVR.*L1` must contain
// "DSCOVR", `\d+ km` " km". A line without it cannot match, so it is passed over unparsed.
// Only what is certain counts: a pattern with a top-level alternative (`a|b`) has none, and
// groups, classes, escapes of anything but a syntax character, and optional characters end
// a run. Never wrong, sometimes nothing (then every line of the fields' kinds is parsed).

/** An identity escape unicode mode allows outside a class: `\.` is ".". */
const SYNTAX = /^[\\^$.*+?()[\]{}|/]$/;
const BRACED_QUANTIFIER = /^\{(\d+)(?:,\d*)?\}/;

/** The index just past the class that opens at `i` (`[`…`]`, escapes minded). */
function skipClass(source: string, i: number): number {
  for (let j = i + 1; j < source.length; j++) {
    if (source[j] === '\\') j++;
    else if (source[j] === ']') return j + 1;
  }
  return source.length;
}

/** The index just past the group that opens at `i`, nested groups, classes and escapes minded. */
function skipGroup(source: string, i: number): number {
  let depth = 0;
  for (let j = i; j < source.length;) {
    const c = source[j];
    if (c === '\\') j += 2;
    else if (c === '[') j = skipClass(source, j);
    else if (c === '(') {
      depth++;
      j++;
    } else if (c === ')') {
      j++;
      if (--depth === 0) return j;
    } else j++;
  }
  return source.length;
}

/** The index past an escape's own characters after `\` and its letter (`\u0041`, `\p{L}`, `\k<name>`, `\12`). */
function skipEscapeBody(source: string, letter: string, j: number): number {
  const until = (close: string) => {
    const at = source.indexOf(close, j);
    return at < 0 ? source.length : at + 1;
  };
  if ((letter === 'u' || letter === 'p' || letter === 'P') && source[j] === '{') return until('}');
  if (letter === 'k' && source[j] === '<') return until('>');
  if (letter === 'u') return j + 4;
  if (letter === 'x') return j + 2;
  if (letter === 'c') return j + 1;
  if (/[0-9]/.test(letter)) {
    while (/[0-9]/.test(source[j] ?? '')) j++;
    return j;
  }
  return j;
}

/** The last code point of `s` taken off. */
function withoutLast(s: string): string {
  const last = s.codePointAt(s.length - 2);
  return s.slice(0, last !== undefined && last > 0xffff ? -2 : -1);
}

export function requiredLiteral(source: string): string | undefined {
  const runs: string[] = [];
  let run = '';
  /** The atom just read is the last character of `run`. */
  let lastIsChar = false;
  const end = () => {
    if (run) runs.push(run);
    run = '';
    lastIsChar = false;
  };
  /** The atom just read is repeated at least `min` times: a character kept once when it must appear. */
  const quantified = (min: number) => {
    if (lastIsChar && min === 0) run = withoutLast(run);
    end();
  };
  for (let i = 0; i < source.length;) {
    const c = source[i]!;
    if (c === '|') return undefined;
    if (c === '(') {
      i = skipGroup(source, i);
      end();
    } else if (c === '[') {
      i = skipClass(source, i);
      end();
    } else if (c === '.' || c === '^' || c === '$') {
      i++;
      end();
    } else if (c === '*' || c === '?' || c === '+') {
      quantified(c === '+' ? 1 : 0);
      i++;
      if (source[i] === '?') i++;
    } else if (c === '{') {
      const q = BRACED_QUANTIFIER.exec(source.slice(i));
      if (q) {
        quantified(Number(q[1]));
        i += q[0].length;
        if (source[i] === '?') i++;
      } else {
        i++;
        end();
      }
    } else if (c === '\\') {
      const letter = source[i + 1];
      if (letter === undefined) return undefined;
      if (SYNTAX.test(letter)) {
        run += letter;
        lastIsChar = true;
        i += 2;
      } else {
        i = skipEscapeBody(source, letter, i + 2);
        end();
      }
    } else {
      const char = String.fromCodePoint(source.codePointAt(i)!);
      run += char;
      lastIsChar = true;
      i += char.length;
    }
  }
  end();
  let best = '';
  for (const r of runs) if (r.length > best.length) best = r;
  return best || undefined;
}
