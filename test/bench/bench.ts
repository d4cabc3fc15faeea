// `npm run bench`: the speed targets of the issues, measured in one run and printed as
// medians and ratios to the target. The machine is shared and noisy: read the medians.
//
//   npm run bench              everything (the 1,000-step replay takes about 3.5 minutes, the
//                              local corpus at scale about 20: it generates 10,000 images and indexes them twice)
//                              (builds first, minified as the VSIX ships it: the replay server runs as `gog replay` from dist/)
//   npm run bench -- --quick   a 100-step replay instead (--steps N for N), corpora a tenth the size
//   --image-only, --webview-only, --search-only, --export-only, --runs-only, --annotate-only, --replay-only,
//   --benchmark-only, --corpus-only, --find-only, --agreement-only, --report-only: one part (several may be given)
//   --export-runs N            exports of the 2,000 trajectories per format (default 3; --quick 1)
//   (--benchmark-only runs 1,000 samples; with --quick, 200)
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { getDialect } from '../../src/core/dialects';
import { resolveBox } from '../../src/core/geometry';
import type { EncodedImage } from '../../src/core/ports';
import { RunFolder } from '../../src/data/runFolder';
import { QUERY_DEFAULTS, runQuery } from '../../src/run/runQuery';
import { SearchCache } from '../../src/search/cache';
import { loadImage } from '../../src/vision/image';
import { sampleHeader } from '../helpers/trajectories';
import { exportBenchmarks } from './exportBench';
import { findBenchmarks } from './findBench';
import { agreementBenchmarks } from './agreementBench';
import { reportBenchmarks } from './reportBench';
import { runsBenchmarks } from './runsBench';
import { benchmarkRunBenchmarks } from './benchmarkBench';
import { corpusBenchmarks } from './corpusBench';
import { annotateBenchmarks } from './annotateBench';
import { searchBenchmarks } from './searchBench';
import { webviewBenchmarks } from './webviewBench';
import { median } from './stats';

const quick = process.argv.includes('--quick');
const stepsArg = process.argv.indexOf('--steps');
const replaySteps = stepsArg > 0 ? Number(process.argv[stepsArg + 1]) : quick ? 100 : 1000;
const exportArg = process.argv.indexOf('--export-runs');
const exportRuns = exportArg > 0 ? Number(process.argv[exportArg + 1]) : quick ? 1 : 3;
const ROOT = path.resolve(__dirname, '..', '..');

function row(label: string, value: string, target: string, ratio?: number): void {
  const verdict = ratio === undefined ? '' : `${ratio.toFixed(2)} of target ${ratio <= 1 ? 'ok' : 'OVER'}`;
  console.log(`${label.padEnd(58)} ${value.padStart(12)}   ${target.padEnd(12)} ${verdict}`);
}

/** A 12-megapixel camera JPEG: the Hubble field scaled to 4000×3000, stored turned, EXIF orientation 6. */
async function cameraJpeg(): Promise<Buffer> {
  return sharp(path.join(ROOT, 'media', 'demo', 'images', 'hubble_deep_field.jpg'))
    .resize(4000, 3000, { fit: 'fill' })
    .rotate(-90) // stored as a portrait 3000×4000 …
    .withMetadata({ orientation: 6 }) // … that displays as the 4000×3000 landscape
    .jpeg({ quality: 92 })
    .toBuffer();
}

async function imageBenchmarks(tmp: string): Promise<void> {
  const jpeg = await cameraJpeg();
  const runs = 7;
  const load: number[] = [];
  const full: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const img = await loadImage(jpeg, { boxFormat: 'pixels-sent', maxPixels: QUERY_DEFAULTS.maxPixels, prefetch: false });
    load.push(performance.now() - t0);
    const t1 = performance.now();
    await img.pixels();
    full.push(performance.now() - t1);
  }
  const img = await loadImage(jpeg, { boxFormat: 'pixels-sent', maxPixels: QUERY_DEFAULTS.maxPixels });
  console.log(`\n12-megapixel JPEG (stored 3000×4000, EXIF orientation 6) → sent ${img.sent.width}×${img.sent.height}`);
  row('first load, orient and resize to the sent image', `${median(load).toFixed(0)} ms`, '≤ 300 ms', median(load) / 300);
  row('full-resolution decode for crops (in the background)', `${median(full).toFixed(0)} ms`, '(no target)');

  // One agent step's local work, once the image is loaded: parse the turn, check the box,
  // crop and encode, hash and look up the search cache, record the action and the crop.
  await img.pixels();
  const folder = await RunFolder.create(path.join(tmp, 'steps'), sampleHeader(), { image: Buffer.from('x'), sent: img.sent });
  const cache = new SearchCache(path.join(tmp, 'cache'));
  const dialect = getDialect('gog');
  const never = new AbortController().signal;
  const steps: number[] = [];
  const parts: Record<string, number[]> = { parse: [], crop: [], cache: [], record: [] };
  let seed = 42;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (let step = 1; step <= 60; step++) {
    const w = 0.1 + 0.4 * rnd();
    const h = 0.1 + 0.4 * rnd();
    const x = rnd() * (1 - w);
    const y = rnd() * (1 - h);
    const b = [x, y, x + w, y + h].map((v, i) => Math.round(v * (i % 2 ? img.sent.height : img.sent.width)));
    const raw = `<think>Looking at region ${step}.</think>\n<reflect>The last one did not help.</reflect>\n<search><bbox>[${b.join(', ')}]</bbox></search>`;
    const t0 = performance.now();
    const turn = dialect.parse({ text: raw });
    const a = turn.action;
    if (a.kind !== 'image_search' || a.scope !== 'region') throw new Error('bench turn did not parse');
    const r = resolveBox(a.numbers, 'pixels-sent', img.sent, img.oriented);
    if (!r.ok) throw new Error(r.message);
    const t1 = performance.now();
    const crop: EncodedImage = await img.crop(r.box.original, never);
    const t2 = performance.now();
    await cache.get(
      'bench',
      SearchCache.key({ provider: 'bench', tool: 'image', topK: 5, image: (await import('node:crypto')).createHash('sha256').update(crop.data).digest('hex') }),
    );
    const t3 = performance.now();
    await folder.write({ type: 'model_turn', step, raw, ms: 0, finishReason: 'stop' });
    for (const re of turn.reasoning) await folder.write({ type: 'reflection', step, kind: re.kind, text: re.text });
    const cropPath = await folder.saveImage(`s${step}-crop.jpg`, crop);
    await folder.write({
      type: 'action',
      step,
      action: { kind: 'image_search', scope: 'region', box: { model: r.box.model, sent: r.box.sent, original: r.box.original }, crop: cropPath },
    });
    const t4 = performance.now();
    if (step > 10) {
      // the first steps warm up the JIT and the file system
      steps.push(t4 - t0);
      parts.parse!.push(t1 - t0);
      parts.crop!.push(t2 - t1);
      parts.cache!.push(t3 - t2);
      parts.record!.push(t4 - t3);
    }
  }
  await folder.close();
  row('local overhead per agent step (gaze: parse → record)', `${median(steps).toFixed(1)} ms`, '≤ 15 ms', median(steps) / 15);
  console.log(
    `${''.padEnd(4)}of which: parse+box ${median(parts.parse!).toFixed(2)} ms, crop+encode ${median(parts.crop!).toFixed(1)} ms, cache lookup ${median(parts.cache!).toFixed(2)} ms, record ${median(parts.record!).toFixed(2)} ms (medians of 50 steps, crops 10–50% of each side)`,
  );
}

/** Starts `gog replay` in its own process, as a model server would be; resolves with its URL. */
function spawnReplay(trajectory: string, latencyMs: number): { url: Promise<string>; stop: () => Promise<string> } {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'replay', trajectory, '--latency', String(latencyMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /at (http:\/\/\S+\/v1)/.exec(out);
      if (m) resolve(m[1]!);
    });
    void closed.then(() => reject(new Error(`gog replay exited: ${out}`)));
  });
  return {
    url,
    stop: async () => {
      child.kill('SIGINT');
      await closed;
      return out;
    },
  };
}

async function replayBenchmark(tmp: string): Promise<void> {
  const steps = replaySteps;
  const latencyMs = 200;
  const question = 'Benchmark: what is in the picture?';
  const queries = ['Chandra X-ray Observatory', 'DSCOVR orbit', 'Hubble deep field galaxies', 'Falcon 9 first flight', 'STS-93 crew', 'espresso crema'];
  const header = sampleHeader({ question, model: { endpoint: 'recorded', name: 'bench', dialect: 'gog', boxFormat: 'pixels-sent' } });
  const lines = [JSON.stringify(header)];
  for (let i = 1; i <= steps; i++) {
    const raw =
      i === steps
        ? '<think>Enough.</think><answer>a rocket</answer>'
        : `<think>Step ${i}: one more search.</think><text_search>${queries[i % queries.length]}</text_search>`;
    lines.push(JSON.stringify({ type: 'model_turn', step: i, t: header.created, raw, ms: 0, finishReason: 'stop' }));
  }
  const recording = path.join(tmp, 'bench.trajectory.jsonl');
  await fs.writeFile(recording, lines.join('\n') + '\n');

  const server = spawnReplay(recording, latencyMs);
  const url = await server.url;
  const t0 = performance.now();
  let setup = 0;
  let between = 0;
  let lastTurn = 0;
  const outcome = await runQuery(
    {
      ...QUERY_DEFAULTS,
      image: path.join(ROOT, 'media', 'demo', 'images', 'rocket.jpg'),
      question,
      endpoint: url,
      model: 'bench',
      maxTurns: steps,
      corpusDir: path.join(ROOT, 'media', 'demo', 'corpus'),
      runDir: path.join(tmp, 'replay'),
    },
    {
      onStarted: () => (setup = performance.now() - t0),
      onEvent: (e) => {
        if (e.kind === 'status' && e.message === 'asking the model' && lastTurn) between += performance.now() - lastTurn;
        if (e.kind === 'record' && e.event.type === 'model_turn') lastTurn = performance.now();
      },
    },
  );
  const wall = performance.now() - t0;
  const report = await server.stop();
  if (outcome.stopReason !== 'answered' || outcome.turns !== steps)
    throw new Error(`replay run ended ${outcome.stopReason} after ${outcome.turns} turns: ${outcome.error}`);
  const m = /served (\d+) chat requests; answering took (\d+) ms/.exec(report);
  if (!m || Number(m[1]) !== steps) throw new Error(`unexpected replay report: ${report}`);
  const answering = Number(m[2]);
  const overhead = wall - answering;
  const share = (100 * overhead) / answering;
  console.log(`\n${steps}-step replay run (gog replay in its own process, ${latencyMs} ms simulated latency; text searches of the local corpus, streaming)`);
  row('wall time of the run, from start to answer', `${(wall / 1000).toFixed(1)} s`, '');
  row('time the replay server spent answering', `${(answering / 1000).toFixed(1)} s`, '');
  row('local overhead (everything else), share of answering time', `${share.toFixed(2)} %`, '≤ 2 %', share / 2);
  row('local overhead per step', `${(overhead / steps).toFixed(1)} ms`, '');
  console.log(
    `    of which: start-up ${setup.toFixed(0)} ms once, acting between turns ${(between / steps).toFixed(1)} ms/step, the rest in the requests ${((overhead - setup - between) / steps).toFixed(1)} ms/step`,
  );
}

async function main(): Promise<void> {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'gog-bench-'));
  console.log(`gog bench · node ${process.version} · ${os.cpus().length} cores · ${os.cpus()[0]?.model ?? ''}${quick ? ' · quick' : ''}`);
  try {
    const only = (name: string) => !process.argv.some((a) => a.endsWith('-only')) || process.argv.includes(`--${name}-only`);
    if (only('image')) await imageBenchmarks(tmp);
    if (only('webview')) await webviewBenchmarks(tmp, row);
    if (only('search')) await searchBenchmarks(tmp, row);
    if (only('export')) await exportBenchmarks(tmp, row, exportRuns);
    if (only('runs')) await runsBenchmarks(tmp, row);
    if (only('report')) await reportBenchmarks(tmp, row);
    if (only('find')) await findBenchmarks(tmp, row, quick);
    if (only('annotate')) await annotateBenchmarks(tmp, row);
    if (only('agreement')) await agreementBenchmarks(tmp, row, quick);
    if (only('replay')) await replayBenchmark(tmp);
    if (only('benchmark')) await benchmarkRunBenchmarks(tmp, row, quick ? 200 : 1000);
    if (only('corpus')) await corpusBenchmarks(tmp, row, quick);
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
