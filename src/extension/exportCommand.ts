// `Glance-or-Gaze: Export Training Data…` (gog.exportTrainingData): the accepted, corrected
// trajectories under the files and folders picked, as LLaMA-Factory or OpenAI training data
// (src/data/export, the code behind `gog export`), under a cancellable progress notification,
// then a summary with the counts. Scripts and tests may pass the choices as an argument.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { oneLine } from '../core/agent';
import { DIALECT_IDS, type DialectId } from '../core/trajectory';
import { EXPORT_FORMATS, ExportError, exportTrainingData, type ExportFormat, type ExportResult } from '../data/export/exportTrainingData';
import { newRunId } from '../data/runFolder';
import { showError, showInformation } from './safeOutput';

export const EXPORT_COMMAND = 'gog.exportTrainingData';

/** The choices, when given (scripts, tests); whatever is missing is asked for. */
export interface ExportChoices {
  paths?: string[];
  format?: ExportFormat;
  /** A new or empty folder; one that holds files gets a new folder made inside it. */
  out?: string;
  includeRejected?: boolean;
  dialect?: DialectId;
}

const FORMAT_ITEMS: (vscode.QuickPickItem & { format: ExportFormat })[] = [
  { label: 'LLaMA-Factory', description: 'ShareGPT multimodal JSON + dataset_info.json', format: 'llama-factory' },
  { label: 'OpenAI', description: 'chat fine-tuning JSONL, images as data URLs', format: 'openai' },
];

function choicesOf(given: unknown): ExportChoices {
  if (!given || typeof given !== 'object' || Array.isArray(given)) return {};
  const g = given as Record<string, unknown>;
  const out: ExportChoices = {};
  if (Array.isArray(g.paths)) out.paths = g.paths.map((p) => (p instanceof vscode.Uri ? p.fsPath : String(p)));
  if (typeof g.format === 'string' && (EXPORT_FORMATS as readonly string[]).includes(g.format)) out.format = g.format as ExportFormat;
  if (typeof g.out === 'string') out.out = g.out;
  else if (g.out instanceof vscode.Uri) out.out = g.out.fsPath;
  if (typeof g.includeRejected === 'boolean') out.includeRejected = g.includeRejected;
  if (typeof g.dialect === 'string' && (DIALECT_IDS as readonly string[]).includes(g.dialect)) out.dialect = g.dialect as DialectId;
  return out;
}

/** Folders or trajectory files (VS Code's dialog on Linux and Windows picks one kind at a time). */
async function pickPaths(): Promise<string[] | undefined> {
  const kind = await vscode.window.showQuickPick(
    [
      { label: 'Folders…', description: 'searched for trajectory.jsonl and *.trajectory.jsonl', folders: true },
      { label: 'Trajectory files…', description: '.jsonl', folders: false },
    ],
    { title: 'Glance-or-Gaze: export trajectories from', ignoreFocusOut: true },
  );
  if (!kind) return undefined;
  const picked = await vscode.window.showOpenDialog({
    title: kind.folders ? 'Glance-or-Gaze: folders of runs to export' : 'Glance-or-Gaze: trajectories to export',
    canSelectMany: true,
    canSelectFiles: !kind.folders,
    canSelectFolders: kind.folders,
    ...(kind.folders ? {} : { filters: { Trajectories: ['jsonl'] } }),
    ...(vscode.workspace.workspaceFolders?.[0] ? { defaultUri: vscode.workspace.workspaceFolders[0].uri } : {}),
  });
  return picked?.map((u) => u.fsPath);
}

/** The folder itself when it is new or empty, otherwise a new folder inside it: an export never lands among other files. */
async function outputFolder(chosen: string, format: ExportFormat): Promise<string> {
  const entries = await fs.readdir(chosen).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? [] : Promise.reject(e)));
  return entries.length ? path.join(chosen, `gog-${format}-${newRunId()}`) : chosen;
}

function summary(r: ExportResult): string {
  const skipped = Object.entries(r.skipped)
    .filter(([, n]) => n)
    .map(([why, n]) => `${n} ${why}`);
  return [
    `Exported ${r.exported} of ${r.found} trajectories as ${r.format} data, ${r.images} image files, to ${r.out}.`,
    skipped.length ? `Skipped: ${skipped.join(', ')}.` : '',
    r.warnings ? `${r.warnings} warning(s) in the log.` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

export async function exportTrainingDataCommand(log: vscode.LogOutputChannel, given?: unknown): Promise<ExportResult | undefined> {
  const choices = choicesOf(given);
  const paths = choices.paths ?? (await pickPaths());
  if (!paths?.length) return undefined;
  const format =
    choices.format ?? (await vscode.window.showQuickPick(FORMAT_ITEMS, { title: 'Glance-or-Gaze: training data format', ignoreFocusOut: true }))?.format;
  if (!format) return undefined;
  const chosen =
    choices.out ??
    (
      await vscode.window.showOpenDialog({
        title: 'Glance-or-Gaze: folder for the export',
        canSelectFiles: false,
        canSelectFolders: true,
        canSelectMany: false,
      })
    )?.[0]?.fsPath;
  if (!chosen) return undefined;

  const fail = (message: string): undefined => {
    log.error(`export: ${message}`);
    void showError(`Glance-or-Gaze: ${message}`);
    return undefined;
  };
  let out: string;
  try {
    out = await outputFolder(chosen, format);
  } catch (e) {
    return fail(`cannot use ${chosen} for the export: ${oneLine(e)}`);
  }
  log.info(`export: ${paths.join(', ')} as ${format} to ${out}`);
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Glance-or-Gaze: exporting training data', cancellable: true },
    async (progress, token) => {
      const controller = new AbortController();
      const cancel = token.onCancellationRequested(() => controller.abort());
      let reported = 0;
      try {
        return await exportTrainingData(
          {
            paths,
            cwd: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? path.dirname(paths[0]!),
            format,
            out,
            includeRejected: !!choices.includeRejected,
            ...(choices.dialect ? { dialect: choices.dialect } : {}),
          },
          {
            signal: controller.signal,
            onWarning: (line) => log.warn(`export: ${line}`),
            onProgress: (done, total) => {
              // Reported in whole percent, so thousands of files do not flood the notification.
              const percent = Math.floor((done / total) * 100);
              if (percent > reported || done === total) {
                progress.report({ message: `${done} of ${total} trajectories`, increment: percent - reported });
                reported = percent;
              }
            },
          },
        );
      } catch (e) {
        if (controller.signal.aborted) {
          log.info('export: cancelled; what was written was removed');
          void showInformation('Glance-or-Gaze: export cancelled; nothing was left in the output folder.');
          return undefined;
        }
        return fail(e instanceof ExportError ? e.message : oneLine(e));
      } finally {
        cancel.dispose();
      }
    },
  );
  if (!result) return undefined;
  log.info(`export: ${summary(result)}`);
  const reveal = 'Reveal in Explorer';
  void showInformation(`Glance-or-Gaze: ${summary(result)}`, reveal).then((choice) => {
    if (choice === reveal) void vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(result.data));
  });
  return result;
}
