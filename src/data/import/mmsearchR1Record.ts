// MMSearch-R1 rollouts as its trainer dumps them (formats notes §3.4: `val_result_{N}.json`,
// records {step, input_text, output_text, score, reward_model, image_url}, the texts decoded
// with special tokens skipped, so the whole multi-turn response, tool results included, is
// one string in which "<|im_start|>user" survives only as "user"). Each assistant turn ends
// with its action; the results come back as "Searched results: <information>…</information>
// Original user's question: …" and the next turn starts after "assistant".
import { z } from 'zod';
import { describeSchemaError } from '../../core/trajectory';
import type { ImageSource, ImportedConversation, ImportedTurn } from './imported';
import { imageSource } from './openaiChatRecord';
import { parseJson } from '../../core/json';

const imageValue = z.union([z.string(), z.looseObject({ bytes: z.string().nullish(), path: z.string().nullish() })]);
export const mmsearchR1RecordSchema = z.looseObject({
  input_text: z.string().optional(),
  prompt: z.string().optional(),
  output_text: z.string().optional(),
  response: z.string().optional(),
  question: z.string().optional(),
  image_url: z.string().nullish(),
  image: imageValue.nullish(),
  images: z.array(imageValue).nullish(),
  reward_model: z
    .looseObject({
      ground_truth: z.union([z.string(), z.array(z.string())]).nullish(),
      candidate_answers: z.union([z.string(), z.array(z.unknown())]).nullish(),
    })
    .nullish(),
});
type Record = z.infer<typeof mmsearchR1RecordSchema>;

function imageOf(r: Record): ImageSource | undefined {
  const v = r.image ?? r.images?.[0] ?? r.image_url ?? undefined;
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return imageSource(v);
  if (v.bytes) return { kind: 'base64', data: v.bytes };
  return v.path ? imageSource(v.path) : undefined;
}

/** MMSearch-R1's gold list: ground_truth, then candidate_answers (a JSON-encoded list in their parquet, notes §3.1). */
function goldOf(r: Record): string[] | undefined {
  const rm = r.reward_model;
  if (!rm) return undefined;
  const out: string[] = [];
  const truth = rm.ground_truth;
  if (typeof truth === 'string') out.push(truth);
  else if (Array.isArray(truth)) out.push(...truth);
  let candidates: unknown = rm.candidate_answers;
  if (typeof candidates === 'string') {
    try {
      candidates = parseJson(candidates);
    } catch {
      candidates = [];
    }
  }
  if (Array.isArray(candidates)) for (const c of candidates) if (typeof c === 'string' && !out.includes(c)) out.push(c);
  return out.length ? out : undefined;
}

/** The question: after the round-1 prompt's "Here is the image and the question:", else as each result repeats it. */
function questionOf(r: Record, output: string): string | undefined {
  if (r.question?.trim()) return r.question.trim();
  const input = r.input_text ?? r.prompt ?? '';
  const at = input.lastIndexOf('Here is the image and the question:');
  if (at !== -1)
    return (
      input
        .slice(at + 'Here is the image and the question:'.length)
        .replace(/\n\s*assistant\s*$/, '')
        .trim() || undefined
    );
  const repeated = /Original user's question: ([^\n]*)/.exec(output);
  if (repeated) return repeated[1]!.trim();
  return undefined;
}

/** The assistant turns of a decoded rollout, each with the user turn (results) that answered it. */
export function splitRollout(output: string): ImportedTurn[] {
  const turns: ImportedTurn[] = [];
  let pos = 0;
  while (pos < output.length) {
    const info = output.indexOf('<information>', pos);
    if (info === -1) {
      const text = output.slice(pos).trim();
      if (text) turns.push({ output: { text }, after: [] });
      break;
    }
    const said = output.lastIndexOf('Searched results:', info);
    const userStart = said >= pos ? said : info;
    // The turn marker before the results survives decoding as a bare "user" line.
    const text = output
      .slice(pos, userStart)
      .replace(/\s*\buser\s*$/, '')
      .trim();
    const close = output.indexOf('</information>', info);
    const infoEnd = close === -1 ? output.length : close + '</information>'.length;
    const next = output.indexOf('\nassistant\n', infoEnd);
    const reason = output.indexOf('<reason>', infoEnd);
    const userEnd = next !== -1 ? next : reason !== -1 ? reason : output.length;
    turns.push({ output: { text }, after: [{ role: 'user', parts: [{ text: output.slice(userStart, userEnd).trim() }] }] });
    pos = next !== -1 ? next + '\nassistant\n'.length : userEnd;
  }
  return turns;
}

export function fromMmsearchR1(value: unknown): ImportedConversation | string {
  const parsed = mmsearchR1RecordSchema.safeParse(value);
  if (!parsed.success) return `not an MMSearch-R1 rollout: ${describeSchemaError(parsed.error)}`;
  const r = parsed.data;
  const output = r.output_text ?? r.response;
  if (!output?.trim()) return 'no output_text (the rollout)';
  const image = imageOf(r);
  if (!image) return 'no image (image_url, image or images)';
  const question = questionOf(r, output);
  if (!question) return 'no question in input_text, and none repeated in the results';
  const turns = splitRollout(output);
  if (!turns.length) return 'the rollout holds no turn';
  const gold = goldOf(r);
  return { question, image, dialect: 'mmsearch-r1', promptText: r.input_text ?? r.prompt ?? '', turns, ...(gold ? { gold } : {}) };
}
