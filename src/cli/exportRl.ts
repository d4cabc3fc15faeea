// `gog export-rl RUN_DIR --out FILE.parquet [--threshold X] [--data-source NAME]`: a run's hard queries for RL.
import * as path from 'node:path';
import { exportHardQueries, ExportError } from '../run/exportRl';
import { relativeToCwd, UsageError, type Io } from './io';
import { parseCommandArgs } from './args';
import { EXPORT_RL } from './commands';
import { stoppedExitCode } from './stopSignal';
import { checkNewFile, FolderTaken } from '../data/emptyFolder';

export async function runExportRl(argv: string[], io: Io, cwd: string, signal: AbortSignal = new AbortController().signal): Promise<number> {
  const parsed = parseCommandArgs(argv, EXPORT_RL);
  const { positionals, values } = parsed;
  if (positionals.length !== 1) throw new UsageError('gog export-rl takes one run folder: gog export-rl RUN_DIR --out FILE.parquet');
  if (!values.out) throw new UsageError('gog export-rl needs --out FILE.parquet');
  let threshold: number | undefined;
  if (values.threshold !== undefined) {
    threshold = Number(values.threshold);
    if (values.threshold.trim() === '' || !(threshold >= 0 && threshold <= 1))
      throw new UsageError(`--threshold is a pass rate from 0 to 1; got "${values.threshold}"`);
  }
  const source = values['data-source'];
  const out = path.resolve(cwd, values.out);
  try {
    // A new file, checked before anything is read: never written over, never through a link.
    await checkNewFile(out, 'Parquet file');
    const outcome = await exportHardQueries(
      path.resolve(cwd, positionals[0]!),
      out,
      {
        ...(threshold !== undefined ? { threshold } : {}),
        ...(source ? { dataSource: () => source } : {}),
      },
      signal,
    );
    for (const s of outcome.skipped) io.stderr(`gog: ${s} (left out)`);
    io.stdout(`${outcome.written} of ${outcome.queries} queries are hard (Level 2) → ${relativeToCwd(outcome.file)}`);
    return 0;
  } catch (e) {
    if (signal.aborted) {
      io.stderr(`gog: export-rl cancelled; nothing was written to ${relativeToCwd(out)}`);
      return stoppedExitCode(signal);
    }
    if (e instanceof ExportError || e instanceof FolderTaken) {
      io.stderr(`gog: ${e.message}`);
      return 2;
    }
    throw e;
  }
}
