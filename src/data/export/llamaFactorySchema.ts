// What LLaMA-Factory accepts as a ShareGPT multimodal sample, checked the way it checks
// (formats notes §1; hiyouga/LLaMA-Factory@ff6d4d12: data/README.md, converter.py
// SharegptDatasetConverter, mm_plugin.py _validate_messages, parser.py DatasetAttr). The
// exporter checks every sample before writing it, and the tests check the exporter's output.
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { parseJson } from '../../core/json';

/** The role names a dataset_info entry maps to LLaMA-Factory's roles (`tags`; parser.py defaults in brackets). */
export const SHAREGPT_TAGS = {
  role_tag: 'role', // [from]
  content_tag: 'content', // [value]
  user_tag: 'user', // [human]
  assistant_tag: 'assistant', // [gpt]
  observation_tag: 'observation',
  function_tag: 'function_call',
  system_tag: 'system',
} as const;

/** Placeholders counted against the media lists (extras/constants.py; IMAGE_PLACEHOLDER may be changed by environment). */
export const PLACEHOLDERS = { image: '<image>', video: '<video>', audio: '<audio>' } as const;

export const shareGptSampleSchema = z.object({
  messages: z.array(z.object({ role: z.string(), content: z.string() })).min(1),
  images: z.array(z.string()).optional(),
  /** A JSON string of a list of function schemas (the glaive tool-call demo), or "" for none. */
  tools: z.string().optional(),
  system: z.string().optional(),
});
export type ShareGptSample = z.infer<typeof shareGptSampleSchema>;

export const datasetInfoEntrySchema = z.object({
  file_name: z.string().min(1),
  formatting: z.literal('sharegpt'),
  columns: z.object({ messages: z.string(), images: z.string().optional(), tools: z.string().optional(), system: z.string().optional() }),
  tags: z.object({
    role_tag: z.string(),
    content_tag: z.string(),
    user_tag: z.string(),
    assistant_tag: z.string(),
    observation_tag: z.string().optional(),
    function_tag: z.string().optional(),
    system_tag: z.string().optional(),
  }),
});
export type DatasetInfoEntry = z.infer<typeof datasetInfoEntrySchema>;

function count(text: string, token: string): number {
  return text.split(token).length - 1;
}

const functionCallSchema = z.object({ name: z.string().min(1), arguments: z.record(z.string(), z.unknown()) });
const toolSchema = z.object({ name: z.string().min(1), description: z.string(), parameters: z.record(z.string(), z.unknown()) });

/**
 * The problems LLaMA-Factory would have with a sample, as one line each (empty: it loads).
 * `mediaDir` is where relative image paths resolve (data_args.py: media_dir, default dataset_dir).
 */
export function shareGptProblems(value: unknown, mediaDir: string): string[] {
  const parsed = shareGptSampleSchema.safeParse(value);
  if (!parsed.success) return [`not a ShareGPT sample: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`];
  const sample = parsed.data;
  const problems: string[] = [];
  const t = SHAREGPT_TAGS;
  // converter.py: a first message in the system role becomes the system prompt; the rest must alternate.
  const messages = sample.messages[0]?.role === t.system_tag ? sample.messages.slice(1) : sample.messages;
  messages.forEach((m, i) => {
    const allowed: string[] = i % 2 === 0 ? [t.user_tag, t.observation_tag] : [t.assistant_tag, t.function_tag];
    if (!allowed.includes(m.role)) problems.push(`message ${i + 1} has role "${m.role}" where ${allowed.join(' or ')} must be (Invalid role tag)`);
  });
  // Supervised samples pair prompts with responses: an even count, ending on the model's side.
  if (messages.length === 0 || messages.length % 2 !== 0)
    problems.push(`${messages.length} messages after the system prompt: an even number is needed (Invalid message count)`);
  for (const [i, m] of messages.entries()) {
    if (m.role !== t.function_tag) continue;
    let call: unknown;
    try {
      call = parseJson(m.content);
    } catch {
      problems.push(`message ${i + 1} (function_call) is not JSON (Invalid JSON format in function message)`);
      continue;
    }
    const calls = Array.isArray(call) ? call : [call];
    if (!calls.length || !calls.every((c) => functionCallSchema.safeParse(c).success))
      problems.push(`message ${i + 1} (function_call) is not {name, arguments}`);
  }
  // mm_plugin.py: placeholders in all messages, whatever their role, match the media lists.
  const all = sample.messages.map((m) => m.content).join('\n');
  const images = sample.images ?? [];
  const placeholders = count(all, PLACEHOLDERS.image);
  if (placeholders !== images.length)
    problems.push(`${placeholders} ${PLACEHOLDERS.image} placeholders for ${images.length} images (The number of images does not match)`);
  for (const kind of ['video', 'audio'] as const) {
    const n = count(all, PLACEHOLDERS[kind]);
    if (n) problems.push(`${n} ${PLACEHOLDERS[kind]} placeholders for no ${kind}s`);
  }
  for (const image of images) {
    const file = path.isAbsolute(image) ? image : path.join(mediaDir, image);
    if (!existsSync(file) || !statSync(file).isFile()) problems.push(`image ${image} does not exist in ${mediaDir}`);
  }
  if (sample.tools) {
    let tools: unknown;
    try {
      tools = parseJson(sample.tools);
    } catch {
      tools = undefined;
    }
    if (!Array.isArray(tools) || !tools.every((x) => toolSchema.safeParse(x).success))
      problems.push('tools is not a JSON list of {name, description, parameters}');
  }
  return problems;
}

/** The dataset_info.json entry's problems (the mllm_demo entry's shape, with tool tags). */
export function datasetInfoProblems(value: unknown): string[] {
  const parsed = datasetInfoEntrySchema.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}
