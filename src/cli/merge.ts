// `gog merge RUN_DIR... --out RUN_DIR`: the shard folders of one benchmark run made one run.
import * as path from 'node:path';
import { mergeRuns, MergeError } from '../run/merge';
import { relativeToCwd, UsageError, type Io } from './ask';
import { summaryLines } from './bench';
import { parseCommandArgs } from './args';
import { stoppedExitCode } from './stopSignal';

export async function runMergeCommand(argv: string[], io: Io, cwd: string, signal: AbortSignal = new AbortController().signal): Promise<number> {
  const parsed = parseCommandArgs(argv, { out: { type: 'string' }, json: { type: 'boolean' } });
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
