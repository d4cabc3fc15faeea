// Search across trajectories (issue 18): over 10,000 trajectories, about 1 GB, the first
// answer in ≤ 2 s, streamed as found. The trajectories are made here in the bench's temporary
// folder (never committed): run folders of realistic size (about 100 KB: 8 turns, each a
// model turn, its reasoning, an action, and five evidence results with title, snippet and a
// page summary), text drawn from a fixed vocabulary so matches are as rare as words are. A
// term is planted in one reflection of 1 % of them, spread evenly. `gog find` runs from dist/
// in its own process, as a user runs it: the first answer is its first line on stdout, from
// the spawn (so the process start is in it); the full scan is its exit. The files are in the
// page cache (just written): a cold disk adds its read time to the full scan.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sampleHeader } from '../helpers/trajectories';
import { median, type Row } from './stats';

const ROOT = path.resolve(__dirname, '..', '..');
/** 10,000 trajectories (about 1 GB); --quick a tenth of them. */
const FULL = 10_000;
const TURNS = 8;
const PLANTED = 'Lagrange';
/** One trajectory in this many holds the planted term. */
const EVERY = 100;
const TARGET_FIRST_MS = 2000;

function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

/** A vocabulary of made-up words (syllables), and sentences of them: text that reads like text to a matcher. */
function textMaker(seed: number): (chars: number) => string {
  const rnd = random(seed);
  const syllables = ['ka', 'lo', 'mi', 'ser', 'tan', 'vo', 'rel', 'qui', 'dam', 'po', 'nes', 'tor', 'ul', 'bri', 'gan', 'sto', 'fe', 'rix'];
  const words: string[] = [];
  for (let i = 0; i < 3000; i++) {
    let w = '';
    for (let k = 1 + Math.floor(rnd() * 3); k > 0; k--) w += syllables[Math.floor(rnd() * syllables.length)];
    words.push(w);
  }
  words.push('the', 'of', 'a', 'in', 'rocket', 'galaxy', 'telescope', 'launch', 'orbit', 'image', 'photo', 'search', 'result');
  const sentences: string[] = [];
  for (let i = 0; i < 4000; i++) {
    const n = 6 + Math.floor(rnd() * 14);
    const s = Array.from({ length: n }, () => words[Math.floor(rnd() * words.length)]).join(' ');
    sentences.push(`${s.charAt(0).toUpperCase()}${s.slice(1)}.`);
  }
  return (chars) => {
    let out = '';
    while (out.length < chars) out += `${out ? ' ' : ''}${sentences[Math.floor(rnd() * sentences.length)]}`;
    return out;
  };
}

async function makeTrajectories(dir: string, count: number): Promise<{ bytes: number; planted: number }> {
  const text = textMaker(42);
  const t = '2026-11-24T09:00:00.000Z';
  let bytes = 0;
  let planted = 0;
  const write = async (i: number) => {
    const lines: object[] = [sampleHeader({ id: `bench-${i}`, sampleId: `q${i}`, dataset: 'bench', question: `${text(80)}?` })];
    let id = 0;
    const plant = i % EVERY === 37;
    if (plant) planted++;
    for (let step = 1; step <= TURNS; step++) {
      const last = step === TURNS;
      const think = text(400);
      const reflect = plant && step === 5 ? `${text(150)} It orbits the ${PLANTED} point L1. ${text(150)}` : text(300);
      const query = text(40);
      const raw = `<think>${think}</think>\n<reflect>${reflect}</reflect>\n${last ? `<answer>${text(20)}</answer>` : `<text_search>${query}</text_search>`}`;
      lines.push({ type: 'model_turn', step, t, id: `e${++id}`, raw, usage: { prompt: 1200 * step, completion: 180 }, finishReason: 'stop', ms: 900 });
      lines.push({ type: 'reflection', step, t, id: `e${++id}`, kind: 'think', text: think });
      lines.push({ type: 'reflection', step, t, id: `e${++id}`, kind: 'reflect', text: reflect });
      if (last) {
        const answer = text(20);
        lines.push({ type: 'action', step, t, id: `e${++id}`, action: { kind: 'answer', text: answer } });
        lines.push({ type: 'final', step, t, id: `e${++id}`, answer, stopReason: 'answered', turns: TURNS, ms: 9000 });
      } else {
        lines.push({ type: 'action', step, t, id: `e${++id}`, action: { kind: 'text_search', query } });
        const results = [1, 2, 3, 4, 5].map((rank) => ({
          rank,
          title: text(60),
          url: `https://example.org/page/${i}/${step}/${rank}`,
          snippet: text(300),
          summary: text(1500),
          provider: 'serper',
          source: 'example.org',
        }));
        lines.push({ type: 'observation', step, t, id: `e${++id}`, tool: 'text_search', results, ms: 800 });
      }
    }
    const body = lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
    bytes += Buffer.byteLength(body);
    const run = path.join(dir, `run-${String(i).padStart(5, '0')}`);
    await fs.mkdir(run);
    await fs.writeFile(path.join(run, 'trajectory.jsonl'), body);
  };
  for (let i = 0; i < count; i += 16) await Promise.all(Array.from({ length: Math.min(16, count - i) }, (_, k) => write(i + k)));
  return { bytes, planted };
}

interface Timed {
  firstMs: number;
  totalMs: number;
  matches: number;
  summary: string;
}

/** `gog find` from dist/ in its own process: when its first line came, when it ended, what it found. */
function findOnce(dir: string, args: string[]): Promise<Timed> {
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'find', dir, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let first = 0;
  let lines = 0;
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    first ||= performance.now() - started;
    for (const b of d) if (b === 0x0a) lines++;
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) =>
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`gog find ${args.join(' ')} exited ${code}: ${stderr.slice(0, 500)}`));
      else resolve({ firstMs: first, totalMs: performance.now() - started, matches: lines, summary: stderr.trim() });
    }),
  );
}

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(', ');

export async function findBenchmarks(tmp: string, row: Row, quick: boolean): Promise<void> {
  const dir = path.join(tmp, 'find-runs');
  await fs.mkdir(dir);
  const count = quick ? FULL / 10 : FULL;
  const t0 = performance.now();
  const made = await makeTrajectories(dir, count);
  const gb = made.bytes / 1024 ** 3;
  console.log(
    `\nsearch across trajectories: gog find over ${count.toLocaleString('en')} trajectories, ${(made.bytes / 1024 ** 2).toFixed(0)} MB (${(made.bytes / count / 1024).toFixed(0)} KB each, made in ${((performance.now() - t0) / 1000).toFixed(1)} s; in the page cache), ${os.availableParallelism?.() ?? os.cpus().length} cores, load average ${load()}`,
  );
  const reps = quick ? 1 : 3;
  const cases: { label: string; args: string[]; want?: number; target?: boolean }[] = [
    { label: `first answer: "${PLANTED}" (in 1 % of trajectories)`, args: [PLANTED], want: made.planted, target: true },
    { label: `  same, --ignore-case`, args: [PLANTED.toLowerCase(), '--ignore-case'], want: made.planted },
    { label: `  same, --regex "${PLANTED} point L\\d" (its literal filters lines)`, args: [`${PLANTED} point L\\d`, '--regex'], want: made.planted },
    {
      label: `  --regex "point L\\d\\b" --in reflection (every reflection parsed)`,
      args: ['point L\\d\\b', '--regex', '--in', 'reflection'],
      want: made.planted,
    },
  ];
  for (const c of cases) {
    const runs: Timed[] = [];
    for (let i = 0; i < reps; i++) runs.push(await findOnce(dir, c.args));
    if (c.want !== undefined && runs.some((r) => r.matches !== c.want))
      throw new Error(`${c.label}: found ${runs.map((r) => r.matches).join(', ')}, expected ${c.want}`);
    const first = median(runs.map((r) => r.firstMs));
    const total = median(runs.map((r) => r.totalMs));
    if (c.target) row(c.label, `${first.toFixed(0)} ms`, `≤ ${TARGET_FIRST_MS} ms`, first / TARGET_FIRST_MS);
    else row(c.label, `${first.toFixed(0)} ms`, '');
    row(`    full scan, ${runs[0]!.matches} matches (${(gb / (total / 1000)).toFixed(2)} GB/s)`, `${(total / 1000).toFixed(1)} s`, '');
    console.log(
      `    runs: ${runs.map((r) => `first ${r.firstMs.toFixed(0)} ms, all ${(r.totalMs / 1000).toFixed(1)} s`).join('; ')}; load average now ${load()}`,
    );
  }
  await fs.rm(dir, { recursive: true, force: true });
}
