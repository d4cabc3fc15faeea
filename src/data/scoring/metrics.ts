// The names of the benchmarks' own measures and how each benchmark's script aggregates its
// samples' scores into its headline: plain arithmetic, no tokenizer, so that what both
// bundles import (the results' shape, the review views) stays free of the scorers' natives.
import { pyRound } from '../../core/pythonText';
import { infoSeekSummary } from './infoseek';

/** The measures, by the name `--scorer` takes and results record. */
export const SCORER_IDS = ['exact-match', 'f1', 'token-recall', 'infoseek', 'judge'] as const;
export type ScorerId = (typeof SCORER_IDS)[number];

/** What a results line names: a scorer, or the judge's fallback when no judge was given. */
export type OfficialMetric = ScorerId | 'exact-match (no judge)';

export function isScorerId(value: string): value is ScorerId {
  return (SCORER_IDS as readonly string[]).includes(value);
}

export type JudgeGrade = 'correct' | 'incorrect' | 'not_attempted';

/** Right by the official measure: 1 for the all-or-nothing ones, at least 0.5 for F1 and token recall. */
export function officiallyRight(score: number): boolean {
  return score >= 0.5;
}

export interface OfficialRow {
  metric: OfficialMetric;
  score: number;
  group?: string;
  grade?: JudgeGrade;
}

/** A benchmark's headline under its measure, with the parts its script prints (a type, so it fits a loose zod record). */
export type OfficialSummary = {
  metric: OfficialMetric;
  /** 0–1, aggregated as the benchmark's script aggregates. */
  score: number;
  /** Samples the headline counts (MMSearch: with those the agent cannot run, scored 0). */
  samples: number;
  /** MMSearch: the samples run, and the mean over them alone. */
  run?: { samples: number; score: number };
  /** InfoSeek: each split's score (0–1) and size. */
  splits?: Record<string, { score: number; samples: number }>;
  /** Judged benchmarks, SimpleQA's figures (0–1). */
  judge?: { correct: number; incorrect: number; notAttempted: number; correctGivenAttempted: number; fScore: number };
  /** What the figure is not: "needs a judge; exact match shown". */
  note?: string;
};

const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/**
 * The headline over one benchmark's results. `notRun` counts samples its script scores 0
 * though they never ran (MMSearch's text-only queries). Rows of another metric than the
 * first (a judge that answered for only some samples) are summarised by the first's rule.
 */
export function officialSummary(rows: readonly OfficialRow[], options: { notRun?: number; benchmark?: string } = {}): OfficialSummary | undefined {
  const notRun = options.notRun ?? 0;
  const metric = rows.find((r) => r.metric === 'judge')?.metric ?? rows[0]?.metric;
  if (!metric) return undefined;
  const scores = rows.map((r) => r.score);
  switch (metric) {
    case 'exact-match':
    case 'token-recall':
      return { metric, score: mean(scores), samples: rows.length };
    case 'f1': {
      // MMSearch score/result_summary.py get_result_summary (lines 22-48): a sample with no
      // result is added with score 0 (lines 32-38) before the mean.
      const total = rows.length + notRun;
      return {
        metric,
        score: total ? scores.reduce((a, b) => a + b, 0) / total : 0,
        samples: total,
        ...(notRun ? { run: { samples: rows.length, score: mean(scores) } } : {}),
      };
    }
    case 'infoseek': {
      const s = infoSeekSummary(rows.map((r) => ({ score: r.score, split: r.group === 'unseen_question' ? 'unseen_question' : 'unseen_entity' })));
      return {
        metric,
        score: s.final / 100,
        samples: rows.length,
        splits: {
          unseen_question: { score: s.unseenQuestion.score / 100, samples: s.unseenQuestion.samples },
          unseen_entity: { score: s.unseenEntity.score / 100, samples: s.unseenEntity.samples },
        },
      };
    }
    case 'judge': {
      // simpleqa_eval.py (SimpleQAEval.__call__, lines 164-190): shares of the three grades
      // over all samples; a sample the judge did not grade counts as not attempted, as an
      // unreadable grade does there. SimpleVQA's own simpleVQA_eval.py (lines 55-80) rounds
      // the shares, and their sum, to four decimals before the rest.
      const n = rows.length;
      const rounded = options.benchmark === 'simplevqa' ? (x: number) => pyRound(x, 4) : (x: number) => x;
      const share = (g: JudgeGrade) => rounded(n ? rows.filter((r) => (r.grade ?? 'not_attempted') === g).length / n : 0);
      const correct = share('correct');
      const incorrect = share('incorrect');
      const attempted = rounded(correct + incorrect);
      const correctGivenAttempted = attempted > 0 ? correct / attempted : 0;
      const fScore = correctGivenAttempted + correct > 0 ? (2 * correctGivenAttempted * correct) / (correctGivenAttempted + correct) : 0;
      return { metric, score: correct, samples: n, judge: { correct, incorrect, notAttempted: share('not_attempted'), correctGivenAttempted, fScore } };
    }
    case 'exact-match (no judge)':
      return {
        metric,
        score: mean(scores),
        samples: rows.length,
        note: 'the official measure needs an LLM judge (--judge-endpoint, --judge-model); exact match shown instead',
      };
    default: {
      const never: never = metric;
      return never;
    }
  }
}
