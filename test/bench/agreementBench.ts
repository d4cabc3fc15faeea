// Agreement at team scale (issue 19): `gog agreement` over 10,000 trajectories, each labelled
// by three annotators, in ≤ 5 s. The trajectories are made here in the bench's temporary
// folder (never committed): four turns each (a gaze, two text searches with five results,
// an answer), about 12 KB, then each annotator's label (a verdict, an error category on the
// rejected ones) and, on a third of them, a corrected gaze box, appended as `gog label` and
// the editor append them. `gog agreement --json` runs from dist/ in its own process, as a
// user runs it (process start included); the files are in the page cache (just written).
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sampleHeader } from '../helpers/trajectories';
import { median, type Row } from './stats';

const ROOT = path.resolve(__dirname, '..', '..');
const FULL = 10_000;
const ANNOTATORS = ['ann', 'bob', 'cyd'];
const TARGET_MS = 5000;
const VERDICTS = ['accepted', 'rejected', 'needs-fix'] as const;

function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

export async function makeTrajectories(dir: string, count: number): Promise<number> {
  const rnd = random(19);
  const t = '2026-12-05T09:00:00.000Z';
  let bytes = 0;
  const words = (n: number) =>
    Array.from({ length: n }, () => ['rocket', 'orbit', 'galaxy', 'launch', 'the', 'of', 'telescope'][Math.floor(rnd() * 7)]).join(' ');
  const write = async (i: number) => {
    const header = sampleHeader({ id: `agree-${i}`, sampleId: `q${i}`, dataset: ['fvqa', 'infoseek', 'simplevqa'][i % 3]!, question: `${words(12)}?` });
    const lines: object[] = [header];
    const box = [40 + (i % 50), 60, 240 + (i % 70), 300];
    lines.push({ type: 'model_turn', step: 1, t, id: 'e1', raw: `<think>${words(60)}</think><search><bbox>[${box.join(', ')}]</bbox></search>`, ms: 800 });
    lines.push({ type: 'action', step: 1, t, id: 'e2', action: { kind: 'image_search', scope: 'region', box: { model: box, sent: box, original: box } } });
    lines.push({ type: 'observation', step: 1, t, id: 'e3', tool: 'image_search', results: [], ms: 300 });
    let id = 3;
    for (const step of [2, 3]) {
      lines.push({ type: 'model_turn', step, t, id: `e${++id}`, raw: `<think>${words(80)}</think><text_search>${words(5)}</text_search>`, ms: 900 });
      lines.push({ type: 'action', step, t, id: `e${++id}`, action: { kind: 'text_search', query: words(5) } });
      const results = [1, 2, 3, 4, 5].map((rank) => ({
        rank,
        title: words(8),
        url: `https://example.org/${i}/${step}/${rank}`,
        snippet: words(50),
        provider: 'serper',
      }));
      lines.push({ type: 'observation', step, t, id: `e${++id}`, tool: 'text_search', results, ms: 700 });
    }
    lines.push({ type: 'model_turn', step: 4, t, id: `e${++id}`, raw: '<answer>a rocket</answer>', ms: 500 });
    lines.push({ type: 'action', step: 4, t, id: `e${++id}`, action: { kind: 'answer', text: 'a rocket' } });
    lines.push({ type: 'final', step: 4, t, id: `e${id + 1}`, answer: 'a rocket', stopReason: 'answered', turns: 4, ms: 4000 });
    // Each annotator's label, mostly agreeing; a third of the gazes corrected by each.
    const common = VERDICTS[Math.floor(rnd() * 3)]!;
    for (const [k, author] of ANNOTATORS.entries()) {
      const verdict = rnd() < 0.8 ? common : VERDICTS[Math.floor(rnd() * 3)]!;
      const tags = verdict === 'accepted' ? undefined : [rnd() < 0.5 ? 'wrong-region' : 'unsupported-claim'];
      lines.push({ type: 'annotation', step: 0, t, id: `a${k}.1`, author, edit: { op: 'label', label: verdict, ...(tags ? { tags } : {}) } });
      if ((i + k) % 3 === 0)
        lines.push({
          type: 'annotation',
          step: 0,
          t,
          id: `a${k}.2`,
          author,
          edit: { op: 'set_box', target: 'e2', box: [box[0]! + 10 * k, box[1]!, box[2]! + 5, box[3]! - 10] },
        });
    }
    const body = lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
    bytes += Buffer.byteLength(body);
    const run = path.join(dir, `run-${String(i).padStart(5, '0')}`);
    await fs.mkdir(run);
    await fs.writeFile(path.join(run, 'trajectory.jsonl'), body);
  };
  for (let i = 0; i < count; i += 32) await Promise.all(Array.from({ length: Math.min(32, count - i) }, (_, k) => write(i + k)));
  return bytes;
}

function agreementOnce(dir: string): Promise<{ ms: number; report: { samples: number; labellers: string[]; multiLabelled: number } }> {
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'agreement', dir, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) =>
    child.on('close', (code) => {
      const ms = performance.now() - started;
      if (code !== 0) reject(new Error(`gog agreement exited ${code}: ${stderr.slice(0, 500)}`));
      else resolve({ ms, report: JSON.parse(stdout) as { samples: number; labellers: string[]; multiLabelled: number } });
    }),
  );
}

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(', ');

export async function agreementBenchmarks(tmp: string, row: Row, quick: boolean): Promise<void> {
  const dir = path.join(tmp, 'agreement-runs');
  await fs.mkdir(dir);
  const count = quick ? FULL / 10 : FULL;
  const t0 = performance.now();
  const bytes = await makeTrajectories(dir, count);
  console.log(
    `\nagreement: gog agreement --json over ${count.toLocaleString('en')} trajectories × ${ANNOTATORS.length} annotators, ${(bytes / 1024 ** 2).toFixed(0)} MB (${(bytes / count / 1024).toFixed(1)} KB each, made in ${((performance.now() - t0) / 1000).toFixed(1)} s; in the page cache), load average ${load()}`,
  );
  const runs = [];
  for (let i = 0; i < (quick ? 1 : 3); i++) runs.push(await agreementOnce(dir));
  for (const r of runs)
    if (r.report.samples !== count || r.report.multiLabelled !== count || r.report.labellers.join() !== ANNOTATORS.join())
      throw new Error(
        `gog agreement read ${r.report.samples} samples, ${r.report.multiLabelled} labelled by two or more, annotators ${r.report.labellers.join(', ')}`,
      );
  const ms = median(runs.map((r) => r.ms));
  row(
    `gog agreement, ${count.toLocaleString('en')} trajectories × ${ANNOTATORS.length} annotators (process start to exit)`,
    `${(ms / 1000).toFixed(2)} s`,
    `≤ ${TARGET_MS / 1000} s`,
    ms / TARGET_MS,
  );
  console.log(`    runs: ${runs.map((r) => `${(r.ms / 1000).toFixed(2)} s`).join('; ')}; load average now ${load()}`);
  await fs.rm(dir, { recursive: true, force: true });
}
