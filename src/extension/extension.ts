// Entry point of the VS Code extension: registers the commands. The agent itself lives
// in src/core and runs the same way from the `gog` command line.
import * as vscode from 'vscode';
import { setApiKeyCommand } from './apiKey';
import { setJudgeApiKeyCommand } from './judgeKey';
import { setSearchKeyCommand } from './searchKeys';
import { askAboutImage } from './askCommand';
import { demoOptions, tryDemo } from './demoCommand';
import { registerReviewCommands, REVIEW_COMMANDS } from './reviewCommands';
import { openTrajectoryCommand, TrajectoryEditorProvider } from './trajectoryEditor';
import { registerPanelSerializer } from './trajectoryPanel';
import { RERUN_COMMAND, rerunFromStepCommand } from './rerunCommand';
import { EXPORT_COMMAND, exportTrainingDataCommand } from './exportCommand';
import { registerRunReview, type RunsApi } from './runCommands';
import { ExtensionSecrets } from './extensionSecrets';
import { safeLog, showError, useSecrets } from './safeOutput';
import { ADJUDICATE_COMMAND, adjudicate } from './adjudicateCommand';
import { agreementApi, SHOW_AGREEMENT_COMMAND, showAgreementCommand, type AgreementApi } from './agreementPanel';

export const COMMANDS = {
  askAboutImage: 'gog.askAboutImage',
  /** The same command for the Explorer and editor-title menus, which show no category: its title carries the prefix. */
  askAboutImageFromMenu: 'gog.askAboutImageFromMenu',
  openTrajectory: 'gog.openTrajectory',
  setApiKey: 'gog.setApiKey',
  setJudgeApiKey: 'gog.setJudgeApiKey',
  setSearchKey: 'gog.setSearchKey',
  tryDemo: 'gog.tryDemo',
  ...REVIEW_COMMANDS,
} as const;

/** What the extension exports, for scripted use and tests. */
export interface GogApi {
  runs: RunsApi;
  agreement: AgreementApi;
}

export function activate(context: vscode.ExtensionContext): GogApi {
  // Every line logged and every notification shown is redacted and cleaned (safeOutput.ts).
  const secrets = new ExtensionSecrets(context.secrets);
  useSecrets(() => secrets.current);
  const channel = vscode.window.createOutputChannel('Glance-or-Gaze', { log: true });
  const log = safeLog(channel);
  const runs = registerRunReview({ context, log });
  context.subscriptions.push(
    channel,
    secrets,
    ...[COMMANDS.askAboutImage, COMMANDS.askAboutImageFromMenu].map((id) =>
      vscode.commands.registerCommand(id, (image?: unknown, options?: unknown) =>
        // From the explorer the second argument is the selection (an array), not options.
        askAboutImage({ context, log }, image, options && typeof options === 'object' && !Array.isArray(options) ? options : undefined),
      ),
    ),
    vscode.commands.registerCommand(COMMANDS.openTrajectory, (uri?: unknown) => openTrajectoryCommand(uri)),
    vscode.commands.registerCommand(COMMANDS.setApiKey, (key?: unknown) => setApiKeyCommand(context.secrets, key)),
    vscode.commands.registerCommand(COMMANDS.setJudgeApiKey, (key?: unknown) => setJudgeApiKeyCommand(context.secrets, key)),
    vscode.commands.registerCommand(COMMANDS.setSearchKey, (given?: unknown) => setSearchKeyCommand(context.secrets, given)),
    vscode.commands.registerCommand(COMMANDS.tryDemo, (options?: unknown) => tryDemo({ context, log }, demoOptions(options))),
    vscode.commands.registerCommand(RERUN_COMMAND, (uri?: unknown, step?: unknown) => rerunFromStepCommand({ context, log }, uri, step)),
    vscode.commands.registerCommand(EXPORT_COMMAND, (choices?: unknown) => exportTrainingDataCommand(log, choices)),
    vscode.commands.registerCommand(SHOW_AGREEMENT_COMMAND, (target?: unknown) => showAgreementCommand({ extensionUri: context.extensionUri, log }, target)),
    registerPanelSerializer(context.extensionUri, log),
    ...runs.disposables,
  );
  const editors = new TrajectoryEditorProvider(context.extensionUri, log);
  context.subscriptions.push(
    TrajectoryEditorProvider.register(editors),
    ...registerReviewCommands(context, editors, log),
    // From the editor's title bar the first argument is the trajectory's Uri.
    vscode.commands.registerCommand(ADJUDICATE_COMMAND, async (uri?: unknown, label?: unknown, note?: unknown) => {
      try {
        const done = await adjudicate(editors, uri, label, note);
        if (done?.annotation.edit.op === 'label') log.info(`adjudicated ${done.file}: ${done.annotation.edit.label}`);
        return done;
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        log.warn(`adjudicate: ${message}`);
        void showError(`Glance-or-Gaze: not adjudicated: ${message}`);
        throw e;
      }
    }),
  );
  return { runs: runs.api, agreement: agreementApi };
}

export function deactivate(): void {
  // Everything registered is disposed through context.subscriptions.
}
