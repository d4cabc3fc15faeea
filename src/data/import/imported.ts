// A conversation read from someone else's data, before it becomes a trajectory: the task,
// the image, and each model turn with the messages that answered it. Both importers
// (openai-chat, mmsearch-r1) produce this; writeImportedRun.ts turns it into a run folder.
import type { ModelOutput } from '../../core/chat';
import type { DialectId } from '../../core/trajectory';

/** Where an image comes from. A web URL is never fetched: the record that needs one is refused. */
export type ImageSource = { kind: 'data'; url: string } | { kind: 'path'; path: string } | { kind: 'base64'; data: string } | { kind: 'web'; url: string };

/** A message part: text, or an image where it was. */
export type Part = { text: string } | { image: ImageSource };

/** A message after a model turn, before the next one: evidence, a tool reply, an error. */
export interface AfterMessage {
  role: 'user' | 'tool';
  parts: Part[];
  toolCallId?: string;
}

export interface ImportedTurn {
  output: ModelOutput;
  after: AfterMessage[];
}

export interface ImportedConversation {
  question: string;
  image: ImageSource;
  /** The dialect the record says it is in, when it says (tool calls, MMSearch-R1's tags). */
  dialect?: DialectId;
  /** The instructions as given (system and first user text): they tell the box format and the turn budget. */
  promptText: string;
  turns: ImportedTurn[];
  gold?: string[];
  model?: string;
}

export function textOf(parts: readonly Part[]): string {
  return parts.map((p) => ('text' in p ? p.text : '')).join('');
}

/** The question inside our own first user turn ("Question: …", MMSearch-R1's "…\nQuestion: …\nImage: "), or the text itself. */
export function questionFrom(text: string): string {
  const m = /(?:^|\n)Question: ([\s\S]*?)(?:\nImage: ?)?\s*$/.exec(text);
  return (m ? m[1]! : text).trim();
}
