// Glance-or-Gaze: Review Queue, a tree view in the Explorer over a folder of trajectories: a
// count of reviewed (labelled) / total, filters, resume at the first unreviewed, and
// next/previous that open the trajectory in the editor (saving the labels given to the one
// left, and closing its tab). The folder is indexed once and cached by size and time
// (queueIndex.ts), so a folder of thousands lists quickly and moving on reads one file.
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DIALECT_IDS, LABELS, STOP_REASONS } from '../core/trajectory';
import { promises as fs } from 'node:fs';
import { QueueIndex, type QueueEntry } from '../review/queueIndex';
import { readQueueFile } from '../review/queueFile';
import { describeFilter, queueFilterSchema, ReviewQueue, SCORE_FILTERS, type QueueCounts, type QueueFilter } from '../review/reviewQueue';
import { EDITOR_VIEW_TYPE, type QueueLink, type TrajectoryEditorProvider } from './trajectoryEditor';
import type { QueueStatus } from './trajectoryWebview';
import { showInformation } from './safeOutput';

export const QUEUE_VIEW_ID = 'gog.reviewQueue';
const CONTEXT_ACTIVE = 'gog.reviewQueue.active';
const STATE_FOLDER = 'gog.reviewQueue.folder';

const LABEL_ICONS = {
  accepted: ['pass', 'testing.iconPassed'],
  rejected: ['error', 'testing.iconFailed'],
  'needs-fix': ['warning', 'list.warningForeground'],
} as const;

export class ReviewQueueView implements vscode.TreeDataProvider<QueueEntry>, QueueLink, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly treeChanged = new vscode.EventEmitter<QueueEntry | undefined>();
  readonly onDidChangeTreeData = this.treeChanged.event;
  private readonly tree: vscode.TreeView<QueueEntry>;
  private readonly queue = new ReviewQueue();
  private index: QueueIndex | undefined;
  private watcher: vscode.Disposable[] = [];
  /** The trajectory the queue opened last (the active editor may be something else). */
  private current: string | undefined;
  private openedOn: string | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly editors: TrajectoryEditorProvider,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.tree = vscode.window.createTreeView(QUEUE_VIEW_ID, { treeDataProvider: this, showCollapseAll: false });
    this.disposables.push(this.tree, this.changed, this.treeChanged);
    editors.connectQueue(this);
    this.render();
  }

  get root(): string | undefined {
    return this.index?.root;
  }

  /** Opens the last session's queue, if there was one. */
  async restore(): Promise<void> {
    const folder = this.context.workspaceState.get<string>(STATE_FOLDER);
    if (folder) await this.open(folder).catch((e: unknown) => this.log.warn(`review queue: ${(e as Error).message}`));
  }

  /** What the queue was opened on: a folder, or a queue file (a JSON list of trajectories). */
  get source(): string | undefined {
    return this.openedOn;
  }

  /**
   * Indexes a folder's trajectories, or those a queue file lists (files already indexed and
   * unchanged are not read), and shows them.
   */
  async open(source: string): Promise<QueueCounts> {
    const given = path.resolve(source);
    const started = Date.now();
    const stat = await fs.stat(given).catch(() => undefined);
    if (!stat) throw new Error(`${given} does not exist`);
    const list = stat.isDirectory() ? undefined : await readQueueFile(given);
    const root = list?.root ?? given;
    const cacheDir = this.context.storageUri ?? this.context.globalStorageUri;
    const cacheFile = path.join(cacheDir.fsPath, 'review-index', `${createHash('sha1').update(given).digest('hex').slice(0, 16)}.json`);
    const index = new QueueIndex(root, cacheFile, list?.files);
    await index.loadCache();
    const entries = await index.scan();
    await index.saveCache().catch((e: unknown) => this.log.warn(`review queue: index not cached: ${(e as Error).message}`));
    this.index = index;
    this.openedOn = given;
    this.queue.set(entries);
    this.current = undefined;
    this.watch(root);
    await this.context.workspaceState.update(STATE_FOLDER, given);
    await vscode.commands.executeCommand('setContext', CONTEXT_ACTIVE, true);
    this.log.info(
      `review queue: ${entries.length} trajectories ${list ? `listed in ${given}` : `under ${root}`} (${index.lastRead} read, the rest cached) in ${Date.now() - started} ms`,
    );
    this.render();
    return this.queue.counts;
  }

  private watch(root: string): void {
    for (const d of this.watcher.splice(0)) d.dispose();
    const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(root), '**/*.jsonl'));
    const pending = new Set<string>();
    let timer: NodeJS.Timeout | undefined;
    const changed = (uri: vscode.Uri) => {
      pending.add(uri.fsPath);
      clearTimeout(timer);
      timer = setTimeout(() => {
        const files = [...pending];
        pending.clear();
        void Promise.all(files.map((f) => this.reindex(f))).then(() => this.render());
      }, 300);
    };
    this.watcher.push(w, w.onDidChange(changed), w.onDidCreate(changed), w.onDidDelete(changed), { dispose: () => clearTimeout(timer) });
  }

  private relOf(file: string): string | undefined {
    if (!this.index) return undefined;
    const rel = path.relative(this.index.root, file);
    return rel.startsWith('..') || path.isAbsolute(rel) ? undefined : rel.split(path.sep).join('/');
  }

  private async reindex(file: string): Promise<void> {
    const rel = this.relOf(file);
    if (!rel || !this.index) return;
    if (!this.index.includes(rel)) return;
    this.queue.update(rel, await this.index.refresh(rel));
    await this.index.saveCache().catch(() => undefined);
  }

  /** A trajectory editor saved: its label may have changed. */
  saved(file: string): void {
    void this.reindex(file).then(() => this.render());
  }

  statusOf(file: string): QueueStatus | undefined {
    const rel = this.relOf(file);
    if (!rel || !this.queue.entry(rel)) return undefined;
    const c = this.queue.counts;
    const position = this.queue.positionOf(rel);
    return { ...(position ? { position } : {}), shown: c.shown, total: c.total, reviewed: c.reviewed };
  }

  get counts(): QueueCounts & { filter: QueueFilter } {
    return { ...this.queue.counts, filter: this.queue.filter };
  }

  setFilter(filter: QueueFilter): void {
    this.queue.filter = filter;
    void vscode.commands.executeCommand('setContext', 'gog.reviewQueue.filtered', Object.keys(filter).length > 0);
    this.render();
  }

  private render(): void {
    const c = this.queue.counts;
    if (!this.index) {
      this.tree.message = undefined;
      this.tree.description = undefined;
      this.tree.badge = undefined;
    } else {
      const filter = describeFilter(this.queue.filter);
      this.tree.message = `${c.reviewed.toLocaleString('en')} of ${c.total.toLocaleString('en')} reviewed${filter ? ` · showing ${c.shown.toLocaleString('en')}: ${filter}` : ''}`;
      this.tree.description = `${c.reviewed}/${c.total}`;
      const left = c.total - c.reviewed;
      this.tree.badge = left ? { value: left, tooltip: `${left} not reviewed yet` } : undefined;
    }
    this.treeChanged.fire(undefined);
    this.changed.fire();
  }

  getChildren(element?: QueueEntry): QueueEntry[] {
    return element ? [] : [...this.queue.shown];
  }

  getTreeItem(e: QueueEntry): vscode.TreeItem {
    const root = this.index!.root;
    const uri = vscode.Uri.file(path.join(root, e.rel));
    const item = new vscode.TreeItem(e.question ? e.question.replace(/\s+/g, ' ').slice(0, 120) : e.rel, vscode.TreeItemCollapsibleState.None);
    item.id = e.rel;
    item.resourceUri = uri;
    const score = e.exactMatch === undefined ? '' : e.exactMatch >= 1 ? ' · correct' : ' · wrong';
    item.description = `${e.label ?? 'not reviewed'}${score} · ${e.rel}`;
    const tooltip = new vscode.MarkdownString(undefined, false);
    tooltip.appendText(
      `${e.question}\n\n${e.rel}\nanswer: ${e.answer ?? '—'}${score ? ` (${score.slice(3)})` : ''}\nstopped: ${e.stopReason ?? 'unfinished'} · ${e.turns} turns · ${e.gazes} gazes · ${e.reflections} reflections · ${e.dialect ?? '?'}`,
    );
    if (e.label) tooltip.appendText(`\nlabel: ${e.label}${e.note ? ` — ${e.note}` : ''}${e.tags?.length ? ` [${e.tags.join(', ')}]` : ''}`);
    item.tooltip = tooltip;
    const [icon, colour] = e.label ? LABEL_ICONS[e.label] : (['circle-large-outline', undefined] as const);
    item.iconPath = new vscode.ThemeIcon(icon, colour ? new vscode.ThemeColor(colour) : undefined);
    item.contextValue = 'gogTrajectory';
    item.command = { command: 'vscode.openWith', title: 'Open', arguments: [uri, EDITOR_VIEW_TYPE] };
    return item;
  }

  /** The trajectory the user is on: the active trajectory editor's, if it is in the queue, or the one last opened. */
  private here(): string | undefined {
    const active = this.editors.activeDocument;
    const rel = active ? this.relOf(active.file) : undefined;
    return rel && this.queue.entry(rel) ? rel : this.current;
  }

  async move(direction: 'next' | 'previous'): Promise<string | undefined> {
    if (!this.index) throw new Error('no review queue is open');
    const target = this.queue.step(this.here(), direction === 'next' ? 1 : -1);
    if (!target) {
      void showInformation(`Glance-or-Gaze: ${direction === 'next' ? 'that was the last' : 'this is the first'} trajectory of the review queue.`);
      return undefined;
    }
    return this.openEntry(target);
  }

  async resume(): Promise<string | undefined> {
    if (!this.index) throw new Error('no review queue is open');
    const target = this.queue.firstUnreviewed();
    if (!target) {
      void showInformation('Glance-or-Gaze: every trajectory the review queue shows is reviewed.');
      return undefined;
    }
    return this.openEntry(target);
  }

  /** Opens an entry in the trajectory editor; the trajectory left is saved and its tab closed. */
  private async openEntry(e: QueueEntry): Promise<string> {
    const file = path.join(this.index!.root, e.rel);
    const leaving = this.editors.activeDocument;
    if (leaving?.isDirty) await vscode.workspace.save(leaving.uri);
    await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(file), EDITOR_VIEW_TYPE, { preview: false });
    this.current = e.rel;
    if (leaving && leaving.file !== file) {
      const tabs = vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .filter((t) => t.input instanceof vscode.TabInputCustom && t.input.uri.fsPath === leaving.file && !t.isDirty);
      if (tabs.length) await vscode.window.tabGroups.close(tabs, true);
    }
    void this.tree.reveal(e, { select: true, focus: false }).then(undefined, () => undefined);
    this.changed.fire();
    return file;
  }

  getParent(): undefined {
    return undefined;
  }

  dispose(): void {
    for (const d of [...this.watcher.splice(0), ...this.disposables.splice(0)]) d.dispose();
  }
}

type Choice<T> = vscode.QuickPickItem & { value: T };

/** `Glance-or-Gaze: Filter Review Queue…`: one question per filter, the current value preselected. */
export async function pickFilter(current: QueueFilter): Promise<QueueFilter | undefined> {
  const ask = async <T>(
    title: string,
    options: { label: string; value: T | undefined }[],
    now: T | undefined,
  ): Promise<{ value: T | undefined } | undefined> => {
    const items: Choice<T | undefined>[] = options.map((o) => ({ label: o.label, value: o.value, ...(o.value === now ? { description: '(current)' } : {}) }));
    const picked = await vscode.window.showQuickPick(items, { title: `Glance-or-Gaze: Filter Review Queue — ${title}`, placeHolder: title });
    return picked ? { value: picked.value } : undefined;
  };
  const any = { label: 'Any', value: undefined };
  const steps: [keyof QueueFilter, string, { label: string; value: unknown }[]][] = [
    ['label', 'Label', [any, { label: 'Not reviewed', value: 'unreviewed' }, ...LABELS.map((l) => ({ label: l, value: l }))]],
    ['score', 'Score', [any, ...SCORE_FILTERS.map((s) => ({ label: s === 'unscored' ? 'No score' : s, value: s }))]],
    ['stopReason', 'Stop reason', [any, ...STOP_REASONS.map((s) => ({ label: s.replace('_', ' '), value: s }))]],
    ['gaze', 'Gaze', [any, { label: 'With a gaze', value: true }, { label: 'Without a gaze', value: false }]],
    ['reflection', 'Reflection', [any, { label: 'With a reflection', value: true }, { label: 'Without a reflection', value: false }]],
    ['dialect', 'Dialect', [any, ...DIALECT_IDS.map((d) => ({ label: d, value: d }))]],
  ];
  const out: Record<string, unknown> = {};
  for (const [key, title, options] of steps) {
    const answer = await ask(title, options, current[key]);
    if (!answer) return undefined;
    if (answer.value !== undefined) out[key] = answer.value;
  }
  // The choices are the schema's own values; parsed all the same, as any filter is.
  return queueFilterSchema.parse(out);
}
