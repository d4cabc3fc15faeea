// `Glance-or-Gaze: Re-run from Step…` (gog.rerunFromStep, args: trajectory uri, step): the run
// continued from a corrected step with the live model (src/run/rerun.ts), under a cancellable
// progress notification; the branch opens in the trajectory editor. The model and search
// settings are the workspace's gog.*, the dialect, boxes and budget the parent's.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { oneLine } from '../core/agent';
import { NotATrajectory, readHeader } from '../run/annotate';
import { branchSettings, rerunFromStep, type RerunOutcome } from '../run/rerun';
import { QueryError } from '../run/runQuery';
import { createStepPrinter } from '../run/stepPrinter';
import { getApiKey } from './apiKey';
import type { RunDeps } from './runInWindow';
import { getSearchCredentials } from './searchKeys';
import { readSettings } from './settings';
import { EDITOR_VIEW_TYPE } from './trajectoryEditor';
import { progressText, showError, showInformation } from './safeOutput';

export const RERUN_COMMAND = 'gog.rerunFromStep';

/** The trajectory given, the one open in the trajectory editor, or one picked. */
async function pickTrajectory(given: unknown): Promise<vscode.Uri | undefined> {
  if (given instanceof vscode.Uri) return given;
  if (typeof given === 'string' && given) return vscode.Uri.file(given);
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputCustom && input.viewType === EDITOR_VIEW_TYPE) return input.uri;
  const picked = await vscode.window.showOpenDialog({
    title: 'Glance-or-Gaze: trajectory to re-run',
    canSelectMany: false,
    filters: { Trajectories: ['jsonl'] },
  });
  return picked?.[0];
}

async function pickStep(given: unknown): Promise<number | undefined> {
  if (given !== undefined) return typeof given === 'number' ? given : Number(given);
  const typed = await vscode.window.showInputBox({
    title: 'Glance-or-Gaze: re-run from step',
    prompt: 'The step to carry out anew (its corrections applied); the model continues from there.',
    ignoreFocusOut: true,
    validateInput: (v) => (/^\s*[1-9]\d*\s*$/.test(v) ? undefined : 'Type a step number (1, 2, …).'),
  });
  return typed === undefined ? undefined : Number(typed);
}

export async function rerunFromStepCommand(deps: RunDeps, uriArg?: unknown, stepArg?: unknown): Promise<RerunOutcome | undefined> {
  const { context, log } = deps;
  const fail = (message: string): undefined => {
    log.error(message);
    void showError(`Glance-or-Gaze: ${message}`);
    return undefined;
  };
  if (!vscode.workspace.isTrusted) return fail('re-runs call the model, which an untrusted workspace may not choose; trust the workspace to re-run.');
  const uri = await pickTrajectory(uriArg);
  if (!uri) return undefined;
  if (uri.scheme !== 'file') return fail(`${uri.toString(true)} is not a local file.`);
  const fromStep = await pickStep(stepArg);
  if (fromStep === undefined) return undefined;
  if (!Number.isInteger(fromStep) || fromStep < 1) return fail(`the step to re-run from must be a whole number from 1; got ${String(stepArg)}`);

  let header;
  let settings;
  try {
    header = await readHeader(uri.fsPath);
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const base = folder?.uri.scheme === 'file' ? folder.uri.fsPath : path.dirname(uri.fsPath);
    const bundled = vscode.Uri.joinPath(context.extensionUri, 'media', 'demo', 'corpus').fsPath;
    const cacheDir = path.join(base, '.gog', 'cache');
    const apiKey = await getApiKey(context.secrets);
    const { keys: searchKeys, s3 } = await getSearchCredentials(context.secrets);
    settings = {
      ...branchSettings(readSettings(uri, base, bundled), header),
      cacheDir,
      indexDir: path.join(cacheDir, 'index'),
      searchKeys,
      uploadEnv: { ...process.env, ...(s3 ? { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey } : {}) },
      ...(apiKey ? { apiKey } : {}),
    };
  } catch (e) {
    return fail(e instanceof NotATrajectory ? e.message : oneLine(e));
  }
  log.info(`re-run: ${uri.fsPath} from step ${fromStep} · ${settings.endpoint} · ${settings.model || '(first served model)'} · ${settings.dialect}`);
  const printer = createStepPrinter({ write: (line) => log.info(line.plain.replace(/^ +(?=\[\d+\])/, '')), width: 140 });

  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Glance-or-Gaze: re-run from step ${fromStep}`, cancellable: true },
    async (progress, token) => {
      const controller = new AbortController();
      const cancel = token.onCancellationRequested(() => controller.abort());
      try {
        return await rerunFromStep(
          settings,
          { trajectory: uri.fsPath, fromStep },
          {
            signal: controller.signal,
            onEvent: (e) => {
              printer(e);
              if (e.kind === 'status') progress.report({ message: progressText(`turn ${e.step}: ${e.message}`) });
            },
            onNotice: (m) => log.warn(m),
            onStarted: ({ trajectory, model }) => log.info(`model ${model} · branch ${trajectory}`),
          },
        );
      } catch (e) {
        // A QueryError is a branch that could not start (nothing written); anything else is reported the same way.
        return fail(e instanceof QueryError ? e.message : oneLine(e));
      } finally {
        cancel.dispose();
      }
    },
  );
  if (!outcome) return undefined;
  await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(outcome.branch), EDITOR_VIEW_TYPE);
  const ended =
    outcome.stopReason === 'answered'
      ? `answered: ${outcome.answer ?? ''}`
      : outcome.stopReason === 'error'
        ? `failed: ${outcome.error ?? ''}`
        : outcome.stopReason;
  void showInformation(`Glance-or-Gaze: the branch from step ${fromStep} ${ended.length > 300 ? `${ended.slice(0, 299)}…` : ended}`);
  return outcome;
}
