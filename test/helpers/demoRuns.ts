// The bundled demo questions run for real (`gog demo`'s code path) against the replay
// server, once per test process: full trajectories with crops and thumbnails, for the
// annotation, export, import and re-run tests. The requests the model received are kept.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ChatMessage } from '../../src/core/chat';
import { startReplayServer } from '../../src/model/replayServer';
import { demoSettings, loadDemo } from '../../src/run/demo';
import { runQuery } from '../../src/run/runQuery';
import { DEMO } from './fixtures';

export interface DemoRun {
  name: string;
  trajectory: string;
  runDir: string;
  /** The chat requests the model received, in order. */
  requests: { messages: ChatMessage[]; tools?: unknown[] }[];
}

let runs: Promise<{ dir: string; runs: DemoRun[] }> | undefined;

async function runAll(): Promise<{ dir: string; runs: DemoRun[] }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gog-demo-runs-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const demo = await loadDemo(DEMO, () => undefined);
  const out: DemoRun[] = [];
  for (const sample of demo.samples) {
    const requests: DemoRun['requests'] = [];
    const server = await startReplayServer([sample.recording], { onRequest: (b) => requests.push(b as DemoRun['requests'][number]) });
    try {
      const outcome = await runQuery(demoSettings(demo, sample, server.url, path.join(dir, sample.name)));
      if (outcome.stopReason !== 'answered') throw new Error(`${sample.name}: ${outcome.stopReason} ${outcome.error ?? ''}`);
      out.push({ name: sample.name, trajectory: outcome.trajectory, runDir: outcome.runDir, requests });
    } finally {
      await server.close();
    }
  }
  return { dir, runs: out };
}

/** The demo runs, made once; tests that change a run copy it first (copyRun). */
export async function demoRuns(): Promise<DemoRun[]> {
  runs ??= runAll();
  return (await runs).runs;
}

/** A copy of a demo run's folder under `into`, to annotate or break without touching the shared one. */
export async function copyRun(name: string, into: string): Promise<DemoRun> {
  const run = (await demoRuns()).find((r) => r.name === name);
  if (!run) throw new Error(`no demo run ${name}`);
  const runDir = path.join(into, name);
  cpSync(run.runDir, runDir, { recursive: true });
  return { ...run, runDir, trajectory: path.join(runDir, 'trajectory.jsonl') };
}
