// What a parsed model turn asks the agent to do.

/** The four actions of the method, before any box is checked against the image. */
export type Action =
  | { kind: 'answer'; text: string }
  | { kind: 'text_search'; query: string }
  | { kind: 'image_search'; scope: 'full' }
  | { kind: 'image_search'; scope: 'region'; numbers: number[] };

export type ReasoningKind = 'think' | 'reflect' | 'reason';

export interface Reasoning {
  kind: ReasoningKind;
  text: string;
}

export interface ParsedTurn {
  /** Reasoning blocks in the order written; kept even when the action fails to parse. */
  reasoning: Reasoning[];
  /** The action, or why none could be read. */
  action: Action | { kind: 'parse_error'; message: string };
  /** For tool-call dialects: the ids of the calls in the turn, each of which needs a reply. */
  callIds?: string[];
}
