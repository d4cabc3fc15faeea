// Benchmark runs compared in a panel (two to eight), read against a baseline the view can
// change: summary figures, each sample's verdict in every run, each run's accuracy against
// the baseline's with its significance, and, asked for one sample, the first step where a
// run's trajectory parts from the baseline's (read from disk then; the panel holds results,
// never trajectories) or the two side by side in a diff panel. Any run's trajectory opens
// in the trajectory editor. The panel comes back after a window reload.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { firstDivergence, MAX_COMPARED_RUNS, runLabel } from '../data/compare';
import { RESULTS_FILE } from '../data/resultsFile';
import { sampleTrajectory } from '../data/sampleFiles';
import { readTrajectory } from '../core/trajectoryFile';
import { compareMessage, type Compared } from '../run/reviewMessages';
import { runsViewStateSchema, type Divergence, type RunsRequest } from '../shared/runsMessages';
import type { RunPanelContext } from './runReviewPanel';
import { RunsWebview, runsWebviewOptions } from './runsWebview';
import { EDITOR_VIEW_TYPE } from './trajectoryEditor';
import { TrajectoryDiffPanel } from './trajectoryDiffPanel';
import { MAX_VIEW_TRAJECTORY_BYTES } from './trajectoryWebview';
import { showError } from './safeOutput';

export const COMPARE_PANEL_VIEW_TYPE = 'gog.runCompare';

export class RunComparePanel implements vscode.Disposable {
  private readonly view: RunsWebview;
  private compared: Promise<Compared> | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  static show(ctx: RunPanelContext, dirs: readonly string[], baseline = 0): RunComparePanel {
    const title = `Compare: ${dirs.map((d) => path.basename(d)).join(' ↔ ')}`;
    const panel = vscode.window.createWebviewPanel(COMPARE_PANEL_VIEW_TYPE, title, vscode.ViewColumn.Active, runsWebviewOptions(ctx.extensionUri));
    return new RunComparePanel(
      ctx,
      panel,
      dirs.map((d) => path.resolve(d)),
      baseline,
    );
  }

  static register(ctx: RunPanelContext): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(COMPARE_PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => {
        const saved = runsViewStateSchema.safeParse(state ?? {});
        // A panel saved before more than two runs could be compared kept them as run and compareWith.
        const dirs = !saved.success ? [] : (saved.data.compared ?? [saved.data.run, saved.data.compareWith].filter((d): d is string => !!d));
        if (dirs.length < 2 || dirs.length > MAX_COMPARED_RUNS || !dirs.every((d) => existsSync(path.join(d, RESULTS_FILE)))) {
          ctx.log.info('a comparison from the last session had no runs to show; closed');
          panel.dispose();
          return;
        }
        const baseline = saved.success && (saved.data.baseline ?? 0) < dirs.length ? (saved.data.baseline ?? 0) : 0;
        panel.webview.options = runsWebviewOptions(ctx.extensionUri);
        new RunComparePanel(ctx, panel, dirs, baseline);
      },
    });
  }

  private constructor(
    private readonly ctx: RunPanelContext,
    readonly panel: vscode.WebviewPanel,
    readonly dirs: readonly string[],
    private baseline: number,
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
      this.compared ??= compareMessage(this.dirs, { baseline: this.baseline });
      this.view.post((await this.compared).message);
    } catch (e) {
      this.compared = undefined;
      const message = e instanceof Error ? e.message : String(e);
      this.ctx.log.error(`compare ${this.dirs.join(' ')}: ${message}`);
      void showError(`Glance-or-Gaze: cannot compare the runs: ${message}`);
    }
  }

  private async source(key: number, run: number) {
    const source = (await this.compared)?.sources[key]?.[run];
    if (!source) throw new Error(`sample ${key} is not in run ${runLabel(run)}`);
    return source;
  }

  private async trajectory(key: number, run: number): Promise<string> {
    const dir = this.dirs[run];
    if (!dir) throw new Error(`there is no run ${runLabel(run)}`);
    return sampleTrajectory(dir, (await this.source(key, run)).trajectory);
  }

  private async answer(request: RunsRequest): Promise<{ divergence: Divergence } | void> {
    switch (request.method) {
      case 'openSample': {
        const file = await this.trajectory(request.key, request.run ?? this.baseline);
        await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(file), EDITOR_VIEW_TYPE, {
          viewColumn: this.panel.viewColumn ?? vscode.ViewColumn.Active,
          preview: true,
        });
        return;
      }
      case 'divergence': {
        const [fa, fb] = await Promise.all([this.trajectory(request.key, this.baseline), this.trajectory(request.key, request.run)]);
        const [ta, tb] = await Promise.all([
          readTrajectory(fa, { maxBytes: MAX_VIEW_TRAJECTORY_BYTES }),
          readTrajectory(fb, { maxBytes: MAX_VIEW_TRAJECTORY_BYTES }),
        ]);
        return { divergence: firstDivergence(ta.events, tb.events) };
      }
      case 'baseline': {
        if (request.run >= this.dirs.length) throw new Error(`there is no run ${runLabel(request.run)}`);
        if (request.run === this.baseline) return;
        this.baseline = request.run;
        this.compared = undefined;
        void this.send();
        return;
      }
      case 'diff': {
        const [base, other] = [this.baseline, request.run];
        if (base === other) throw new Error('a run against itself has no diff');
        const [ra, rb] = await Promise.all([this.source(request.key, base), this.source(request.key, other)]);
        await TrajectoryDiffPanel.show(this.ctx, [
          { dir: this.dirs[base]!, label: runLabel(base), result: ra },
          { dir: this.dirs[other]!, label: runLabel(other), result: rb },
        ]);
        return;
      }
      case 'startQueue':
        throw new Error('queues start from one run');
      case 'editRun':
        throw new Error('a run is renamed from its own view');
      case 'exportTable':
        throw new Error('a table is exported from one run');
      case 'openConflict':
      case 'adjudicate':
      case 'reviewConflicts':
        throw new Error('conflicts are settled from the agreement view');
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
