// An open trajectory file with its unsaved annotations: the custom editor's document (the
// custom-editor sample's pattern). Every edit fires a change with undo and redo, so VS Code
// owns undo/redo, the dirty marker, save, revert and hot-exit backup. Saving appends the net
// annotations (editStack.ts) to the annotator's own file beside it, fsynced. The file is
// watched: lines appended on disk (a run still writing, `gog label`) are taken in; any other
// change while edits are unsaved makes save refuse, so nothing on disk is silently written
// over. The annotators' files are watched too: another annotator's work shows when it lands.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AnnotationEvent, Edit, TrajectoryEvent, TrajectoryHeader } from '../core/trajectory';
import { parseTrajectoryBytes, type LoadedTrajectory } from '../core/trajectoryFile';
import { annotationsFolderOf, annotatorSignature, appendAnnotatorEvents } from '../core/annotationFiles';
import type { Pending } from '../shared/messages';
import { restoreBackup, serializeBackup } from '../review/backupFile';
import { EditStack } from '../review/editStack';
import { checkEdit, describeEdit, stepOfEdit } from '../review/edits';
import { compareWithDisk, readTrajectoryBytes, writeAnnotatedCopy } from '../review/trajectoryOnDisk';
import { annotatorFor } from './annotatorSetting';
import { MAX_VIEW_TRAJECTORY_BYTES } from './trajectoryWebview';
import { showError, showWarning } from './safeOutput';

/** What the views of a document are told. */
export type DocumentChange =
  /** Show everything again (a reload or a revert). */
  | { kind: 'reset' }
  /** Lines appended to the file (by a run, another tool, or a save here), and what is still pending. */
  | { kind: 'events'; events: TrajectoryEvent[]; pending: Pending }
  | { kind: 'pending'; pending: Pending };

export class TrajectoryDocument implements vscode.CustomDocument {
  private readonly edits = new vscode.EventEmitter<vscode.CustomDocumentEditEvent<TrajectoryDocument>>();
  /** An edit VS Code should put on its undo stack. */
  readonly onDidEdit = this.edits.event;
  private readonly changes = new vscode.EventEmitter<DocumentChange>();
  readonly onDidChange = this.changes.event;
  private readonly saves = new vscode.EventEmitter<void>();
  readonly onDidSave = this.saves.event;
  private readonly disposed = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposed.event;
  private readonly disposables: vscode.Disposable[] = [this.edits, this.changes, this.saves, this.disposed];
  private version = 0;
  /** Undos and redos VS Code has run on this document, and who waits for the next. */
  private historyMoves = 0;
  private readonly historyWaiters = new Set<() => void>();
  /** Newlines in `bytes`: the last line (complete or not) is line lineBreaks + 1. */
  private lineBreaks: number;
  /** Why the file on disk is no longer what was read, if it is not. */
  private conflict: string | undefined;
  /** The annotators' files as last read or written here (names, sizes, times): a change is someone else's. */
  private annotatorStamp = '';
  /** Disk checks one at a time, so a save and a watcher event never interleave. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly uri: vscode.Uri,
    /** The file's bytes as read, with what was appended since. */
    private bytes: Buffer,
    private trajectory: LoadedTrajectory,
    private stack: EditStack,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.lineBreaks = countLineBreaks(bytes);
  }

  static async open(uri: vscode.Uri, backupId: string | undefined, log: vscode.LogOutputChannel): Promise<TrajectoryDocument> {
    const { bytes, trajectory } = await readTrajectoryBytes(uri.fsPath, MAX_VIEW_TRAJECTORY_BYTES);
    let stack = new EditStack();
    let conflict: string | undefined;
    if (backupId) {
      const restored = restoreBackup(new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.parse(backupId))), bytes);
      if (restored.ok) {
        // A backup taken before a save still holds what that save wrote (to the annotator's
        // file; the trajectory file, which the backup is checked against, did not change):
        // what is on disk now is saved, not pending.
        const onDisk = new Set(trajectory.events.map((e) => e.id));
        stack = new EditStack(restored.pending.filter((a) => !onDisk.has(a.id)));
        conflict = restored.conflict;
      } else log.warn(`${uri.fsPath}: backup not restored: ${restored.message}`);
    }
    const doc = new TrajectoryDocument(uri, bytes, trajectory, stack, log);
    doc.conflict = conflict;
    doc.annotatorStamp = await annotatorSignature(uri.fsPath);
    doc.watch();
    return doc;
  }

  get file(): string {
    return this.uri.fsPath;
  }

  get header(): TrajectoryHeader | undefined {
    return this.trajectory.header;
  }

  /** The file as read (its events include the annotations already on disk). */
  get loaded(): LoadedTrajectory {
    return this.trajectory;
  }

  get pending(): Pending {
    return { version: this.version, annotations: this.stack.net() };
  }

  get isDirty(): boolean {
    return this.stack.isDirty;
  }

  /** The annotations of this session in effect, oldest first. */
  get annotations(): readonly AnnotationEvent[] {
    return this.stack.annotations;
  }

  private watch(): void {
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(this.file)), path.basename(this.file)));
    let timer: NodeJS.Timeout | undefined;
    const changed = () => {
      clearTimeout(timer);
      timer = setTimeout(() => void this.serially(() => this.diskChanged()), 150);
    };
    this.disposables.push(watcher, watcher.onDidChange(changed), watcher.onDidCreate(changed), watcher.onDidDelete(changed), {
      dispose: () => clearTimeout(timer),
    });
    // The annotators' files beside it: another annotator's labels arrive with a git pull.
    const folder = path.basename(annotationsFolderOf(this.file));
    const annotators = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(this.file)), `${folder}/*.jsonl`));
    let annotatorTimer: NodeJS.Timeout | undefined;
    const annotatorsChanged = () => {
      clearTimeout(annotatorTimer);
      annotatorTimer = setTimeout(() => void this.serially(() => this.annotatorsChanged()), 150);
    };
    this.disposables.push(
      annotators,
      annotators.onDidChange(annotatorsChanged),
      annotators.onDidCreate(annotatorsChanged),
      annotators.onDidDelete(annotatorsChanged),
      {
        dispose: () => clearTimeout(annotatorTimer),
      },
    );
  }

  /** Someone else's annotations changed on disk: shown at once; this session's unsaved ones stay pending. */
  private async annotatorsChanged(): Promise<void> {
    const stamp = await annotatorSignature(this.file);
    if (stamp === this.annotatorStamp) return;
    const { bytes, trajectory } = await readTrajectoryBytes(this.file, MAX_VIEW_TRAJECTORY_BYTES);
    // The trajectory file changed too: its own watcher takes that in (or refuses to save over it).
    if (!bytes.equals(this.bytes)) return;
    this.annotatorStamp = stamp;
    this.trajectory = trajectory;
    this.version++;
    this.changes.fire({ kind: 'reset' });
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private changedPending(): void {
    this.version++;
    this.changes.fire({ kind: 'pending', pending: this.pending });
  }

  /** Applies an edit made in a view or by a command; refuses one that cannot apply. */
  applyEdit(id: string, edit: Edit): { annotation: AnnotationEvent; version: number } {
    if (this.stack.has(id) || this.trajectory.events.some((e) => e.id === id)) throw new Error(`the annotation id ${id} is taken`);
    const events = [...this.trajectory.events, ...this.stack.net()];
    const step = stepOfEdit(edit, events);
    const annotation: AnnotationEvent = { type: 'annotation', step, t: new Date().toISOString(), id, edit };
    const problem = checkEdit(this.header, events, annotation);
    if (problem) throw new Error(problem);
    this.stack.push(annotation);
    this.edits.fire({
      document: this,
      label: describeEdit(edit, step),
      undo: () => {
        if (this.stack.undo(id)) this.changedPending();
        this.historyMoved();
        return undefined;
      },
      redo: () => {
        this.stack.redo(annotation);
        this.changedPending();
        this.historyMoved();
        return undefined;
      },
    });
    this.changedPending();
    return { annotation, version: this.version };
  }

  private historyMoved(): void {
    this.historyMoves++;
    for (const wake of this.historyWaiters) wake();
  }

  /**
   * Runs VS Code's undo or redo and waits until it has reached this document: the command can
   * return before its round trip here is over, and VS Code refuses another undo until it is.
   * At most `settleMs` (VS Code's undo stack may be empty, or hold another document's edit).
   */
  async moveHistory(run: () => Thenable<unknown>, settleMs: number): Promise<void> {
    const before = this.historyMoves;
    await run();
    if (this.historyMoves !== before) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.historyWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, settleMs);
      this.historyWaiters.add(done);
    });
  }

  /** What the file on disk is now; appended lines are taken in. */
  private async diskChanged(): Promise<void> {
    const change = await compareWithDisk(this.file, this.bytes, MAX_VIEW_TRAJECTORY_BYTES);
    switch (change.kind) {
      case 'same':
        return;
      case 'appended':
        return this.takeIn(change.tail);
      case 'replaced':
        if (this.stack.isDirty) {
          if (this.conflict) return;
          this.conflict = change.why;
          this.log.warn(`${this.file} changed on disk (${change.why}) while annotations were unsaved`);
          void showWarning(
            `Glance-or-Gaze: ${path.basename(this.file)} changed on disk (${change.why}). Your unsaved annotations are kept and will not be saved over it: Revert takes the file as it is now, Save As keeps them in a copy.`,
          );
          return;
        }
        await this.reload();
        return;
    }
  }

  /** Reads the file again and shows it (nothing unsaved, or a revert). */
  private async reload(): Promise<boolean> {
    const before = this.bytes;
    const { bytes, trajectory } = await readTrajectoryBytes(this.file, MAX_VIEW_TRAJECTORY_BYTES);
    this.annotatorStamp = await annotatorSignature(this.file);
    this.bytes = bytes;
    this.lineBreaks = countLineBreaks(bytes);
    this.trajectory = trajectory;
    this.conflict = undefined;
    this.version++;
    this.changes.fire({ kind: 'reset' });
    return bytes.length >= before.length && bytes.subarray(0, before.length).equals(before);
  }

  /** Lines added after the bytes read. A last line that was still being written is read again whole. */
  private takeIn(tail: Buffer): void {
    const lastLineStart = this.bytes.lastIndexOf(0x0a) + 1;
    const line = this.lineBreaks + 1;
    const partial = lastLineStart < this.bytes.length;
    const t = this.trajectory;
    const readAgain = partial && (t.lines.includes(line) || line === 1);
    this.bytes = Buffer.concat([this.bytes, tail]);
    this.lineBreaks += countLineBreaks(tail);
    if (readAgain) {
      // The last line had been read as an event (or was the header): read the whole file again.
      this.trajectory = parseTrajectoryBytes(this.bytes, this.file);
      this.version++;
      this.changes.fire({ kind: 'reset' });
      return;
    }
    const more = parseTrajectoryBytes(Buffer.concat([this.bytes.subarray(lastLineStart, this.bytes.length - tail.length), tail]), this.file, line);
    t.problems = [...t.problems.filter((p) => p.line < line), ...more.problems];
    t.events.push(...more.events);
    t.lines.push(...more.lines);
    this.version++;
    this.changes.fire({ kind: 'events', events: more.events, pending: this.pending });
  }

  async save(): Promise<void> {
    return this.serially(async () => {
      const net = this.stack.net();
      if (!net.length) return;
      const change = await compareWithDisk(this.file, this.bytes, MAX_VIEW_TRAJECTORY_BYTES);
      if (change.kind === 'replaced') this.conflict ??= change.why;
      if (this.conflict) throw this.refuse();
      if (change.kind === 'appended') this.takeIn(change.tail);
      // To the annotator's own file beside the trajectory (annotationFiles.ts), with their name.
      const written = await appendAnnotatorEvents(this.file, await annotatorFor(this.file), net);
      this.annotatorStamp = await annotatorSignature(this.file);
      this.stack.markSaved();
      this.trajectory.events.push(...written);
      this.trajectory.lines.push(...written.map(() => 0));
      this.version++;
      this.changes.fire({ kind: 'events', events: written, pending: this.pending });
      this.saves.fire();
    });
  }

  private refuse(): Error {
    const name = path.basename(this.file);
    void showError(
      `Glance-or-Gaze: ${name} changed on disk since it was read (${this.conflict}), so your annotations were not saved over it. Revert takes the file as it is now and drops them; Save As keeps them with the lines you saw, in a new file.`,
      'Revert',
      'Save As…',
    ).then(async (choice) => {
      if (!choice) return;
      await vscode.commands.executeCommand('vscode.openWith', this.uri, 'gog.trajectory');
      await vscode.commands.executeCommand(choice === 'Revert' ? 'workbench.action.files.revert' : 'workbench.action.files.saveAs');
    });
    return new Error(`${name} changed on disk; not saved over it (Revert, or Save As)`);
  }

  async saveAs(destination: vscode.Uri): Promise<void> {
    if (destination.scheme !== 'file') throw new Error('a trajectory is saved to a file on this machine');
    // The copy holds the annotators' saved annotations too (read from their files: line 0), then the unsaved ones.
    const fromAnnotators = this.trajectory.events.filter((e, i): e is AnnotationEvent => e.type === 'annotation' && this.trajectory.lines[i] === 0);
    await writeAnnotatedCopy(destination.fsPath, this.bytes, [...fromAnnotators, ...this.stack.net()]);
  }

  async revert(): Promise<void> {
    return this.serially(async () => {
      const appendedOnly = await this.reload();
      // A file replaced under us holds none of what this session saved: start afresh.
      if (appendedOnly) this.stack.revert();
      else this.stack = new EditStack();
      this.changedPending();
    });
  }

  async backup(destination: vscode.Uri): Promise<vscode.CustomDocumentBackup> {
    await vscode.workspace.fs.writeFile(destination, new TextEncoder().encode(serializeBackup(this.bytes, this.stack.net())));
    return {
      id: destination.toString(),
      delete: () => void Promise.resolve(vscode.workspace.fs.delete(destination)).catch(() => undefined),
    };
  }

  dispose(): void {
    this.disposed.fire();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function countLineBreaks(bytes: Buffer): number {
  let n = 0;
  for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, i + 1)) n++;
  return n;
}
