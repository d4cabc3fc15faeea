// Sentences of lower-cased English text as NLTK's Punkt sentence tokenizer finds them with
// its English model (nltk/tokenize/punkt.py, NLTK 3.8: `span_tokenize` line 1319,
// `_match_potential_end_contexts` 1354, `_slices_from_text` 1429, `_realign_boundaries` 1443,
// `text_contains_sentbreak` 1475, the first and second passes 607 and 1626, the
// orthographic heuristic 1707, the word and period-context patterns 235 and 271), which
// `word_tokenize` (nltk/tokenize/__init__.py line 114) runs before the Treebank rules. OmniSearch's DynVQA
// evaluation lower-cases every text before `word_tokenize`, so only what the model decides
// for lower-case tokens is kept here: its abbreviations, its collocations, and the four
// words its orthographic data lets start a sentence in lower case. A token that begins
// upper case (none does once lower-cased) is treated as one of unknown orthography.
import { PY_SPACE_CLASS, pyStrip } from '../../core/pythonText';

/** The English model's abbreviation types (`_params.abbrev_types`). */
// prettier-ignore
const ABBREVIATIONS = new Set([
  '. . ', 'a.a', 'a.c', 'a.d', 'a.g', 'a.h', 'a.m', 'a.m.e', 'a.s', 'a.t', 'adm', 'ala', 'ariz', 'aug', 'ave', 'b.f', 'b.v', 'bros', 'c',
  'c.i.t', 'c.o.m.b', 'c.v', 'calif', 'chg', 'cie', 'co', 'col', 'colo', 'conn', 'corp', 'cos', 'ct', 'd', 'd.c', 'd.h', 'd.w', 'dec',
  'dr', 'e', 'e.f', 'e.h', 'e.l', 'e.m', 'f', 'f.g', 'f.j', 'feb', 'fla', 'fri', 'ft', 'g', 'g.d', 'g.f', 'g.k', 'ga', 'gen', 'h', 'h.c',
  'h.f', 'h.m', 'i.m.s', 'ill', 'inc', 'j.b', 'j.c', 'j.j', 'j.k', 'j.p', 'j.r', 'jan', 'jr', 'k', 'kan', 'ky', 'l', 'l.a', 'l.f', 'l.p',
  'lt', 'ltd', 'm', 'm.b.a', 'm.d.c', 'm.j', 'maj', 'messrs', 'mg', 'mich', 'minn', 'mr', 'mrs', 'ms', 'n', 'n.c', 'n.d', 'n.h', 'n.j',
  'n.m', 'n.v', 'n.y', 'nev', 'nov', 'oct', 'ok', 'okla', 'ore', 'p', 'p.a.m', 'p.m', 'pa', 'ph.d', 'prof', 'r', 'r.a', 'r.h', 'r.i',
  'r.j', 'r.k', 'r.t', 'rep', 'reps', 's', 's.a', 's.a.y', 's.c', 's.g', 's.p.a', 's.s', 'sen', 'sep', 'sept', 'sr', 'st', 'sw', 't',
  't.j', 'tenn', 'tues', 'u.k', 'u.n', 'u.s', 'u.s.a', 'u.s.s.r', 'v', 'va', 'vs', 'vt', 'w', 'w.c', 'w.r', 'w.va', 'w.w', 'wash',
  'wed', 'wis', 'yr',
]);

/** The English model's collocations (`_params.collocations`): a period between them is no break. */
// prettier-ignore
const COLLOCATIONS = new Set(
  [
    ['##number##', 'abreast'], ['##number##', 'aes'], ['##number##', 'business'], ['##number##', 'cbot'], ['##number##', 'colgate'],
    ['##number##', 'commodities'], ['##number##', 'cooper'], ['##number##', 'corrections'], ['##number##', 'credit'],
    ['##number##', 'dividend'], ['##number##', 'financing'], ['##number##', 'genentech'], ['##number##', 'henley'],
    ['##number##', 'insider'], ['##number##', 'international'], ['##number##', 'leisure'], ['##number##', 'letters'],
    ['##number##', 'notable'], ['##number##', 'pay-fone'], ['##number##', 'pegasus'], ['##number##', 'pepper'], ['##number##', 'review'],
    ['##number##', 'rj'], ['##number##', 'wedgestone'], ['##number##', 'who'], ['##number##', 'zimmer'], ['b', 'edelman'], ['b', 'levine'],
    ['b', 'smith'], ['b', 'stewart'], ['b', 'wigton'], ['i', 'magnin'], ['i', 'toussie'], ['j', 'aron'], ['j', 'fialka'], ['j', 'walter'],
    ['o', 'ludcke'],
  ].map(([a, b]) => `${a} ${b}`),
);

/**
 * Words the model saw begin a sentence in lower case and never in upper case: for these the
 * orthographic heuristic says "unknown"; for every other lower-case word it says "not a
 * sentence start".
 */
const LOWER_CASE_STARTERS = new Set(['administrators', 'b-week', 'r-revised', 'z-holiday']);

const SPACE = `[${PY_SPACE_CLASS}]`;
const NOT_SPACE = `[^${PY_SPACE_CLASS}]`;
/** `string.whitespace`: ASCII only, as `_get_last_whitespace_index` tests. */
const ASCII_SPACE = new Set([' ', '\t', '\n', '\r', '\x0b', '\x0c']);

const NON_WORD = `(?:[)";}\\]*:@'({[?!])`;
const MULTI_CHAR = `(?:-{2,}|\\.{2,}|(?:\\.${SPACE}){2,}\\.)`;
const WORD_START = '[^("`{[:;&#*@)}\\],-]';
/** PunktLanguageVars' word pattern: splits off punctuation other than periods. */
const WORD = new RegExp(
  `${MULTI_CHAR}|(?=${WORD_START})${NOT_SPACE}+?(?=${SPACE}|$|${NON_WORD}|${MULTI_CHAR}|,(?=$|${SPACE}|${NON_WORD}|${MULTI_CHAR}))|${NOT_SPACE}`,
  'gu',
);
/** A possible sentence end and what follows it. */
const PERIOD_CONTEXT = new RegExp(`[.?!](?=(?<after>${NON_WORD}|${SPACE}+(?<next>${NOT_SPACE}+)))`, 'gu');
/** Closing punctuation that stays with the sentence before it (MULTILINE `$`). */
const REALIGN = new RegExp(`^["')\\]}]+?(?:${SPACE}+|(?=--)|$|(?=\\n))`, 'u');

const NUMERIC = /^-?[.,]?\p{Nd}[\p{Nd},.-]*\.?$/u;
const INITIAL = /^[\p{L}\p{Nl}\p{No}_]\.$/u;
const ELLIPSIS = /^\.\.+$/;
const PUNCTUATION = new Set([';', ':', ',', '.', '!', '?']);

interface Token {
  tok: string;
  type: string;
  periodFinal: boolean;
  sentbreak?: boolean;
  abbr?: boolean;
  ellipsis?: boolean;
}

function token(tok: string): Token {
  const lower = tok.toLowerCase();
  return { tok, type: NUMERIC.test(lower) ? '##number##' : lower, periodFinal: tok.endsWith('.') };
}

const typeNoPeriod = (t: Token): string => (t.type.length > 1 && t.type.endsWith('.') ? t.type.slice(0, -1) : t.type);
const typeNoSentPeriod = (t: Token): string => (t.sentbreak ? typeNoPeriod(t) : t.type);

function words(text: string): Token[] {
  const out: Token[] = [];
  for (const line of text.split('\n')) {
    if (!pyStrip(line)) continue;
    for (const m of line.matchAll(WORD)) out.push(token(m[0]));
  }
  return out;
}

function firstPass(t: Token): void {
  const tok = t.tok;
  if (tok === '.' || tok === '?' || tok === '!') t.sentbreak = true;
  else if (ELLIPSIS.test(tok)) t.ellipsis = true;
  else if (t.periodFinal && !tok.endsWith('..')) {
    const stem = tok.slice(0, -1).toLowerCase();
    if (ABBREVIATIONS.has(stem) || ABBREVIATIONS.has(stem.split('-').pop()!)) t.abbr = true;
    else t.sentbreak = true;
  }
}

/** The orthographic heuristic for lower-cased text: false, or "unknown" (never true). */
function orthoHeuristic(t: Token): false | 'unknown' {
  if (PUNCTUATION.has(t.tok)) return false;
  const first = t.tok[0] ?? '';
  if (/\p{Lowercase}/u.test(first) && !LOWER_CASE_STARTERS.has(typeNoSentPeriod(t))) return false;
  return 'unknown';
}

function secondPass(t1: Token, t2: Token | undefined): void {
  if (!t2 || !t1.periodFinal) return;
  const typ = typeNoPeriod(t1);
  const nextTyp = typeNoSentPeriod(t2);
  const isInitial = INITIAL.test(t1.tok);
  if (COLLOCATIONS.has(`${typ} ${nextTyp}`)) {
    t1.sentbreak = false;
    t1.abbr = true;
    return;
  }
  // An abbreviation or ellipsis before a sentence start: the heuristic never says "true" and
  // no token begins upper case here, so neither of Punkt's reasons to break applies.
  if ((isInitial || typ === '##number##') && orthoHeuristic(t2) === false) {
    t1.sentbreak = false;
    t1.abbr = true;
  }
}

function containsSentBreak(text: string): boolean {
  const tokens = words(text);
  tokens.forEach(firstPass);
  let found = false;
  for (let i = 0; i < tokens.length; i++) {
    secondPass(tokens[i]!, tokens[i + 1]);
    if (found) return true;
    if (tokens[i]!.sentbreak) found = true;
  }
  return false;
}

function lastAsciiSpace(text: string): number {
  for (let i = text.length - 1; i >= 0; i--) if (ASCII_SPACE.has(text[i]!)) return i;
  return 0;
}

interface EndContext {
  end: number;
  nextStart: number | undefined;
  context: string;
}

/** `_match_potential_end_contexts`: each possible end with the word before it and what follows. */
function endContexts(text: string): EndContext[] {
  const out: EndContext[] = [];
  let prevStart = 0;
  let prevStop = 0;
  let prev: RegExpMatchArray | undefined;
  const emit = (m: RegExpMatchArray, start: number, stop: number) => {
    const after = m.groups?.after ?? '';
    const next = m.groups?.next;
    out.push({
      end: m.index! + m[0].length,
      // The next token starts where `after` ends less its own length.
      nextStart: next === undefined ? undefined : m.index! + m[0].length + after.length - next.length,
      context: text.slice(start, stop) + m[0] + after,
    });
  };
  for (const m of text.matchAll(PERIOD_CONTEXT)) {
    const before = text.slice(prevStop, m.index);
    let afterSpace = lastAsciiSpace(before);
    afterSpace = afterSpace ? afterSpace + prevStop + 1 : prevStart;
    if (prev && prevStop <= afterSpace) emit(prev, prevStart, prevStop);
    prev = m;
    prevStart = afterSpace;
    prevStop = m.index!;
  }
  if (prev) emit(prev, prevStart, prevStop);
  return out;
}

const pySlice = (text: string, start: number, stop: number): string => (stop > start ? text.slice(start, stop) : '');

/** PunktSentenceTokenizer(english).tokenize(text), for lower-cased text. */
export function punktSentences(text: string): string[] {
  const slices: [number, number][] = [];
  let lastBreak = 0;
  for (const c of endContexts(text)) {
    if (!containsSentBreak(c.context)) continue;
    slices.push([lastBreak, c.end]);
    lastBreak = c.nextStart ?? c.end;
  }
  slices.push([lastBreak, text.replace(new RegExp(`${SPACE}+$`, 'u'), '').length]);

  // _realign_boundaries: closing punctuation after a break goes with the sentence before it.
  const out: string[] = [];
  let realign = 0;
  for (let i = 0; i < slices.length; i++) {
    const [start1, stop1] = slices[i]!;
    const s1: [number, number] = [start1 + realign, stop1];
    const s2 = slices[i + 1];
    if (!s2) {
      if (pySlice(text, ...s1)) out.push(pySlice(text, ...s1));
      continue;
    }
    const m = REALIGN.exec(pySlice(text, ...s2));
    if (m) {
      out.push(pySlice(text, s1[0], s2[0] + m[0].replace(new RegExp(`${SPACE}+$`, 'u'), '').length));
      realign = m[0].length;
    } else {
      realign = 0;
      if (pySlice(text, ...s1)) out.push(pySlice(text, ...s1));
    }
  }
  return out;
}
