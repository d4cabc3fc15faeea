// English words as NLTK's `word_tokenize` splits them (its NLTKWordTokenizer, the improved
// Penn Treebank rules, nltk/tokenize/destructive.py in NLTK 3.8: the rule tables from line
// 52, `tokenize` 120-186), rule for rule and in the
// same order, with Python's Unicode meaning of \w, \b, \d and \s. OmniSearch's DynVQA
// evaluation counts gold tokens with it. `word_tokenize` first splits the text into
// sentences with Punkt (src/data/scoring/punkt.ts); each sentence goes through these rules.
import { PY_SPACE_CLASS, pySplit } from '../../core/pythonText';

/** Python's \w in a str pattern: letters, numbers (any script), underscore. */
const W = '[\\p{L}\\p{N}_]';
const NOT_W_BEFORE = `(?<!${W})`;
const NOT_W_AFTER = `(?!${W})`;

type Rule = readonly [RegExp, string];

const rule = (source: string, replacement: string, flags = ''): Rule => [new RegExp(source, `gu${flags}`), replacement];

const STARTING_QUOTES: readonly Rule[] = [
  rule('([«“‘„]|[`]+)', ' $1 '),
  rule('^"', '``'),
  rule('(``)', ' $1 '),
  rule('([ ([{<])("|\'{2})', '$1 `` '),
  rule(`(')(?!re|ve|ll|m|t|s|d|n)(${W})${NOT_W_AFTER}`, '$1 $2', 'i'),
];

const PUNCTUATION: readonly Rule[] = [
  rule(`([^.])(\\.)([\\])}>"'»”’ ]*)[${PY_SPACE_CLASS}]*$`, '$1 $2 $3 '),
  rule('([:,])([^\\p{Nd}])', ' $1 $2'),
  // Python's `$` also matches before a newline that ends the text.
  rule('([:,])(?=\\n?$)', ' $1 '),
  rule('\\.{2,}', ' $& '),
  rule('[;@#$%&]', ' $& '),
  rule(`([^.])(\\.)([\\])}>"']*)[${PY_SPACE_CLASS}]*$`, '$1 $2$3 '),
  rule('[?!]', ' $& '),
  rule("([^'])' ", "$1 ' "),
  rule('[*]', ' $& '),
];

const PARENS_BRACKETS: Rule = rule('[\\][(){}<>]', ' $& ');
const DOUBLE_DASHES: Rule = rule('--', ' -- ');

const ENDING_QUOTES: readonly Rule[] = [
  rule('([»”’])', ' $1 '),
  rule("''", " '' "),
  rule('"', " '' "),
  rule("([^' ])('[sS]|'[mM]|'[dD]|') ", '$1 $2 '),
  rule("([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) ", '$1 $2 '),
];

/** Robert MacIntyre's contractions, split in two ("cannot" → "can not"). */
const CONTRACTIONS: readonly Rule[] = [
  ...[
    `${NOT_W_BEFORE}(can)(not)${NOT_W_AFTER}`,
    `${NOT_W_BEFORE}(d)('ye)${NOT_W_AFTER}`,
    `${NOT_W_BEFORE}(gim)(me)${NOT_W_AFTER}`,
    `${NOT_W_BEFORE}(gon)(na)${NOT_W_AFTER}`,
    `${NOT_W_BEFORE}(got)(ta)${NOT_W_AFTER}`,
    `${NOT_W_BEFORE}(lem)(me)${NOT_W_AFTER}`,
    `${NOT_W_BEFORE}(more)('n)${NOT_W_AFTER}`,
    `${NOT_W_BEFORE}(wan)(na)(?=[${PY_SPACE_CLASS}])`,
    ` ('t)(is)${NOT_W_AFTER}`,
    ` ('t)(was)${NOT_W_AFTER}`,
  ].map((source) => rule(source, ' $1 $2 ', 'i')),
];

function apply(text: string, rules: readonly Rule[]): string {
  let out = text;
  for (const [re, replacement] of rules) out = out.replace(re, replacement);
  return out;
}

/** NLTKWordTokenizer.tokenize(text): one sentence's tokens. */
export function treebankWords(sentence: string): string[] {
  let text = apply(sentence, STARTING_QUOTES);
  text = apply(text, PUNCTUATION);
  text = apply(text, [PARENS_BRACKETS, DOUBLE_DASHES]);
  text = apply(` ${text} `, ENDING_QUOTES);
  text = apply(text, CONTRACTIONS);
  return pySplit(text);
}
