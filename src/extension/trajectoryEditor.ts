// Trajectory files open in the trajectory view: a read-only custom editor (annotation
// makes it editable later). The file is watched, so a run still being written (by `gog`
// in a terminal, say) shows new turns as they are appended.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { TrajectoryWebview, webviewOptions } from './trajectoryWebview';

export const EDITOR_VIEW_TYPE = 'gog.trajectory';

export class TrajectoryEditorProvider implements vscode.CustomReadonlyEditorProvider {
  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  static register(extensionUri: vscode.Uri, log: vscode.LogOutputChannel): vscode.Disposable {
    return vscode.window.registerCustomEditorProvider(EDITOR_VIEW_TYPE, new TrajectoryEditorProvider(extensionUri, log), {
      supportsMultipleEditorsPerDocument: true,
    });
  }

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  async resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): Promise<void> {
    const file = document.uri.fsPath;
    panel.webview.options = webviewOptions(this.extensionUri, path.dirname(file));
    const view = new TrajectoryWebview(panel.webview, this.extensionUri, this.log);
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(file)), path.basename(file)));
    let timer: NodeJS.Timeout | undefined;
    const reload = () => {
      clearTimeout(timer);
      timer = setTimeout(() => void this.show(view, file), 200);
    };
    watcher.onDidChange(reload);
    panel.onDidDispose(() => {
      clearTimeout(timer);
      watcher.dispose();
      view.dispose();
    });
    await this.show(view, file);
  }

  private async show(view: TrajectoryWebview, file: string): Promise<void> {
    try {
      await view.showFile(file);
    } catch (e) {
      this.log.error(`cannot show ${file}: ${(e as Error).message}`);
      void vscode.window.showErrorMessage(`Glance-or-Gaze: cannot read ${path.basename(file)}: ${(e as Error).message}`);
    }
  }
}

/** `Glance-or-Gaze: Open Trajectory…` */
export async function openTrajectoryCommand(given?: unknown): Promise<boolean> {
  const uri =
    given instanceof vscode.Uri
      ? given
      : (
          await vscode.window.showOpenDialog({
            title: 'Glance-or-Gaze: trajectory to open',
            canSelectMany: false,
            filters: { Trajectories: ['jsonl'] },
          })
        )?.[0];
  if (!uri) return false;
  await vscode.commands.executeCommand('vscode.openWith', uri, EDITOR_VIEW_TYPE);
  return true;
}
