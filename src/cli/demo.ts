// `gog demo`: the bundled demo, with no keys and no network. A replay endpoint on
// 127.0.0.1 serves recorded model turns; the real agent loop runs against it, with real
// image crops and real searches of the bundled local corpus, and writes real trajectories.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { oneLine } from '../core/agent';
import { readTrajectory } from '../core/trajectoryFile';
import { startReplayServer } from '../model/replayServer';
import { newRunId } from '../run/runFolder';
import { QUERY_DEFAULTS, runQuery, type QuerySettings } from '../run/runQuery';
import { relativeToCwd, UsageError, type Io } from './ask';
import { demoDir } from './packageRoot';
import { loadRecordings } from './replay';
import { createStepPrinter, terminalSafe } from '../run/stepPrinter';

export async function runDemo(argv: string[], io: Io, signal: AbortSignal, cwd: string): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, strict: true, allowPositionals: false, options: { out: { type: 'string' } } }));
  } catch (e) {
    throw new UsageError(oneLine(e));
  }
  const dir = demoDir();
  const recordedDir = path.join(dir, 'recorded');
  const files = (await fs.readdir(recordedDir))
    .filter((f) => f.endsWith('.trajectory.jsonl'))
    .sort()
    .map((f) => path.join(recordedDir, f));
  const recordings = await loadRecordings(files, (l) => io.stderr(`gog: warning: ${l}`));
  const server = await startReplayServer(recordings);
  const outDir = values.out ? path.resolve(cwd, values.out) : path.join(cwd, '.gog', 'runs', `demo-${newRunId()}`);
  io.stdout(`Glance-or-Gaze demo: replaying ${files.length} recorded model runs from ${relativeToCwd(recordedDir)}`);
  io.stdout(`(the model turns are recorded; the agent loop, crops, corpus searches and trajectories are live)`);
  io.stdout(`replay endpoint ${server.url} · corpus ${relativeToCwd(path.join(dir, 'corpus'))}\n`);
  const printer = createStepPrinter({ write: io.stdout, color: io.color, width: io.width });
  let failures = 0;
  try {
    for (const file of files) {
      if (signal.aborted) break;
      const { header } = await readTrajectory(file);
      if (!header) continue;
      const name = path.basename(file, '.trajectory.jsonl');
      io.stdout(`▶ ${name} · ${path.basename(header.image.path)} · ${header.model.dialect} dialect, ${header.model.boxFormat} boxes`);
      io.stdout(`  Q: ${terminalSafe(header.question)}`);
      const settings: QuerySettings = {
        ...QUERY_DEFAULTS,
        image: path.resolve(path.dirname(file), header.image.path),
        question: header.question,
        endpoint: server.url,
        model: header.model.name,
        dialect: header.model.dialect,
        boxFormat: header.model.boxFormat,
        maxTurns: header.agent.maxTurns,
        topK: header.agent.topK,
        corpusDir: path.join(dir, 'corpus'),
        runDir: path.join(outDir, name),
        note: `demo: replay of ${path.relative(dir, file)}`,
      };
      if (header.gold) settings.gold = header.gold;
      try {
        const outcome = await runQuery(settings, { signal, onEvent: printer, onNotice: (m) => io.stderr(`gog: warning: ${m}`) });
        if (outcome.stopReason !== 'answered') failures++;
        io.stdout(`  trajectory: ${relativeToCwd(outcome.trajectory)}\n`);
      } catch (e) {
        failures++;
        io.stderr(`gog: ${name}: ${oneLine(e)}\n`);
      }
    }
  } finally {
    await server.close();
  }
  io.stdout(`runs written under ${relativeToCwd(outDir)}`);
  io.stdout(`next: point it at a real endpoint, e.g. npx gog ask --image media/demo/images/rocket.jpg --question "…" --endpoint http://127.0.0.1:8000/v1`);
  return failures ? 1 : 0;
}
