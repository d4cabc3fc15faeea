// `gog import FILE --format mmsearch-r1|openai-chat --out DIR`: peers' data as trajectory run
// folders, one per record, so it opens in the same panel, exports the same way and can be
// re-run. A broken record is listed by its position and skipped; the rest imports. The
// folder appears whole or not at all.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { oneLine } from '../../core/agent';
import type { BoxFormat } from '../../core/geometry';
import type { DialectId } from '../../core/trajectory';
import { RunDirError } from '../runFolder';
import { untilAborted } from '../../core/abortable';
import { WriteFailed } from '../../core/files';
import { checkEmptyFolder } from '../emptyFolder';
import { StagedFolder } from '../stagedFolder';
import type { ImportedConversation } from './imported';
import { fromMmsearchR1 } from './mmsearchR1Record';
import { fromOpenAiChat } from './openaiChatRecord';
import { ImportRecordError } from './readImage';
import { readRecords, type SourceRecord } from './readRecords';
import { writeImportedRun } from './writeImportedRun';

import type { ImportFormat } from './importFormats';

export { IMPORT_FORMATS, type ImportFormat } from './importFormats';

export interface ImportOptions {
  file: string;
  format: ImportFormat;
  out: string;
  cwd: string;
  /** Read untagged chats in this dialect (default gog). */
  dialect?: DialectId;
  /** Boxes are in this format when the instructions do not say (default pixels-sent). */
  boxFormat?: BoxFormat;
}

export interface ImportResult {
  format: ImportFormat;
  out: string;
  imported: number;
  /** The trajectory files written, in record order. */
  trajectories: string[];
  skipped: { position: string; message: string }[];
}

export interface ImportHooks {
  signal?: AbortSignal;
  onWarning?: (line: string) => void;
}

function reader(format: ImportFormat): (value: unknown) => ImportedConversation | string {
  switch (format) {
    case 'mmsearch-r1':
      return fromMmsearchR1;
    case 'openai-chat':
      return fromOpenAiChat;
  }
}

/** A folder name for a record: its position and the start of its question. */
function runName(n: number, question: string): string {
  const slug = question
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return `${String(n).padStart(4, '0')}${slug ? `-${slug}` : ''}`;
}

/**
 * Imports every record of the file into run folders under `out` (new or empty). The import
 * appears whole or not at all: it is written beside `out` and renamed into place at the end
 * (stagedFolder.ts); cancelled (the signal) or failed (a full disk), nothing is left.
 */
export async function importRuns(options: ImportOptions, hooks: ImportHooks = {}): Promise<ImportResult> {
  const file = path.resolve(options.cwd, options.file);
  const out = path.resolve(options.cwd, options.out);
  // The output is checked before the file is read; nothing is made until the first record reads.
  await checkEmptyFolder(out, 'import');
  const records = readRecords(file);
  const first = await untilAborted(records.next(), hooks.signal);
  const staged = await StagedFolder.begin(out, 'import');
  const result: ImportResult = { format: options.format, out, imported: 0, trajectories: [], skipped: [] };
  const read = reader(options.format);
  const skip = (position: string, message: string) => {
    result.skipped.push({ position, message });
    hooks.onWarning?.(`${position}: skipped: ${message}`);
  };
  let n = 0;
  const handle = async (record: SourceRecord) => {
    n++;
    if ('problem' in record) return skip(record.position, record.problem);
    const conv = read(record.value);
    if (typeof conv === 'string') return skip(record.position, conv);
    const dir = path.join(staged.dir, runName(n, conv.question));
    try {
      const run = await writeImportedRun(conv, dir, {
        sourceDir: path.dirname(file),
        note: `imported from ${path.basename(file)} (${record.position}, ${options.format})`,
        ...(options.dialect ? { dialect: options.dialect } : {}),
        ...(options.boxFormat ? { boxFormat: options.boxFormat } : {}),
      });
      result.imported++;
      result.trajectories.push(staged.finalPath(run.trajectory));
      for (const w of run.warnings) hooks.onWarning?.(`${record.position}: ${w}`);
    } catch (e) {
      await fs.rm(dir, { recursive: true, force: true });
      if (e instanceof ImportRecordError) return skip(record.position, e.message);
      // The folder or the disk, not the record: the import stops.
      if (e instanceof RunDirError || e instanceof WriteFailed) throw e;
      skip(record.position, oneLine(e));
    }
  };
  try {
    if (!first.done) await handle(first.value);
    for (;;) {
      hooks.signal?.throwIfAborted();
      const next = await untilAborted(records.next(), hooks.signal);
      if (next.done) break;
      await handle(next.value);
    }
    hooks.signal?.throwIfAborted();
    await staged.commit();
  } catch (e) {
    await staged.discard();
    throw e;
  }
  return result;
}
