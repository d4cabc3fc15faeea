// What OpenAI's chat fine-tuning takes as one line of JSONL with images and tools (formats
// notes §2: the vision fine-tuning guide, and openai/openai-openapi FineTuneChatRequestInput
// with its message schemas). Structure is an error; the guide's size limits are warnings,
// since providers differ (Azure's copy allows 64 images per example).
import { z } from 'zod';
import { parseJson } from '../../core/json';

const textPart = z.object({ type: z.literal('text'), text: z.string() });
const imagePart = z.object({
  type: z.literal('image_url'),
  image_url: z.object({ url: z.string(), detail: z.enum(['auto', 'low', 'high']).optional() }),
});
const toolCall = z.object({ id: z.string().min(1), type: z.literal('function'), function: z.object({ name: z.string().min(1), arguments: z.string() }) });

export const openAiMessageSchema = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content: z.union([z.string(), z.array(textPart)]) }),
  // User content: text and images (input_audio and file parts are not taken for fine-tuning).
  z.object({ role: z.literal('user'), content: z.union([z.string(), z.array(z.union([textPart, imagePart])).min(1)]) }),
  // Assistant content is text only: "You cannot include images as output from messages with the assistant role."
  z.object({
    role: z.literal('assistant'),
    content: z.union([z.string(), z.array(textPart), z.null()]).optional(),
    tool_calls: z.array(toolCall).min(1).optional(),
    weight: z.union([z.literal(0), z.literal(1)]).optional(),
  }),
  // Tool content is text only and answers a call by its id.
  z.object({ role: z.literal('tool'), tool_call_id: z.string().min(1), content: z.union([z.string(), z.array(textPart)]) }),
]);

export const openAiLineSchema = z.object({
  messages: z.array(openAiMessageSchema).min(1),
  tools: z
    .array(
      z.object({
        type: z.literal('function'),
        function: z.object({ name: z.string().min(1), description: z.string().optional(), parameters: z.record(z.string(), z.unknown()) }),
      }),
    )
    .optional(),
  parallel_tool_calls: z.boolean().optional(),
});
export type OpenAiLine = z.infer<typeof openAiLineSchema>;

/** The guide's "Image data requirements". */
export const OPENAI_LIMITS = { imagesPerExample: 10, imageBytes: 10 * 1024 * 1024, mimes: ['image/jpeg', 'image/png', 'image/webp'] } as const;

export interface LineCheck {
  errors: string[];
  warnings: string[];
}

/** Bytes of the image a data URL holds. */
function dataUrlBytes(url: string): number | undefined {
  const m = /^data:([^;,]+);base64,([A-Za-z0-9+/]*={0,2})$/.exec(url);
  return m ? Math.floor((m[2]!.length * 3) / 4) - (m[2]!.endsWith('==') ? 2 : m[2]!.endsWith('=') ? 1 : 0) : undefined;
}

export function openAiLineProblems(value: unknown): LineCheck {
  const parsed = openAiLineSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { errors: [`not a fine-tuning line: ${issue?.path.join('.')}: ${issue?.message}`], warnings: [] };
  }
  const { messages, tools } = parsed.data;
  const errors: string[] = [];
  const warnings: string[] = [];
  if (!messages.some((m) => m.role === 'assistant')) errors.push('no assistant message to learn from');
  const declared = new Set((tools ?? []).map((t) => t.function.name));
  let open: Set<string> | undefined;
  let images = 0;
  messages.forEach((m, i) => {
    const at = `message ${i + 1}`;
    if (m.role === 'tool') {
      if (!open?.has(m.tool_call_id)) errors.push(`${at} answers tool call ${m.tool_call_id}, which the assistant message before it did not make`);
      open?.delete(m.tool_call_id);
      return;
    }
    if (open?.size) errors.push(`${at}: tool call(s) ${[...open].join(', ')} were not answered before it`);
    open = undefined;
    if (m.role === 'assistant') {
      if (m.tool_calls) {
        open = new Set(m.tool_calls.map((c) => c.id));
        for (const c of m.tool_calls) {
          if (tools && !declared.has(c.function.name)) errors.push(`${at} calls ${c.function.name}, which tools does not declare`);
          try {
            parseJson(c.function.arguments);
          } catch {
            errors.push(`${at}: the arguments of ${c.function.name} are not JSON`);
          }
        }
      } else if (m.content === null || m.content === undefined) errors.push(`${at}: an assistant message needs content or tool calls`);
    }
    if (m.role === 'user' && typeof m.content !== 'string') {
      for (const p of m.content) {
        if (p.type !== 'image_url') continue;
        images++;
        const url = p.image_url.url;
        if (/^https?:\/\//.test(url)) continue;
        const mime = /^data:([^;,]+);base64,/.exec(url)?.[1];
        const bytes = dataUrlBytes(url);
        if (!mime || bytes === undefined) errors.push(`${at}: an image is neither an http(s) URL nor a base64 data URL`);
        else if (!(OPENAI_LIMITS.mimes as readonly string[]).includes(mime)) errors.push(`${at}: ${mime} images are not taken (JPEG, PNG or WEBP)`);
        else if (bytes > OPENAI_LIMITS.imageBytes)
          warnings.push(`${at}: an image of ${(bytes / 1024 / 1024).toFixed(1)} MB, over the 10 MB a fine-tuning image may have`);
      }
    }
  });
  // The last message may be a call left unanswered: that is how a model is taught to call a tool.
  if (images > OPENAI_LIMITS.imagesPerExample)
    warnings.push(
      `${images} images, more than the ${OPENAI_LIMITS.imagesPerExample} per example OpenAI's vision fine-tuning guide allows (Azure OpenAI allows 64)`,
    );
  return { errors, warnings };
}
