// The chat messages the agent sends, in the OpenAI chat-completions wire shape. Declared
// here rather than imported from the `openai` package so the core does not depend on it;
// src/model passes them through unchanged.

export interface TextPart {
  type: 'text';
  text: string;
}

export interface ImagePart {
  type: 'image_url';
  image_url: { url: string };
}

export type ContentPart = TextPart | ImagePart;

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | ContentPart[] }
  | { role: 'assistant'; content: string | null; tool_calls?: ToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

/** A function the model may call (OpenAI `tools` entry). */
export interface ToolSpec {
  type: 'function';
  function: { name: string; description: string; parameters: Record<string, unknown> };
}

export type ToolChoice = 'auto' | 'required' | { type: 'function'; function: { name: string } };

/** What one model turn produced. */
export interface ModelOutput {
  /** The assistant message text (may be empty when the model only called a tool). */
  text: string;
  /** Reasoning sent separately by the server (`reasoning_content`, vLLM/SGLang reasoning parsers). */
  reasoning?: string;
  toolCalls?: ToolCall[];
}

export function textPart(text: string): TextPart {
  return { type: 'text', text };
}

export function imagePart(dataUrl: string): ImagePart {
  return { type: 'image_url', image_url: { url: dataUrl } };
}

/** Counts image parts across messages (vLLM limits images per prompt). */
export function countImages(messages: readonly ChatMessage[]): number {
  let n = 0;
  for (const m of messages) {
    if (m.role === 'user' && Array.isArray(m.content)) n += m.content.filter((p) => p.type === 'image_url').length;
  }
  return n;
}
