// Run folders for the browser tests, made by the real agent loop (replayed model turns,
// real crops, the bundled corpus): the rocket photo as a landscape file, as a portrait
// file, and as a camera JPEG stored landscape with EXIF orientation 6 (shown portrait).
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { startReplayServer } from '../../src/model/replayServer';
import { QUERY_DEFAULTS, runQuery } from '../../src/run/runQuery';
import { decodeRaw, orientedJpeg } from '../helpers/images';
import { recording } from '../helpers/recordings';
import { ROOT } from './harness';

export const GAZES = [
  [250, 300, 560, 900],
  [100, 80, 420, 330],
] as const;

export type Shape = 'landscape' | 'portrait' | 'exif6';

export async function makeImages(dir: string): Promise<Record<Shape, string>> {
  mkdirSync(dir, { recursive: true });
  const rocket = path.join(ROOT, 'media', 'demo', 'images', 'rocket.jpg');
  const portrait = await decodeRaw(await sharp(rocket).rotate(90).png().toBuffer());
  const files = { landscape: path.join(dir, 'landscape.jpg'), portrait: path.join(dir, 'portrait.png'), exif6: path.join(dir, 'exif6.jpg') };
  writeFileSync(files.landscape, await sharp(rocket).jpeg({ quality: 95 }).toBuffer());
  writeFileSync(
    files.portrait,
    await sharp(portrait.data, { raw: { width: portrait.width, height: portrait.height, channels: 3 } })
      .png()
      .toBuffer(),
  );
  writeFileSync(files.exif6, await orientedJpeg(portrait, 6));
  return files;
}

/** Runs the agent on each image: two gazes (rel-1000 boxes above), then an answer. */
export async function makeRuns(dir: string): Promise<Record<Shape, string>> {
  const images = await makeImages(path.join(dir, 'images'));
  const question = 'What is on top of the rocket?';
  const turns = [
    `<think>Look at the middle first.</think><search><bbox>[${GAZES[0].join(', ')}]</bbox></search>`,
    `<reflect>Not there; the top.</reflect><search><bbox>[${GAZES[1].join(', ')}]</bbox></search>`,
    '<think>Enough.</think><answer>The payload fairing</answer>',
  ];
  const server = await startReplayServer([recording(question, turns)]);
  const runs = {} as Record<Shape, string>;
  try {
    for (const shape of Object.keys(images) as Shape[]) {
      const outcome = await runQuery({
        ...QUERY_DEFAULTS,
        image: images[shape],
        question,
        endpoint: server.url,
        model: 'gog-test-model',
        boxFormat: 'rel-1000',
        corpusDir: path.join(ROOT, 'media', 'demo', 'corpus'),
        runDir: path.join(dir, shape),
      });
      if (outcome.stopReason !== 'answered') throw new Error(`fixture run ${shape}: ${outcome.stopReason} ${outcome.error ?? ''}`);
      runs[shape] = outcome.trajectory;
    }
  } finally {
    await server.close();
  }
  return runs;
}

export function writeJsonl(file: string, lines: unknown[]): void {
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
}

/**
 * A synthetic run folder of `turns` turns, each an image search (gazes and glances in turn)
 * with five results, each with its own thumbnail file: the panel's worst ordinary case.
 */
export async function syntheticRun(
  dir: string,
  turns: number,
  thumbnails: boolean,
): Promise<{
  trajectory: string;
  events: import('../../src/core/trajectory').TrajectoryEvent[];
  header: import('../../src/core/trajectory').TrajectoryHeader;
}> {
  const { sampleHeader } = await import('../helpers/trajectories');
  mkdirSync(path.join(dir, 'images'), { recursive: true });
  const rocket = path.join(ROOT, 'media', 'demo', 'images', 'rocket.jpg');
  writeFileSync(path.join(dir, 'images', 'sent.jpg'), await sharp(rocket).jpeg().toBuffer());
  const header = sampleHeader({
    question: `A synthetic run of ${turns} turns`,
    image: {
      path: 'images/sent.jpg',
      sha256: '0'.repeat(64),
      format: 'jpeg',
      width: 640,
      height: 427,
      orientation: 1,
      oriented: { width: 640, height: 427 },
      sent: { width: 640, height: 427, path: 'images/sent.jpg' },
    },
  });
  const t = '2026-11-24T10:00:00.000Z';
  const events: import('../../src/core/trajectory').TrajectoryEvent[] = [];
  for (let step = 1; step <= turns; step++) {
    const gaze = step % 2 === 1;
    const x = (step * 37) % 500;
    const y = (step * 23) % 300;
    events.push({
      type: 'model_turn',
      step,
      t,
      raw: `<think>Turn ${step}: ${'reasoning about the picture. '.repeat(8)}</think><search>${gaze ? '<bbox>[1, 2, 3, 4]</bbox>' : '<img>'}</search>`,
      usage: { prompt: 1000 + step, completion: 60 },
      ms: 800,
      finishReason: 'stop',
    });
    events.push({
      type: 'reflection',
      step,
      t,
      kind: step > 1 ? 'reflect' : 'think',
      text: `Turn ${step}: ${'the last result was close but not quite. '.repeat(6)}`,
    });
    events.push({
      type: 'action',
      step,
      t,
      action: gaze
        ? {
            kind: 'image_search',
            scope: 'region',
            box: { model: [x, y, x + 120, y + 100], sent: [x, y, x + 120, y + 100], original: [x, y, x + 120, y + 100] },
          }
        : { kind: 'image_search', scope: 'full' },
    });
    const results = [];
    for (let rank = 1; rank <= 5; rank++) {
      const name = `images/s${step}-img-r${rank}.jpg`;
      if (thumbnails) {
        const size = 96 + ((step * 5 + rank) % 64);
        writeFileSync(
          path.join(dir, name),
          await sharp(rocket)
            .extract({ left: (step * 11 + rank * 29) % 400, top: (rank * 31) % 200, width: 200, height: 200 })
            .resize(size, size)
            .jpeg({ quality: 80 })
            .toBuffer(),
        );
      }
      results.push({
        rank,
        title: `Result ${rank} of turn ${step}`,
        url: `https://example.org/${step}/${rank}`,
        snippet: 'A page about launch vehicles. '.repeat(5),
        provider: 'local-corpus',
        score: 0.9 - rank / 10,
        ...(thumbnails ? { thumbnail: name } : {}),
      });
    }
    events.push({ type: 'observation', step, t, tool: 'image_search', results, ms: 250 });
  }
  events.push({ type: 'final', step: turns, t, answer: 'A rocket', stopReason: 'answered', turns, ms: turns * 1100 });
  const trajectory = path.join(dir, 'trajectory.jsonl');
  writeJsonl(trajectory, [header, ...events]);
  return { trajectory, events, header };
}

/** Runs one of the bundled demo recordings through the real agent into `dir`. */
export async function makeDemoRun(dir: string, name: string): Promise<string> {
  const { readTrajectory } = await import('../../src/core/trajectoryFile');
  const { recordingFromTrajectory } = await import('../../src/model/replayServer');
  const file = path.join(ROOT, 'media', 'demo', 'recorded', `${name}.trajectory.jsonl`);
  const t = await readTrajectory(file);
  const server = await startReplayServer([recordingFromTrajectory(t)]);
  try {
    const outcome = await runQuery({
      ...QUERY_DEFAULTS,
      image: path.resolve(path.dirname(file), t.header!.image.path),
      question: t.header!.question,
      gold: t.header!.gold ?? [],
      endpoint: server.url,
      model: t.header!.model.name,
      dialect: t.header!.model.dialect,
      boxFormat: t.header!.model.boxFormat,
      corpusDir: path.join(ROOT, 'media', 'demo', 'corpus'),
      runDir: dir,
    });
    return outcome.trajectory;
  } finally {
    await server.close();
  }
}

/**
 * A run that goes wrong in every way the panel shows: unparseable model text, a box
 * outside the image, the turn budget spent, and a malformed line in the file.
 */
export async function makeTroubledRun(dir: string): Promise<string> {
  const images = await makeImages(path.join(dir, 'images'));
  const question = 'What is on top of the rocket?';
  const turns = [
    'I think it is a fairing but I forgot the tags',
    '<think>Zoom.</think><search><bbox>[0, 0, 5000, 5000]</bbox></search>',
    '<think>Still unsure.</think><text_search>payload fairing</text_search>',
  ];
  const server = await startReplayServer([recording(question, turns)]);
  try {
    const outcome = await runQuery({
      ...QUERY_DEFAULTS,
      image: images.landscape,
      question,
      gold: ['payload fairing'],
      endpoint: server.url,
      model: 'gog-test-model',
      boxFormat: 'rel-1000',
      maxTurns: 3,
      corpusDir: path.join(ROOT, 'media', 'demo', 'corpus'),
      runDir: path.join(dir, 'troubled'),
    });
    if (outcome.stopReason !== 'max_turns') throw new Error(`troubled fixture: ${outcome.stopReason} ${outcome.error ?? ''}`);
    appendFileSync(outcome.trajectory, '{"type": "model_turn", "step": \n');
    return outcome.trajectory;
  } finally {
    await server.close();
  }
}
