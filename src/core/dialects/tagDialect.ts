// A dialect in XML-like tags (gog, mmsearch-r1): what differs is the grammar, how the task
// is put, and the wording after evidence; parsing, echoing a turn, evidence and error
// turns are the same, and live here once.
import type { ChatMessage, ModelOutput } from '../chat';
import type { DialectId } from '../trajectory';
import type { Dialect, PromptContext } from './dialect';
import { informationMessage } from './information';
import { parseTaggedText, type TagGrammar } from './taggedText';

export interface TagDialectSpec {
  id: DialectId;
  grammar: TagGrammar;
  initialMessages(ctx: PromptContext): ChatMessage[];
  /** Said after the evidence: what to do next. */
  afterEvidence: string;
  /** The last-turn instruction. */
  forceAnswer: string;
}

export function tagDialect(spec: TagDialectSpec): Dialect {
  return {
    id: spec.id,
    supportsRegions: spec.grammar.allowRegion,
    initialMessages: (ctx) => spec.initialMessages(ctx),
    parse: (output: ModelOutput) => parseTaggedText(output.text, output.reasoning, spec.grammar),
    assistantMessage: (output: ModelOutput): ChatMessage => ({ role: 'assistant', content: output.text }),
    observationMessages: (obs) => [informationMessage(obs, spec.afterEvidence)],
    errorMessages: (message: string, question: string) => [
      { role: 'user', content: `Your last turn could not be carried out: ${message}\nOriginal user's question: ${question}\n${spec.grammar.actionHelp}` },
    ],
    forceAnswer: () => ({ text: spec.forceAnswer }),
  };
}
