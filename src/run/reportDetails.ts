// The samples' trajectories a benchmark run's report carries (`gog report RUN_DIR`): each
// sample's corrected trajectory (applyAnnotations) summed up as its turns, reasoning,
// queries, evidence titles and gaze boxes, and its image downscaled and re-encoded (sharp),
// one copy per distinct image. Failures go first, then the right samples, each in dataset
// order, until the size budget is spent; what is left out, and why, is said in the page.
// Only files inside the run folder are read (a trajectory by sampleFiles.ts, its image by
// runAssets.ts); every text goes through the redactor; nothing here is HTML.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { sharpLib } from '../vision/sharpLib';
import { applyAnnotations } from '../core/annotations';
import { oneLine } from '../core/agent';
import type { Redactor } from '../core/redact';
import type { TrajectoryEvent, TrajectoryHeader } from '../core/trajectory';
import { readTrajectory } from '../core/trajectoryFile';
import { sampleTrajectory } from '../data/sampleFiles';
import type { DetailAction, DetailStep, ReportDetails, SampleDetail } from '../shared/reportData';
import type { ReviewRow } from '../shared/runsMessages';
import { scriptJson } from '../shared/webviewHtml';
import { RunAssets } from '../data/runAssets';

/** The longest side of an image in a report, in pixels: enough to see where the model looked. */
export const REPORT_IMAGE_SIDE = 384;
/** A trajectory larger than this is not summed up (a sample's is a few kilobytes to a few megabytes). */
export const MAX_DETAIL_TRAJECTORY_BYTES = 32 * 1024 * 1024;
/** Characters kept of one text (a reasoning, a query, a title): the report is a summary. */
const MAX_TEXT = 4000;
/** Evidence results listed per step; the rest are counted. */
const MAX_EVIDENCE = 8;
/** Trajectories read at once. */
const CONCURRENCY = 8;
/** Images decoded at most (a pixel bomb in a shared run is refused, not decoded). */
const MAX_INPUT_PIXELS = 100_000_000;

export interface BuiltDetails {
  /** Each included sample's detail, as the JSON its block holds (scriptJson), by key. */
  samples: Map<number, string>;
  /** The distinct images as data: URLs, in block order. */
  images: string[];
  info: ReportDetails;
}

const cut = (text: string) => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text);

/** Box in original pixels → image-relative (0–1), within the image. */
function relative(box: readonly number[], size: { width: number; height: number }): [number, number, number, number] | null {
  const [x1, y1, x2, y2] = box.map((v, i) => Math.min(1, Math.max(0, v / (i % 2 ? size.height : size.width))));
  return [x1!, y1!, x2!, y2!].every(Number.isFinite) && x2! > x1! && y2! > y1! ? [x1!, y1!, x2!, y2!] : null;
}

/** A sample's corrected trajectory as turns. */
export function summarize(
  key: number,
  header: TrajectoryHeader,
  corrected: ReturnType<typeof applyAnnotations>,
  problems: string[],
): Omit<SampleDetail, 'image'> {
  const steps = new Map<number, DetailStep>();
  const stepOf = (n: number) => {
    let s = steps.get(n);
    if (!s) steps.set(n, (s = { step: n, reasoning: [], action: null, evidence: [], moreEvidence: 0, corrected: false }));
    return s;
  };
  let final: Extract<TrajectoryEvent, { type: 'final' }> | undefined;
  for (const e of corrected.events) {
    if (corrected.dropped.has(e.step) && e.type !== 'final') continue;
    const s = e.type === 'final' || e.type === 'notice' || e.type === 'annotation' ? undefined : stepOf(e.step);
    if (s && e.id !== undefined && corrected.changed.has(e.id)) s.corrected = true;
    switch (e.type) {
      case 'reflection':
        s!.reasoning.push({ kind: e.kind, text: cut(e.text) });
        break;
      case 'action': {
        const a = e.action;
        let action: DetailAction;
        switch (a.kind) {
          case 'answer':
            action = { kind: 'answer', text: cut(a.text) };
            break;
          case 'text_search':
            action = { kind: 'text_search', query: cut(a.query) };
            break;
          case 'image_search':
            action = a.scope === 'full' ? { kind: 'glance' } : { kind: 'gaze', box: a.box ? relative(a.box.original, header.image.oriented) : null };
            break;
          case 'parse_error':
            action = { kind: 'parse_error', message: cut(a.message) };
            break;
          default: {
            const never: never = a;
            throw new Error(`an action this report does not know: ${JSON.stringify(never)}`);
          }
        }
        s!.action = action;
        break;
      }
      case 'observation':
        s!.evidence.push(...e.results.slice(0, MAX_EVIDENCE).map((r) => ({ title: cut(r.title), url: cut(r.url) })));
        s!.moreEvidence += Math.max(0, e.results.length - MAX_EVIDENCE);
        if (e.error) s!.error = cut(e.error);
        break;
      case 'final':
        final = e;
        break;
      case 'model_turn':
      case 'notice':
      case 'annotation':
        break;
      default: {
        const never: never = e;
        throw new Error(`an event this report does not know: ${JSON.stringify(never)}`);
      }
    }
  }
  return {
    key,
    steps: [...steps.values()].sort((a, b) => a.step - b.step),
    answer: final ? (final.answer === null ? null : cut(final.answer)) : null,
    stop: final?.stopReason ?? 'error',
    ...(final?.error ? { error: cut(final.error) } : {}),
    ...(corrected.label ? { label: corrected.label.label, ...(corrected.label.note ? { note: cut(corrected.label.note) } : {}) } : {}),
    problems: [...problems, ...corrected.problems].slice(0, 20).map(cut),
  };
}

/** The order samples go in: failures, then the right ones, each in dataset order (index, rollout). */
export function detailOrder(rows: readonly ReviewRow[]): ReviewRow[] {
  const byDataset = (a: ReviewRow, b: ReviewRow) => a.index - b.index || a.rollout - b.rollout || a.key - b.key;
  return [...rows.filter((r) => r.cause !== null).sort(byDataset), ...rows.filter((r) => r.cause === null).sort(byDataset)];
}

/**
 * Reads the samples' trajectories in detailOrder and keeps their details until `budget`
 * bytes (of JSON and images) would be passed; stops reading there. `trajectories` are the
 * paths results.jsonl names, by key.
 */
export async function buildDetails(
  runDir: string,
  rows: readonly ReviewRow[],
  trajectories: readonly string[],
  o: { budget: number; budgetMb: number; redactor: Redactor; signal?: AbortSignal },
): Promise<BuiltDetails> {
  const order = detailOrder(rows);
  const samples = new Map<number, string>();
  const images: string[] = [];
  const imageOf = new Map<string, Promise<{ n: number; bytes: number } | { note: string }>>();
  const unreadable: Record<string, string> = {};
  let used = 0;
  let spent = false;

  /** The sample's image, downscaled once per distinct file content: its block's number and size. */
  const image = async (dir: string, header: TrajectoryHeader): Promise<{ n: number; bytes: number } | { note: string }> => {
    const rel = header.image.sent.path ?? header.image.path;
    const assets = new RunAssets(dir);
    const check = await assets.check(rel);
    if (!check.ok) return { note: `the image ${check.reason}` };
    const bytes = await assets.read(check);
    const hash = createHash('sha256').update(bytes).digest('hex');
    let made = imageOf.get(hash);
    if (!made) {
      // Outside the try: a sharp that cannot load is a broken install, not an unreadable image.
      const sharpModule = sharpLib();
      made = (async () => {
        try {
          const small = await sharpModule(bytes, { limitInputPixels: MAX_INPUT_PIXELS })
            .rotate()
            .resize(REPORT_IMAGE_SIDE, REPORT_IMAGE_SIDE, { fit: 'inside', withoutEnlargement: true })
            .webp({ quality: 70 })
            .toBuffer();
          images.push(`data:image/webp;base64,${small.toString('base64')}`);
          return { n: images.length - 1, bytes: images.at(-1)!.length };
        } catch (e) {
          return { note: `the image could not be read (${oneLine(e)})` };
        }
      })();
      imageOf.set(hash, made);
    }
    return made;
  };

  /** No path of this machine in the page: names inside the run folder are said relative to it. */
  const roots = [path.resolve(runDir), await fs.realpath(runDir)].map((d) => `${d}${path.sep}`);
  const said = (message: string) => o.redactor.text(roots.reduce((m, root) => m.split(root).join(''), message));

  /** One sample's detail JSON and its image, or why it cannot be had. */
  const read = async (r: ReviewRow): Promise<{ json: string; image: { n: number; bytes: number } | null } | { error: string }> => {
    try {
      const file = await sampleTrajectory(runDir, trajectories[r.key] ?? '');
      const t = await readTrajectory(file, { maxBytes: MAX_DETAIL_TRAJECTORY_BYTES, root: runDir });
      if (!t.header) return { error: 'its trajectory has no header' };
      const corrected = applyAnnotations(t.header, t.events);
      const problems = t.problems.map((p) => `line ${p.line}: ${p.message}`);
      const img = await image(path.dirname(file), t.header);
      const detail: SampleDetail = {
        ...summarize(r.key, t.header, corrected, problems),
        image: 'n' in img ? img.n : null,
        ...('note' in img ? { imageNote: said(img.note) } : {}),
      };
      return { json: scriptJson(o.redactor.value(detail)), image: 'n' in img ? img : null };
    } catch (e) {
      return { error: said(oneLine(e)) };
    }
  };

  // Read a few ahead, take them in order: the budget is spent in the order promised.
  const counted = new Set<number>();
  for (let i = 0; i < order.length && !spent; i += CONCURRENCY) {
    if (o.signal?.aborted) break;
    const batch = order.slice(i, i + CONCURRENCY);
    const got = await Promise.all(batch.map(read));
    for (const [j, g] of got.entries()) {
      const r = batch[j]!;
      if ('error' in g) {
        unreadable[String(r.key)] = g.error;
        continue;
      }
      // Bytes, not characters: a question in Chinese takes three a character in the file.
      const cost = Buffer.byteLength(g.json) + (g.image && !counted.has(g.image.n) ? g.image.bytes : 0);
      if (used + cost > o.budget) {
        spent = true;
        break;
      }
      used += cost;
      if (g.image) counted.add(g.image.n);
      samples.set(r.key, g.json);
    }
  }
  const failures = rows.filter((r) => r.cause !== null);
  return {
    samples,
    // An image read for a sample past the budget is not kept: only those some sample shows.
    images: images.map((url, n) => (counted.has(n) ? url : '')),
    info: {
      keys: [...samples.keys()].sort((a, b) => a - b),
      failures: failures.length,
      failuresIn: failures.filter((r) => samples.has(r.key)).length,
      budgetMb: o.budgetMb,
      budgetSpent: spent,
      unreadable,
    },
  };
}
