// Why a benchmark sample failed, as results.jsonl names it: declared here, at the bottom, so the
// results' schema, the messages to the Runs views and the views themselves share one list.

/** Why a sample is a failure, for sorting and filtering; undefined when it is right. */
export const FAILURE_CAUSES = [
  'wrong_answer',
  'judge_disagrees',
  'parse_error',
  'tool_error',
  'max_turns',
  'search_limit',
  'timeout',
  'error',
  'cancelled',
] as const;
export type FailureCause = (typeof FAILURE_CAUSES)[number];
