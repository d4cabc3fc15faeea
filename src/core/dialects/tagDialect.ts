// A dialect in XML-like tags (gog, mmsearch-r1): what differs is the grammar, how the task
// is put, and the wording after evidence; parsing, echoing a turn, evidence and error
// turns are the same, and live here once. Any of the wording can come from prompt files.
import type { ChatMessage, ModelOutput } from '../chat';
import type { DialectId } from '../trajectory';
import type { Dialect, PromptContext, PromptTemplates, PromptTexts } from './dialect';
import { informationMessage } from './information';
import { parseTaggedText, type TagGrammar } from './taggedText';
import { fillQuestion, openingFromTemplate } from './templates';

export interface TagDialectSpec {
  id: DialectId;
  grammar: TagGrammar;
  initialMessages(ctx: PromptContext): ChatMessage[];
  /** Said after the evidence of an image search, and of a text search: what to do next. */
  afterImageSearch: string;
  afterTextSearch: string;
  /** The last-turn instruction. */
  forceAnswer: string;
}

export function tagDialect(spec: TagDialectSpec, templates: PromptTemplates = {}): Dialect {
  const texts = (question: string): PromptTexts => ({
    afterImageSearch: fillQuestion(templates['after-image-search'] ?? spec.afterImageSearch, question),
    afterTextSearch: fillQuestion(templates['after-text-search'] ?? spec.afterTextSearch, question),
    forceAnswer: fillQuestion(templates['force-answer'] ?? spec.forceAnswer, question),
  });
  const first = templates.first;
  return {
    id: spec.id,
    supportsRegions: spec.grammar.allowRegion,
    initialMessages: (ctx) => (first === undefined ? spec.initialMessages(ctx) : openingFromTemplate(first, ctx)),
    parse: (output: ModelOutput) => parseTaggedText(output.text, output.reasoning, spec.grammar),
    assistantMessage: (output: ModelOutput): ChatMessage => ({ role: 'assistant', content: output.text }),
    observationMessages: (obs) => {
      const t = texts(obs.question);
      return [informationMessage(obs, obs.tool === 'image_search' ? t.afterImageSearch : t.afterTextSearch)];
    },
    errorMessages: (message: string, question: string) => [
      { role: 'user', content: `Your last turn could not be carried out: ${message}\nOriginal user's question: ${question}\n${spec.grammar.actionHelp}` },
    ],
    forceAnswer: (question = '') => ({ text: texts(question).forceAnswer }),
    promptTexts: texts,
  };
}
