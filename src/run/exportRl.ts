// `gog export-rl`: the hard queries of a benchmark run (Level 2: a pass rate over their
// rollouts below the threshold) as a Parquet file in the veRL layout MMSearch-R1 trains
// from, for a GRPO trainer: prompt (the question as a user message, no <image>, as the
// trainer adds its own first-turn prompt), images (the sample's original image as HF
// `{bytes, path}`), reward_model (ground_truth, candidate_answers as a JSON string, style),
// data_source, image_urls, ability and extra_info (index, id, pass rate, rollouts). Images
// are read from the run folder only by their real path inside it.
//
// `image_urls` is what MMSearch-R1's rollout searches when the model asks for an image
// search (vllm_rollout_spmd.py reads non_tensor_batch["image_urls"][i]; without the column
// that is a KeyError): a string, one a row, the image's public URL (the dataset's own, or
// where a run uploaded it for Google Lens), null when no run knows one. Columns and their
// types are those of their data (mmsearch_r1/data/mini_data.pq, as pyarrow writes them).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { untilAborted } from '../core/abortable';
import type { TrajectoryEvent, TrajectoryHeader } from '../core/trajectory';
import { readTrajectory } from '../core/trajectoryFile';
import { writeFileAtomic } from '../core/atomicFile';
import { readBenchRun } from '../data/benchRun';
import { queryLevels } from '../data/levels';
import type { SampleResult } from '../data/results';
import { describeRefused, RunAssets } from '../data/runAssets';

export class ExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportError';
  }
}

export interface ExportOptions {
  /** Pass rate below which a query is hard; the run's own setting by default. */
  threshold?: number;
  /** veRL picks the reward function by data_source; MMSearch-R1's reward needs "mmsearch_r1" in it. */
  dataSource?: (benchmark: string) => string;
}

export interface ExportOutcome {
  file: string;
  queries: number;
  hard: number;
  written: number;
  /** Hard queries left out, and why (an image missing or refused). */
  skipped: string[];
}

const SAMPLE_TRAJECTORY = /^samples\/\d+-\d+\/trajectory\.jsonl$/;

const utf8 = (name: string) => ({ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' }, repetition_type: 'OPTIONAL' }) as const;
const list = (name: string) => ({ name, repetition_type: 'OPTIONAL', converted_type: 'LIST', logical_type: { type: 'LIST' }, num_children: 1 }) as const;

interface SampleImage {
  bytes: Buffer;
  name: string;
  /** The image's public URL, when the run knew one. */
  url?: string;
}

/** The image's public URL a run recorded: the dataset's own, else where a glance uploaded it (the first). */
function publicUrl(header: TrajectoryHeader, events: readonly TrajectoryEvent[]): string | undefined {
  if (header.image.url) return header.image.url;
  const glances = new Set(events.flatMap((e) => (e.type === 'action' && e.action.kind === 'image_search' && e.action.scope === 'full' ? [e.step] : [])));
  for (const e of events) if (e.type === 'observation' && e.tool === 'image_search' && glances.has(e.step) && e.searchedUrl) return e.searchedUrl;
  return undefined;
}

/** The image of a sample's run, by its real path inside the run folder. */
async function sampleImage(runDir: string, realRun: string, r: SampleResult): Promise<SampleImage | string> {
  if (!SAMPLE_TRAJECTORY.test(r.trajectory)) return `sample ${r.index}: no trajectory in the run folder`;
  const dir = path.join(runDir, path.dirname(r.trajectory));
  const real = await fs.realpath(dir).catch(() => undefined);
  if (!real?.startsWith(realRun + path.sep)) return `sample ${r.index}: its folder is missing or outside the run folder`;
  const t = await readTrajectory(path.join(real, 'trajectory.jsonl')).catch(() => undefined);
  const header = t?.header;
  if (!header) return `sample ${r.index}: its trajectory has no header`;
  const rel = header.image.path;
  const check = await new RunAssets(real).check(rel);
  if (!check.ok) return `sample ${r.index}: ${describeRefused(check)}`;
  const url = publicUrl(header, t.events);
  return { bytes: await new RunAssets(real).read(check), name: path.basename(rel), ...(url ? { url } : {}) };
}

/** Writes the file whole, or (cancelled by `signal`, failed) not at all. */
export async function exportHardQueries(runDir: string, out: string, options: ExportOptions = {}, signal?: AbortSignal): Promise<ExportOutcome> {
  let run;
  try {
    run = await untilAborted(readBenchRun(runDir), signal);
  } catch (e) {
    if (signal?.aborted) throw e;
    throw new ExportError((e as Error).message);
  }
  const setting = run.meta.settings.hardPassRate;
  const threshold = options.threshold ?? (typeof setting === 'number' ? setting : 0.5);
  const dataSource = options.dataSource ?? ((b: string) => `mmsearch_r1/${b}`);
  const levels = queryLevels(run.results, threshold);
  const hard = levels.filter((l) => l.level === 2);
  const realRun = await fs.realpath(runDir);
  const rows: Record<string, unknown>[] = [];
  const skipped: string[] = [];
  for (const q of hard) {
    const rollouts = run.results.filter((r) => r.index === q.index).sort((a, b) => a.rollout - b.rollout);
    let image: SampleImage | string = `sample ${q.index}: no rollout ran`;
    let url: string | undefined;
    for (const r of rollouts) {
      signal?.throwIfAborted();
      const found = await sampleImage(runDir, realRun, r);
      if (typeof image === 'string') image = found;
      url ??= typeof found === 'string' ? undefined : found.url;
      // One rollout's image will do; another rollout may still know its URL (it glanced).
      if (typeof image !== 'string' && url) break;
    }
    if (typeof image === 'string') {
      skipped.push(image);
      continue;
    }
    const r = rollouts[0]!;
    const [truth, ...candidates] = r.gold;
    rows.push({
      prompt: [{ content: r.question, role: 'user' }],
      images: [{ bytes: new Uint8Array(image.bytes), path: image.name }],
      reward_model: { candidate_answers: JSON.stringify(candidates), ground_truth: truth ?? '', style: 'rule' },
      data_source: dataSource(r.benchmark),
      image_urls: url ?? null,
      ability: 'vqa-search',
      extra_info: { index: BigInt(q.index), id: r.id, pass_rate: q.passRate, rollouts: q.rollouts, split: 'level2' },
    });
  }
  // MMSearch-R1's columns in their order, then veRL's ability and extra_info (RLHFDataset reads extra_info.index).
  const columns = ['prompt', 'images', 'reward_model', 'data_source', 'image_urls', 'ability', 'extra_info'];
  const buffer = parquetWriteBuffer({
    schema: [
      { name: 'root', num_children: columns.length },
      list('prompt'),
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      { name: 'element', repetition_type: 'OPTIONAL', num_children: 2 },
      utf8('content'),
      utf8('role'),
      list('images'),
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      { name: 'element', repetition_type: 'OPTIONAL', num_children: 2 },
      { name: 'bytes', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
      utf8('path'),
      { name: 'reward_model', repetition_type: 'OPTIONAL', num_children: 3 },
      utf8('candidate_answers'),
      utf8('ground_truth'),
      utf8('style'),
      utf8('data_source'),
      utf8('image_urls'),
      utf8('ability'),
      { name: 'extra_info', repetition_type: 'OPTIONAL', num_children: 5 },
      { name: 'index', type: 'INT64', repetition_type: 'OPTIONAL' },
      utf8('id'),
      { name: 'pass_rate', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
      { name: 'rollouts', type: 'INT32', repetition_type: 'OPTIONAL' },
      utf8('split'),
    ],
    columnData: columns.map((name) => ({ name, data: rows.map((row) => row[name]) })),
  });
  signal?.throwIfAborted();
  await writeFileAtomic(out, Buffer.from(buffer));
  return { file: out, queries: levels.length, hard: hard.length, written: rows.length, skipped };
}
