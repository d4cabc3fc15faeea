// A finished sample as a results.jsonl line: scores (exact match, F1, the judge's verdict,
// the benchmark's own measure, format, the RL reward), why it stopped, and what it did (turns, searches by kind, parse
// and tool errors, gaze boxes relative to the image, tokens), from the events it recorded.
import type { AgentResult } from '../core/agent';
import { scoreAnswer } from '../core/scoring';
import type { TrajectoryEvent, TrajectoryHeader } from '../core/trajectory';
import type { DatasetSample } from '../data/datasets';
import { failureCause, type SampleResult } from '../data/results';
import type { JudgeScore } from '../data/judge';
import { officialScore } from '../data/scoring/official';

const round4 = (x: number) => Math.round(x * 10000) / 10000;

export interface SampleRun {
  sample: DatasetSample;
  rollout: number;
  /** The trajectory, relative to the benchmark's run folder ('' when the run never started). */
  trajectory: string;
  ms: number;
  /** λ of the reward. */
  formatWeight: number;
}

/** The result of a sample that ran (whatever way it ended). */
export function resultOfRun(
  run: SampleRun,
  outcome: AgentResult,
  events: readonly TrajectoryEvent[],
  header: TrajectoryHeader | undefined,
  extra: { timedOut: boolean; judge?: JudgeScore; judgeError?: { message: string; retryable: boolean } },
): SampleResult {
  const searches = { text: 0, glance: 0, gaze: 0 };
  let parseErrors = 0;
  let toolErrors = 0;
  const gazes: [number, number, number, number][] = [];
  const tokens = { prompt: 0, completion: 0 };
  const oriented = header?.image.oriented;
  // A search is counted when it was made: one a run's rules refused (past its limit) has no observation.
  const observed = new Set(events.flatMap((e) => (e.type === 'observation' ? [e.step] : [])));
  for (const e of events) {
    switch (e.type) {
      case 'action': {
        const a = e.action;
        if ((a.kind === 'text_search' || a.kind === 'image_search') && !observed.has(e.step)) break;
        if (a.kind === 'text_search') searches.text++;
        else if (a.kind === 'parse_error') parseErrors++;
        else if (a.kind === 'image_search') {
          if (a.scope === 'full') searches.glance++;
          else {
            searches.gaze++;
            if (a.box && oriented) {
              const [x1, y1, x2, y2] = a.box.original;
              gazes.push([round4(x1 / oriented.width), round4(y1 / oriented.height), round4(x2 / oriented.width), round4(y2 / oriented.height)]);
            }
          }
        }
        break;
      }
      case 'observation':
        if (e.error) toolErrors++;
        break;
      case 'model_turn':
        tokens.prompt += e.usage?.prompt ?? 0;
        tokens.completion += e.usage?.completion ?? 0;
        break;
      default:
        break;
    }
  }
  const score = outcome.answer !== null ? scoreAnswer(outcome.answer, run.sample.gold) : { exactMatch: 0, f1: 0 };
  const format = outcome.turns > 0 && parseErrors === 0 ? 1 : 0;
  return finish(run, {
    answer: outcome.answer,
    scores: { ...score, ...(extra.judge ? { judge: extra.judge } : {}), ...official(run, outcome.answer, extra.judge), format, reward: 0 },
    stopReason: outcome.stopReason,
    ...(extra.timedOut ? { timedOut: true } : {}),
    ...(outcome.error
      ? { error: outcome.error, errorKind: outcome.retryable ? ('endpoint' as const) : ('sample' as const) }
      : extra.judgeError
        ? { error: `the judge failed: ${extra.judgeError.message}`, errorKind: extra.judgeError.retryable ? ('endpoint' as const) : ('sample' as const) }
        : {}),
    turns: outcome.turns,
    searches,
    parseErrors,
    toolErrors,
    gazes,
    tokens,
  });
}

/** The result of a sample that could not start (its image could not be had or read, say): the sample's own error. */
export function resultOfFailure(run: SampleRun, error: string): SampleResult {
  return finish(run, {
    answer: null,
    scores: { exactMatch: 0, f1: 0, ...official(run, null), format: 0, reward: 0 },
    stopReason: 'error',
    error,
    errorKind: 'sample',
    turns: 0,
    searches: { text: 0, glance: 0, gaze: 0 },
    parseErrors: 0,
    toolErrors: 0,
    gazes: [],
    tokens: { prompt: 0, completion: 0 },
  });
}

/** The sample's score under its benchmark's measure, as results.jsonl records it. */
function official(run: SampleRun, answer: string | null, judge?: JudgeScore): Pick<SampleResult['scores'], 'official' | 'officialMetric' | 'officialGroup'> {
  const o = officialScore(run.sample.truth ?? { scorer: 'exact-match' }, answer, run.sample.gold, judge?.grade);
  return { official: o.score, officialMetric: o.metric, ...(o.group ? { officialGroup: o.group } : {}) };
}

// Pick, not Omit: Omit of a loose object's type loses its fields.
type Body = Pick<SampleResult, 'answer' | 'scores' | 'stopReason' | 'turns' | 'searches' | 'parseErrors' | 'toolErrors' | 'gazes' | 'tokens'> & {
  timedOut?: boolean;
  error?: string;
  errorKind?: SampleResult['errorKind'];
};

function finish(run: SampleRun, body: Body): SampleResult {
  const { sample } = run;
  const accuracy = body.scores.judge ? (body.scores.judge.correct ? 1 : 0) : body.scores.exactMatch;
  const result: SampleResult = {
    id: sample.id,
    index: sample.index,
    rollout: run.rollout,
    benchmark: sample.benchmark,
    ...(sample.category ? { category: sample.category } : {}),
    question: sample.question,
    gold: sample.gold,
    ...body,
    scores: { ...body.scores, reward: round4((1 - run.formatWeight) * accuracy + run.formatWeight * body.scores.format) },
    ms: run.ms,
    trajectory: run.trajectory,
  };
  const cause = failureCause(result);
  if (cause) result.cause = cause;
  return result;
}
