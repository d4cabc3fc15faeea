// `Try the Demo`: what `gog demo` does in a terminal, in the window. The bundled recorded
// model turns are served on 127.0.0.1 by the replay endpoint and one recorded question is
// run for real against it (src/run/demo.ts): no model server, no key, and none of the
// workspace's gog.* settings, so it also runs in an untrusted workspace. The run streams
// into the trajectory panel and is written where Ask About Image writes its runs.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { oneLine } from '../core/agent';
import { demoSettings, loadDemo, serveDemo, type Demo, type DemoSample } from '../run/demo';
import type { QueryOutcome } from '../run/runQuery';
import { newRunDir, runInWindow, type RunDeps } from './runInWindow';
import { showError } from './safeOutput';

/** About a second a model turn, as the walkthrough promises: the run can be watched turn by turn. */
export const DEMO_TURN_MS = 1000;

export interface DemoOptions {
  /** Run this recorded question (its file name without `.trajectory.jsonl`) without asking; absent: the first. */
  sample?: string;
}

/** The options of a command argument; anything else is no options (the user picks). */
export function demoOptions(arg: unknown): DemoOptions | undefined {
  if (!arg || typeof arg !== 'object' || Array.isArray(arg)) return undefined;
  const sample = (arg as { sample?: unknown }).sample;
  return typeof sample === 'string' ? { sample } : {};
}

async function pickSample(demo: Demo): Promise<DemoSample | undefined> {
  const items = demo.samples.map((sample) => {
    const turns = sample.recording.turns.length;
    return {
      label: sample.header.question,
      detail: `${path.basename(sample.image)} · ${sample.header.model.dialect} dialect · ${turns} recorded model turn${turns === 1 ? '' : 's'}`,
      sample,
    };
  });
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Glance-or-Gaze: Try the Demo',
    placeHolder: 'Pick a question: the model’s turns are recorded, the rest runs for real',
    matchOnDetail: true,
  });
  return picked?.sample;
}

/** The sample named, or the first; an unknown name is shown as an error. */
function namedSample(demo: Demo, name: string | undefined): DemoSample | undefined {
  const sample = name === undefined ? demo.samples[0] : demo.samples.find((s) => s.name === name);
  if (!sample) {
    void showError(`Glance-or-Gaze: the demo has no recorded question "${name}"; it has ${demo.samples.map((s) => s.name).join(', ')}.`);
  }
  return sample;
}

export async function tryDemo(deps: RunDeps, options?: DemoOptions): Promise<QueryOutcome | undefined> {
  const { context, log } = deps;
  const failed = (e: unknown) => {
    log.error(`the demo could not start: ${oneLine(e)}`);
    void showError(`Glance-or-Gaze: the demo could not start: ${oneLine(e)}`);
    return undefined;
  };
  let demo: Demo;
  try {
    demo = await loadDemo(vscode.Uri.joinPath(context.extensionUri, 'media', 'demo').fsPath, (line) => log.warn(line));
  } catch (e) {
    return failed(e);
  }
  const sample = options ? namedSample(demo, options.sample) : await pickSample(demo);
  if (!sample) return undefined;

  const { runDir } = newRunDir(deps);
  let server;
  try {
    // Picked from the palette, paced for watching; run by a script (a sample named), at once.
    server = await serveDemo(demo, options ? {} : { turnMs: DEMO_TURN_MS });
  } catch (e) {
    return failed(e);
  }
  try {
    log.info(`demo: ${sample.name} · "${sample.header.question}" · recorded model turns served at ${server.url}`);
    return await runInWindow(deps, demoSettings(demo, sample, server.url, runDir), path.basename(sample.image));
  } finally {
    await server.close();
  }
}
