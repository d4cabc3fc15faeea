// What ends a run besides an answer and the turn budget, as data the loop reads (agent.ts),
// so a peer's rollout is imitated by its numbers, never by a branch on its name. Our loop's
// own rules tell the model what went wrong and make the last turn answer; MMSearch-R1's
// rollout (a preset, src/run/presets.ts) instead ends a trajectory at a search past its
// limit, at a search on the last round, and at a turn that calls no search, with no extra
// words on the last turn.
import type { TrajectoryHeader } from './trajectory';

export const SEARCH_KINDS = ['image_search', 'text_search'] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

export interface RunRules {
  /** Searches of each kind a run may make (a glance and a gaze are both image searches); absent: any number. */
  searchLimits: Partial<Record<SearchKind, number>>;
  /**
   * The last turn. `force`: the dialect's instruction to answer is added (and its tool
   * choice). `plain`: it is asked as any other, and a search asked for there ends the run
   * (there is no turn left to read its results).
   */
  lastTurn: 'force' | 'plain';
  /** A turn that could not be read as an action. `tell`: the model is told and the run goes on. `end`: the run ends there. */
  unreadable: 'tell' | 'end';
  /** Whether a text search's evidence shows its results' images (when evidence images are sent at all). */
  textSearchImages: boolean;
}

export const DEFAULT_RULES: Readonly<RunRules> = Object.freeze({ searchLimits: {}, lastTurn: 'force', unreadable: 'tell', textSearchImages: true });

type RulesRecord = NonNullable<TrajectoryHeader['agent']['rules']>;

/** What a header records of the rules: the parts that are not our loop's own; undefined when none is. */
export function rulesRecord(rules: RunRules): RulesRecord | undefined {
  const limits = Object.fromEntries(SEARCH_KINDS.flatMap((k) => (rules.searchLimits[k] !== undefined ? [[k, rules.searchLimits[k]]] : [])));
  const record: RulesRecord = {
    ...(Object.keys(limits).length ? { searchLimits: limits } : {}),
    ...(rules.lastTurn !== DEFAULT_RULES.lastTurn ? { lastTurn: rules.lastTurn } : {}),
    ...(rules.unreadable !== DEFAULT_RULES.unreadable ? { unreadable: rules.unreadable } : {}),
    ...(rules.textSearchImages !== DEFAULT_RULES.textSearchImages ? { textSearchImages: rules.textSearchImages } : {}),
  };
  return Object.keys(record).length ? record : undefined;
}

/** The rules a recorded run ran by (records from before rules were written: our loop's own). */
export function recordedRules(header: Pick<TrajectoryHeader, 'agent'>): RunRules {
  const r = header.agent.rules;
  const limits: Partial<Record<SearchKind, number>> = {};
  for (const k of SEARCH_KINDS) if (r?.searchLimits?.[k] !== undefined) limits[k] = r.searchLimits[k];
  return {
    searchLimits: limits,
    lastTurn: r?.lastTurn ?? DEFAULT_RULES.lastTurn,
    unreadable: r?.unreadable ?? DEFAULT_RULES.unreadable,
    textSearchImages: r?.textSearchImages ?? DEFAULT_RULES.textSearchImages,
  };
}

/** "an image search", "2 text searches": how notices name searches. */
export function searchesText(kind: SearchKind, n?: number): string {
  const noun = kind === 'image_search' ? 'image search' : 'text search';
  return n === undefined ? `${kind === 'image_search' ? 'an' : 'a'} ${noun}` : `${n} ${noun}${n === 1 ? '' : 'es'}`;
}
