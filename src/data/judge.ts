// The LLM judge: any OpenAI-compatible endpoint decides whether a prediction answers the
// question as one of the gold answers does. The prompt is modelled on MMSearch-R1's judge
// (arXiv 2506.20670, Table 7: question, ground truth and candidate answers in, a verdict
// `<judge>Yes/No</judge>` and a `<reason>…</reason>` out). Its exact wording is not
// published in a form we could read, so this text is ours, written to that format; a run
// records the judge model, and each result keeps the judge's whole reply.
import type { ModelPort } from '../core/ports';
import type { SampleResult } from './results';

export type JudgeScore = NonNullable<SampleResult['scores']['judge']>;

export interface JudgeInput {
  question: string;
  gold: readonly string[];
  prediction: string;
}

export function judgePrompt(input: JudgeInput): string {
  const [truth, ...candidates] = input.gold;
  return [
    'You are an impartial judge of answers to questions about images.',
    'Decide whether the prediction answers the question correctly, that is, whether it means the same as the ground truth or one of the candidate answers. Ignore differences of wording, case, punctuation, articles and language; a prediction that adds a detail is still correct when its answer is right; a prediction that is vaguer than the ground truth, hedges between several answers, or is wrong in part is not correct.',
    '',
    `Question: ${input.question}`,
    `Ground truth: ${truth ?? ''}`,
    `Candidate answers: ${candidates.length ? candidates.join(' | ') : '(none)'}`,
    `Prediction: ${input.prediction}`,
    '',
    'Reply in exactly this format and nothing else:',
    '<judge>Yes</judge><reason>one sentence</reason> if the prediction is correct, or',
    '<judge>No</judge><reason>one sentence</reason> if it is not.',
  ].join('\n');
}

/** The verdict in a judge's reply: the first `<judge>Yes|No</judge>`, else undefined. */
export function readVerdict(reply: string): boolean | undefined {
  const m = /<judge>\s*(yes|no)\b[^<]*<\/judge>/i.exec(reply);
  return m ? m[1]!.toLowerCase() === 'yes' : undefined;
}

/**
 * Asks the judge. A reply without a verdict counts as not correct and says so
 * (`verdict: 'unreadable'`); a failed request throws, for the caller to record.
 */
export async function judgeAnswer(judge: ModelPort, model: string, input: JudgeInput, signal: AbortSignal): Promise<JudgeScore> {
  const reply = await judge.complete({ messages: [{ role: 'user', content: judgePrompt(input) }] }, { signal });
  const verdict = readVerdict(reply.text);
  return {
    correct: verdict === true,
    reply: reply.text,
    model,
    verdict: verdict === undefined ? 'unreadable' : verdict ? 'yes' : 'no',
  };
}
