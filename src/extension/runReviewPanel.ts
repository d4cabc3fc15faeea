// One benchmark run in a panel: the failures table and its charts. The host reads
// results.jsonl as a stream into small rows (never the trajectories), watches it while the
// run is written (debounced, reading only what was appended), opens a sample's trajectory
// in the trajectory editor in the panel's own group (the webview keeps its state and is
// rebuilt when its tab comes back), and writes review queues. One panel per run folder;
// the panel comes back after a window reload (its state names the run). The prices per
// million tokens (gog.review.*) go with the run's figures, for the cost chart, and again
// when they change. The search box searches the run's trajectories here (src/data/find, as
// `gog find` does), streaming the samples found; a new search stops the one before.
// Export Table… writes the listed rows (tableCommands.ts).
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { oneLine } from '../core/agent';
import { AgreementInputError, agreementOf } from '../data/agreement/agreementRun';
import { findInRun } from '../data/find/findInRun';
import { FIND_FIELDS } from '../data/find/findQuery';
import { MAX_RUN_NAME_CHARS, MAX_RUN_NOTES_CHARS, writeRunNotes } from '../data/runNotes';
import { readMoreRows, type RunRows } from '../data/reviewRows';
import { RESULTS_FILE, SUMMARY_FILE } from '../data/resultsFile';
import { RunStatusReader } from '../data/runIndex';
import { sampleTrajectory } from '../data/sampleFiles';
import { runInfo, runMessage, runMessages } from '../run/reviewMessages';
import { reviewSettingsFromConfig } from '../review/reviewSettings';
import type { GazeQualityMessage } from '../shared/agreementMessage';
import { runsViewStateSchema, type RunInfo, type RunsRequest, type RunsViewMessage } from '../shared/runsMessages';
import type { RunStatus } from '../data/runIndex';
import { startReviewQueue } from './reviewQueue';
import { exportRunTable } from './tableCommands';
import { RunsWebview, runsWebviewOptions } from './runsWebview';
import { EDITOR_VIEW_TYPE } from './trajectoryEditor';
import { showError } from './safeOutput';

export const RUN_PANEL_VIEW_TYPE = 'gog.runReview';
/** Changes to a run being written are gathered this long before the panel reads them. */
const WATCH_DEBOUNCE_MS = 300;

export interface RunPanelContext {
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  /** Called when a panel changed what the Runs view shows (a run renamed): it need not wait for a file watcher. */
  runsChanged?: () => void;
}

/** Set while a run's table has opened a sample: Next Sample and Previous Sample step through its list. */
export const STEPPING_CONTEXT = 'gog.runSamples.active';

export class RunReviewPanel implements vscode.Disposable {
  private static readonly open = new Map<string, RunReviewPanel>();
  /** The panel a sample was last opened from: the list next and previous sample follow. */
  private static stepping: RunReviewPanel | undefined;
  /** The samples its table listed (its filter and sort) when a sample was opened, and where in them the editor is. */
  private listed: { keys: number[]; at: number } | undefined;
  /** The sample the editor stepped to, selected again when the webview is rebuilt (its tab was hidden meanwhile). */
  private stepped: number | undefined;
  private readonly view: RunsWebview;
  private readonly reader = new RunStatusReader();
  private rows: RunRows | undefined;
  private loading: Promise<RunRows> | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** The trajectory search under way, stopped by the next one and when the panel closes. */
  private finding: AbortController | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** The gaze quality read for the panel, and what stops reading it when the panel closes. */
  private quality: Promise<GazeQualityMessage | undefined> | undefined;
  private readonly qualityStop = new AbortController();

  /** Shows the run: its panel if it has one, else a new panel in the active group. */
  static show(ctx: RunPanelContext, runDir: string): RunReviewPanel {
    const dir = path.resolve(runDir);
    const existing = RunReviewPanel.open.get(dir);
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      RUN_PANEL_VIEW_TYPE,
      `Run: ${path.basename(dir)}`,
      vscode.ViewColumn.Active,
      runsWebviewOptions(ctx.extensionUri),
    );
    return new RunReviewPanel(ctx, panel, dir);
  }

  static register(ctx: RunPanelContext): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(RUN_PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => {
        const saved = runsViewStateSchema.safeParse(state ?? {});
        const dir = saved.success ? saved.data.run : undefined;
        if (!dir || !existsSync(path.join(dir, RESULTS_FILE))) {
          ctx.log.info('a run panel from the last session had no run to show; closed');
          panel.dispose();
          return;
        }
        panel.webview.options = runsWebviewOptions(ctx.extensionUri);
        new RunReviewPanel(ctx, panel, path.resolve(dir));
      },
    });
  }

  /** The run of the run panel in front, if one is. */
  static activeRun(): string | undefined {
    for (const [dir, p] of RunReviewPanel.open) if (p.panel.active) return dir;
    return undefined;
  }

  static panelFor(runDir: string): RunReviewPanel | undefined {
    return RunReviewPanel.open.get(path.resolve(runDir));
  }

  private constructor(
    private readonly ctx: RunPanelContext,
    readonly panel: vscode.WebviewPanel,
    readonly runDir: string,
  ) {
    RunReviewPanel.open.set(runDir, this);
    this.view = new RunsWebview(panel.webview, ctx.extensionUri, ctx.log, {
      ready: () => {
        // A rebuilt webview has forgotten the search: it stops.
        this.finding?.abort();
        void this.sendAll();
      },
      request: (r) => this.answer(r),
      find: (m) => void this.find(m),
    });
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(runDir), `{${RESULTS_FILE},${SUMMARY_FILE}}`));
    const changed = () => {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.readMore(), WATCH_DEBOUNCE_MS);
    };
    this.disposables.push(
      watcher,
      watcher.onDidChange(changed),
      watcher.onDidCreate(changed),
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.view.hidden();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('gog.review')) void this.readMore();
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** The run's figures as the view shows them, with the prices the settings give (none when both are 0). */
  private info(status: RunStatus): RunInfo {
    const info = runInfo(status);
    this.panel.title = `Run: ${info.name ?? info.title}`;
    try {
      const c = vscode.workspace.getConfiguration('gog', vscode.Uri.file(this.runDir));
      const p = reviewSettingsFromConfig((name) => c.get(name));
      if (p.pricePromptPerMillion > 0 || p.priceCompletionPerMillion > 0)
        info.prices = { prompt: p.pricePromptPerMillion, completion: p.priceCompletionPerMillion };
    } catch (e) {
      this.ctx.log.warn(`run review: ${(e as Error).message}; no cost is shown`);
    }
    return info;
  }

  /** The run's rows, read once and kept while the panel is open. */
  private load(): Promise<RunRows> {
    this.loading ??= runMessage(this.runDir, this.reader).then(({ rows }) => (this.rows = rows));
    return this.loading;
  }

  /** Everything the table shows. */
  private async sendAll(): Promise<void> {
    try {
      const rows = await this.load();
      const status = await this.reader.read(this.runDir);
      for (const message of runMessages(this.info(status), rows.rows, rows.problems)) this.view.post(message);
      if (this.stepped !== undefined) this.view.post({ type: 'select', key: this.stepped });
      void this.sendGazeQuality();
    } catch (e) {
      this.fail(e);
    }
  }

  /**
   * The run's gaze quality (the model's boxes against the annotators' corrections) as `gog
   * agreement` computes it, read after the rows (it reads every trajectory): read once per
   * panel, sent again to a rebuilt webview. A run without trajectories or corrections sends
   * nothing, and its Charts have no gaze quality chart.
   */
  private async sendGazeQuality(): Promise<void> {
    this.quality ??= agreementOf(this.runDir, this.runDir, this.qualityStop.signal).then(
      ({ report }) =>
        report.gazeQuality.overall.count
          ? { type: 'gazeQuality', byBenchmark: report.gazeQuality.byBenchmark, byCategory: report.gazeQuality.byCategory }
          : undefined,
      (e: unknown) => {
        if (!this.qualityStop.signal.aborted && !(e instanceof AgreementInputError))
          this.ctx.log.warn(`run ${path.basename(this.runDir)}: gaze quality not read: ${oneLine(e)}`);
        return undefined;
      },
    );
    const message = await this.quality;
    if (message) this.view.post(message);
  }

  /** What results.jsonl gained (and the figures, prices included, as they are now); a file that shrank is another run written there: read again. */
  private async readMore(): Promise<void> {
    if (!this.rows) return;
    try {
      const status = await this.reader.read(this.runDir);
      if (status.done < this.rows.rows.length) {
        this.rows = undefined;
        this.loading = undefined;
        return await this.sendAll();
      }
      const added = await readMoreRows(this.runDir, this.rows);
      this.view.post({ type: 'rows', run: { ...this.info(status), done: this.rows.rows.length }, rows: added.rows, problems: added.problems });
    } catch (e) {
      this.fail(e);
    }
  }

  /** Searches the run's trajectories, posting the samples found as they come, then the end; an empty pattern only stops the search before. */
  private async find({ search, pattern, regex }: Extract<RunsViewMessage, { type: 'find' }>): Promise<void> {
    this.finding?.abort();
    this.finding = undefined;
    if (!pattern.trim()) return;
    const finding = (this.finding = new AbortController());
    const { signal } = finding;
    try {
      const rows = await this.load();
      const outcome = await findInRun({
        runDir: this.runDir,
        trajectories: rows.trajectories,
        // Case as the table's own filter takes it: ignored.
        query: { pattern, regex, ignoreCase: true, fields: FIND_FIELDS },
        signal,
        onHits: (hits) => this.view.post({ type: 'found', search, hits }),
      });
      if (!signal.aborted) this.view.post({ type: 'findDone', search, ...outcome });
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      this.ctx.log.warn(`run ${this.runDir}: the trajectory search failed: ${error}`);
      if (!signal.aborted) this.view.post({ type: 'findDone', search, searched: 0, error });
    } finally {
      if (this.finding === finding) this.finding = undefined;
    }
  }

  private fail(e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    this.ctx.log.error(`run ${this.runDir}: ${message}`);
    void showError(`Glance-or-Gaze: cannot read the run ${path.basename(this.runDir)}: ${message}`);
  }

  private async answer(request: RunsRequest): Promise<void> {
    switch (request.method) {
      case 'openSample':
        if (request.listed) this.listed = { keys: request.listed, at: request.listed.indexOf(request.key) };
        this.stepped = undefined;
        await this.openSample(request.key);
        RunReviewPanel.stepping = this;
        void vscode.commands.executeCommand('setContext', STEPPING_CONTEXT, true);
        return;
      case 'startQueue': {
        const rows = this.rows;
        if (!rows) throw new Error('the run is still loading');
        const files = request.keys.map((k) => rows.trajectories[k]).filter((t): t is string => t !== undefined);
        await startReviewQueue(this.ctx.log, this.runDir, files, request.label);
        return;
      }
      case 'editRun':
        await this.editRun(request.field);
        return;
      case 'divergence':
      case 'baseline':
      case 'diff':
        throw new Error('a single run has nothing to compare');
      case 'exportTable':
        await exportRunTable(this.runDir, await this.load(), request.keys);
        return;
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

  /** Rename Run… / Run Notes…: asks, stores in notes.json (the results are not touched), shows it. */
  async editRun(field: 'name' | 'notes'): Promise<void> {
    const current = (await this.reader.read(this.runDir)).notes ?? {};
    const max = field === 'name' ? MAX_RUN_NAME_CHARS : MAX_RUN_NOTES_CHARS;
    const value = await vscode.window.showInputBox({
      title: field === 'name' ? `Rename run ${path.basename(this.runDir)}` : `Notes on run ${current.name ?? path.basename(this.runDir)}`,
      prompt:
        field === 'name'
          ? 'Shown in the Runs view and reports instead of the folder name (empty: the folder name again)'
          : "Shown under the run's name in the Runs view and reports (empty: none)",
      value: current[field] ?? '',
      validateInput: (v) => ([...v].length > max ? `at most ${max} characters` : undefined),
    });
    if (value === undefined) return;
    await writeRunNotes(this.runDir, { [field]: value });
    this.ctx.runsChanged?.();
    await this.readMore();
  }

  /**
   * Next Sample / Previous Sample from the trajectory editor: the next (or previous) sample
   * the table listed, opened in the editor's place, and selected in the table. Undefined at
   * either end of the list (said in the status bar) or when no table has opened a sample.
   */
  static async step(direction: 1 | -1): Promise<vscode.Uri | undefined> {
    const panel = RunReviewPanel.stepping;
    if (!panel?.listed?.keys.length) {
      void vscode.window.showInformationMessage(
        "Glance-or-Gaze: open a sample from a run's table first; next and previous sample follow the samples it lists.",
      );
      return undefined;
    }
    return panel.move(direction);
  }

  private async move(direction: 1 | -1): Promise<vscode.Uri | undefined> {
    const listed = this.listed!;
    // A sample opened that the list no longer holds: next is its first, previous its last.
    const at = listed.at < 0 ? (direction > 0 ? 0 : listed.keys.length - 1) : listed.at + direction;
    if (at < 0 || at >= listed.keys.length) {
      vscode.window.setStatusBarMessage(
        `Glance-or-Gaze: that was the ${direction > 0 ? 'last' : 'first'} of the ${listed.keys.length} samples the table lists`,
        4000,
      );
      return undefined;
    }
    const key = listed.keys[at]!;
    const uri = await this.openSample(key);
    listed.at = at;
    this.stepped = key;
    this.view.post({ type: 'select', key });
    return uri;
  }

  /** Export Table… over this panel: the webview asks for the rows it lists (its filter and sort). */
  exportListed(): void {
    this.view.post({ type: 'exportTable' });
  }

  /** Opens a sample's trajectory in the trajectory editor, in this panel's group. */
  async openSample(key: number): Promise<vscode.Uri> {
    const rel = (await this.load()).trajectories[key];
    if (rel === undefined) throw new Error(`there is no sample ${key} in this run`);
    const uri = vscode.Uri.file(await sampleTrajectory(this.runDir, rel));
    await vscode.commands.executeCommand('vscode.openWith', uri, EDITOR_VIEW_TYPE, {
      viewColumn: this.panel.viewColumn ?? vscode.ViewColumn.Active,
      preview: true,
    });
    return uri;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.finding?.abort();
    this.qualityStop.abort();
    RunReviewPanel.open.delete(this.runDir);
    if (RunReviewPanel.stepping === this) {
      RunReviewPanel.stepping = undefined;
      void vscode.commands.executeCommand('setContext', STEPPING_CONTEXT, false);
    }
    this.view.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
