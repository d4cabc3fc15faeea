// `gog demo`: the bundled demo, with no keys and no network. A replay endpoint on
// 127.0.0.1 serves recorded model turns; the real agent loop runs against it, with real
// image crops and real searches of the bundled local corpus, and writes real trajectories.
import * as path from 'node:path';
import { oneLine } from '../core/agent';
import { checkEmptyFolder, FolderTaken } from '../data/emptyFolder';
import { demoSettings, loadDemo, serveDemo } from '../run/demo';
import { newRunId } from '../data/runFolder';
import { runQuery } from '../run/runQuery';
import { createStepPrinter } from '../run/stepPrinter';
import { relativeToCwd, type Io } from './io';
import { demoDir, packageRoot } from './packageRoot';
import { shellWord } from './usage';
import { parseCommandArgs } from './args';
import { DEMO } from './commands';

export async function runDemo(argv: string[], io: Io, signal: AbortSignal, cwd: string): Promise<number> {
  const { values } = parseCommandArgs(argv, DEMO);
  const outDir = values.out ? path.resolve(cwd, values.out) : path.join(cwd, '.gog', 'runs', `demo-${newRunId()}`);
  // The runs go in folders under --out: a new or empty folder, checked before anything runs.
  if (values.out) {
    try {
      await checkEmptyFolder(outDir, 'demo');
    } catch (e) {
      if (!(e instanceof FolderTaken)) throw e;
      io.stderr(`gog: ${e.message}`);
      return 2;
    }
  }
  const demo = await loadDemo(demoDir(), (l) => io.stderr(`gog: warning: ${l}`));
  const server = await serveDemo(demo);
  io.stdout(`Glance-or-Gaze demo: replaying ${demo.samples.length} recorded model runs from ${relativeToCwd(path.join(demo.dir, 'recorded'))}`);
  io.stdout(`(the model turns are recorded; the agent loop, crops, corpus searches and trajectories are live)`);
  io.stdout(`replay endpoint ${server.url} · corpus ${relativeToCwd(path.join(demo.dir, 'corpus'))}\n`);
  const printer = createStepPrinter({ write: io.stdout, width: io.width });
  let failures = 0;
  try {
    for (const sample of demo.samples) {
      if (signal.aborted) break;
      const { header, name } = sample;
      io.stdout(`▶ ${name} · ${path.basename(header.image.path)} · ${header.model.dialect} dialect, ${header.model.boxFormat} boxes`);
      io.stdout(`  Q: ${header.question}`);
      try {
        const outcome = await runQuery(demoSettings(demo, sample, server.url, path.join(outDir, name)), {
          signal,
          onEvent: printer,
          onNotice: (m) => io.stderr(`gog: warning: ${m}`),
        });
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
  // In a clone (run from inside it) the command is `npx gog`; installed (npm install -g), `gog`.
  const fromRoot = path.relative(packageRoot(), cwd);
  const inClone = fromRoot === '' || (!fromRoot.startsWith('..') && !path.isAbsolute(fromRoot));
  const rocket = shellWord(relativeToCwd(path.join(demo.dir, 'images', 'rocket.jpg')));
  io.stdout(`next: point it at a real endpoint, e.g. ${inClone ? 'npx gog' : 'gog'} ask --image ${rocket} --question "…" --endpoint http://127.0.0.1:8000/v1`);
  return failures ? 1 : 0;
}
