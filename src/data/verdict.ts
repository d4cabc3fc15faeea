// Whether a sample is right, and why not: the one reading the review views, the Runs view
// and the comparison share. The judge's verdict wins where there is one (as the summary's
// `judge` figure and the RL reward read it); exact match otherwise.
import { failureCause, type FailureCause, type SampleResult } from './results';

export function isRight(r: Pick<SampleResult, 'scores'>): boolean {
  return r.scores.judge ? r.scores.judge.correct : r.scores.exactMatch > 0;
}

/** The cause the runner recorded, or the one failureCause() reads from the result; undefined when right. */
export function causeOf(r: SampleResult): FailureCause | undefined {
  return r.cause ?? failureCause(r);
}
