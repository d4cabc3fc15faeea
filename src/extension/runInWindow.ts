// One agent run shown in the window, whoever started it (Ask About Image, Try the Demo):
// a cancellable progress notification, the trajectory panel it streams into, every step in
// the log, and the outcome as a message with Open Trajectory.
import * as vscode from 'vscode';
import { oneLine } from '../core/agent';
import { defaultRunDir, QueryError, runQuery, type QueryOutcome, type QuerySettings } from '../run/runQuery';
import { describeIndexing } from '../search/localCorpus';
import { createStepPrinter } from '../run/stepPrinter';
import { EDITOR_VIEW_TYPE } from './trajectoryEditor';
import { openLivePanel, type LivePanel } from './trajectoryPanel';
import { progressText, showError, showInformation, showWarning } from './safeOutput';
import { whyNoAnswer } from '../run/stopText';

export interface RunDeps {
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
}

/**
 * Where a new run goes: `.gog/runs/<id>` under the resource's workspace folder, the first
 * folder, or the extension's storage. `base` is that folder, which relative settings
 * resolve against.
 */
export function newRunDir(deps: RunDeps, resource?: vscode.Uri): { base: string; runDir: string } {
  const folder = (resource && vscode.workspace.getWorkspaceFolder(resource)) ?? vscode.workspace.workspaceFolders?.[0];
  const inWorkspace = folder?.uri.scheme === 'file';
  const base = inWorkspace ? folder.uri.fsPath : deps.context.globalStorageUri.fsPath;
  const runDir = defaultRunDir(base);
  if (!inWorkspace) deps.log.info(`no workspace folder is open: the run goes to ${runDir}`);
  return { base, runDir };
}

/**
 * Runs the query; the panel is titled `title`. A run that could not start shows its error
 * and returns undefined; one that started returns its outcome, whatever it was.
 */
export async function runInWindow(deps: RunDeps, settings: QuerySettings, title: string): Promise<QueryOutcome | undefined> {
  const { context, log } = deps;
  // The log adds its own time stamp: drop the padding before [turn], keep evidence indented.
  const printer = createStepPrinter({ write: (line) => log.info(line.plain.replace(/^ +(?=\[\d+\])/, '')), width: 140 });
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Glance-or-Gaze', cancellable: true }, async (progress, token) => {
    const controller = new AbortController();
    const cancel = token.onCancellationRequested(() => controller.abort());
    // The panel opens when the run folder exists, before the first event.
    let live: LivePanel | undefined;
    try {
      const outcome = await runQuery(settings, {
        signal: controller.signal,
        onEvent: (e) => {
          printer(e);
          if (e.kind === 'status') {
            progress.report({ message: progressText(`turn ${e.step}: ${e.message}`) });
            live?.view.post({ type: 'status', running: true, message: `Turn ${e.step}: ${e.message}` });
          } else if (e.kind === 'delta') live?.view.post({ type: 'delta', step: e.step, text: e.text });
          else live?.view.postEvent(e.event);
        },
        onNotice: (m) => log.warn(m),
        // The first image search of a new corpus builds its index: minutes for thousands of images.
        onIndexing: (p) => {
          progress.report({ message: describeIndexing(p) });
          live?.view.post({ type: 'status', running: true, message: describeIndexing(p) });
        },
        onStarted: ({ trajectory, model }) => {
          log.info(`model ${model} · trajectory ${trajectory}`);
          try {
            live = openLivePanel(context.extensionUri, log, { trajectory, title }, () => controller.abort());
          } catch (e) {
            log.error(`could not open the trajectory panel: ${oneLine(e)}`);
          }
        },
      });
      live?.view.post({ type: 'status', running: false });
      void showOutcome(outcome, log);
      return outcome;
    } catch (e) {
      const message = oneLine(e);
      log.error(message);
      void showError(`Glance-or-Gaze: ${message}`);
      if (!(e instanceof QueryError)) throw e;
      return undefined;
    } finally {
      cancel.dispose();
    }
  });
}

async function showOutcome(outcome: QueryOutcome, log: vscode.LogOutputChannel): Promise<void> {
  const open = 'Open Trajectory';
  const showLog = 'Show Log';
  let choice: string | undefined;
  if (outcome.stopReason === 'answered') {
    const answer = outcome.answer!.length > 300 ? `${outcome.answer!.slice(0, 299)}…` : outcome.answer!;
    choice = await showInformation(`Answer: ${answer}`, open, showLog);
  } else {
    const why =
      outcome.stopReason === 'error'
        ? `failed: ${outcome.error}`
        : outcome.stopReason === 'cancelled'
          ? 'was cancelled'
          : outcome.stopReason === 'max_turns'
            ? `gave no answer within its turn budget`
            : `ended with ${whyNoAnswer(outcome, 0)}`;
    choice = await showWarning(`Glance-or-Gaze: the run ${why}. The trajectory so far is saved.`, open, showLog);
  }
  if (choice === open) await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(outcome.trajectory), EDITOR_VIEW_TYPE);
  if (choice === showLog) log.show();
}
