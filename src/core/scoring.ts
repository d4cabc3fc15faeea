// Answer scoring against gold aliases, as the peers score: exact match after Search-R1's
// normalize_answer (PeterGriffinJin/Search-R1 @a14dc3a verl/utils/reward_score/qa_em.py,
// normalize_answer lines 19-33, em_check 36-46; MMSearch-R1's reward and InfoSeek's
// evaluation use the same function) and SQuAD token F1 (CaraJ7/MMSearch @d340f3f
// score/f1_score.py, normalize_answer 7-24, get_f1_score 34-48; eval_end2end.py 252-257
// takes the best over gt_answer and alternative_gt_answers), each the best over the aliases. The LLM
// judge is in src/data/judge.ts; each benchmark's own measure in src/data/scoring/.
import { pySplit } from './pythonText';

/** Python's string.punctuation: the characters normalize_answer deletes (ASCII only, as there). */
const PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;
/** `\b(a|an|the)\b` with Python's Unicode word characters (letters, digits, underscore). */
const ARTICLES = /(?<![\p{L}\p{N}_])(?:a|an|the)(?![\p{L}\p{N}_])/gu;

/**
 * Search-R1 / SQuAD normalisation, step for step: lower-case, delete ASCII punctuation
 * (so "X-ray" is "xray" and "U.S." is "us"), replace the articles a, an, the by a space,
 * collapse whitespace as Python's `str.split()` does. Other punctuation (an en dash, "，")
 * stays, as it does for the peers, so scores here match theirs.
 */
export function normalizeAnswer(text: string): string {
  return pySplit(text.toLowerCase().replace(PUNCTUATION, '').replace(ARTICLES, ' ')).join(' ');
}

export function exactMatch(prediction: string, golds: readonly string[]): number {
  const p = normalizeAnswer(prediction);
  return golds.some((g) => normalizeAnswer(g) === p) ? 1 : 0;
}

function tokenF1(prediction: string, gold: string): number {
  const p = pySplit(normalizeAnswer(prediction));
  const g = pySplit(normalizeAnswer(gold));
  if (p.length === 0 || g.length === 0) return p.length === g.length ? 1 : 0;
  const counts = new Map<string, number>();
  for (const t of g) counts.set(t, (counts.get(t) ?? 0) + 1);
  let common = 0;
  for (const t of p) {
    const c = counts.get(t) ?? 0;
    if (c > 0) {
      common++;
      counts.set(t, c - 1);
    }
  }
  if (common === 0) return 0;
  const precision = common / p.length;
  const recall = common / g.length;
  return (2 * precision * recall) / (precision + recall);
}

export function f1Score(prediction: string, golds: readonly string[]): number {
  return golds.reduce((best, g) => Math.max(best, tokenF1(prediction, g)), 0);
}

export function scoreAnswer(prediction: string, golds: readonly string[]): { exactMatch: number; f1: number } {
  return { exactMatch: exactMatch(prediction, golds), f1: Math.round(f1Score(prediction, golds) * 10000) / 10000 };
}
