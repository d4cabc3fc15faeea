// MMSearch-R1's published format (arXiv 2506.20670; EvolvingLMMs-Lab/multimodal-search-r1):
// `<reason>`, `<search><img></search>`, `<text_search>`, `<information>`, `<answer>`, no
// crop action, and the instructions in the first user turn ("…\nQuestion: q\nImage: ").
// Their exact prompt text ships only as pickles; this one states the same rules, and their
// own texts can be loaded as prompt files (README, "Run a benchmark").
import type { Dialect, PromptContext, PromptTemplates } from './dialect';
import { imagePart, textPart, type ChatMessage } from '../chat';
import { tagDialect } from './tagDialect';
import type { TagGrammar } from './taggedText';

const ACTIONS = 'After <reason>…</reason>, end your turn with exactly one of <answer>…</answer>, <search><img></search> or <text_search>…</text_search>.';

const grammar: TagGrammar = { reasoningTags: { reason: 'reason' }, allowRegion: false, actionHelp: ACTIONS };

function round1Prompt(ctx: PromptContext): string {
  return [
    "Answer the user's question based on the provided image. Examine the image carefully and identify any recognizable entities.",
    'First reason about what you know inside <reason>…</reason>. If the image shows something you cannot identify, call a reverse image search with <search><img></search>.',
    'If you know the entity but lack a fact needed to answer, search the web with <text_search>query</text_search>.',
    'If you can answer, give the answer in <answer>…</answer>, as short as possible.',
    `Search results come back inside <information>…</information>. You have at most ${ctx.maxTurns} turns.`,
  ].join('\n');
}

const AFTER_EVIDENCE =
  'Reason about the results inside <reason>…</reason>, then answer in <answer>…</answer>, or search again with <text_search>…</text_search> if a fact is still missing.';

/** The mmsearch-r1 dialect, its wording replaced where `templates` give one. */
export function mmsearchR1DialectWith(templates: PromptTemplates = {}): Dialect {
  return tagDialect(
    {
      id: 'mmsearch-r1',
      grammar,
      initialMessages: (ctx: PromptContext): ChatMessage[] => [
        { role: 'user', content: [textPart(`${round1Prompt(ctx)}\nQuestion: ${ctx.question}\nImage: `), imagePart(ctx.imageUrl)] },
      ],
      afterImageSearch: AFTER_EVIDENCE,
      afterTextSearch: AFTER_EVIDENCE,
      forceAnswer: 'This is your last turn: give your final answer now in <answer>…</answer>.',
    },
    templates,
  );
}

export const mmsearchR1Dialect: Dialect = mmsearchR1DialectWith();
