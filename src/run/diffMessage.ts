// What the side-by-side trajectory diff is sent for one sample of two runs: both
// trajectories whole (the view aligns their turns and marks where they part), the first
// divergence, and one image to draw both runs' gaze boxes on, as a URL the caller makes
// (asWebviewUri in the extension, the harness's in the tests) for a file of a run folder
// that passed the run-asset check. The webview reads no file. Shared by the extension's
// diff panel and the browser tests, so both show the same thing.
import * as path from 'node:path';
import { oneLine } from '../core/agent';
import { readTrajectory, type LoadedTrajectory } from '../core/trajectoryFile';
import { firstDivergence } from '../data/compare';
import type { SampleResult } from '../data/results';
import { sampleTrajectory } from '../data/sampleFiles';
import { causeOf, isRight } from '../data/verdict';
import type { DiffMessage } from '../shared/runsMessages';
import { MAX_COMPARE_TRAJECTORY_BYTES } from './compareRuns';
import { describeRefused, RunAssets } from '../data/runAssets';

export interface DiffSide {
  /** The run folder, its letter in the comparison (A, B, …) and the sample's result in it. */
  dir: string;
  label: string;
  result: SampleResult;
}

/** The two trajectory files a diff shows, each checked to be inside its run folder; the panel allows their folders only. */
export function diffFiles(sides: readonly [DiffSide, DiffSide]): Promise<[string, string]> {
  return Promise.all([sampleTrajectory(sides[0].dir, sides[0].result.trajectory), sampleTrajectory(sides[1].dir, sides[1].result.trajectory)]);
}

/** The image a trajectory shows (the one sent to the model, else the one given) if it may be shown: its file and oriented size. */
async function imageOf(file: string, t: LoadedTrajectory): Promise<{ file: string; width: number; height: number } | string> {
  const header = t.header;
  if (!header) return 'the trajectory has no header';
  const rel = header.image.sent.path ?? header.image.path;
  const assets = new RunAssets(path.dirname(file));
  const check = await assets.check(rel);
  if (!check.ok) return describeRefused(check);
  return { file: path.join(assets.dir, check.rel), width: header.image.oriented.width, height: header.image.oriented.height };
}

export async function diffMessage(sides: readonly [DiffSide, DiffSide], imageUrl: (file: string) => string): Promise<DiffMessage> {
  const files = await diffFiles(sides);
  const loaded = await Promise.all(files.map((f) => readTrajectory(f, { maxBytes: MAX_COMPARE_TRAJECTORY_BYTES })));
  const notes: string[] = [];
  let image: DiffMessage['image'] = null;
  const tried: string[] = [];
  for (const i of [0, 1] as const) {
    const found = await imageOf(files[i], loaded[i]!).catch((e: unknown) => oneLine(e));
    if (typeof found === 'string') {
      tried.push(`${sides[i].label}: ${found}`);
      continue;
    }
    image = { url: imageUrl(found.file), width: found.width, height: found.height, from: i };
    break;
  }
  if (!image) notes.push(`No image to draw the boxes on (${tried.join('; ')}).`);
  else if (tried.length) notes.push(`The image is ${(image.from ? sides[1] : sides[0]).label}'s (${tried.join('; ')}).`);
  const [ha, hb] = [loaded[0]!.header, loaded[1]!.header];
  if (ha && hb && ha.image.sha256 !== hb.image.sha256)
    notes.push(
      `The two runs were given different images (their sha256 differ): ${sides[image?.from === 1 ? 0 : 1].label}'s boxes are placed by their share of its own image.`,
    );
  const result = sides[0].result;
  return {
    type: 'diff',
    sample: { id: result.id, rollout: result.rollout, question: result.question, gold: result.gold },
    sides: [0, 1].map((i) => {
      const s = sides[i]!;
      const t = loaded[i]!;
      return {
        label: s.label,
        title: path.basename(s.dir),
        side: { answer: s.result.answer, right: isRight(s.result), cause: causeOf(s.result) ?? null, turns: s.result.turns, f1: s.result.scores.f1 },
        header: t.header ?? null,
        events: t.events,
        problems: t.problems,
      };
    }) as DiffMessage['sides'],
    image,
    notes,
    divergence: firstDivergence(loaded[0]!.events, loaded[1]!.events),
  };
}
