// The last turn's instruction to answer (a dialect's forceAnswer text) goes into the request
// itself: at the end of the last user message, or as a user message of its own after a tool
// reply. The agent sends it so; a conversation rebuilt from the record (a training sample)
// carries it in the same place, so the sample says what the model was sent.
import type { ChatMessage } from './chat';

/** The messages with `text` added for this request. */
export function withInstruction(messages: readonly ChatMessage[], text: string): ChatMessage[] {
  const last = messages[messages.length - 1];
  if (last?.role !== 'user') return [...messages, { role: 'user', content: text }];
  const content = typeof last.content === 'string' ? `${last.content}\n${text}` : [...last.content, { type: 'text' as const, text }];
  return [...messages.slice(0, -1), { role: 'user', content }];
}
