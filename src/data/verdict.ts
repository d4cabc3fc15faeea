// Whether a sample is right, and why not: the one reading the review views, the Runs view
// and the comparison share. Right is the benchmark's own measure (at least 0.5 where it is
// fractional); for results recorded before it, the judge's verdict, else exact match.
import { failureCause, isRight, type FailureCause, type SampleResult } from './results';

export { isRight };

/** The cause the runner recorded, or the one failureCause() reads from the result; undefined when right. */
export function causeOf(r: SampleResult): FailureCause | undefined {
  return r.cause ?? failureCause(r);
}
