// Benchmark run folders for the review views' tests and benchmarks, in the one shape of
// src/data/results.ts: results.jsonl, summary.json and the samples' trajectories.
// - syntheticResults(): any number of varied, deterministic results (10,000 for the bench),
//   with small valid trajectory files when asked (writeBenchRun);
// - realBenchRun(): a few samples run for real by the agent (runQuery against the replay
//   server, the bundled photos and corpus), each result read from its trajectory, so the
//   trajectories are what the agent writes and two runs of the same questions can differ.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { readTrajectory } from '../../src/core/trajectoryFile';
import type { TrajectoryEvent, TrajectoryHeader } from '../../src/core/trajectory';
import { f1Score, exactMatch } from '../../src/core/scoring';
import { startReplayServer } from '../../src/model/replayServer';
import { failureCause, summarize, type RunSummary, type SampleResult } from '../../src/data/results';
import { QUERY_DEFAULTS, runQuery } from '../../src/run/runQuery';
import { CORPUS, photo, PHOTOS } from './fixtures';
import { recording } from './recordings';
import { sampleHeader } from './trajectories';

export const BENCHMARKS = ['fvqa', 'infoseek', 'simplevqa', 'mmsearch', 'livevqa', 'dynvqa'] as const;
const CATEGORIES = ['landmark', 'animal', 'food', 'vehicle', 'person', 'artwork', 'plant', 'logo'];
const THINGS = ['rocket', 'telescope', 'espresso', 'tabby cat', 'galaxy', 'bridge', 'cathedral', 'tulip', 'violin', 'lighthouse', 'glacier', 'mosaic'];

function random(seed: number): () => number {
  let s = seed % 2147483647 || 1;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

export interface SyntheticOptions {
  seed?: number;
  /** Judge every sample (judge_disagrees becomes possible). */
  judged?: boolean;
  /** Where each sample's trajectory is (relative to the run folder). */
  trajectory?: (id: string, rollout: number) => string;
}

export const defaultTrajectoryPath = (id: string, rollout: number) => `samples/${id}${rollout ? `-r${rollout}` : ''}/trajectory.jsonl`;

/** `n` results in every failure cause, benchmark and category, gazes clustered as a model's would be. */
export function syntheticResults(n: number, o: SyntheticOptions = {}): SampleResult[] {
  const rnd = random(o.seed ?? 7);
  const where = o.trajectory ?? defaultTrajectoryPath;
  const out: SampleResult[] = [];
  for (let i = 0; i < n; i++) {
    const id = `q${String(i).padStart(5, '0')}`;
    const thing = THINGS[i % THINGS.length]!;
    const gold = [thing, `the ${thing}`];
    const roll = rnd();
    // About half right; the rest spread over the causes.
    const kind =
      roll < 0.5
        ? 'right'
        : roll < 0.7
          ? 'wrong'
          : roll < 0.76
            ? 'parse'
            : roll < 0.82
              ? 'tool'
              : roll < 0.88
                ? 'turns'
                : roll < 0.93
                  ? 'timeout'
                  : roll < 0.96
                    ? 'error'
                    : 'disagree';
    const turns = kind === 'turns' || kind === 'parse' ? 8 : 1 + Math.floor(rnd() * 5);
    const gazes: [number, number, number, number][] = [];
    const nGaze = kind === 'right' || kind === 'wrong' ? Math.floor(rnd() * 3) : Math.floor(rnd() * 2);
    for (let g = 0; g < nGaze; g++) {
      // Models look near the middle and the upper third more than at the edges.
      const cx = 0.5 + (rnd() + rnd() + rnd() - 1.5) * 0.35;
      const cy = 0.42 + (rnd() + rnd() + rnd() - 1.5) * 0.35;
      const w = 0.08 + rnd() * 0.25;
      const h = 0.08 + rnd() * 0.25;
      const box = [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2].map((v) => Math.min(1, Math.max(0, Math.round(v * 1000) / 1000)));
      gazes.push(box as [number, number, number, number]);
    }
    const text = Math.floor(rnd() * 3);
    const glance = rnd() < 0.3 ? 1 : 0;
    const answered = kind === 'right' || kind === 'wrong' || kind === 'tool' || kind === 'disagree';
    const answer = !answered ? null : kind === 'right' ? `The ${thing}` : kind === 'disagree' ? `a kind of ${thing}` : THINGS[(i + 3) % THINGS.length]!;
    const em = kind === 'right' ? 1 : 0;
    const judge =
      o.judged && answered
        ? { correct: kind === 'right' || kind === 'disagree', reply: kind === 'disagree' ? 'yes' : em ? 'yes' : 'no', model: 'judge-model' }
        : undefined;
    const stopReason = answered ? 'answered' : kind === 'turns' || kind === 'parse' ? 'max_turns' : kind === 'timeout' ? 'cancelled' : 'error';
    const r: SampleResult = {
      id,
      index: i,
      rollout: 0,
      benchmark: BENCHMARKS[i % BENCHMARKS.length]!,
      category: CATEGORIES[Math.floor(rnd() * CATEGORIES.length)]!,
      question: `Sample ${i}: what is the ${['object', 'thing', 'place', 'animal'][i % 4]} in this photo (${thing})?`,
      answer,
      gold,
      scores: {
        exactMatch: em,
        f1: em ? 1 : answered ? Math.round(rnd() * 50) / 100 : 0,
        ...(judge ? { judge } : {}),
        format: kind === 'parse' ? 0 : 1,
        reward: 0,
      },
      stopReason,
      ...(kind === 'timeout' ? { timedOut: true } : {}),
      ...(kind === 'error' ? { error: 'the endpoint answered 500 three times' } : {}),
      turns,
      searches: { text, glance, gaze: gazes.length },
      parseErrors: kind === 'parse' ? 2 : 0,
      toolErrors: kind === 'tool' ? 1 : 0,
      gazes,
      tokens: { prompt: 900 * turns + Math.floor(rnd() * 400), completion: 80 * turns },
      ms: Math.round(1500 + rnd() * 9000 * turns),
      trajectory: where(id, 0),
    };
    const accuracy = judge ? (judge.correct ? 1 : 0) : em;
    r.scores.reward = Math.round((0.9 * accuracy + 0.1 * r.scores.format) * 1000) / 1000;
    r.cause = failureCause(r);
    out.push(r);
  }
  return out;
}

/** The summary a runner would write for these results. */
export function summaryOf(results: readonly SampleResult[], o: { dataset?: string; samples?: number; started?: string } = {}): RunSummary {
  const group = (field: 'benchmark' | 'category') => {
    const by: Record<string, SampleResult[]> = {};
    for (const r of results) (by[r[field] ?? ''] ??= []).push(r);
    return Object.fromEntries(Object.entries(by).map(([k, rs]) => [k, summarize(rs)]));
  };
  return {
    run: { dataset: o.dataset ?? 'bench.jsonl', started: o.started ?? '2026-11-24T10:00:00.000Z' },
    samples: o.samples ?? results.length,
    done: results.length,
    all: summarize(results),
    byBenchmark: group('benchmark'),
    byCategory: group('category'),
  };
}

export function writeResults(dir: string, results: readonly SampleResult[], summary: RunSummary | false = summaryOf(results)): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'results.jsonl'), results.map((r) => JSON.stringify(r) + '\n').join(''));
  if (summary) writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(summary, null, 2));
}

/** A small but valid trajectory for a synthetic result: its turns, gazes and answer, over a real photo. */
function syntheticTrajectory(r: SampleResult, image: { path: string; width: number; height: number }): [TrajectoryHeader, ...TrajectoryEvent[]] {
  const header = sampleHeader({
    id: `${r.id}-r${r.rollout}`,
    question: r.question,
    gold: r.gold,
    dataset: r.benchmark,
    sampleId: r.id,
    image: {
      path: image.path,
      sha256: '0'.repeat(64),
      format: 'jpeg',
      width: image.width,
      height: image.height,
      orientation: 1,
      oriented: { width: image.width, height: image.height },
      sent: { width: image.width, height: image.height },
    },
  });
  const t = '2026-11-24T10:00:00.000Z';
  const events: TrajectoryEvent[] = [];
  const px = (b: readonly number[]) => b.map((v, i) => Math.round(v * (i % 2 ? image.height : image.width))) as [number, number, number, number];
  for (let step = 1; step <= r.turns; step++) {
    const gaze = r.gazes[step - 1];
    const last = step === r.turns && r.answer !== null;
    const raw = last
      ? `<answer>${r.answer}</answer>`
      : gaze
        ? `<search><bbox>[${px(gaze).join(', ')}]</bbox></search>`
        : `<text_search>${r.gold[0]} step ${step}</text_search>`;
    events.push({ type: 'model_turn', step, t, raw, ms: 500, finishReason: 'stop' });
    const action = last
      ? { kind: 'answer' as const, text: r.answer! }
      : gaze
        ? { kind: 'image_search' as const, scope: 'region' as const, box: { model: px(gaze), sent: px(gaze), original: px(gaze) } }
        : { kind: 'text_search' as const, query: `${r.gold[0]} step ${step}` };
    events.push({ type: 'action', step, t, action });
    if (!last) events.push({ type: 'observation', step, t, tool: gaze ? 'image_search' : 'text_search', results: [], ms: 100 });
  }
  events.push({ type: 'final', step: r.turns, t, answer: r.answer, stopReason: r.stopReason, turns: r.turns, ms: r.ms });
  return [header, ...events];
}

/** results.jsonl, summary.json and, unless told not to, a small trajectory (with its photo) per sample. */
export async function writeBenchRun(
  dir: string,
  results: readonly SampleResult[],
  o: { trajectories?: boolean; summary?: RunSummary | false } = {},
): Promise<void> {
  writeResults(dir, results, o.summary === undefined ? summaryOf(results) : o.summary);
  if (o.trajectories === false) return;
  const { data, info } = await sharp(photo('rocket.jpg')).resize(320).jpeg({ quality: 80 }).toBuffer({ resolveWithObject: true });
  for (const r of results) {
    const file = path.join(dir, r.trajectory);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(path.join(path.dirname(file), 'image.jpg'), data);
    const lines = syntheticTrajectory(r, { path: 'image.jpg', width: info.width, height: info.height });
    writeFileSync(file, lines.map((l) => JSON.stringify(l) + '\n').join(''));
  }
}

/** One question run for real: the photo, the question, gold answers and the model's scripted turns (gog dialect, rel-1000 boxes). */
export interface RealSample {
  id: string;
  benchmark: string;
  category?: string;
  photo: (typeof PHOTOS)[number];
  question: string;
  gold: string[];
  turns: string[];
}

/** Runs each sample through the real agent into `<dir>/samples/<id>/` and writes results.jsonl and summary.json from the trajectories. */
export async function realBenchRun(dir: string, samples: readonly RealSample[], o: { maxTurns?: number } = {}): Promise<SampleResult[]> {
  const server = await startReplayServer(samples.map((s) => recording(s.question, s.turns)));
  const results: SampleResult[] = [];
  try {
    for (const [index, s] of samples.entries()) {
      const started = Date.now();
      const outcome = await runQuery({
        ...QUERY_DEFAULTS,
        image: photo(s.photo),
        question: s.question,
        gold: s.gold,
        endpoint: server.url,
        model: 'gog-test-model',
        boxFormat: 'rel-1000',
        maxTurns: o.maxTurns ?? 4,
        corpusDir: CORPUS,
        runDir: path.join(dir, 'samples', s.id),
        dataset: s.benchmark,
        sampleId: s.id,
      });
      results.push(await resultFromTrajectory(outcome.trajectory, dir, { ...s, index, ms: Date.now() - started }));
    }
  } finally {
    await server.close();
  }
  writeResults(dir, results);
  return results;
}

/** What a runner writes for one finished sample, read from its trajectory. */
async function resultFromTrajectory(file: string, runDir: string, s: RealSample & { index: number; ms: number }): Promise<SampleResult> {
  const t = await readTrajectory(file);
  const { oriented } = t.header!.image;
  const final = t.events.find((e) => e.type === 'final');
  if (final?.type !== 'final') throw new Error(`${file} has no final event`);
  const actions = t.events.flatMap((e) => (e.type === 'action' ? [e.action] : []));
  const gazes = actions.flatMap((a) =>
    a.kind === 'image_search' && a.box
      ? [a.box.original.map((v, i) => v / (i % 2 ? oriented.height : oriented.width)) as [number, number, number, number]]
      : [],
  );
  const usage = t.events.flatMap((e) => (e.type === 'model_turn' && e.usage ? [e.usage] : []));
  const parseErrors = actions.filter((a) => a.kind === 'parse_error').length;
  const em = final.answer !== null && exactMatch(final.answer, s.gold) ? 1 : 0;
  const format = parseErrors ? 0 : 1;
  const r: SampleResult = {
    id: s.id,
    index: s.index,
    rollout: 0,
    benchmark: s.benchmark,
    ...(s.category ? { category: s.category } : {}),
    question: s.question,
    answer: final.answer,
    gold: s.gold,
    scores: { exactMatch: em, f1: final.answer === null ? 0 : f1Score(final.answer, s.gold), format, reward: 0.9 * em + 0.1 * format },
    stopReason: final.stopReason,
    turns: final.turns,
    searches: {
      text: actions.filter((a) => a.kind === 'text_search').length,
      glance: actions.filter((a) => a.kind === 'image_search' && a.scope === 'full').length,
      gaze: gazes.length,
    },
    parseErrors,
    toolErrors: t.events.filter((e) => e.type === 'observation' && e.error).length,
    gazes,
    tokens: { prompt: usage.reduce((n, u) => n + u.prompt, 0), completion: usage.reduce((n, u) => n + u.completion, 0) },
    ms: s.ms,
    trajectory: path.relative(runDir, file),
  };
  r.cause = failureCause(r);
  return r;
}

/**
 * Five questions about the bundled photos, scripted twice: run A and run B of the same
 * benchmark. B gets the rocket wrong (a regression that diverges at step 2), gets the
 * astronaut and the Hubble field right (improvements), and both answer the coffee the same
 * way; the cat is unreadable in both (out of turns after parse errors).
 */
export function comparedSamples(which: 'a' | 'b'): RealSample[] {
  const a = which === 'a';
  return [
    {
      id: 'rocket-top',
      benchmark: 'fvqa',
      category: 'vehicle',
      photo: 'rocket.jpg',
      question: 'What is on top of the rocket?',
      gold: ['payload fairing', 'fairing'],
      turns: a
        ? [
            '<think>The middle first.</think><search><bbox>[250, 300, 560, 900]</bbox></search>',
            '<reflect>Not there; the top.</reflect><search><bbox>[100, 80, 420, 330]</bbox></search>',
            '<answer>Payload fairing</answer>',
          ]
        : ['<think>The middle first.</think><search><bbox>[250, 300, 560, 900]</bbox></search>', '<answer>A satellite</answer>'],
    },
    {
      id: 'astronaut-mission',
      benchmark: 'infoseek',
      category: 'person',
      photo: 'astronaut.png',
      question: 'Which space telescope was deployed on the mission whose patch this astronaut is wearing?',
      gold: ['Chandra X-ray Observatory', 'Chandra'],
      turns: a
        ? ['<think>A space telescope.</think><text_search>astronaut space telescope</text_search>', '<answer>Hubble</answer>']
        : [
            '<think>The patch.</think><search><bbox>[170, 400, 330, 560]</bbox></search>',
            '<text_search>STS-93 Chandra</text_search>',
            '<answer>Chandra</answer>',
          ],
    },
    {
      id: 'coffee-drink',
      benchmark: 'simplevqa',
      category: 'food',
      photo: 'coffee.png',
      question: 'What drink is in the cup?',
      gold: ['coffee', 'espresso'],
      turns: ['<think>Plainly coffee.</think><answer>Coffee</answer>'],
    },
    {
      id: 'chelsea-animal',
      benchmark: 'simplevqa',
      category: 'animal',
      photo: 'chelsea.png',
      question: 'What animal is this?',
      gold: ['cat'],
      turns: ['a cat I think', 'still no tags', 'cat cat', 'cat'],
    },
    {
      id: 'hubble-field',
      benchmark: 'fvqa',
      category: 'landmark',
      photo: 'hubble_deep_field.jpg',
      question: 'What are the bright objects in this picture?',
      gold: ['galaxies'],
      turns: ['<think>Look at the whole picture.</think><search><img></search>', a ? '<answer>Stars</answer>' : '<answer>Galaxies</answer>'],
    },
  ];
}
