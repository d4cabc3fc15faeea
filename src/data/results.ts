// A benchmark run's results: one line per sample (and rollout) in results.jsonl, appended as
// samples finish, and summary.json, rewritten from them. The runner writes them, the review
// views read them, `gog merge` and `gog compare` combine them; this is the one shape.
import { z } from 'zod';
import { FAILURE_CAUSES, type FailureCause } from '../core/failureCauses';
import { STOP_REASONS } from '../core/trajectory';
import { officiallyRight, officialSummary, SCORER_IDS, type OfficialSummary } from './scoring/metrics';

export { FAILURE_CAUSES, type FailureCause } from '../core/failureCauses';

export const judgeScoreSchema = z.looseObject({
  /** The judge said the prediction is correct. */
  correct: z.boolean(),
  /** Its grade (runs before grades were recorded have only `correct`). */
  grade: z.enum(['correct', 'incorrect', 'not_attempted']).optional(),
  /** The judge's whole reply, kept. */
  reply: z.string(),
  model: z.string(),
});

export const resultSchema = z.looseObject({
  /** The sample's id in its dataset (or its position when it has none). */
  id: z.string().min(1),
  /** Position of the record in the dataset file (0-based), for resuming and sharding. */
  index: z.number().int().min(0),
  /** Which of the K rollouts of the sample this is (0 when there is one). */
  rollout: z.number().int().min(0),
  /** The benchmark (fvqa, infoseek, simplevqa, mmsearch, livevqa, dynvqa, or the file's name). */
  benchmark: z.string(),
  category: z.string().optional(),
  question: z.string(),
  answer: z.string().nullable(),
  gold: z.array(z.string()),
  scores: z.looseObject({
    exactMatch: z.number().min(0).max(1),
    f1: z.number().min(0).max(1),
    judge: judgeScoreSchema.optional(),
    /** The sample's score under its benchmark's own measure (0–1), and the measure's name. */
    official: z.number().min(0).max(1).optional(),
    officialMetric: z.enum([...SCORER_IDS, 'exact-match (no judge)']).optional(),
    /** The part the measure's headline averages separately (InfoSeek: unseen_question or unseen_entity). */
    officialGroup: z.string().optional(),
    /** Every turn was read as an action (the format part of the RL reward). */
    format: z.number().min(0).max(1),
    /** (1−λ)·accuracy + λ·format, accuracy being the judge's when there is one, else exact match. */
    reward: z.number().min(0).max(1),
  }),
  stopReason: z.enum(STOP_REASONS),
  /** The sample ran out of its time limit (its stopReason is then cancelled). */
  timedOut: z.boolean().optional(),
  error: z.string().optional(),
  /**
   * Whose failure the error was: `endpoint`, the model's or the judge's endpoint failed after
   * its retries (unreachable, timed out, rate limited, 5xx, refused the key): not final, the
   * sample runs again on resume; `sample`, the sample's own (its image could not be had or
   * read, the endpoint refused the request as it stands): final, scored as wrong.
   */
  errorKind: z.enum(['endpoint', 'sample']).optional(),
  cause: z.enum(FAILURE_CAUSES).optional(),
  turns: z.number().int().min(0),
  searches: z.looseObject({ text: z.number().int().min(0), glance: z.number().int().min(0), gaze: z.number().int().min(0) }),
  parseErrors: z.number().int().min(0),
  toolErrors: z.number().int().min(0),
  /** Gaze boxes in image-relative coordinates (0–1), for where-the-model-looks charts. */
  gazes: z.array(z.tuple([z.number(), z.number(), z.number(), z.number()])),
  tokens: z.looseObject({ prompt: z.number().int().min(0), completion: z.number().int().min(0) }),
  ms: z.number().min(0),
  /** The sample's trajectory, relative to the run folder. */
  trajectory: z.string(),
});
export type SampleResult = z.infer<typeof resultSchema>;

const rate = z.number().min(0).max(1);

const officialSummarySchema = z.looseObject({
  metric: z.string(),
  score: rate,
  samples: z.number().int().min(0),
});

export const groupSummarySchema = z.looseObject({
  samples: z.number().int().min(0),
  accuracy: rate,
  f1: rate,
  judge: rate.optional(),
  /** The headline under the benchmark's own measure (when the group has one measure). */
  official: officialSummarySchema.optional(),
  /** Share of samples that searched at all, and that gazed at least once. */
  searchRatio: rate,
  gazeRatio: rate,
  avgTurns: z.number().min(0),
  tokens: z.looseObject({ prompt: z.number().min(0), completion: z.number().min(0) }),
  /** Median wall time of a sample, in ms. */
  latencyMs: z.number().min(0),
  stopReasons: z.record(z.string(), z.number().int().min(0)),
});
export type GroupSummary = z.infer<typeof groupSummarySchema>;

export const summarySchema = z.looseObject({
  /** The run's settings and where its samples came from (no secrets). */
  run: z.looseObject({ dataset: z.string(), started: z.string(), shard: z.looseObject({ index: z.number().int(), count: z.number().int() }).optional() }),
  /** Records of the dataset that loaded (in this shard). */
  samples: z.number().int().min(0),
  /** Results written (samples × rollouts done). */
  done: z.number().int().min(0),
  /** Every sample has a final result: none missing, none ended in an endpoint error. */
  finished: z.boolean().optional(),
  /** Results that ended in an endpoint error (run again on resume), and in a sample's own error (final). */
  errors: z.number().int().min(0).optional(),
  sampleErrors: z.number().int().min(0).optional(),
  all: groupSummarySchema,
  byBenchmark: z.record(z.string(), groupSummarySchema),
  /** The mean of the benchmarks' own headlines (the papers' "Avg"), when every benchmark has one. */
  officialAverage: z.looseObject({ score: rate, benchmarks: z.number().int().min(2) }).optional(),
  byCategory: z.record(z.string(), groupSummarySchema),
});
export type RunSummary = z.infer<typeof summarySchema>;

function median(xs: number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * The headline of results under their benchmark's measure, or undefined when they have
 * none or mix measures (all of a run over several benchmarks). `notRun`: samples the
 * measure counts as 0 that never ran (MMSearch's text-only queries).
 */
export function officialOf(results: readonly SampleResult[], notRun = 0): OfficialSummary | undefined {
  // Summed in the dataset's order, as the benchmarks' scripts sum their files: floating sums differ in the last digit otherwise.
  const ordered = [...results].sort((a, b) => a.index - b.index || a.rollout - b.rollout);
  const rows = ordered.flatMap((r) =>
    r.scores.officialMetric !== undefined && r.scores.official !== undefined
      ? [
          {
            metric: r.scores.officialMetric,
            score: r.scores.official,
            ...(r.scores.officialGroup ? { group: r.scores.officialGroup } : {}),
            ...(r.scores.judge?.grade ? { grade: r.scores.judge.grade } : {}),
          },
        ]
      : [],
  );
  if (!rows.length || rows.length !== results.length) return undefined;
  const base = (m: string) => (m === 'exact-match (no judge)' ? 'judge' : m);
  if (new Set(rows.map((r) => base(r.metric))).size > 1) return undefined;
  const benchmarks = new Set(results.map((r) => r.benchmark));
  return officialSummary(rows, { notRun, ...(benchmarks.size === 1 ? { benchmark: [...benchmarks][0]! } : {}) });
}

/** Right by the benchmark's own measure where the result has one, else the judge's verdict, else exact match. */
export function isRight(r: Pick<SampleResult, 'scores'>): boolean {
  if (r.scores.official !== undefined) return officiallyRight(r.scores.official);
  return r.scores.judge ? r.scores.judge.correct : r.scores.exactMatch > 0;
}

/** The figures of a group of results (a benchmark, a category, or all). */
export function summarize(results: readonly SampleResult[], notRun = 0): GroupSummary {
  const n = results.length;
  const mean = (f: (r: SampleResult) => number) => (n ? results.reduce((s, r) => s + f(r), 0) / n : 0);
  const judged = results.filter((r) => r.scores.judge);
  const official = officialOf(results, notRun);
  const stopReasons: Record<string, number> = {};
  for (const r of results) stopReasons[r.stopReason] = (stopReasons[r.stopReason] ?? 0) + 1;
  return {
    samples: n,
    accuracy: mean((r) => r.scores.exactMatch),
    f1: mean((r) => r.scores.f1),
    ...(judged.length ? { judge: judged.filter((r) => r.scores.judge!.correct).length / judged.length } : {}),
    ...(official ? { official } : {}),
    searchRatio: mean((r) => (r.searches.text + r.searches.glance + r.searches.gaze > 0 ? 1 : 0)),
    gazeRatio: mean((r) => (r.searches.gaze > 0 ? 1 : 0)),
    avgTurns: mean((r) => r.turns),
    tokens: { prompt: mean((r) => r.tokens.prompt), completion: mean((r) => r.tokens.completion) },
    latencyMs: median(results.map((r) => r.ms)),
    stopReasons,
  };
}

/** The result ended in an endpoint's error: not final, its sample runs again on resume. */
export function isEndpointError(r: Pick<SampleResult, 'errorKind'>): boolean {
  return r.errorKind === 'endpoint';
}

/** The result ended in the sample's own error (or one recorded before errors had kinds): final. */
export function isSampleError(r: Pick<SampleResult, 'errorKind' | 'stopReason'>): boolean {
  return r.stopReason === 'error' && r.errorKind !== 'endpoint';
}

/** Why a result counts as a failure (most specific first), or undefined when it is right. */
export function failureCause(r: SampleResult): FailureCause | undefined {
  if (r.timedOut) return 'timeout';
  if (r.stopReason === 'error') return 'error';
  if (r.stopReason === 'cancelled') return 'cancelled';
  if (r.stopReason === 'max_turns') return r.parseErrors > 0 ? 'parse_error' : 'max_turns';
  // Runs whose rules end them early (a preset): at a search past its limit, at a turn that could not be read.
  if (r.stopReason === 'search_limit') return 'search_limit';
  if (r.stopReason === 'parse_error') return 'parse_error';
  // A judge beside a rule-based measure: worth a look when the two disagree. Where the judge
  // is the measure (SimpleVQA, LiveVQA), the rule it is held against is exact match.
  const judge = r.scores.judge;
  const rule = r.scores.official !== undefined && r.scores.officialMetric !== 'judge' ? officiallyRight(r.scores.official) : r.scores.exactMatch > 0;
  if (judge && judge.correct !== rule) return 'judge_disagrees';
  if (isRight(r)) return undefined;
  if (r.toolErrors > 0) return 'tool_error';
  if (r.parseErrors > 0) return 'parse_error';
  return 'wrong_answer';
}
