// A benchmark's own measure, as its published script computes it: which one scores a
// sample (chosen by the dataset's layout, or `--scorer` for a file of our own mapping) and
// the sample's score under it (the headline over many: metrics.ts). Exact match and F1 stay
// beside it in every result; "right" in the review views is this score, at least 0.5 where
// it is fractional (F1, token recall).
import { exactMatch, f1Score } from '../../core/scoring';
import { infoSeekScore, type InfoSeekQuestionType, type InfoSeekTruth } from './infoseek';
import type { JudgeGrade, OfficialMetric, ScorerId } from './metrics';
import { dynVqaTokenRecall, type DynVqaLanguage } from './tokenRecall';

export const SCORER_SOURCES: Readonly<Record<ScorerId, string>> = {
  'exact-match': 'Search-R1 verl/utils/reward_score/qa_em.py em_check (MMSearch-R1 reward_score_mm/mmsearch_r1_score.py): FVQA, MMSearch-R1 data',
  f1: 'MMSearch score/f1_score.py get_f1_score, best over gt_answer and alternative_gt_answers (eval_end2end.py): MMSearch',
  'token-recall': 'OmniSearch src/Omnisearch_gpt/evaluate.py compute_acc: DynVQA',
  infoseek: 'infoseek_eval.py (edchengg/infoseek_eval) evaluate: InfoSeek',
  judge: 'an LLM judge grading correct / incorrect / not attempted, aggregated as SimpleQA (openai/simple-evals simpleqa_eval.py): SimpleVQA, LiveVQA',
};

/** What a sample carries for its measure beyond the gold strings. */
export type OfficialTruth =
  | { scorer: 'exact-match' | 'f1' | 'judge' }
  | { scorer: 'token-recall'; language: DynVqaLanguage; answers: unknown[] }
  | { scorer: 'infoseek'; type: InfoSeekQuestionType; answers: string[]; split: InfoSeekTruth['split'] };

export interface OfficialScore {
  metric: OfficialMetric;
  /** 0–1. */
  score: number;
  /** The part of the benchmark the headline averages over separately (InfoSeek's split). */
  group?: string;
}

export function officialScore(truth: OfficialTruth, prediction: string | null, gold: readonly string[], judge?: JudgeGrade): OfficialScore {
  const answer = prediction ?? '';
  switch (truth.scorer) {
    case 'exact-match':
      return { metric: 'exact-match', score: exactMatch(answer, gold) };
    case 'f1':
      return { metric: 'f1', score: f1Score(answer, gold) };
    case 'token-recall':
      return { metric: 'token-recall', score: dynVqaTokenRecall(prediction, truth.answers, truth.language) };
    case 'infoseek':
      return { metric: 'infoseek', score: infoSeekScore(prediction, truth), group: truth.split };
    case 'judge':
      return judge ? { metric: 'judge', score: judge === 'correct' ? 1 : 0 } : { metric: 'exact-match (no judge)', score: exactMatch(answer, gold) };
    default: {
      const never: never = truth;
      return never;
    }
  }
}
