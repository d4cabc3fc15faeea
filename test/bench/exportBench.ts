// Export speed target (issue 10): 2,000 trajectories exported in ≤ 30 s with peak memory
// under 500 MB. The trajectories are made here, not committed: the five demo questions run
// for real against the replay server, then each run is repeated 400 times as its own run
// folder (its own id; images hard-linked, so the disk holds them once), every one accepted
// and every other one corrected (a reflection rewritten, so its turn is written anew). The
// export is `gog export` from dist/ in its own process, as a user runs it; its peak memory
// is that process's maximum resident set size.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readTrajectory } from '../../src/core/trajectoryFile';
import { demoRuns } from '../helpers/demoRuns';
import { median, type Row } from './stats';

const ROOT = path.resolve(__dirname, '..', '..');
const TRAJECTORIES = 2000;
const TARGET_S = 30;
const TARGET_MB = 500;

/** Every file under `dir`, relative to it. */
async function filesUnder(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(path.join(dir, rel), { withFileTypes: true })) {
    const r = path.join(rel, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(dir, r)));
    else out.push(r);
  }
  return out;
}

/** `count` run folders under `into`, made from the demo runs in turn. */
async function makeRuns(into: string, count: number): Promise<void> {
  const runs = await demoRuns();
  const sources = await Promise.all(
    runs.map(async (run) => {
      const { header, events } = await readTrajectory(run.trajectory);
      const lines = (await fs.readFile(run.trajectory, 'utf8')).trimEnd().split('\n');
      const reflection = events.find((e) => e.type === 'reflection');
      const files = (await filesUnder(run.runDir)).filter((f) => f !== 'trajectory.jsonl' && f !== 'run.json');
      return { run, header: header!, body: lines.slice(1), reflection, files };
    }),
  );
  const t = new Date().toISOString();
  for (let i = 0; i < count; i++) {
    const src = sources[i % sources.length]!;
    const dir = path.join(into, `run-${String(i).padStart(5, '0')}`);
    await fs.mkdir(path.join(dir, 'images'), { recursive: true });
    for (const f of src.files) await fs.link(path.join(src.run.runDir, f), path.join(dir, f));
    const annotations = [
      ...(i % 2 && src.reflection
        ? [
            {
              type: 'annotation',
              step: 0,
              t,
              id: 'a1',
              edit: { op: 'set_text', target: src.reflection.id, text: `Corrected reasoning ${i}: ${src.reflection.text}` },
            },
          ]
        : []),
      { type: 'annotation', step: 0, t, id: 'a2', edit: { op: 'label', label: 'accepted' } },
    ];
    const header = { ...src.header, id: `${src.header.id}-${i}` };
    const text = [JSON.stringify(header), ...src.body, ...annotations.map((a) => JSON.stringify(a))].join('\n') + '\n';
    await fs.writeFile(path.join(dir, 'trajectory.jsonl'), text);
  }
}

interface Measured {
  ms: number;
  peakMb: number;
  exported: number;
  images: number;
}

/** `gog export` in its own process; its peak resident memory is read at exit by a preloaded hook. */
async function exportOnce(preload: string, src: string, out: string, format: string): Promise<Measured> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--require', preload, path.join(ROOT, 'dist', 'cli.js'), 'export', src, '--format', format, '--out', out, '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  const ms = performance.now() - started;
  const peak = /gog-bench-max-rss-kb (\d+)/.exec(stderr);
  if (code !== 0 || !peak) throw new Error(`gog export exited ${code}: ${stderr.slice(0, 500)}`);
  const result = JSON.parse(stdout.trim()) as { exported: number; images: number; found: number };
  if (result.found !== TRAJECTORIES || result.exported !== TRAJECTORIES) throw new Error(`exported ${result.exported} of ${result.found}`);
  return { ms, peakMb: Number(peak[1]) / 1024, exported: result.exported, images: result.images };
}

export async function exportBenchmarks(tmp: string, row: Row, reps: number): Promise<void> {
  console.log(`\nexport (${TRAJECTORIES} accepted trajectories, half of them corrected; gog export in its own process; ${reps} run(s) per format)`);
  const src = path.join(tmp, 'export-runs');
  const t0 = performance.now();
  await makeRuns(src, TRAJECTORIES);
  console.log(`    (made ${TRAJECTORIES} run folders in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  const preload = path.join(tmp, 'max-rss.cjs');
  // VmHWM, the child's own peak: getrusage's maxRSS keeps the bench's RSS at the fork across exec.
  await fs.writeFile(
    preload,
    "process.on('exit', () => { let kb; try { kb = /VmHWM:\\s*(\\d+)/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1]; } catch { kb = process.resourceUsage().maxRSS; } process.stderr.write(`gog-bench-max-rss-kb ${kb}\\n`); });\n",
  );
  for (const format of ['llama-factory', 'openai']) {
    const runs: Measured[] = [];
    for (let i = 0; i < reps; i++) {
      const out = path.join(tmp, `export-${format}-${i}`);
      runs.push(await exportOnce(preload, src, out, format));
      await fs.rm(out, { recursive: true, force: true });
    }
    const s = median(runs.map((r) => r.ms)) / 1000;
    const mb = Math.max(...runs.map((r) => r.peakMb));
    row(`export ${TRAJECTORIES} trajectories as ${format}`, `${s.toFixed(1)} s`, `≤ ${TARGET_S} s`, s / TARGET_S);
    row(`  peak memory of the export process (largest of the runs)`, `${mb.toFixed(0)} MB`, `< ${TARGET_MB} MB`, mb / TARGET_MB);
    console.log(
      `    per trajectory ${(median(runs.map((r) => r.ms)) / TRAJECTORIES).toFixed(1)} ms; ${runs[0]!.images} image files written; runs: ${runs.map((r) => `${(r.ms / 1000).toFixed(1)} s / ${r.peakMb.toFixed(0)} MB`).join(', ')}`,
    );
  }
}
