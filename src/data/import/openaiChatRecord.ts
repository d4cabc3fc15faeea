// A logged OpenAI chat of a tool-calling (or tagged) run: `messages` with the image as an
// `image_url` part of the first user message, `tool_calls` on assistant messages and `tool`
// replies, as the openai export writes them and as chat logs record them. Untrusted: read
// through zod, and a record that does not fit is refused with the first reason.
import { z } from 'zod';
import { describeSchemaError } from '../../core/trajectory';
import type { AfterMessage, ImageSource, ImportedConversation, Part } from './imported';
import { questionFrom, textOf } from './imported';

const textPart = z.looseObject({ type: z.literal('text'), text: z.string() });
const imagePart = z.looseObject({ type: z.literal('image_url'), image_url: z.union([z.looseObject({ url: z.string() }), z.string()]) });
const content = z.union([z.string(), z.array(z.union([textPart, imagePart])), z.null()]);
const toolCall = z.looseObject({
  id: z.string(),
  type: z.literal('function').optional(),
  function: z.looseObject({ name: z.string(), arguments: z.union([z.string(), z.record(z.string(), z.unknown())]) }),
});
const message = z.discriminatedUnion('role', [
  z.looseObject({ role: z.literal('system'), content }),
  z.looseObject({ role: z.literal('developer'), content }),
  z.looseObject({ role: z.literal('user'), content }),
  z.looseObject({
    role: z.literal('assistant'),
    content: content.optional(),
    tool_calls: z.array(toolCall).nullish(),
    reasoning_content: z.string().nullish(),
  }),
  z.looseObject({ role: z.literal('tool'), tool_call_id: z.string(), content }),
]);
export const openAiChatRecordSchema = z.looseObject({ messages: z.array(message).min(2), tools: z.array(z.unknown()).nullish(), model: z.string().optional() });

export function imageSource(url: string): ImageSource {
  if (url.startsWith('data:')) return { kind: 'data', url };
  if (/^https?:\/\//i.test(url)) return { kind: 'web', url };
  return { kind: 'path', path: url.replace(/^file:\/\//, '') };
}

function partsOf(c: z.infer<typeof content> | undefined): Part[] {
  if (c === null || c === undefined) return [];
  if (typeof c === 'string') return [{ text: c }];
  return c.map((p) => (p.type === 'text' ? { text: p.text } : { image: imageSource(typeof p.image_url === 'string' ? p.image_url : p.image_url.url) }));
}

export function fromOpenAiChat(value: unknown): ImportedConversation | string {
  const parsed = openAiChatRecordSchema.safeParse(value);
  if (!parsed.success) return `not an OpenAI chat record: ${describeSchemaError(parsed.error)}`;
  const { messages, tools, model } = parsed.data;
  const firstUser = messages.findIndex((m) => m.role === 'user');
  if (firstUser === -1) return 'no user message';
  const userParts = partsOf(messages[firstUser]!.content);
  const image = userParts.find((p): p is { image: ImageSource } => 'image' in p)?.image;
  if (!image) return 'the first user message holds no image';
  const system = messages.slice(0, firstUser).map((m) => (m.role === 'system' || m.role === 'developer' ? textOf(partsOf(m.content)) : ''));
  const conversation: ImportedConversation = {
    question: questionFrom(textOf(userParts)),
    image,
    promptText: [...system, textOf(userParts)].join('\n'),
    turns: [],
    ...(model ? { model } : {}),
  };
  let usesTools = !!tools?.length;
  for (const m of messages.slice(firstUser + 1)) {
    if (m.role === 'assistant') {
      const calls = (m.tool_calls ?? []).map((c) => ({
        id: c.id,
        type: 'function' as const,
        function: { name: c.function.name, arguments: typeof c.function.arguments === 'string' ? c.function.arguments : JSON.stringify(c.function.arguments) },
      }));
      if (calls.length) usesTools = true;
      const reasoning = m.reasoning_content?.trim();
      conversation.turns.push({
        output: { text: textOf(partsOf(m.content)), ...(calls.length ? { toolCalls: calls } : {}), ...(reasoning ? { reasoning } : {}) },
        after: [],
      });
      continue;
    }
    const turn = conversation.turns.at(-1);
    if (!turn || m.role === 'system' || m.role === 'developer') continue; // more instructions before the first turn: not part of a step
    const after: AfterMessage = { role: m.role, parts: partsOf(m.content), ...(m.role === 'tool' ? { toolCallId: m.tool_call_id } : {}) };
    turn.after.push(after);
  }
  if (!conversation.turns.length) return 'no assistant message';
  if (usesTools) conversation.dialect = 'tool-calls';
  else if (/<reason>/i.test(conversation.promptText) || conversation.turns.some((t) => /<reason>/i.test(t.output.text))) conversation.dialect = 'mmsearch-r1';
  return conversation;
}
