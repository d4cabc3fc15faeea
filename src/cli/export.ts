// `gog export PATH... --format llama-factory|openai --out DIR [--include rejected] [--dialect ID] [--min-annotators N] [--json]`
import * as path from 'node:path';
import { oneLine } from '../core/agent';
import { DIALECT_IDS, type DialectId } from '../core/trajectory';
import { EXPORT_FORMATS, ExportError, exportTrainingData, type ExportFormat, type ExportResult } from '../data/export/exportTrainingData';
import { relativeToCwd, UsageError, type Io } from './io';
import { parseCommandArgs } from './args';
import { EXPORT } from './commands';
import { stoppedExitCode } from './stopSignal';

function describe(r: ExportResult): string[] {
  const skipped = Object.entries(r.skipped)
    .filter(([, n]) => n)
    .map(([why, n]) => `${n} ${why}`);
  const files = [r.data, ...(r.datasetInfo ? [r.datasetInfo] : []), r.manifest].map(relativeToCwd).join(', ');
  return [
    `exported ${r.exported} of ${r.found} trajectories as ${r.format} data, ${r.images} image files beside it`,
    ...(skipped.length ? [`skipped: ${skipped.join(', ')}`] : []),
    `wrote ${files}`,
  ];
}

export async function runExport(argv: string[], io: Io, cwd: string, signal: AbortSignal): Promise<number> {
  const parsed = parseCommandArgs(argv, EXPORT);
  const { values, positionals } = parsed;
  if (!positionals.length) throw new UsageError('give the trajectory files or folders to export');
  if (!values.format || !(EXPORT_FORMATS as readonly string[]).includes(values.format))
    throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')}${values.format ? `; got "${values.format}"` : ''}`);
  if (!values.out) throw new UsageError('--out DIR is required: a new or empty folder for the export');
  for (const what of values.include ?? []) if (what !== 'rejected') throw new UsageError(`--include takes "rejected"; got "${what}"`);
  if (values.dialect !== undefined && !(DIALECT_IDS as readonly string[]).includes(values.dialect))
    throw new UsageError(`unknown dialect "${values.dialect}"; use one of ${DIALECT_IDS.join(', ')}`);
  const minGiven = values['min-annotators'];
  const minAnnotators = minGiven === undefined ? undefined : Number(minGiven);
  if (minGiven !== undefined && (minGiven.trim() === '' || !Number.isSafeInteger(minAnnotators) || minAnnotators! < 1 || minAnnotators! > 1000))
    throw new UsageError(`--min-annotators is a whole number of annotators from 1 to 1000; got "${minGiven}"`);
  const warn = (line: string) => io.stderr(`gog: warning: ${line}`);
  let result: ExportResult;
  try {
    result = await exportTrainingData(
      {
        paths: positionals,
        cwd,
        format: values.format as ExportFormat,
        out: values.out,
        includeRejected: !!values.include?.length,
        ...(values.dialect ? { dialect: values.dialect as DialectId } : {}),
        ...(minAnnotators !== undefined ? { minAnnotators } : {}),
      },
      { signal, onWarning: warn },
    );
  } catch (e) {
    if (signal.aborted) {
      io.stderr(`gog: export cancelled; nothing was written to ${relativeToCwd(path.resolve(cwd, values.out))}`);
      return stoppedExitCode(signal);
    }
    io.stderr(`gog: ${e instanceof ExportError ? e.message : oneLine(e)}`);
    return e instanceof ExportError ? 2 : 1;
  }
  if (values.json) io.stdout(JSON.stringify(result));
  else for (const line of describe(result)) io.stdout(line);
  return 0;
}
