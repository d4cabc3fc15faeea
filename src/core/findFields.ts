// The parts of a trajectory that a text search looks in, and how long a pattern may be:
// declared here so `gog find`, the messages to the Runs views and the views share them.

/** The texts searched: reasoning (think, reason), reflections, text-search queries, evidence (title, snippet, summary), answers. */
export const FIND_FIELDS = ['reasoning', 'reflection', 'query', 'evidence', 'answer'] as const;
export type FindField = (typeof FIND_FIELDS)[number];

/** Longest pattern taken: far above a real search, short enough that compiling it costs nothing. */
export const MAX_PATTERN_CHARS = 1000;
