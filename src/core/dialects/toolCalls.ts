// OpenAI function calling, for general models served by vLLM, SGLang, Ollama or hosted
// APIs: tools `image_search{region?}`, `text_search{query}`, `answer{text}`. Any text
// beside the call is kept as the turn's reasoning.
import type { Action, ParsedTurn, Reasoning } from '../actions';
import { imagePart, textPart, type ChatMessage, type ContentPart, type ModelOutput, type ToolSpec } from '../chat';
import { describeBoxFormat } from '../geometry';
import type { Dialect, ObservationContext, PromptContext, PromptTemplates, PromptTexts, TurnToRender } from './dialect';
import { fillQuestion, openingFromTemplate } from './templates';
import { extractNumbers } from './taggedText';
import { parseJson } from '../json';

const CALL_HELP = 'Call exactly one tool per turn: image_search (optionally with a region), text_search or answer.';

function tools(ctx: PromptContext): ToolSpec[] {
  return [
    {
      type: 'function',
      function: {
        name: 'image_search',
        description:
          'Reverse image search. Without `region`, searches the whole image (a glance). With `region`, crops that region of the image and searches the crop (a gaze).',
        parameters: {
          type: 'object',
          properties: {
            region: {
              type: 'array',
              items: { type: 'number' },
              minItems: 4,
              maxItems: 4,
              description: `[x1, y1, x2, y2] in ${describeBoxFormat(ctx.boxFormat, ctx.sent)}.`,
            },
          },
        },
      },
    },
    {
      type: 'function',
      function: {
        name: 'text_search',
        description: 'Web text search; returns the most relevant pages with a short summary of each.',
        parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] },
      },
    },
    {
      type: 'function',
      function: {
        name: 'answer',
        description: 'Give the final answer and stop. Keep it short.',
        parameters: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
      },
    },
  ];
}

function readArguments(raw: unknown): Record<string, unknown> | string {
  if (typeof raw !== 'string' || raw.trim() === '') return {};
  let value: unknown;
  try {
    value = parseJson(raw);
  } catch (e) {
    return `its arguments are not valid JSON (${(e as Error).message})`;
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : 'its arguments must be a JSON object';
}

function readCall(name: string, args: Record<string, unknown>): Action | string {
  switch (name) {
    case 'answer': {
      const text = args.text;
      return typeof text === 'string' && text.trim() ? { kind: 'answer', text: text.trim() } : 'answer needs a non-empty string `text`';
    }
    case 'text_search': {
      const query = args.query;
      return typeof query === 'string' && query.trim() ? { kind: 'text_search', query: query.trim() } : 'text_search needs a non-empty string `query`';
    }
    case 'image_search': {
      const region = args.region;
      if (region === undefined || region === null) return { kind: 'image_search', scope: 'full' };
      if (Array.isArray(region)) {
        if (!region.every((v) => typeof v === 'number')) return '`region` must be four numbers [x1, y1, x2, y2]';
        return { kind: 'image_search', scope: 'region', numbers: region };
      }
      if (typeof region === 'string') return { kind: 'image_search', scope: 'region', numbers: extractNumbers(region) };
      return '`region` must be four numbers [x1, y1, x2, y2]';
    }
    default:
      return `there is no tool named ${JSON.stringify(name)}`;
  }
}

function parse(output: ModelOutput): ParsedTurn {
  const reasoning: Reasoning[] = [];
  if (typeof output.reasoning === 'string' && output.reasoning.trim()) reasoning.push({ kind: 'think', text: output.reasoning.trim() });
  if (typeof output.text === 'string' && output.text.trim()) reasoning.push({ kind: 'think', text: output.text.trim() });
  const calls = Array.isArray(output.toolCalls) ? output.toolCalls : [];
  const callIds = calls.map((c, i) => (c && typeof c.id === 'string' && c.id ? c.id : `call_${i}`));
  const fail = (message: string): ParsedTurn => ({ reasoning, action: { kind: 'parse_error', message }, callIds });
  if (calls.length === 0) return fail(`no tool was called. ${CALL_HELP}`);
  if (calls.length > 1) return fail(`${calls.length} tools were called at once. ${CALL_HELP}`);
  const call = calls[0]!;
  const name = typeof call?.function?.name === 'string' ? call.function.name : '';
  const args = readArguments(call?.function?.arguments);
  if (typeof args === 'string') return fail(`the call to ${name || 'a tool'} failed: ${args}`);
  const action = readCall(name, args);
  return typeof action === 'string' ? fail(`${action}. ${CALL_HELP}`) : { reasoning, action, callIds };
}

/** The call a turn makes, with the reasoning as the text beside it (what parse reads back). */
function renderTurn(turn: TurnToRender): ModelOutput {
  const text = turn.reasoning
    .map((r) => r.text.trim())
    .filter(Boolean)
    .join('\n\n');
  const a = turn.action;
  const [name, args]: [string, Record<string, unknown>] =
    a.kind === 'answer'
      ? ['answer', { text: a.text }]
      : a.kind === 'text_search'
        ? ['text_search', { query: a.query }]
        : a.scope === 'region'
          ? ['image_search', { region: a.numbers }]
          : ['image_search', {}];
  return { text, toolCalls: [{ id: turn.callId ?? 'call_0', type: 'function', function: { name, arguments: JSON.stringify(args) } }] };
}

/** Replies for every call id: the first gets `content`, extra calls are declined. */
function toolReplies(callIds: string[] | undefined, content: string): ChatMessage[] {
  const ids = callIds?.length ? callIds : ['call_0'];
  return ids.map((id, i) => ({
    role: 'tool' as const,
    tool_call_id: id,
    content: i === 0 ? content : JSON.stringify({ error: 'not run: only one tool call is carried out per turn' }),
  }));
}

function observationMessages(obs: ObservationContext, after: string): ChatMessage[] {
  const payload = obs.error
    ? { searched: obs.searched, error: obs.error }
    : { searched: obs.searched, results: obs.items.map(({ rank, title, url, snippet }) => ({ rank, title, url, snippet })) };
  const messages = toolReplies(obs.callIds, JSON.stringify(payload));
  const withImages = obs.items.filter((i) => i.imageUrl);
  if (!obs.error && withImages.length) {
    // Tool messages carry text only, so result thumbnails follow as a user turn.
    const parts: ContentPart[] = [textPart('Images of the search results above, by rank:')];
    for (const item of withImages) parts.push(textPart(`${item.rank}.`), imagePart(item.imageUrl!));
    if (after) parts.push(textPart(after));
    messages.push({ role: 'user', content: parts });
  } else if (after) messages.push({ role: 'user', content: after });
  return messages;
}

const FORCE_ANSWER = 'This is your last turn: call answer with your final answer now.';

/**
 * The tool-calls dialect, its wording replaced where `templates` give one. By default it
 * says nothing after evidence (the tool result is the whole turn); a template for it is
 * sent as a user message after the result.
 */
export function toolCallsDialectWith(templates: PromptTemplates = {}): Dialect {
  const texts = (question: string): PromptTexts => ({
    afterImageSearch: fillQuestion(templates['after-image-search'] ?? '', question),
    afterTextSearch: fillQuestion(templates['after-text-search'] ?? '', question),
    forceAnswer: fillQuestion(templates['force-answer'] ?? FORCE_ANSWER, question),
  });
  const first = templates.first;
  return {
    id: 'tool-calls',
    supportsRegions: true,
    initialMessages(ctx: PromptContext): ChatMessage[] {
      if (first !== undefined) return openingFromTemplate(first, ctx);
      return [
        {
          role: 'system',
          content: [
            'You answer questions about an image, searching the web with the tools when you need facts you do not know.',
            'Look at the whole image first. Use image_search without a region to search the whole image, or with a region to crop and search one part of it. Use text_search for facts. After each result, think about whether it helped; if a region was wrong, search another.',
            `Finish by calling answer. You have at most ${ctx.maxTurns} turns, one tool call per turn.`,
          ].join('\n'),
        },
        { role: 'user', content: [imagePart(ctx.imageUrl), textPart(`Question: ${ctx.question}`)] },
      ];
    },
    tools,
    parse,
    renderTurn,
    assistantMessage(output: ModelOutput): ChatMessage {
      const calls = Array.isArray(output.toolCalls) ? output.toolCalls : [];
      return calls.length ? { role: 'assistant', content: output.text || null, tool_calls: calls } : { role: 'assistant', content: output.text };
    },
    observationMessages: (obs) => {
      const t = texts(obs.question);
      return observationMessages(obs, obs.tool === 'image_search' ? t.afterImageSearch : t.afterTextSearch);
    },
    errorMessages(message: string, question: string, callIds?: string[]) {
      if (callIds?.length) return toolReplies(callIds, JSON.stringify({ error: message }));
      return [{ role: 'user', content: `Your last turn could not be carried out: ${message}\nOriginal question: ${question}` }];
    },
    forceAnswer(question = '') {
      return {
        text: texts(question).forceAnswer,
        toolChoice: { type: 'function', function: { name: 'answer' } },
      };
    },
    promptTexts: texts,
  };
}

export const toolCallsDialect: Dialect = toolCallsDialectWith();
