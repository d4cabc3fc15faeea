// `gog import FILE --format mmsearch-r1|openai-chat --out DIR [--dialect ID] [--box-format F] [--json]`
import * as path from 'node:path';
import { oneLine } from '../core/agent';
import { BOX_FORMATS, type BoxFormat } from '../core/geometry';
import { DIALECT_IDS, type DialectId } from '../core/trajectory';
import { FolderTaken } from '../data/emptyFolder';
import { IMPORT_FORMATS, importRuns, type ImportFormat, type ImportResult } from '../data/import/importRuns';
import { SourceError } from '../data/import/readRecords';
import { relativeToCwd, UsageError, type Io } from './io';
import { parseCommandArgs } from './args';
import { IMPORT } from './commands';
import { stoppedExitCode } from './stopSignal';

export async function runImport(argv: string[], io: Io, cwd: string, signal: AbortSignal): Promise<number> {
  const parsed = parseCommandArgs(argv, IMPORT);
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError('give exactly one file to import');
  if (!values.format || !(IMPORT_FORMATS as readonly string[]).includes(values.format))
    throw new UsageError(`--format must be one of ${IMPORT_FORMATS.join(', ')}${values.format ? `; got "${values.format}"` : ''}`);
  if (!values.out) throw new UsageError('--out DIR is required: a new or empty folder for the imported runs');
  if (values.dialect !== undefined && !(DIALECT_IDS as readonly string[]).includes(values.dialect))
    throw new UsageError(`unknown dialect "${values.dialect}"; use one of ${DIALECT_IDS.join(', ')}`);
  const boxFormat = values['box-format'];
  if (boxFormat !== undefined && !(BOX_FORMATS as readonly string[]).includes(boxFormat))
    throw new UsageError(`unknown box format "${boxFormat}"; use one of ${BOX_FORMATS.join(', ')}`);
  let result: ImportResult;
  try {
    result = await importRuns(
      {
        file: positionals[0]!,
        cwd,
        format: values.format as ImportFormat,
        out: values.out,
        ...(values.dialect ? { dialect: values.dialect as DialectId } : {}),
        ...(boxFormat ? { boxFormat: boxFormat as BoxFormat } : {}),
      },
      { signal, onWarning: (line) => io.stderr(`gog: warning: ${line}`) },
    );
  } catch (e) {
    if (signal.aborted) {
      io.stderr(`gog: import cancelled; nothing was written to ${relativeToCwd(path.resolve(cwd, values.out))}`);
      return stoppedExitCode(signal);
    }
    const known = e instanceof SourceError || e instanceof FolderTaken;
    io.stderr(`gog: ${known ? e.message : oneLine(e)}`);
    return known ? 2 : 1;
  }
  if (values.json) io.stdout(JSON.stringify(result));
  else {
    io.stdout(
      `imported ${result.imported} run(s) into ${relativeToCwd(result.out)}${result.skipped.length ? `; skipped ${result.skipped.length} broken record(s)` : ''}`,
    );
  }
  return result.imported || !result.skipped.length ? 0 : 1;
}
