// The panel a live run streams into, and its revival after a window reload: the webview
// keeps the trajectory's path in its state, and the serializer shows that file again.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { viewStateSchema } from '../shared/messages';
import { TrajectoryWebview, webviewOptions } from './trajectoryWebview';

export const PANEL_VIEW_TYPE = 'gog.trajectoryPanel';

export interface LivePanel {
  view: TrajectoryWebview;
  panel: vscode.WebviewPanel;
}

/**
 * Opens a panel on a run that has just started: its header is on disk and no event yet.
 * Synchronous on purpose: the agent starts when the caller returns, and every event after
 * that goes to `view.postEvent`, so none can fall between reading the file and listening.
 */
export function openLivePanel(
  extensionUri: vscode.Uri,
  log: vscode.LogOutputChannel,
  run: { trajectory: string; title: string },
  onCancel: () => void,
): LivePanel {
  const panel = vscode.window.createWebviewPanel(
    PANEL_VIEW_TYPE,
    `Glance-or-Gaze: ${run.title}`,
    { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
    webviewOptions(extensionUri, path.dirname(run.trajectory)),
  );
  const view = new TrajectoryWebview(panel.webview, extensionUri, log);
  view.setHandlers({
    cancel: async () => {
      onCancel();
      return null;
    },
  });
  panel.onDidDispose(() => view.dispose());
  view.showText(readFileSync(run.trajectory, 'utf8'), run.trajectory, true);
  return { view, panel };
}

export function registerPanelSerializer(extensionUri: vscode.Uri, log: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
    async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
      const saved = viewStateSchema.safeParse(state ?? {});
      const file = saved.success ? saved.data.trajectory : undefined;
      if (!file || !existsSync(file)) {
        log.info('a trajectory panel from the last session had no file to show; closed');
        panel.dispose();
        return;
      }
      panel.webview.options = webviewOptions(extensionUri, path.dirname(file));
      const view = new TrajectoryWebview(panel.webview, extensionUri, log);
      panel.onDidDispose(() => view.dispose());
      // The run that streamed into it ended with the old window: show what it recorded.
      await view.showFile(file, false);
    },
  });
}
