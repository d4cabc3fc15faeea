// `GoG: Ask About Image…`: pick an image, type a question, run the agent with a
// cancellable progress notification, write the trajectory into the workspace, show the
// answer, log every step.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { oneLine } from '../core/agent';
import { createStepPrinter } from '../run/stepPrinter';
import { defaultRunDir, QueryError, runQuery, type QueryOutcome } from '../run/runQuery';
import { getApiKey } from './apiKey';
import { readSettings } from './settings';
import { EDITOR_VIEW_TYPE } from './trajectoryEditor';
import { openLivePanel, type LivePanel } from './trajectoryPanel';

const IMAGE_FILTER = { Images: ['png', 'jpg', 'jpeg', 'webp', 'gif', 'tif', 'tiff', 'avif', 'heic', 'heif'] };

export interface AskOptions {
  /** Skip the input box (scripted use and tests). */
  question?: string;
}

export interface AskDeps {
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
}

/** The image the user is looking at, when the active tab is an image preview. */
function activeImage(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputText) {
    const ext = path.extname(input.uri.fsPath).slice(1).toLowerCase();
    if (IMAGE_FILTER.Images.includes(ext)) return input.uri;
  }
  return undefined;
}

async function pickImage(given: unknown): Promise<vscode.Uri | undefined> {
  if (given instanceof vscode.Uri) return given;
  const picked = await vscode.window.showOpenDialog({
    title: 'Glance-or-Gaze: image to ask about',
    canSelectMany: false,
    filters: IMAGE_FILTER,
    ...(activeImage() ? { defaultUri: activeImage() } : {}),
  });
  return picked?.[0];
}

/** Where runs go: the image's workspace folder, the first folder, or the extension's storage. */
function runBase(image: vscode.Uri, context: vscode.ExtensionContext): { base: string; inWorkspace: boolean } {
  const folder = vscode.workspace.getWorkspaceFolder(image) ?? vscode.workspace.workspaceFolders?.[0];
  if (folder && folder.uri.scheme === 'file') return { base: folder.uri.fsPath, inWorkspace: true };
  return { base: context.globalStorageUri.fsPath, inWorkspace: false };
}

export async function askAboutImage(deps: AskDeps, imageArg?: unknown, options?: AskOptions): Promise<QueryOutcome | undefined> {
  const { context, log } = deps;
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showErrorMessage(
      'Glance-or-Gaze does not run the agent in an untrusted workspace: its settings choose the endpoint that receives your API key. Trust the workspace to run it.',
    );
    log.warn('refused to run: the workspace is not trusted');
    return undefined;
  }
  const image = await pickImage(imageArg);
  if (!image) return undefined;
  if (image.scheme !== 'file') {
    void vscode.window.showErrorMessage(`Glance-or-Gaze reads images from local files; ${image.toString(true)} is not one.`);
    return undefined;
  }
  const question =
    options?.question ??
    (await vscode.window.showInputBox({
      title: `Glance-or-Gaze: ask about ${path.basename(image.fsPath)}`,
      prompt: 'A question about the image; the agent may search before answering.',
      placeHolder: 'e.g. Which mission is this astronaut’s patch from?',
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : 'Type a question.'),
    }));
  if (question === undefined) return undefined;

  const { base, inWorkspace } = runBase(image, context);
  const settings = readSettings(image, base, vscode.Uri.joinPath(context.extensionUri, 'media', 'demo', 'corpus').fsPath);
  const apiKey = await getApiKey(context.secrets);
  const runDir = defaultRunDir(base);
  if (!inWorkspace) log.info(`no workspace folder is open: the run goes to ${runDir}`);
  log.info(
    `ask: ${path.basename(image.fsPath)} · "${question}" · ${settings.endpoint} · ${settings.model || '(first served model)'} · ${settings.dialect}, ${settings.boxFormat}`,
  );

  // The log adds its own time stamp: drop the padding before [turn], keep evidence indented.
  const printer = createStepPrinter({ write: (line) => log.info(line.replace(/^ +(?=\[\d+\])/, '')), width: 140 });
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Glance-or-Gaze', cancellable: true }, async (progress, token) => {
    const controller = new AbortController();
    const cancel = token.onCancellationRequested(() => controller.abort());
    // The panel opens when the run folder exists, before the first event.
    let live: LivePanel | undefined;
    try {
      const outcome = await runQuery(
        { ...settings, image: image.fsPath, question, runDir, ...(apiKey ? { apiKey } : {}) },
        {
          signal: controller.signal,
          onEvent: (e) => {
            printer(e);
            if (e.kind === 'status') {
              progress.report({ message: `turn ${e.step}: ${e.message}` });
              live?.view.post({ type: 'status', running: true, message: `Turn ${e.step}: ${e.message}` });
            } else if (e.kind === 'delta') live?.view.post({ type: 'delta', step: e.step, text: e.text });
            else live?.view.postEvent(e.event);
          },
          onNotice: (m) => log.warn(m),
          onStarted: ({ trajectory, model }) => {
            log.info(`model ${model} · trajectory ${trajectory}`);
            try {
              live = openLivePanel(context.extensionUri, log, { trajectory, title: path.basename(image.fsPath) }, () => controller.abort());
            } catch (e) {
              log.error(`could not open the trajectory panel: ${oneLine(e)}`);
            }
          },
        },
      );
      live?.view.post({ type: 'status', running: false });
      void showOutcome(outcome, log);
      return outcome;
    } catch (e) {
      const message = oneLine(e);
      log.error(message);
      void vscode.window.showErrorMessage(`Glance-or-Gaze: ${message}`);
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
    choice = await vscode.window.showInformationMessage(`Answer: ${answer}`, open, showLog);
  } else {
    const why =
      outcome.stopReason === 'error'
        ? `failed: ${outcome.error}`
        : outcome.stopReason === 'cancelled'
          ? 'was cancelled'
          : `gave no answer within its turn budget`;
    choice = await vscode.window.showWarningMessage(`Glance-or-Gaze: the run ${why}. The trajectory so far is saved.`, open, showLog);
  }
  if (choice === open) await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(outcome.trajectory), EDITOR_VIEW_TYPE);
  if (choice === showLog) log.show();
}
