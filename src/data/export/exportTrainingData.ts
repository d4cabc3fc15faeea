// `gog export` and Export Training Data…: the accepted, corrected trajectories under some
// paths, written as training data in one format, with their images as files beside it.
// The folder is new or empty: an export never writes over a file, and it appears whole or
// not at all (written beside it, renamed into place at the end). Samples are prepared a
// few at a time and written in the order the files were found, one line at a time, so
// memory stays bounded by the window, not by the number of trajectories.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { imagesOf } from '../../core/conversation';
import { untilAborted } from '../../core/abortable';
import { closeChecked, writeAll, writeNewFile } from '../../core/files';
import { checkEmptyFolder, FolderTaken } from '../emptyFolder';
import { StagedFolder } from '../stagedFolder';
import { copyImages, ImageRefused, assetPath, sampleFolderName, type ExportedImage } from './exportImages';
import { findTrajectories } from './findTrajectories';
import { datasetInfoEntry, toShareGpt } from './llamaFactory';
import { shareGptProblems } from './llamaFactorySchema';
import { toOpenAiLine } from './openaiChat';
import { openAiLineProblems } from './openaiSchema';
import { prepareSample, type PrepareOptions, type SkipReason } from './trainingSample';

import type { ExportFormat } from './exportFormats';

export { EXPORT_FORMATS, type ExportFormat } from './exportFormats';

/** The dataset's name in dataset_info.json and its file's name. */
export const DATASET_NAME = 'gog_sft';
const IMAGES_DIR = 'images';
const MANIFEST = 'manifest.jsonl';
const DATASET_INFO = 'dataset_info.json';
/** Samples prepared at once (reading, images copied) ahead of the one being written. */
const WINDOW = 8;

export interface ExportOptions extends PrepareOptions {
  paths: string[];
  format: ExportFormat;
  /** A new or empty folder. */
  out: string;
  /** Where relative paths resolve. */
  cwd: string;
}

export interface ExportHooks {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** Something the user should know (a stale trajectory to re-run, a file that failed), one line. */
  onWarning?: (line: string) => void;
}

export interface ExportResult {
  format: ExportFormat;
  out: string;
  /** The training data file. */
  data: string;
  /** LLaMA-Factory's dataset_info.json (llama-factory only). */
  datasetInfo?: string;
  /** One line per exported sample: where it came from, its label, its files. */
  manifest: string;
  found: number;
  exported: number;
  /** Image files written beside the export. */
  images: number;
  skipped: Record<SkipReason, number>;
  warnings: number;
}

/** The export cannot start (a folder that is not new or empty, nothing to export). One line. */
export class ExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportError';
  }
}

type Outcome = { ok: true; line: string; manifest: string; images: number; warnings: string[] } | { ok: false; reason: SkipReason; message: string };

async function exportOne(file: string, options: ExportOptions, out: string, signal: AbortSignal | undefined): Promise<Outcome> {
  const prepared = await prepareSample(file, options);
  if (!prepared.ok) return prepared;
  signal?.throwIfAborted();
  const sample = prepared.sample;
  const folder = `${IMAGES_DIR}/${sampleFolderName(sample.header.id, file)}`;
  const shown = imagesOf(sample.conversation.messages.map((m) => m.message)).map(assetPath);
  let images: Map<string, ExportedImage>;
  try {
    images = await copyImages(sample.runDir, [...shown, ...sample.crops], out, folder, signal);
  } catch (e) {
    await fs.rm(path.join(out, folder), { recursive: true, force: true });
    if (e instanceof ImageRefused) return { ok: false, reason: 'failed', message: `has an image that cannot be exported: ${e.message}` };
    throw e;
  }
  const image = (url: string) => images.get(assetPath(url))!;
  let record: unknown;
  let problems: string[];
  const warnings: string[] = [];
  switch (options.format) {
    case 'llama-factory':
      record = toShareGpt(sample, (url) => image(url).file);
      problems = shareGptProblems(record, out);
      break;
    case 'openai': {
      record = toOpenAiLine(sample, (url) => `data:${image(url).mime};base64,${image(url).bytes.toString('base64')}`);
      const check = openAiLineProblems(record);
      problems = check.errors;
      warnings.push(...check.warnings);
      break;
    }
  }
  if (problems.length) {
    await fs.rm(path.join(out, folder), { recursive: true, force: true });
    return { ok: false, reason: 'failed', message: `would not load as ${options.format} data: ${problems[0]}` };
  }
  const manifest = {
    trajectory: file,
    id: sample.header.id,
    label: sample.label.label,
    ...(sample.label.note ? { note: sample.label.note } : {}),
    ...(sample.label.tags ? { tags: sample.label.tags } : {}),
    dialect: sample.dialect,
    steps: sample.steps,
    ...(sample.header.parent ? { parent: sample.header.parent } : {}),
    images: shown.map((rel) => images.get(rel)!.file),
    crops: sample.crops.map((rel) => images.get(rel)!.file),
  };
  return { ok: true, line: JSON.stringify(record), manifest: JSON.stringify(manifest), images: images.size, warnings };
}

/**
 * Writes the export whole or not at all: into a temporary folder beside `out`, renamed into
 * place at the end (stagedFolder.ts). Cancelled (the signal) or failed, the temporary folder
 * is removed at once, without waiting for samples still being read, and `out` is as it was.
 */
export async function exportTrainingData(options: ExportOptions, hooks: ExportHooks = {}): Promise<ExportResult> {
  const { signal } = hooks;
  const out = path.resolve(options.cwd, options.out);
  // The output is checked before the (possibly long) search for trajectories, and again when it is made.
  try {
    await checkEmptyFolder(out, 'export');
  } catch (e) {
    if (e instanceof FolderTaken) throw new ExportError(e.message);
    throw e;
  }
  const found = await untilAborted(findTrajectories(options.paths, options.cwd), signal);
  let warnings = 0;
  const warn = (line: string) => {
    warnings++;
    hooks.onWarning?.(line);
  };
  for (const note of found.notes) warn(note);
  if (!found.files.length) throw new ExportError(`no trajectory files (trajectory.jsonl, *.trajectory.jsonl) in ${options.paths.join(', ')}`);
  let staged: StagedFolder;
  try {
    staged = await StagedFolder.begin(out, 'export');
  } catch (e) {
    if (e instanceof FolderTaken) throw new ExportError(e.message);
    throw e;
  }
  const work = staged.dir;

  const dataName = `${DATASET_NAME}.${options.format === 'openai' ? 'jsonl' : 'json'}`;
  const result: ExportResult = {
    format: options.format,
    out,
    data: path.join(out, dataName),
    ...(options.format === 'llama-factory' ? { datasetInfo: path.join(out, DATASET_INFO) } : {}),
    manifest: path.join(out, MANIFEST),
    found: found.files.length,
    exported: 0,
    images: 0,
    skipped: { unlabeled: 0, 'needs-fix': 0, rejected: 0, conflict: 0, 'few-annotators': 0, stale: 0, failed: 0 },
    warnings: 0,
  };
  const written = (file: string) => path.join(work, path.basename(file));
  const pending = new Map<number, Promise<Outcome>>();
  let data: fs.FileHandle | undefined;
  let manifest: fs.FileHandle | undefined;
  try {
    // Made once here: a sample still being prepared when the folder is removed cannot make it again.
    await fs.mkdir(path.join(work, IMAGES_DIR));
    data = await fs.open(written(result.data), 'wx');
    manifest = await fs.open(written(result.manifest), 'wx');
    // LLaMA-Factory reads one JSON array; it is written an element at a time.
    if (options.format === 'llama-factory') await writeAll(data, '[\n', written(result.data));
    const files = found.files;
    const start = (i: number) => {
      const file = files[i];
      if (file !== undefined) pending.set(i, exportOne(file, options, work, signal));
    };
    for (let i = 0; i < WINDOW; i++) start(i);
    for (let i = 0; i < files.length; i++) {
      signal?.throwIfAborted();
      const outcome = await untilAborted(pending.get(i)!, signal);
      pending.delete(i);
      start(i + WINDOW);
      if (outcome.ok) {
        const separator = options.format === 'llama-factory' && result.exported ? ',\n' : '';
        await writeAll(data, `${separator}${outcome.line}${options.format === 'openai' ? '\n' : ''}`, written(result.data));
        await writeAll(manifest, `${outcome.manifest}\n`, written(result.manifest));
        result.exported++;
        result.images += outcome.images;
        for (const w of outcome.warnings) warn(`${files[i]}: ${w}`);
      } else {
        result.skipped[outcome.reason]++;
        // Unlabelled and needs-fix trajectories are the annotators' queue, and too few annotators a filter asked for: counted only.
        // What a user can act on is said: re-run a stale run, fix a failed one, adjudicate a conflict.
        if (outcome.reason === 'stale' || outcome.reason === 'failed' || outcome.reason === 'conflict') warn(`${files[i]}: skipped: it ${outcome.message}`);
      }
      hooks.onProgress?.(i + 1, files.length);
    }
    if (options.format === 'llama-factory') await writeAll(data, result.exported ? '\n]\n' : ']\n', written(result.data));
    await data.sync();
    await manifest.sync();
    await closeChecked(data, written(result.data));
    data = undefined;
    await closeChecked(manifest, written(result.manifest));
    manifest = undefined;
    if (options.format === 'llama-factory')
      await writeNewFile(written(result.datasetInfo!), JSON.stringify({ [DATASET_NAME]: datasetInfoEntry(dataName) }, null, 2) + '\n');
    signal?.throwIfAborted();
    await staged.commit();
  } catch (e) {
    // Cancelled or failed: nothing of it is left, so a half export is never taken for a whole one.
    await Promise.allSettled([data?.close(), manifest?.close()]);
    await staged.discard();
    throw e;
  }
  result.warnings = warnings;
  return result;
}
