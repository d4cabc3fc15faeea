// InfoSeek's official measure: edchengg/infoseek_eval @bec0c4c `infoseek_eval.py`
// (`metric_numerical_range` lines 53-90, `process_numerical_answer` 93-134,
// `clean_str_range` 153-169, `range_intersection_over_union` 172-183, `evaluation` 239-280,
// `harmonic_mean` 309-313, `evaluate_infoseek_full` 340-352, `evaluate` 355-383). A numerical
// question (its `answer_eval` is `[{wikidata, range}]`) is right when the number read from
// the prediction lies in the range, or the range read from it (two numbers) overlaps it by
// an IoU of at least 0.5 (`process_numerical_answer`, `clean_str_range`,
// `metric_numerical_range`, `range_intersection_over_union`); time and entity questions by
// exact match over `answer_eval` (`exact_match_score`, the same normalisation as
// Search-R1's). The headline is the harmonic mean of the `unseen_question` and
// `unseen_entity` splits' scores, each rounded to two decimals in percent
// (`evaluate_infoseek_full`, `evaluate`).
import { normalizeAnswer } from '../../core/scoring';
import { asciiDigits, pyIsDigit, pyRound } from '../../core/pythonText';

export type InfoSeekQuestionType = 'numerical' | 'time' | 'string';

/** What InfoSeek's reference gives one question, as the scorer needs it. */
export interface InfoSeekTruth {
  type: InfoSeekQuestionType;
  /** Numerical: the [low, high] range; else the acceptable answers. */
  answers: readonly string[];
  /** `data_split`: the split the headline averages over ends in unseen_question or not. */
  split: 'unseen_question' | 'unseen_entity';
}

/** `clean_str_range`: "9-10" → "9 - 10" (a hyphen after a digit is spaced). */
function spaceRanges(text: string): string {
  const chars = Array.from(text);
  return chars.map((c, i) => (c === '-' && i >= 1 && pyIsDigit(chars[i - 1]!) ? ' - ' : c)).join('');
}

const NUMBER = /[-+]?[.]?\p{Nd}+(?:,\p{Nd}\p{Nd}\p{Nd})*[.]?\p{Nd}*(?:[eE][-+]?\p{Nd}+)?/gu;

/** Python's `float()` of what the pattern matched; NaN where it would raise (the script stops there). */
function pyFloat(text: string): number {
  const t = asciiDigits(text);
  return /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(t) ? Number(t) : NaN;
}

function stripPeriods(text: string): string {
  return text.replace(/^\.+|\.+$/g, '');
}

/** `process_numerical_answer`: one number, a [low, high] range, or [0, 0] when there is none. */
export function infoSeekNumber(prediction: string): number | [number, number] {
  const found = (spaceRanges(prediction).match(NUMBER) ?? []).map((n) => stripPeriods(n.replaceAll(',', '')));
  const numbers = found.map((n) => (n.split('.').length - 1 > 1 ? pyFloat(n.split('.')[0]!) : pyFloat(n))).slice(0, 2);
  if (numbers.length === 2) {
    const [a, b] = numbers as [number, number];
    return a <= b ? [a, b] : a;
  }
  if (numbers.length === 1) return numbers[0]!;
  return [0, 0];
}

function rangeIoU(x: readonly [number, number], y: readonly [number, number]): number {
  const [min1, max1] = [Math.min(...x), Math.max(...x)];
  const [min2, max2] = [Math.min(...y), Math.max(...y)];
  const overlap = Math.max(0, Math.min(max1, max2) - Math.max(min1, min2));
  const lx = max1 - min1 + 1e-12;
  const ly = max2 - min2 + 1e-12;
  const union = lx + ly - overlap;
  return union !== 0 ? overlap / union : 0;
}

/** `metric_numerical_range` with the answer already a [low, high] range. */
function inRange(pred: number | [number, number], range: readonly [number, number]): number {
  const [low, high] = range;
  if (!Array.isArray(pred)) return low <= pred && pred <= high ? 1 : 0;
  if (low <= pred[0] && pred[0] <= high && low <= pred[1] && pred[1] <= high) return 1;
  return rangeIoU(pred, range) >= 0.5 - 1e-12 ? 1 : 0;
}

/** One question's score, 0 or 1. */
export function infoSeekScore(prediction: string | null, truth: InfoSeekTruth): number {
  const pred = prediction ?? '';
  if (truth.type === 'numerical') {
    const range = truth.answers.slice(0, 2).map(pyFloat);
    if (range.length < 2 || range.some(Number.isNaN)) return 0;
    return inRange(infoSeekNumber(pred), range as [number, number]);
  }
  const p = normalizeAnswer(pred);
  return truth.answers.some((a) => normalizeAnswer(a) === p) ? 1 : 0;
}

export interface InfoSeekSummary {
  /** The harmonic mean of the two splits, in percent, rounded as the script prints it. */
  final: number;
  unseenQuestion: { score: number; samples: number };
  unseenEntity: { score: number; samples: number };
}

/** `evaluate_infoseek_full` over scored questions. */
export function infoSeekSummary(rows: readonly { score: number; split: InfoSeekTruth['split'] }[]): InfoSeekSummary {
  const split = (name: InfoSeekTruth['split']) => {
    const scores = rows.filter((r) => r.split === name).map((r) => r.score);
    const mean = scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : 0;
    return { score: pyRound(mean * 100, 2), samples: scores.length };
  };
  const unseenQuestion = split('unseen_question');
  const unseenEntity = split('unseen_entity');
  const safe = [unseenQuestion.score, unseenEntity.score].map((s) => (s !== 0 ? s : 1e-12));
  const hmean = safe.length / safe.reduce((sum, v) => sum + 1 / v, 0);
  return { final: pyRound(hmean, 2), unseenQuestion, unseenEntity };
}
