// `gog merge RUN_DIR... --out RUN_DIR [--allow-partial]`: the shard folders of one benchmark
// run made one run. A merge that lacks samples is written (finished: false) and says
// INCOMPLETE with what is missing; it exits 1, or 0 with --allow-partial.
import * as path from 'node:path';
import { mergeRuns, MergeError } from '../run/merge';
import { relativeToCwd, UsageError, type Io } from './io';
import { summaryLines } from './summaryLines';
import { parseCommandArgs } from './args';
import { MERGE } from './commands';
import { stoppedExitCode } from './stopSignal';

export async function runMergeCommand(argv: string[], io: Io, cwd: string, signal: AbortSignal = new AbortController().signal): Promise<number> {
  const parsed = parseCommandArgs(argv, MERGE);
  const { positionals, values } = parsed;
  if (!positionals.length) throw new UsageError('gog merge needs the shard folders of a run: gog merge RUN_DIR... --out RUN_DIR');
  if (!values.out) throw new UsageError('gog merge needs --out RUN_DIR, a new or empty folder for the merged run');
  try {
    const outcome = await mergeRuns(
      positionals.map((d) => path.resolve(cwd, d)),
      path.resolve(cwd, values.out),
      signal,
    );
    for (const n of outcome.notes) io.stderr(`gog: ${n}`);
    const s = outcome.summary;
    if (values.json)
      io.stdout(
        JSON.stringify({
          samples: s.samples,
          done: s.done,
          finished: !outcome.incomplete,
          errors: s.errors ?? 0,
          accuracy: s.all.accuracy,
          f1: s.all.f1,
          ...(s.all.judge !== undefined ? { judge: s.all.judge } : {}),
          run: outcome.runDir,
        }),
      );
    else {
      for (const line of summaryLines(s)) io.stdout(line);
      io.stdout(`run: ${relativeToCwd(outcome.runDir)}`);
    }
    if (outcome.incomplete) {
      io.stderr(
        `gog: ${outcome.incomplete}; ${values['allow-partial'] ? 'merged as it is (--allow-partial)' : 'finish the shards (gog bench … --resume on each), then merge again into a new folder, or pass --allow-partial to accept it'}`,
      );
      return values['allow-partial'] ? 0 : 1;
    }
    return 0;
  } catch (e) {
    if (signal.aborted) {
      io.stderr(`gog: merge cancelled; nothing was written to ${relativeToCwd(path.resolve(cwd, values.out))}`);
      return stoppedExitCode(signal);
    }
    if (e instanceof MergeError) {
      io.stderr(`gog: ${e.message}`);
      return 2;
    }
    throw e;
  }
}
