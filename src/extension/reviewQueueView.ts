// Glance-or-Gaze: Review Queue, a tree view in the Glance-or-Gaze container (beside Runs, not
// in the Explorer, whose tree would expand run folders at each move) over a folder of
// trajectories: each listed by its dataset sample id, a count of reviewed (labelled) / total,
// filters, resume at the first unreviewed, next/previous that open the trajectory in the
// editor (saving the labels given to the one left, and closing its tab), skip, and flags for a
// second look (queueFlags.ts, one file per annotator beside the index). The folder is indexed
// once and cached by size and time (queueIndex.ts), so a folder of thousands lists quickly and
// moving on reads one file.
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DIALECT_IDS, LABELS, STOP_REASONS } from '../core/trajectory';
import { promises as fs } from 'node:fs';
import { QueueIndex, type QueueEntry } from '../review/queueIndex';
import { readQueueFile } from '../review/queueFile';
import { flagsFileOf, readFlags, writeFlags } from '../review/queueFlags';
import { QueuePace, type PaceSummary } from '../review/queuePace';
import { annotatorFor } from './annotatorSetting';
import { describeFilter, entryName, queueFilterSchema, ReviewQueue, SCORE_FILTERS, type QueueCounts, type QueueFilter } from '../review/reviewQueue';
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
const FLAG_ICON = ['flag', 'charts.orange'] as const;

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
  /** This session's pace, from when the queue was opened. */
  private pace = new QueuePace(Date.now());
  /** Where this annotator's flags are kept, and for whom; undefined when there is no annotator name. */
  private flagsAt: { file: string; annotator: string } | undefined;
  /** Flag writes one after another, so the file ends with the last toggle. */
  private flagWrites: Promise<void> = Promise.resolve();
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
    const stateDir = path.join(cacheDir.fsPath, 'review-index');
    const queueKey = createHash('sha1').update(given).digest('hex').slice(0, 16);
    const cacheFile = path.join(stateDir, `${queueKey}.json`);
    const index = new QueueIndex(root, cacheFile, list?.files);
    await index.loadCache();
    const entries = await index.scan();
    await index.saveCache().catch((e: unknown) => this.log.warn(`review queue: index not cached: ${(e as Error).message}`));
    this.index = index;
    this.openedOn = given;
    this.queue.set(entries);
    this.queue.flagged = await this.loadFlags(stateDir, queueKey, given);
    this.pace = new QueuePace(Date.now());
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

  /** This annotator's flags of the queue; none (and flagging refused) without an annotator name. */
  private async loadFlags(stateDir: string, queueKey: string, given: string): Promise<Set<string>> {
    this.flagsAt = undefined;
    let annotator: string;
    try {
      annotator = await annotatorFor(given);
    } catch (e) {
      this.log.warn(`review queue: flags off: ${(e as Error).message}`);
      return new Set();
    }
    const file = flagsFileOf(stateDir, queueKey, annotator);
    this.flagsAt = { file, annotator };
    try {
      return await readFlags(file);
    } catch (e) {
      // Not overwritten with an empty list: flagging stays off until the file is fixed or removed.
      this.flagsAt = undefined;
      this.log.warn(`review queue: flags off: ${(e as Error).message} (${file})`);
      return new Set();
    }
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
    const before = this.queue.entry(rel);
    const after = await this.index.refresh(rel);
    // A first label given in this session counts toward the pace.
    if (before && !before.label && after?.label) this.pace.labelGiven(Date.now());
    this.queue.update(rel, after);
    await this.index.saveCache().catch(() => undefined);
  }

  /** The trajectories the filter shows now, in order, by absolute path: what a bulk action acts on. */
  shownFiles(): { file: string; entry: QueueEntry }[] {
    const root = this.index?.root;
    return root ? this.queue.shown.map((entry) => ({ file: path.join(root, entry.rel), entry })) : [];
  }

  /** Files labelled (or taken back) in bulk: read again and shown. Not counted toward the pace: nobody read them one by one. */
  async reindexBulk(files: readonly string[]): Promise<void> {
    if (!this.index) return;
    for (const file of files) {
      const rel = this.relOf(file);
      if (rel && this.index.includes(rel)) this.queue.update(rel, await this.index.refresh(rel));
    }
    await this.index.saveCache().catch(() => undefined);
    this.render();
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

  get counts(): QueueCounts & { filter: QueueFilter; flagged: number } {
    return { ...this.queue.counts, filter: this.queue.filter, flagged: this.queue.flagged.size };
  }

  /** The status bar's numbers (queueStatusBar.ts); undefined when no queue is open. */
  paceAt(now: number): PaceSummary | undefined {
    if (!this.index) return undefined;
    const c = this.queue.counts;
    return this.pace.summary(c.reviewed, c.total, now);
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
    const item = new vscode.TreeItem(entryName(e), vscode.TreeItemCollapsibleState.None);
    item.id = e.rel;
    item.resourceUri = uri;
    const score = e.exactMatch === undefined ? '' : e.exactMatch >= 1 ? ' · correct' : ' · wrong';
    const flagged = this.queue.isFlagged(e.rel);
    const folder = path.posix.dirname(e.rel);
    item.description = `${folder === '.' ? e.rel : folder}${this.queue.isSkipped(e.rel) && !e.label ? ' · skipped' : ''}`;
    const tooltip = new vscode.MarkdownString(undefined, false);
    tooltip.appendText(
      `${e.sampleId ? `${e.sampleId}${e.dataset ? ` (${e.dataset})` : ''}\n` : ''}${e.question}\n\n${e.rel}\n${e.label ?? 'not reviewed'}${score}${flagged ? ' · flagged for a second look' : ''}\nanswer: ${e.answer ?? '—'}${score ? ` (${score.slice(3)})` : ''}\nstopped: ${e.stopReason ?? 'unfinished'} · ${e.turns} turns · ${e.gazes} gazes · ${e.reflections} reflections · ${e.dialect ?? '?'}`,
    );
    if (e.label) tooltip.appendText(`\nlabel: ${e.label}${e.note ? ` — ${e.note}` : ''}${e.tags?.length ? ` [${e.tags.join(', ')}]` : ''}`);
    item.tooltip = tooltip;
    const [icon, colour] = flagged ? FLAG_ICON : e.label ? LABEL_ICONS[e.label] : (['circle-large-outline', undefined] as const);
    item.iconPath = new vscode.ThemeIcon(icon, colour ? new vscode.ThemeColor(colour) : undefined);
    item.contextValue = flagged ? 'gogTrajectory.flagged' : 'gogTrajectory';
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

  /** Moves on to the next unreviewed trajectory without a label; the one left stays unreviewed, and Resume passes it over. */
  async skip(): Promise<string | undefined> {
    if (!this.index) throw new Error('no review queue is open');
    const here = this.here();
    if (here) this.queue.skip(here);
    const target = this.queue.nextUnreviewed(here);
    if (!target) {
      this.render();
      void showInformation('Glance-or-Gaze: no other unreviewed trajectory in the review queue.');
      return undefined;
    }
    const opened = await this.openEntry(target);
    this.render();
    return opened;
  }

  /**
   * Flags (or unflags) a trajectory for a second look: the one given (a row of the view), else
   * the one the user is on. Written at once, whole, to this annotator's flags file.
   */
  async toggleFlag(given?: unknown): Promise<{ rel: string; flagged: boolean }> {
    if (!this.index) throw new Error('no review queue is open');
    const flagsAt = this.flagsAt;
    if (!flagsAt) throw new Error('flags are off for this queue: set gog.annotator (or git config user.name), or fix the flags file the log names');
    const rel = isEntry(given) ? given.rel : typeof given === 'string' ? this.relOf(path.resolve(given)) : this.here();
    if (!rel || !this.queue.entry(rel)) throw new Error('no trajectory of the review queue to flag: open one from the queue first');
    const flagged = this.queue.toggleFlag(rel);
    const snapshot = new Set(this.queue.flagged);
    this.render();
    const write = this.flagWrites.then(() => writeFlags(flagsAt.file, flagsAt.annotator, snapshot));
    this.flagWrites = write.catch(() => undefined);
    await write;
    return { rel, flagged };
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
    // Selected in the queue when it is in view; a reveal would otherwise switch the side bar to it from wherever the user is.
    if (this.tree.visible) void this.tree.reveal(e, { select: true, focus: false }).then(undefined, () => undefined);
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

function isEntry(v: unknown): v is QueueEntry {
  return typeof v === 'object' && v !== null && typeof (v as { rel?: unknown }).rel === 'string';
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
    ['flagged', 'Flagged', [any, { label: 'Flagged for a second look', value: true }, { label: 'Not flagged', value: false }]],
    ['edited', 'Corrections', [any, { label: 'Corrected by an annotator', value: true }, { label: 'No corrections', value: false }]],
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
