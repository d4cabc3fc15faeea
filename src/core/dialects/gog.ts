// The default dialect: MMSearch-R1's tags extended with a gaze (`<search><bbox>`) and an
// optional `<reflect>` after evidence. MMSearch-R1 turns read with it unchanged.
import type { Dialect, PromptContext, PromptTemplates } from './dialect';
import { imagePart, textPart, type ChatMessage } from '../chat';
import { describeBoxFormat } from '../geometry';
import { tagDialect } from './tagDialect';
import type { TagGrammar } from './taggedText';

const ACTIONS =
  'End your turn with exactly one action: <answer>final answer</answer>, <text_search>query</text_search>, <search><img></search> (search the whole image), or <search><bbox>[x1, y1, x2, y2]</bbox></search> (crop a region and search it).';

const grammar: TagGrammar = {
  reasoningTags: { think: 'think', reflect: 'reflect' },
  allowRegion: true,
  actionHelp: ACTIONS,
};

function systemPrompt(ctx: PromptContext): string {
  return [
    'You answer questions about an image. You can search the web before answering.',
    'Each turn, first look at the whole image and reason inside <think>…</think>. Then decide one action:',
    '- <answer>…</answer> when you can answer with confidence;',
    '- <text_search>query</text_search> to search the web with a text query;',
    '- <search><img></search> to run a reverse image search on the whole image (a glance);',
    `- <search><bbox>[x1, y1, x2, y2]</bbox></search> to crop one region and run a reverse image search on the crop (a gaze). Give the box in ${describeBoxFormat(ctx.boxFormat, ctx.sent)}.`,
    'Search results come back inside <information>…</information>. After reading them, reflect inside <reflect>…</reflect>: if a gaze was on the wrong region, say so and gaze elsewhere. You may chain several searches before answering.',
    `You have at most ${ctx.maxTurns} turns. Write exactly one action per turn; keep the final answer short.`,
  ].join('\n');
}

const AFTER_EVIDENCE =
  'If the information is enough, reason and answer in <answer></answer>. Otherwise reflect in <reflect></reflect> on what you learned and where to look next, then take one more action.';

/** The gog dialect, its wording replaced where `templates` give one. */
export function gogDialectWith(templates: PromptTemplates = {}): Dialect {
  return tagDialect(
    {
      id: 'gog',
      grammar,
      initialMessages: (ctx: PromptContext): ChatMessage[] => [
        { role: 'system', content: systemPrompt(ctx) },
        { role: 'user', content: [imagePart(ctx.imageUrl), textPart(`Question: ${ctx.question}`)] },
      ],
      afterImageSearch: AFTER_EVIDENCE,
      afterTextSearch: AFTER_EVIDENCE,
      forceAnswer: 'This is your last turn: give your final answer now in <answer></answer>.',
    },
    templates,
  );
}

export const gogDialect: Dialect = gogDialectWith();
