// A dialect in XML-like tags (gog, mmsearch-r1): what differs is the grammar, how the task
// is put, and the wording after evidence; parsing, echoing a turn, evidence and error
// turns are the same, and live here once. Any of the wording can come from prompt files.
import type { ChatMessage, ModelOutput } from '../chat';
import type { DialectId } from '../trajectory';
import type { Action } from '../actions';
import type { Dialect, PromptContext, PromptTemplates, PromptTexts, TurnToRender } from './dialect';
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

/** The action as the grammar writes it; undefined when the grammar has no such action. */
function renderAction(action: Action, grammar: TagGrammar): string | undefined {
  switch (action.kind) {
    case 'answer':
      return `<answer>${action.text}</answer>`;
    case 'text_search':
      return `<text_search>${action.query}</text_search>`;
    case 'image_search':
      if (action.scope === 'full') return '<search><img></search>';
      return grammar.allowRegion ? `<search><bbox>[${action.numbers.join(', ')}]</bbox></search>` : undefined;
  }
}

/** Reasoning blocks in the grammar's tags (a kind it has no tag for takes its first one), then the action. */
function renderTagged(turn: TurnToRender, grammar: TagGrammar, id: DialectId): { text: string } | { error: string } {
  const tags = Object.entries(grammar.reasoningTags);
  const blocks: string[] = [];
  for (const r of turn.reasoning) {
    const text = r.text.trim();
    if (!text) continue;
    const tag = (tags.find(([, kind]) => kind === r.kind) ?? tags[0])?.[0];
    if (!tag) return { error: `the ${id} format has no tag for reasoning` };
    blocks.push(`<${tag}>${text}</${tag}>`);
  }
  const action = renderAction(turn.action, grammar);
  if (action === undefined) return { error: `the ${id} format has no region search (gaze)` };
  return { text: [...blocks, action].join('\n') };
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
    renderTurn: (turn) => renderTagged(turn, spec.grammar, spec.id),
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
