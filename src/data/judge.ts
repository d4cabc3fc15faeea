// The LLM judge: any OpenAI-compatible endpoint grades a prediction against the gold
// answers as correct, incorrect or not attempted, the three grades SimpleQA, SimpleVQA and
// LiveVQA report (a hedge or refusal is "not attempted"). The prompt's wording is ours,
// not a peer's: MMSearch-R1's paper shows its judge's format (`<judge>Yes/No</judge>` and a
// `<reason>`) but not a prompt we could reuse, and SimpleQA's grader prompt is not ours to
// copy. A run records the judge model, and each result keeps the judge's whole reply.
import type { ModelPort } from '../core/ports';
import type { SampleResult } from './results';
import type { JudgeGrade } from './scoring/metrics';

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
    'Grade the prediction against the ground truth and the candidate answers, which are all acceptable.',
    '- Correct: it gives an answer that means the same as the ground truth or one of the candidate answers. Differences of wording, case, punctuation, articles and language do not matter, and extra detail is fine when the answer itself is right.',
    '- Incorrect: it gives an answer, and the answer is wrong, vaguer than the ground truth, wrong in part, or one of several answers it hedges between.',
    '- Not attempted: it gives no answer: it refuses, says it does not know, or asks for more information.',
    '',
    `Question: ${input.question}`,
    `Ground truth: ${truth ?? ''}`,
    `Candidate answers: ${candidates.length ? candidates.join(' | ') : '(none)'}`,
    `Prediction: ${input.prediction}`,
    '',
    'Reply in exactly this format and nothing else, with one of Correct, Incorrect or Not attempted:',
    '<judge>Correct</judge><reason>one sentence</reason>',
  ].join('\n');
}

/**
 * The grade in a judge's reply: the first `<judge>…</judge>` holding Correct, Incorrect or
 * Not attempted (or Yes / No, MMSearch-R1's verdicts); undefined when there is none.
 */
export function readGrade(reply: string): JudgeGrade | undefined {
  const m = /<judge>\s*(correct|incorrect|not[\s_-]*attempted|yes|no)\b[^<]*<\/judge>/i.exec(reply);
  if (!m) return undefined;
  const word = m[1]!.toLowerCase();
  if (word === 'correct' || word === 'yes') return 'correct';
  if (word === 'incorrect' || word === 'no') return 'incorrect';
  return 'not_attempted';
}

/**
 * Asks the judge. A reply without a grade counts as not attempted, as SimpleQA's grader
 * counts one, and says so (`verdict: 'unreadable'`); a failed request throws, for the
 * caller to record.
 */
export async function judgeAnswer(judge: ModelPort, model: string, input: JudgeInput, signal: AbortSignal): Promise<JudgeScore> {
  const reply = await judge.complete({ messages: [{ role: 'user', content: judgePrompt(input) }] }, { signal });
  const grade = readGrade(reply.text);
  return {
    correct: grade === 'correct',
    grade: grade ?? 'not_attempted',
    reply: reply.text,
    model,
    verdict: grade === undefined ? 'unreadable' : grade === 'correct' ? 'yes' : 'no',
  };
}
