// DynVQA's official measure: OmniSearch's `compute_acc` (Alibaba-NLP/OmniSearch @b01e78e
// src/Omnisearch_gpt/evaluate.py: `process_string` lines 182-188, `process_string_en`
// 190-196, `compute_acc_single` 198-205, `compute_acc` 207-220, the loop 253-262), the share of
// a gold answer's tokens found in the prediction, the best over the gold answers. English
// is lower-cased and split by NLTK's `word_tokenize` (Punkt sentences, then Treebank words);
// Chinese by jieba. Tokens that are a piece of `,.?!:;'"` (English) or `，、。 ,.《》`
// (Chinese) do not count: the script tests `word not in '...'`, a substring test. The
// prediction is first cleaned as the VQA evaluation cleans answers; the gold answers are
// not, and each is taken as Python's `str()` of the value in the file (a list inside the
// list, as the 202410 files have, is the text of that list).
import { pyStr, pySplit } from '../../core/pythonText';
import { jiebaWords } from './jiebaWords';
import { punktSentences } from './punkt';
import { treebankWords } from './treebankWords';
import { vqaAnswerText } from './vqaAnswerText';

export type DynVqaLanguage = 'en' | 'zh';

const EN_DROPPED = ',.?!:;\'"';
const ZH_DROPPED = '，、。 ,.《》';

function englishTokens(value: unknown): string[] {
  const text = pyStr(value).toLowerCase();
  return punktSentences(text)
    .flatMap(treebankWords)
    .filter((w) => !EN_DROPPED.includes(w));
}

function chineseTokens(value: unknown): string[] {
  return pySplit(jiebaWords(pyStr(value)).join(' ')).filter((w) => !ZH_DROPPED.includes(w));
}

function recall(gold: readonly string[], prediction: readonly string[]): number {
  if (gold.length === 0 || prediction.length === 0) return gold.length === prediction.length && gold.every((t, i) => t === prediction[i]) ? 1 : 0;
  const counts = new Map<string, number>();
  for (const t of prediction) counts.set(t, (counts.get(t) ?? 0) + 1);
  let same = 0;
  for (const t of gold) {
    const c = counts.get(t) ?? 0;
    if (c > 0) {
      same++;
      counts.set(t, c - 1);
    }
  }
  return same / gold.length;
}

/**
 * One sample's score, 0–1. `golds` are the values of the record's `answer` list as the file
 * has them (strings, numbers, lists); `language` is the file's (`--lang` of the script).
 */
export function dynVqaTokenRecall(prediction: string | null, golds: readonly unknown[], language: DynVqaLanguage): number {
  const cleaned = vqaAnswerText(prediction ?? '');
  if (cleaned === '' || golds.length === 0) return 0;
  const tokens = language === 'zh' ? chineseTokens : englishTokens;
  const predicted = tokens(cleaned);
  return Math.max(...golds.map((g) => recall(tokens(g), predicted)));
}

/** The file's language: its question ids begin `en`/`zh` (DynVQA_en, DynVQA_zh); failing that, Han characters in the question. */
export function dynVqaLanguage(questionId: string | undefined, question: string): DynVqaLanguage {
  const prefix = /^(en|zh)/i.exec(questionId ?? '')?.[1]?.toLowerCase();
  if (prefix === 'en' || prefix === 'zh') return prefix;
  return /[\u4E00-\u9FFF]/u.test(question) ? 'zh' : 'en';
}
