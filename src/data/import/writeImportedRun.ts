// An imported conversation as a run folder, written the way the agent writes a run: the
// image as sent, each turn's raw text, reasoning and action (read by the dialect, a box
// checked as the agent checks it, the region cropped), the results the model was shown with
// their thumbnails, and the final answer. Every image is decoded and encoded again with
// sharp, so nothing but pixels comes in from someone else's file.
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { ParsedTurn } from '../../core/actions';
import { oneLine } from '../../core/agent';
import { describeSearched } from '../../core/dialects/information';
import { getDialect } from '../../core/dialects';
import { BOX_FORMATS, describeBoxFormat, resolveBox, type BoxFormat, type Size } from '../../core/geometry';
import { scoreAnswer } from '../../core/scoring';
import { TRAJECTORY_SCHEMA, type ActionRecord, type DialectId, type ResultRecord, type TrajectoryHeader } from '../../core/trajectory';
import { IMAGES_DIR, RunFolder } from '../runFolder';
import { toolVersions } from '../versions';
import { ImageError, loadImage, makeThumbnail, type LoadedImage } from '../../vision/image';
import { informationEvidence, toolEvidence } from './evidence';
import type { ImportedConversation } from './imported';
import { ImportRecordError, readImageSource } from './readImage';

export interface ImportSettings {
  /** The dialect to read turns in, when the record does not say. */
  dialect?: DialectId;
  /** The box format, when the instructions do not say. */
  boxFormat?: BoxFormat;
  /** The folder of the source file: image paths resolve inside it. */
  sourceDir: string;
  /** Where it came from, for the header's note. */
  note: string;
}

/** The box format the instructions describe (our prompts say it in describeBoxFormat's words). */
export function boxFormatIn(text: string, sent: Size): BoxFormat | undefined {
  return BOX_FORMATS.find((f) => text.includes(describeBoxFormat(f, sent)));
}

/** An image decoded as it is (oriented, no resizing): what the model was sent. */
async function decode(bytes: Buffer, what: string): Promise<LoadedImage> {
  try {
    return await loadImage(bytes, { boxFormat: 'rel-1', maxPixels: Number.MAX_SAFE_INTEGER, prefetch: false });
  } catch (e) {
    throw new ImportRecordError(`${what}: ${e instanceof ImageError ? e.message.replace(/^image:? /, '') : oneLine(e)}`);
  }
}

export interface ImportedRun {
  trajectory: string;
  warnings: string[];
}

export async function writeImportedRun(conv: ImportedConversation, dir: string, settings: ImportSettings): Promise<ImportedRun> {
  const dialect = getDialect(conv.dialect ?? settings.dialect ?? 'gog');
  const image = await decode(await readImageSource(conv.image, settings.sourceDir), 'the image');
  const sent: Size = { width: image.sent.width, height: image.sent.height };
  const boxFormat = boxFormatIn(conv.promptText, sent) ?? settings.boxFormat ?? 'pixels-sent';
  const budget = Number(/at most (\d+) turns/.exec(conv.promptText)?.[1] ?? 0);
  const warnings: string[] = [];
  const header: TrajectoryHeader = {
    type: 'header',
    schema: TRAJECTORY_SCHEMA,
    id: path.basename(dir),
    created: new Date().toISOString(),
    question: conv.question,
    ...(conv.gold?.length ? { gold: conv.gold } : {}),
    image: {
      path: 'image.jpg',
      // The image is kept as the model was sent it, encoded afresh: its hash is of what is stored.
      sha256: createHash('sha256').update(image.sent.data).digest('hex'),
      format: 'jpeg',
      width: sent.width,
      height: sent.height,
      orientation: 1,
      oriented: { ...sent },
      sent: { ...sent, path: `${IMAGES_DIR}/sent.jpg` },
    },
    model: { endpoint: 'imported', name: conv.model ?? 'imported', dialect: dialect.id, boxFormat },
    // Nothing was added to its last turn here: a training sample made of it says only what the source says.
    agent: { maxTurns: Math.max(budget, conv.turns.length, 1), topK: 5, rules: { lastTurn: 'plain' } },
    search: { image: 'imported', text: 'imported' },
    tools: toolVersions(),
    note: settings.note,
  };
  const folder = await RunFolder.create(dir, header, { image: image.sent.data, sent: image.sent });
  const never = new AbortController().signal;
  /** The action as the agent would record it: a box checked against the image, the region cropped. */
  const actionRecord = async (action: ParsedTurn['action'], step: number): Promise<{ record: ActionRecord; searched: string }> => {
    switch (action.kind) {
      case 'parse_error':
        return { record: { kind: 'parse_error', message: action.message }, searched: '' };
      case 'answer':
        return { record: { kind: 'answer', text: action.text }, searched: '' };
      case 'text_search':
        return { record: { kind: 'text_search', query: action.query }, searched: describeSearched('text_search', { query: action.query }) };
      case 'image_search': {
        if (action.scope === 'full') return { record: { kind: 'image_search', scope: 'full' }, searched: describeSearched('image_search', {}) };
        const box = resolveBox(action.numbers, boxFormat, sent, sent);
        if (!box.ok) return { record: { kind: 'parse_error', message: box.message }, searched: '' };
        const crop = await folder.saveImage(`s${step}-crop.jpg`, await image.crop(box.box.original, never));
        const { model, sent: inSent, original } = box.box;
        return {
          record: { kind: 'image_search', scope: 'region', box: { model, sent: inSent, original }, crop },
          searched: describeSearched('image_search', { box: model }),
        };
      }
    }
  };
  let answer: string | null = null;
  let steps = 0;
  try {
    for (const [i, turn] of conv.turns.entries()) {
      const step = i + 1;
      steps = step;
      const out = turn.output;
      await folder.write({
        type: 'model_turn',
        step,
        raw: out.text,
        ...(out.reasoning ? { reasoning: out.reasoning } : {}),
        ...(out.toolCalls?.length ? { toolCalls: out.toolCalls } : {}),
        finishReason: null,
        ms: 0,
      });
      const parsed = dialect.parse(out);
      for (const r of parsed.reasoning) await folder.write({ type: 'reflection', step, kind: r.kind, text: r.text });
      const { record, searched } = await actionRecord(parsed.action, step);
      await folder.write({ type: 'action', step, action: record });
      if (record.kind === 'answer') {
        answer = record.text;
        if (i < conv.turns.length - 1) warnings.push(`${conv.turns.length - step} turn(s) after the answer were left out`);
        break;
      }
      if (record.kind === 'parse_error') continue;
      if (!turn.after.length) {
        warnings.push(`step ${step} searched, but the record ends before its results`);
        break;
      }
      const evidence =
        dialect.id === 'tool-calls'
          ? toolEvidence(turn.after)
          : informationEvidence(
              turn.after.find((m) => m.role === 'user'),
              searched,
            );
      const results: ResultRecord[] = [];
      for (const r of evidence.results) {
        const result: ResultRecord = { rank: r.rank, title: r.title, url: r.url, snippet: r.snippet, provider: 'imported' };
        if (r.image) {
          try {
            const bytes = await readImageSource(r.image, settings.sourceDir, `the thumbnail of result ${r.rank} of step ${step}`);
            result.thumbnail = await folder.saveImage(
              `s${step}-${record.kind === 'image_search' ? 'img' : 'txt'}-r${r.rank}.jpg`,
              await makeThumbnail(bytes, 1024),
            );
          } catch (e) {
            warnings.push(`step ${step}: ${oneLine(e)}; the result is kept without it`);
          }
        }
        results.push(result);
      }
      await folder.write({
        type: 'observation',
        step,
        tool: record.kind === 'text_search' ? 'text_search' : 'image_search',
        results,
        ...(evidence.error !== undefined ? { error: evidence.error } : {}),
        ms: 0,
      });
    }
    const stopReason = answer !== null ? 'answered' : steps >= header.agent.maxTurns ? 'max_turns' : 'error';
    await folder.write({
      type: 'final',
      step: steps,
      answer,
      stopReason,
      ...(stopReason === 'error' ? { error: 'the record ends without an answer' } : {}),
      ...(answer !== null && conv.gold?.length ? { score: scoreAnswer(answer, conv.gold) } : {}),
      turns: steps,
      ms: 0,
    });
  } finally {
    await folder.close();
  }
  // A write that failed on the way (a thumbnail on a full disk) fails the run, not only that result.
  if (folder.failure) throw folder.failure;
  await folder.writeSummary({
    id: header.id,
    created: header.created,
    question: header.question,
    imported: settings.note,
    model: header.model,
    status: 'imported',
    answer,
  });
  return { trajectory: folder.trajectoryPath, warnings };
}
