// The Runs view: the benchmark runs under each workspace folder's `.gog/runs/` and in the
// folders the user added, with their scores and progress. File watchers refresh it
// (debounced) while a run is written; each look reads only what results.jsonl gained.
// A run opens in the failures table; its benchmarks are listed beneath it.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { findRuns, isComplete, RunStatusReader, type RunStatus } from '../data/runIndex';
import { isRunning } from '../run/reviewMessages';

export const RUNS_VIEW_ID = 'gog.runs';
const ADDED_FOLDERS_KEY = 'gog.runFolders';
const REFRESH_DEBOUNCE_MS = 400;

const percent = (v: number) => `${(v * 100).toFixed(1)}%`;

export type RunsNode = { kind: 'run'; status: RunStatus; added: boolean } | { kind: 'group'; run: string; name: string; figures: string; tooltip: string };

export class RunsTreeProvider implements vscode.TreeDataProvider<RunsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly reader = new RunStatusReader();
  private readonly disposables: vscode.Disposable[] = [];
  private watchers: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly state: vscode.Memento) {
    this.watch();
    this.disposables.push(
      this.changed,
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.rewatch()),
    );
  }

  /** Folders the user added (runs, or folders of runs), kept per workspace. */
  addedFolders(): string[] {
    return this.state.get<string[]>(ADDED_FOLDERS_KEY, []);
  }

  async addFolder(dir: string): Promise<void> {
    const folders = this.addedFolders();
    if (!folders.includes(dir)) await this.state.update(ADDED_FOLDERS_KEY, [...folders, dir]);
    this.rewatch();
  }

  async removeFolder(dir: string): Promise<void> {
    await this.state.update(
      ADDED_FOLDERS_KEY,
      this.addedFolders().filter((f) => f !== dir),
    );
    this.rewatch();
  }

  /** Where runs are looked for: each workspace folder's `.gog/runs`, then the added folders. */
  private roots(): { dir: string; added: boolean }[] {
    const workspace = (vscode.workspace.workspaceFolders ?? [])
      .filter((f) => f.uri.scheme === 'file')
      .map((f) => ({ dir: path.join(f.uri.fsPath, '.gog', 'runs'), added: false }));
    return [...workspace, ...this.addedFolders().map((dir) => ({ dir, added: true }))];
  }

  /** Every run found, with its status now. */
  async runs(): Promise<{ status: RunStatus; added: boolean }[]> {
    const found = await Promise.all(this.roots().map(async (root) => (await findRuns(root.dir)).map((dir) => ({ dir, added: root.added }))));
    const seen = new Set<string>();
    const unique = found.flat().filter((r) => !seen.has(r.dir) && seen.add(r.dir));
    return Promise.all(unique.map(async (r) => ({ status: await this.reader.read(r.dir), added: r.added })));
  }

  refresh(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.changed.fire(undefined), REFRESH_DEBOUNCE_MS);
  }

  private rewatch(): void {
    for (const w of this.watchers.splice(0)) w.dispose();
    this.watch();
    this.refresh();
  }

  private watch(): void {
    for (const root of this.roots()) {
      // A run's files, and runs appearing or going (a folder of runs, or the run itself).
      // notes.json: a run renamed or given notes (runNotes.ts) shows under its new name.
      for (const pattern of ['*/{results.jsonl,summary.json,notes.json}', '{results.jsonl,summary.json,notes.json}', '*']) {
        const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(root.dir), pattern));
        this.watchers.push(
          w,
          w.onDidChange(() => this.refresh()),
          w.onDidCreate(() => this.refresh()),
          w.onDidDelete(() => this.refresh()),
        );
      }
    }
  }

  async getChildren(node?: RunsNode): Promise<RunsNode[]> {
    if (!node) return (await this.runs()).map(({ status, added }) => ({ kind: 'run', status, added }));
    if (node.kind !== 'run' || !node.status.summary) return [];
    const summary = node.status.summary;
    const groups = Object.entries(summary.byBenchmark);
    if (groups.length < 2) return [];
    return groups.map(([name, g]) => ({
      kind: 'group',
      run: node.status.dir,
      name,
      figures: `${percent(g.accuracy)}${g.judge !== undefined ? ` · judge ${percent(g.judge)}` : ''} · ${g.samples} samples`,
      tooltip: `${name}: exact match ${percent(g.accuracy)}, F1 ${percent(g.f1)}${g.judge !== undefined ? `, judge ${percent(g.judge)}` : ''}, ${g.avgTurns.toFixed(2)} turns on average, searched ${percent(g.searchRatio)}, gazed ${percent(g.gazeRatio)}`,
    }));
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'group': {
        const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.None);
        item.description = node.figures;
        item.tooltip = node.tooltip;
        item.iconPath = new vscode.ThemeIcon('symbol-field');
        return item;
      }
      case 'run':
        return runItem(node.status, node.added);
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const d of [...this.watchers.splice(0), ...this.disposables.splice(0)]) d.dispose();
  }
}

/** What the view says of a run: its score, how far along it is, and whether it is still running. */
export function runDescription(s: RunStatus): string {
  const score = s.done ? percent(s.correct / s.done) : '';
  const progress = s.total !== undefined && !isComplete(s) ? `${s.done}/${s.total}` : `${s.done} samples`;
  return [score, progress].filter(Boolean).join(' · ');
}

function runItem(s: RunStatus, added: boolean): vscode.TreeItem {
  const groups = s.summary ? Object.keys(s.summary.byBenchmark).length : 0;
  // A name given in the Runs view (notes.json) before the folder's; the folder's stays in the tooltip.
  const item = new vscode.TreeItem(s.notes?.name ?? s.name, groups > 1 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  item.id = s.dir;
  item.resourceUri = vscode.Uri.file(s.dir);
  item.description = runDescription(s);
  const running = isRunning(s);
  item.iconPath = new vscode.ThemeIcon(running ? 'loading~spin' : isComplete(s) ? 'beaker' : s.problems.length || s.summaryProblem ? 'warning' : 'debug-pause');
  item.contextValue = added ? 'gog.run.added' : 'gog.run';
  const tip = new vscode.MarkdownString(undefined, true);
  // The folder's name is not ours: as text, never as Markdown.
  tip.appendMarkdown('**');
  tip.appendText(s.name);
  tip.appendMarkdown(`**${running ? ' (running)' : ''}\n\n`);
  if (s.notes?.name) tip.appendText(`folder ${path.basename(s.dir)}\n\n`);
  if (s.identity?.length) tip.appendText(`${s.identity.map(([k, v]) => `${k} ${v}`).join(' · ')}\n\n`);
  if (s.notes?.notes) tip.appendText(`${s.notes.notes}\n\n`);
  if (s.summary) tip.appendText(`${s.summary.run.dataset}, started ${s.summary.run.started}\n\n`);
  tip.appendText(`${s.done}${s.total !== undefined ? ` of ${s.total}` : ''} results; ${s.correct} right${s.done ? ` (${percent(s.correct / s.done)})` : ''}`);
  if (s.judged) tip.appendText(`; judge ${percent(s.judgedCorrect / s.judged)} of ${s.judged} judged`);
  if (s.summary)
    tip.appendText(
      `\n\nexact match ${percent(s.summary.all.accuracy)}, F1 ${percent(s.summary.all.f1)}, ${s.summary.all.avgTurns.toFixed(2)} turns on average`,
    );
  if (s.problems.length) tip.appendText(`\n\n${s.problems.length} malformed line${s.problems.length === 1 ? '' : 's'} in results.jsonl`);
  if (s.summaryProblem) tip.appendText(`\n\nsummary.json: ${s.summaryProblem}`);
  item.tooltip = tip;
  item.command = { command: 'gog.openRun', title: 'Open Run', arguments: [vscode.Uri.file(s.dir)] };
  return item;
}
