// The review of benchmark runs, registered as one piece: the Runs view, the run and
// comparison panels (with their revival after a reload), and the commands Open Run…,
// Compare Runs…, Run Benchmark…, Refresh Runs, Add/Remove Runs Folder, Export Table… and
// Open Report (tableCommands.ts). Returns what the extension exports for scripted use and tests.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { MAX_COMPARED_RUNS } from '../data/compare';
import { loadRunRows } from '../data/reviewRows';
import { isBenchmarkRun, type RunStatus } from '../data/runIndex';
import { benchCommandOptions, runBenchmarkCommand } from './benchCommand';
import { RunComparePanel } from './runComparePanel';
import { RunReviewPanel } from './runReviewPanel';
import type { RunDeps } from './runInWindow';
import { RUNS_VIEW_ID, RunsTreeProvider, type RunsNode } from './runsView';
import { showError } from './safeOutput';
import { exportRunTable, openRunReport } from './tableCommands';

export const RUN_COMMANDS = {
  openRun: 'gog.openRun',
  compareRuns: 'gog.compareRuns',
  runBenchmark: 'gog.runBenchmark',
  refreshRuns: 'gog.refreshRuns',
  addRunsFolder: 'gog.addRunsFolder',
  removeRunsFolder: 'gog.removeRunsFolder',
  nextSample: 'gog.nextSample',
  previousSample: 'gog.previousSample',
  exportTable: 'gog.exportTable',
  openReport: 'gog.openReport',
} as const;

/** What the extension exports about runs (activate's return value). */
export interface RunsApi {
  /** The runs the Runs view lists, with their status. */
  runs(): Promise<RunStatus[]>;
  /** Opens a sample of a run (by its line in results.jsonl, from 0) in the trajectory editor. */
  openSample(runDir: string, key: number): Promise<vscode.Uri>;
}

/** A run folder from a command's argument: a Uri, a path, or a node of the Runs view. */
function runDirOf(given: unknown): string | undefined {
  if (given instanceof vscode.Uri) return given.fsPath;
  if (typeof given === 'string') return given;
  const node = given as RunsNode | undefined;
  if (node && typeof node === 'object' && node.kind === 'run') return node.status.dir;
  return undefined;
}

async function pickFolder(title: string): Promise<string | undefined> {
  return (await vscode.window.showOpenDialog({ title, canSelectFiles: false, canSelectFolders: true, canSelectMany: false }))?.[0]?.fsPath;
}

async function checkedRun(dir: string | undefined): Promise<string | undefined> {
  if (!dir) return undefined;
  if (await isBenchmarkRun(dir)) return dir;
  void showError(`Glance-or-Gaze: ${path.basename(dir)} is not a benchmark run (it has no results.jsonl or summary.json).`);
  return undefined;
}

/** Picks a run: the known ones (newest first), or a folder found with the dialog. */
async function pickRun(tree: RunsTreeProvider, title: string, except?: string): Promise<string | undefined> {
  const browse = '$(folder-opened) Browse…';
  const runs = (await tree.runs()).filter((r) => r.status.dir !== except);
  const items: vscode.QuickPickItem[] = [
    ...runs.map((r) => ({
      label: r.status.name,
      description: `${r.status.done} results${r.status.done ? `, ${((100 * r.status.correct) / r.status.done).toFixed(1)}% right` : ''}`,
      detail: r.status.dir,
    })),
    { label: browse },
  ];
  const picked = await vscode.window.showQuickPick(items, { title, matchOnDescription: true, matchOnDetail: true });
  if (!picked) return undefined;
  return picked.label === browse ? checkedRun(await pickFolder(title)) : picked.detail;
}

export function registerRunReview(deps: RunDeps): { disposables: vscode.Disposable[]; api: RunsApi } {
  const { context, log } = deps;
  const tree = new RunsTreeProvider(context.workspaceState);
  // Our own writes refresh the view at once; the file watchers are for other writers.
  const ctx = { extensionUri: context.extensionUri, log, runsChanged: () => tree.refresh() };
  const view = vscode.window.createTreeView(RUNS_VIEW_ID, { treeDataProvider: tree, showCollapseAll: false, canSelectMany: true });

  const openRun = async (given?: unknown) => {
    const dir = await checkedRun(runDirOf(given) ?? (await pickRun(tree, 'Glance-or-Gaze: run to open')));
    if (!dir) return false;
    RunReviewPanel.show(ctx, dir);
    return true;
  };
  const compareRuns = async (first?: unknown, second?: unknown) => {
    // From the Runs view's menu on several selected runs: the clicked one and the selection (two to eight).
    if (Array.isArray(second) && second.length >= 2) {
      const dirs = (second as unknown[]).map(runDirOf);
      if (dirs.length > MAX_COMPARED_RUNS) {
        void showError(`Glance-or-Gaze: compare at most ${MAX_COMPARED_RUNS} runs at once (${dirs.length} selected).`);
        return false;
      }
      const checked: string[] = [];
      for (const d of dirs) {
        const dir = await checkedRun(d);
        if (!dir) return false;
        checked.push(dir);
      }
      RunComparePanel.show(ctx, checked);
      return true;
    }
    // From a script or a test: the runs as an array of folders.
    if (Array.isArray(first)) {
      const dirs = first.map(runDirOf).filter((d): d is string => !!d);
      if (dirs.length < 2 || dirs.length > MAX_COMPARED_RUNS) return false;
      for (const d of dirs) if (!(await checkedRun(d))) return false;
      RunComparePanel.show(ctx, dirs);
      return true;
    }
    const a = await checkedRun(runDirOf(first) ?? (await pickRun(tree, 'Glance-or-Gaze: compare run A (the baseline)…')));
    if (!a) return false;
    const b = await checkedRun(
      runDirOf(Array.isArray(second) ? undefined : second) ?? (await pickRun(tree, `Glance-or-Gaze: … with run B (compared with ${path.basename(a)})`, a)),
    );
    if (!b) return false;
    RunComparePanel.show(ctx, [a, b]);
    return true;
  };

  /** The run a command is about: its argument, else the run panel in front, else one picked. */
  const runFor = async (given: unknown, title: string) => checkedRun(runDirOf(given) ?? RunReviewPanel.activeRun() ?? (await pickRun(tree, title)));
  const failed = (what: string) => (e: unknown) => {
    void showError(`Glance-or-Gaze: ${what}: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  };

  const disposables: vscode.Disposable[] = [
    tree,
    view,
    RunReviewPanel.register(ctx),
    RunComparePanel.register(ctx),
    vscode.commands.registerCommand(RUN_COMMANDS.openRun, openRun),
    vscode.commands.registerCommand(RUN_COMMANDS.compareRuns, compareRuns),
    vscode.commands.registerCommand(RUN_COMMANDS.runBenchmark, async (dataset?: unknown, options?: unknown) => {
      const run = await runBenchmarkCommand(deps, dataset, benchCommandOptions(options));
      tree.refresh();
      return run;
    }),
    vscode.commands.registerCommand(RUN_COMMANDS.refreshRuns, () => tree.refresh()),
    vscode.commands.registerCommand(RUN_COMMANDS.nextSample, () => RunReviewPanel.step(1)),
    vscode.commands.registerCommand(RUN_COMMANDS.previousSample, () => RunReviewPanel.step(-1)),
    // Over the run panel in front (the command palette): what its table lists, as its button does. Else the whole run, in dataset order.
    vscode.commands.registerCommand(RUN_COMMANDS.exportTable, async (given?: unknown) => {
      const active = given === undefined ? RunReviewPanel.activeRun() : undefined;
      if (active) return RunReviewPanel.panelFor(active)?.exportListed();
      const dir = await runFor(given, 'Glance-or-Gaze: run whose table to export');
      if (!dir) return undefined;
      return loadRunRows(dir)
        .then((rows) => exportRunTable(dir, rows))
        .catch(failed('the table was not exported'));
    }),
    vscode.commands.registerCommand(RUN_COMMANDS.openReport, async (given?: unknown) => {
      const dir = await runFor(given, 'Glance-or-Gaze: run to report');
      if (!dir) return undefined;
      return openRunReport(context.extensionUri, dir, log).catch(failed('no report was made'));
    }),
    vscode.commands.registerCommand(RUN_COMMANDS.addRunsFolder, async (given?: unknown) => {
      const dir = runDirOf(given) ?? (await pickFolder('Glance-or-Gaze: a run folder, or a folder of runs, to list'));
      if (!dir) return false;
      await tree.addFolder(dir);
      return true;
    }),
    vscode.commands.registerCommand(RUN_COMMANDS.removeRunsFolder, async (given?: unknown) => {
      const added = tree.addedFolders();
      const node = given as RunsNode | undefined;
      const dir =
        node && typeof node === 'object' && node.kind === 'run'
          ? added.find((f) => node.status.dir === f || path.dirname(node.status.dir) === f)
          : (runDirOf(given) ?? (await vscode.window.showQuickPick(added, { title: 'Glance-or-Gaze: stop listing the runs in…' })));
      if (!dir) return false;
      await tree.removeFolder(dir);
      return true;
    }),
  ];
  return {
    disposables,
    api: {
      runs: async () => (await tree.runs()).map((r) => r.status),
      openSample: async (runDir, key) => {
        const panel = RunReviewPanel.panelFor(runDir) ?? RunReviewPanel.show(ctx, runDir);
        return panel.openSample(key);
      },
    },
  };
}
