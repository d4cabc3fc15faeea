// A dialect is the wire format between the agent and the model: how the task is put,
// how a model turn is read into an action, and how evidence and errors are told back.
import type { Action, ParsedTurn, Reasoning } from '../actions';
import type { ChatMessage, ModelOutput, ToolChoice, ToolSpec } from '../chat';
import type { BoxFormat, Size } from '../geometry';
import type { DialectId } from '../trajectory';

export interface PromptContext {
  question: string;
  boxFormat: BoxFormat;
  /** The size of the image the model sees. */
  sent: Size;
  maxTurns: number;
  /** The main image as a data URL. */
  imageUrl: string;
}

/** One search result as the model is shown it. */
export interface EvidenceItem {
  rank: number;
  title: string;
  url: string;
  snippet: string;
  /** Data URL of the thumbnail, when evidence images are sent. */
  imageUrl?: string;
}

export interface ObservationContext {
  question: string;
  tool: 'text_search' | 'image_search';
  /** What was searched: the query, "the whole image", or the gazed region. */
  searched: string;
  items: EvidenceItem[];
  /** A tool failure told to the model instead of results. */
  error?: string;
  /** The tool calls the observation answers (tool-call dialects). */
  callIds?: string[];
}

/** A turn to write out as the model would have: a corrected turn, for training data or a re-run. */
export interface TurnToRender {
  /** Reasoning blocks in the order written. */
  reasoning: Reasoning[];
  action: Action;
  /** For tool-call dialects: the id of the call (kept from the recorded turn when there was one). */
  callId?: string;
}

/**
 * The instructions a run may load from files instead of the dialect's own wording
 * (`--prompts DIR`, setting gog.promptsFolder): the opening turn, the words after an image
 * search and after a text search, and the last-turn line. `{question}` in one stands for
 * the question; an opening without it gets the question appended, as MMSearch-R1's
 * round-1 prompt does, and `<image>` in an opening marks where the image goes.
 */
export const PROMPT_NAMES = ['first', 'after-image-search', 'after-text-search', 'force-answer'] as const;
export type PromptName = (typeof PROMPT_NAMES)[number];
export type PromptTemplates = Partial<Record<PromptName, string>>;

/** What a dialect says after evidence and on the last turn, for one question. */
export interface PromptTexts {
  afterImageSearch: string;
  afterTextSearch: string;
  forceAnswer: string;
}

export interface Dialect {
  readonly id: DialectId;
  /** Whether the dialect has a region (gaze) action. */
  readonly supportsRegions: boolean;
  /** The opening messages: instructions, the image, the question. */
  initialMessages(ctx: PromptContext): ChatMessage[];
  /** Tools to declare on each request (tool-call dialects only). */
  tools?(ctx: PromptContext): ToolSpec[];
  /** Reads one model turn. Total: never throws, whatever the input. */
  parse(output: ModelOutput): ParsedTurn;
  /**
   * Writes a turn in this dialect: its reasoning blocks, then its action. An error when the
   * dialect cannot say it (a gaze in a format without one). See renderTurnChecked.
   */
  renderTurn(turn: TurnToRender): ModelOutput | { error: string };
  /** The assistant message echoing a turn back into the conversation. */
  assistantMessage(output: ModelOutput): ChatMessage;
  /** The messages carrying evidence (or a tool error) back to the model. */
  observationMessages(obs: ObservationContext): ChatMessage[];
  /** The messages telling the model its turn could not be carried out. */
  errorMessages(message: string, question: string, callIds?: string[]): ChatMessage[];
  /** How to make the last turn an answer: extra text for the last user message and/or a tool choice. */
  forceAnswer(question?: string): { text: string; toolChoice?: ToolChoice };
  /** The words it says after evidence and on the last turn, as sent for this question (recorded in the header). */
  promptTexts(question: string): PromptTexts;
}
