// One sample's trajectories in two runs side by side, opened from the Compare view: turns
// aligned by step, the first divergence marked, both runs' gaze boxes on one image. The
// host reads both trajectories (each only inside its run folder) and sends them whole; the
// image reaches the webview through asWebviewUri, and the panel's localResourceRoots are the
// bundle and the two trajectories' folders, nothing else. Not revived after a reload: it is
// one click away in the Compare view, which is.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { diffFiles, diffMessage, type DiffSide } from '../run/diffMessage';
import type { RunsRequest } from '../shared/runsMessages';
import type { RunPanelContext } from './runReviewPanel';
import { RunsWebview, runsWebviewOptions } from './runsWebview';
import { showError } from './safeOutput';
import { EDITOR_VIEW_TYPE } from './trajectoryEditor';

export const DIFF_PANEL_VIEW_TYPE = 'gog.trajectoryDiff';

export class TrajectoryDiffPanel implements vscode.Disposable {
  private readonly view: RunsWebview;
  private readonly disposables: vscode.Disposable[] = [];

  static async show(ctx: RunPanelContext, sides: readonly [DiffSide, DiffSide]): Promise<TrajectoryDiffPanel> {
    // Checked before the panel exists: a trajectory outside its run folder opens nothing.
    const files = await diffFiles(sides);
    const title = `Diff ${sides[0].result.id}: ${sides[0].label} ↔ ${sides[1].label}`;
    const panel = vscode.window.createWebviewPanel(
      DIFF_PANEL_VIEW_TYPE,
      title,
      vscode.ViewColumn.Active,
      runsWebviewOptions(
        ctx.extensionUri,
        files.map((f) => path.dirname(f)),
      ),
    );
    return new TrajectoryDiffPanel(ctx, panel, sides, files);
  }

  private constructor(
    private readonly ctx: RunPanelContext,
    readonly panel: vscode.WebviewPanel,
    private readonly sides: readonly [DiffSide, DiffSide],
    private readonly files: readonly [string, string],
  ) {
    this.view = new RunsWebview(panel.webview, ctx.extensionUri, ctx.log, { ready: () => void this.send(), request: (r) => this.answer(r) });
    this.disposables.push(
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.view.hidden();
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  private async send(): Promise<void> {
    try {
      this.view.post(await diffMessage(this.sides, (file) => this.panel.webview.asWebviewUri(vscode.Uri.file(file)).toString()));
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.ctx.log.error(`diff ${this.files.join(' ')}: ${message}`);
      void showError(`Glance-or-Gaze: cannot show the diff: ${message}`);
    }
  }

  private async answer(request: RunsRequest): Promise<void> {
    switch (request.method) {
      case 'openSample': {
        const file = this.files[request.run ?? 0];
        if (!file) throw new Error('the diff has two runs');
        await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(file), EDITOR_VIEW_TYPE, {
          viewColumn: this.panel.viewColumn ?? vscode.ViewColumn.Active,
          preview: true,
        });
        return;
      }
      case 'startQueue':
      case 'editRun':
      case 'divergence':
      case 'baseline':
      case 'diff':
      case 'exportTable':
      case 'openConflict':
      case 'adjudicate':
      case 'reviewConflicts':
        throw new Error('the diff shows one sample');
      default: {
        const never: never = request;
        throw new Error(`unknown request ${(never as RunsRequest).method}`);
      }
    }
  }

  dispose(): void {
    this.view.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
