// LLaMA-Factory's ShareGPT multimodal layout (formats notes §1): `messages` of {role,
// content} with an `<image>` placeholder where each image was, an `images` list of files in
// the order of the placeholders, `tools` for tool-calling runs, and the dataset_info.json
// entry that names the columns and role tags.
//
// Roles: the model's turns are `assistant`, or `function_call` (JSON of the call) when it
// called a tool; a tool's reply is an `observation`. LLaMA-Factory learns from the assistant
// and function_call turns only and masks user and observation turns (notes §1.5), so
// evidence is never trained on. The tag dialects' evidence stays a `user` turn because it
// was one on the wire (MMSearch-R1's rollout appends results as a user turn, notes §3.4);
// as an `observation`, Qwen's template would wrap it in <tool_response>, which the model
// never saw. Text beside a tool call is not kept: a function_call's content is JSON only
// (formatter.py FunctionFormatter); the openai export keeps it.
import type { ChatMessage } from '../../core/chat';
import { PLACEHOLDERS, SHAREGPT_TAGS, type DatasetInfoEntry, type ShareGptSample } from './llamaFactorySchema';
import type { TrainingSample } from './trainingSample';
import { parseJson } from '../../core/json';

export function datasetInfoEntry(fileName: string): DatasetInfoEntry {
  return {
    file_name: fileName,
    formatting: 'sharegpt',
    columns: { messages: 'messages', images: 'images', tools: 'tools' },
    tags: { ...SHAREGPT_TAGS },
  };
}

/**
 * A literal placeholder in a text (a web page may say "<image>") would be counted as an
 * image: a zero-width space inside it keeps it text.
 */
function escapePlaceholders(text: string): string {
  let out = text;
  for (const p of Object.values(PLACEHOLDERS)) out = out.split(p).join(`${p.slice(0, -1)}\u200b>`);
  return out;
}

type Role = (typeof SHAREGPT_TAGS)[keyof Pick<typeof SHAREGPT_TAGS, 'user_tag' | 'assistant_tag' | 'observation_tag' | 'function_tag' | 'system_tag'>];

/** `imageFile` names the exported file of an image part's URL; called in order of appearance. */
export function toShareGpt(sample: TrainingSample, imageFile: (url: string) => string): ShareGptSample {
  const t = SHAREGPT_TAGS;
  const messages: { role: Role; content: string }[] = [];
  const images: string[] = [];
  const text = (m: ChatMessage): string => {
    if (typeof m.content === 'string' || m.content === null) return escapePlaceholders(m.content ?? '');
    return m.content
      .map((p) => {
        if (p.type === 'text') return escapePlaceholders(p.text);
        images.push(imageFile(p.image_url.url));
        return PLACEHOLDERS.image;
      })
      .join('');
  };
  for (const { message } of sample.conversation.messages) {
    const previous = messages.at(-1);
    switch (message.role) {
      case 'system':
        messages.push({ role: t.system_tag, content: text(message) });
        break;
      case 'assistant': {
        const calls = message.tool_calls ?? [];
        if (!calls.length) {
          messages.push({ role: t.assistant_tag, content: text(message) });
          break;
        }
        const json = calls.map((c) => ({ name: c.function.name, arguments: parseArguments(c.function.arguments) }));
        messages.push({ role: t.function_tag, content: JSON.stringify(json.length === 1 ? json[0] : json) });
        break;
      }
      case 'tool':
      case 'user':
        // A tool's replies, and the thumbnails sent after them, are one observation: the model's side comes next.
        if (previous?.role === t.observation_tag) previous.content += `\n${text(message)}`;
        else messages.push({ role: message.role === 'tool' ? t.observation_tag : t.user_tag, content: text(message) });
        break;
    }
  }
  const tools = sample.conversation.tools?.map((x) => x.function);
  return { messages, images, tools: tools?.length ? JSON.stringify(tools) : '' };
}

/** A call's arguments as an object; a call whose arguments were not JSON is kept as their text. */
function parseArguments(raw: string): Record<string, unknown> {
  try {
    const value: unknown = parseJson(raw || '{}');
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // below
  }
  return { _raw: raw };
}
