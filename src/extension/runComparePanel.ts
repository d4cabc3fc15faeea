// Two benchmark runs compared in a panel: summary deltas, each sample's verdict in both,
// and, asked for one sample, the first step where its two trajectories act differently
// (read from disk then; the panel holds results, never trajectories). Either trajectory
// opens in the trajectory editor. The panel comes back after a window reload.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { firstDivergence } from '../data/compare';
import { RESULTS_FILE } from '../data/resultsFile';
import { sampleTrajectory } from '../data/sampleFiles';
import { readTrajectory } from '../core/trajectoryFile';
import { compareMessage, type Compared } from '../run/reviewMessages';
import { runsViewStateSchema, type Divergence, type RunsRequest } from '../shared/runsMessages';
import type { RunPanelContext } from './runReviewPanel';
import { RunsWebview, runsWebviewOptions } from './runsWebview';
import { EDITOR_VIEW_TYPE } from './trajectoryEditor';
import { MAX_VIEW_TRAJECTORY_BYTES } from './trajectoryWebview';
import { showError } from './safeOutput';

export const COMPARE_PANEL_VIEW_TYPE = 'gog.runCompare';

export class RunComparePanel implements vscode.Disposable {
  private readonly view: RunsWebview;
  private compared: Promise<Compared> | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  static show(ctx: RunPanelContext, a: string, b: string): RunComparePanel {
    const title = `Compare: ${path.basename(a)} ↔ ${path.basename(b)}`;
    const panel = vscode.window.createWebviewPanel(COMPARE_PANEL_VIEW_TYPE, title, vscode.ViewColumn.Active, runsWebviewOptions(ctx.extensionUri));
    return new RunComparePanel(ctx, panel, path.resolve(a), path.resolve(b));
  }

  static register(ctx: RunPanelContext): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(COMPARE_PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => {
        const saved = runsViewStateSchema.safeParse(state ?? {});
        const [a, b] = saved.success ? [saved.data.run, saved.data.compareWith] : [];
        if (!a || !b || !existsSync(path.join(a, RESULTS_FILE)) || !existsSync(path.join(b, RESULTS_FILE))) {
          ctx.log.info('a comparison from the last session had no runs to show; closed');
          panel.dispose();
          return;
        }
        panel.webview.options = runsWebviewOptions(ctx.extensionUri);
        new RunComparePanel(ctx, panel, a, b);
      },
    });
  }

  private constructor(
    private readonly ctx: RunPanelContext,
    readonly panel: vscode.WebviewPanel,
    readonly a: string,
    readonly b: string,
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
      this.compared ??= compareMessage(this.a, this.b);
      this.view.post((await this.compared).message);
    } catch (e) {
      this.compared = undefined;
      const message = e instanceof Error ? e.message : String(e);
      this.ctx.log.error(`compare ${this.a} ${this.b}: ${message}`);
      void showError(`Glance-or-Gaze: cannot compare the runs: ${message}`);
    }
  }

  private async trajectory(key: number, side: 'a' | 'b'): Promise<string> {
    const source = (await this.compared)?.sources[key]?.[side];
    if (!source) throw new Error(`sample ${key} is not in run ${side.toUpperCase()}`);
    return sampleTrajectory(side === 'a' ? this.a : this.b, source.trajectory);
  }

  private async answer(request: RunsRequest): Promise<{ divergence: Divergence } | void> {
    switch (request.method) {
      case 'openSample': {
        const file = await this.trajectory(request.key, request.side ?? 'a');
        await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(file), EDITOR_VIEW_TYPE, {
          viewColumn: this.panel.viewColumn ?? vscode.ViewColumn.Active,
          preview: true,
        });
        return;
      }
      case 'divergence': {
        const [fa, fb] = await Promise.all([this.trajectory(request.key, 'a'), this.trajectory(request.key, 'b')]);
        const [ta, tb] = await Promise.all([
          readTrajectory(fa, { maxBytes: MAX_VIEW_TRAJECTORY_BYTES }),
          readTrajectory(fb, { maxBytes: MAX_VIEW_TRAJECTORY_BYTES }),
        ]);
        return { divergence: firstDivergence(ta.events, tb.events) };
      }
      case 'startQueue':
        throw new Error('queues start from one run');
      case 'editRun':
        throw new Error('a run is renamed from its own view');
    }
  }

  dispose(): void {
    this.view.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
