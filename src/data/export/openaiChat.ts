// OpenAI chat fine-tuning JSONL (formats notes §2): one sample a line, `messages` as the
// agent sent them, images as `image_url` parts holding data URLs (each line stands alone:
// no file or server to keep beside it), tool calls as `tool_calls` with `tool` replies,
// and the `tools` the run declared on each line that has them.
import { mapImages } from '../../core/conversation';
import type { OpenAiLine } from './openaiSchema';
import type { TrainingSample } from './trainingSample';

export function toOpenAiLine(sample: TrainingSample, dataUrl: (url: string) => string): OpenAiLine {
  const messages = sample.conversation.messages.map(({ message }) => mapImages(message, dataUrl)) as OpenAiLine['messages'];
  const tools = sample.conversation.tools;
  return tools?.length ? { messages, tools, parallel_tool_calls: false } : { messages };
}
