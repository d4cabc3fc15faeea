// Why a run ended without an answer, in a few words, for the terminal and VS Code's messages.
import type { StopReason } from '../core/trajectory';

export function whyNoAnswer(outcome: { stopReason: StopReason; error?: string }, maxTurns: number): string {
  switch (outcome.stopReason) {
    case 'answered':
      return 'answered';
    case 'max_turns':
      return `no answer within ${maxTurns} turns`;
    case 'search_limit':
      return "no answer: the model asked for a search past the run's limit, which ends the run (its preset's rule)";
    case 'parse_error':
      return "no answer: a turn could not be read, which ends the run (its preset's rule)";
    case 'cancelled':
      return 'cancelled';
    case 'error':
      return `the run failed: ${outcome.error ?? 'unknown error'}`;
    default: {
      const never: never = outcome.stopReason;
      return never;
    }
  }
}
