// Export Table… and Open Report, the run table and report taken out of VS Code. Export Table…
// asks where (a save dialog; .csv or .parquet decides the format) and writes the rows it is
// given: from the run panel the listed ones in the table's order, from the Runs view or the
// command palette the whole run in dataset order (src/data/tableExport.ts, never over one of
// the run's own files). Open Report writes the run's HTML report as `gog report` does (a VSIX
// user has no `gog` on the PATH) and opens it in the browser.
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunRows } from '../data/reviewRows';
import { tableRows } from '../data/runTable';
import { tableFormatOf, writeTable } from '../data/tableExport';
import { writeRunReportFile } from '../run/runReportFile';
import { reviewSettingsFromConfig } from '../review/reviewSettings';
import { currentSecrets, showError, showInformation, showWarning } from './safeOutput';

const plural = (n: number, what: string) => `${n.toLocaleString('en-US')} ${what}${n === 1 ? '' : 's'}`;

/**
 * Asks for a file and writes the run's rows there (`keys`: those rows in that order; absent:
 * every row in dataset order). Returns the file, or undefined when the user cancelled.
 * Throws (one line) when the file cannot be written.
 */
export async function exportRunTable(runDir: string, rows: RunRows, keys?: readonly number[]): Promise<string | undefined> {
  const table = tableRows(rows.rows, rows.trajectories, keys);
  const picked = await vscode.window.showSaveDialog({
    title: `Glance-or-Gaze: export ${plural(table.length, 'sample')} of ${path.basename(runDir)}`,
    defaultUri: vscode.Uri.file(path.join(path.dirname(runDir), `${path.basename(runDir)}-table.csv`)),
    filters: { CSV: ['csv'], Parquet: ['parquet'] },
    saveLabel: 'Export',
  });
  if (!picked) return undefined;
  const file = picked.fsPath;
  const format = tableFormatOf(file);
  if (!format) throw new Error(`${path.basename(file)}: name the file .csv or .parquet, which says the format`);
  await writeTable(runDir, file, format, table);
  void showInformation(`Glance-or-Gaze: ${plural(table.length, 'sample')} exported to ${path.basename(file)}.`);
  return file;
}

/** Writes the run's HTML report (report.html in the run folder, else a temporary folder) and opens it in the browser. */
export async function openRunReport(extensionUri: vscode.Uri, runDir: string, log: vscode.LogOutputChannel): Promise<string> {
  const webviewDir = vscode.Uri.joinPath(extensionUri, 'dist', 'webview').fsPath;
  let reportMb: number | undefined;
  try {
    const c = vscode.workspace.getConfiguration('gog', vscode.Uri.file(runDir));
    reportMb = reviewSettingsFromConfig((name) => c.get(name)).reportMb;
  } catch (e) {
    log.warn(`report of ${runDir}: ${(e as Error).message}; the report's size budget is the default`);
  }
  // A big run's trajectories take a while to read: say so while they are.
  const report = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Glance-or-Gaze: writing the report of ${path.basename(runDir)}…` },
    () => writeRunReportFile(runDir, webviewDir, currentSecrets(), os.tmpdir(), reportMb),
  );
  for (const w of report.warnings) log.warn(`report of ${runDir}: ${w} (left out of the report)`);
  if (report.elsewhere) void showWarning(`Glance-or-Gaze: the report could not go into the run folder (${report.elsewhere}); it is in ${report.file}.`);
  log.info(`report of ${runDir}: ${report.file} (${plural(report.samples, 'sample')})`);
  const opened = await vscode.env.openExternal(vscode.Uri.file(report.file));
  if (!opened) void showError(`Glance-or-Gaze: could not open ${report.file} in a browser; open it yourself.`);
  return report.file;
}
