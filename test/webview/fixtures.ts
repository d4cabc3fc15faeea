// Run folders for the browser tests, made by the real agent loop (replayed model turns,
// real crops, the bundled corpus): the rocket photo as a landscape file, as a portrait
// file, and as a camera JPEG stored landscape with EXIF orientation 6 (shown portrait).
import { mkdirSync, writeFileSync } from 'node:fs';
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
  writeFileSync(files.portrait, await sharp(portrait.data, { raw: { width: portrait.width, height: portrait.height, channels: 3 } }).png().toBuffer());
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
