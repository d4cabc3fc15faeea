// The bundled demo, shared by `gog demo` and the extension's Try the Demo: recorded model
// turns (media/demo/recorded) served by the replay endpoint on 127.0.0.1, and for each
// recorded question the settings that run it for real against that endpoint: the agent
// loop, the crops and the searches of the bundled corpus are live, only the model's words
// are replayed. No keys, no network, no user settings.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { startReplayServer, type ReplayServer } from '../model/replayServer';
import { loadRecordedRuns, type RecordedRun } from './recordedRuns';
import { QUERY_DEFAULTS, type QuerySettings } from './runQuery';

export interface DemoSample extends RecordedRun {
  /** The file's name without `.trajectory.jsonl`, e.g. `1-astronaut-patch`. */
  name: string;
  /** The photograph asked about, as an absolute path. */
  image: string;
}

export interface Demo {
  /** media/demo: recorded/, images/, corpus/. */
  dir: string;
  samples: DemoSample[];
}

const SUFFIX = '.trajectory.jsonl';

/** The recorded runs in `demoDir`/recorded, in file-name order. */
export async function loadDemo(demoDir: string, warn: (line: string) => void): Promise<Demo> {
  const recorded = path.join(demoDir, 'recorded');
  const files = (await fs.readdir(recorded))
    .filter((f) => f.endsWith(SUFFIX))
    .sort()
    .map((f) => path.join(recorded, f));
  const runs = await loadRecordedRuns(files, warn);
  const samples = runs.map((r) => ({
    ...r,
    name: path.basename(r.file, SUFFIX),
    image: path.resolve(path.dirname(r.file), r.header.image.path),
  }));
  if (!samples.length) throw new Error(`no recorded runs (*${SUFFIX}) in ${recorded}`);
  return { dir: demoDir, samples };
}

/** The replay endpoint for every recorded run of the demo. Close it when done. */
/**
 * Serves the recorded model turns. `turnMs`: each turn waits this long before it is sent, so
 * a person watching the panel sees the run go turn by turn (Try the Demo); the CLI's demo
 * and scripted runs take none.
 */
export function serveDemo(demo: Demo, options: { turnMs?: number } = {}): Promise<ReplayServer> {
  return startReplayServer(
    demo.samples.map((s) => s.recording),
    options.turnMs ? { latencyMs: options.turnMs } : {},
  );
}

/** A recorded question, run again against `endpoint` with the model and agent settings it was recorded with. */
export function demoSettings(demo: Demo, sample: DemoSample, endpoint: string, runDir: string): QuerySettings {
  const { header } = sample;
  const settings: QuerySettings = {
    ...QUERY_DEFAULTS,
    image: sample.image,
    question: header.question,
    endpoint,
    model: header.model.name,
    dialect: header.model.dialect,
    boxFormat: header.model.boxFormat,
    maxTurns: header.agent.maxTurns,
    topK: header.agent.topK,
    corpusDir: path.join(demo.dir, 'corpus'),
    // Recorded answers over a fixed corpus: nothing to gain from a cache, and nothing left behind.
    cacheSearches: false,
    runDir,
    note: `demo: replay of ${path.relative(demo.dir, sample.file)}`,
  };
  if (header.gold) settings.gold = header.gold;
  return settings;
}
