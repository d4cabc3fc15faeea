// Trajectory files open in the trajectory view, an editable custom editor: the document
// (trajectoryDocument.ts) holds the file and its unsaved annotations, each panel is a view
// of it, and VS Code owns undo/redo, the dirty marker, save, revert and hot-exit backup.
// A file a run is still writing shows new turns as they are appended.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { applyAnnotations } from '../core/annotations';
import { editSchema, type AnnotationEvent, type Edit, type Label } from '../core/trajectory';
import { labelProblem } from '../data/labelScheme';
import { relatedTrajectories } from '../review/related';
import { newAnnotationId } from '../review/edits';
import { TrajectoryDocument } from './trajectoryDocument';
import { readTrajectoryBytes } from '../review/trajectoryOnDisk';
import { appendAnnotatorEvents } from '../core/annotationFiles';
import { annotatorFor } from './annotatorSetting';
import { editorSetupFor, type EditorSetup } from './editorSetup';
import { blindView, ownOrRecorded } from '../review/blindView';
import { MAX_VIEW_TRAJECTORY_BYTES, TrajectoryWebview, webviewOptions, type QueueStatus } from './trajectoryWebview';
import { showError, showInformation } from './safeOutput';

export const EDITOR_VIEW_TYPE = 'gog.trajectory';
/** The command another part of the extension provides: re-run a trajectory from one of its steps. */
export const RERUN_COMMAND = 'gog.rerunFromStep';
/** How long an undo or redo may take to reach its document before the next one is sent anyway. */
const HISTORY_SETTLE_MS = 2000;

/** The review queue, as the editor needs it: where a file stands, and moving on. */
export interface QueueLink {
  statusOf(file: string): QueueStatus | undefined;
  readonly onDidChange: vscode.Event<void>;
  move(direction: 'next' | 'previous'): Promise<string | undefined>;
  saved(file: string): void;
}

export class TrajectoryEditorProvider implements vscode.CustomEditorProvider<TrajectoryDocument> {
  private readonly changes = new vscode.EventEmitter<vscode.CustomDocumentEditEvent<TrajectoryDocument>>();
  readonly onDidChangeCustomDocument = this.changes.event;
  /** Open documents by file. */
  private readonly documents = new Map<string, TrajectoryDocument>();
  private active: TrajectoryDocument | undefined;
  private queue: QueueLink | undefined;
  /**
   * The panel's undo and redo, one after another. VS Code refuses an undo while the one before
   * is still running (its round trip to the document here), so a second Ctrl+Z pressed at once
   * would be lost; each waits for the one before to reach its document (moveHistory).
   */
  private history: Promise<unknown> = Promise.resolve();
  /** What each open document's editor was set up with: labels from commands are the same annotator's, held to the same scheme. */
  private readonly setups = new WeakMap<TrajectoryDocument, EditorSetup>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  static register(provider: TrajectoryEditorProvider): vscode.Disposable {
    return vscode.window.registerCustomEditorProvider(EDITOR_VIEW_TYPE, provider, { supportsMultipleEditorsPerDocument: true });
  }

  connectQueue(queue: QueueLink): void {
    this.queue = queue;
  }

  /** The document of the trajectory editor last focused, while it is open. */
  get activeDocument(): TrajectoryDocument | undefined {
    return this.active;
  }

  documentFor(uri: vscode.Uri): TrajectoryDocument | undefined {
    return this.documents.get(uri.fsPath);
  }

  async openCustomDocument(uri: vscode.Uri, context: vscode.CustomDocumentOpenContext): Promise<TrajectoryDocument> {
    const doc = await TrajectoryDocument.open(uri, context.backupId, this.log);
    this.documents.set(uri.fsPath, doc);
    doc.onDidEdit((e) => this.changes.fire(e));
    doc.onDidSave(() => this.queue?.saved(doc.file));
    doc.onDidDispose(() => this.closed(doc));
    return doc;
  }

  async resolveCustomEditor(document: TrajectoryDocument, panel: vscode.WebviewPanel): Promise<void> {
    const file = document.file;
    panel.webview.options = webviewOptions(this.extensionUri, path.dirname(file));
    // A webview rebuilt after its tab was hidden shows the document as it is now.
    const view = new TrajectoryWebview(panel.webview, this.extensionUri, this.log, () => {
      present();
      showQueue();
    });
    // Who annotates, the label scheme and blind review: read at each open of the panel.
    let setup: EditorSetup | undefined;
    /** Blind review: whether the annotator's verdict had revealed others' annotations in what was last sent. */
    let revealed = false;
    const blindNow = () => blindView(document.header, document.loaded.events, document.pending.annotations, setup?.annotator);
    /** The document as this annotator may see it (blind review sends only what may be shown). */
    const present = () => {
      if (!setup) return;
      const t = document.loaded;
      const { annotator, scheme, schemeWarning } = setup;
      const editor = { ...(annotator ? { annotator } : {}), scheme, ...(schemeWarning ? { schemeWarning } : {}) };
      if (!setup.blind) return view.showDocument(t, file, document.pending, editor);
      const v = blindNow();
      revealed = v.revealed;
      view.showDocument({ ...t, events: v.events, lines: v.kept.map((i) => t.lines[i]!) }, file, document.pending, {
        ...editor,
        blind: { hidden: v.hidden, revealed: v.revealed },
      });
    };
    /** After a change: true when blind review's reveal changed, and the whole document was sent again. */
    const revealChanged = () => {
      if (!setup?.blind || blindNow().revealed === revealed) return false;
      present();
      return true;
    };
    view.setHandlers({
      edit: async (r) => {
        const refused = this.schemeRefusal(document, r.edit, 'write it in the note');
        if (refused) throw new Error(refused);
        return document.applyEdit(r.id, r.edit);
      },
      related: async () => relatedTrajectories(file, document.header),
      openTrajectory: async (r) => {
        const related = await relatedTrajectories(file, document.header);
        // Only what `related` listed: a view cannot open any file it names.
        const known = [related.parent, ...related.branches].find((t) => t?.file === r.file && !t.missing);
        if (!known) throw new Error(`${r.file} is not a trajectory related to this one`);
        await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(path.resolve(path.dirname(file), known.file)), EDITOR_VIEW_TYPE);
        return null;
      },
      keepBranch: async (r) => {
        const related = await relatedTrajectories(file, document.header);
        const isParent = !!related.parent && !related.parent.missing && related.parent.file === r.file;
        if (!isParent && !related.branches.some((b) => b.file === r.file)) throw new Error(`${r.file} is not a branch or the parent of this trajectory`);
        const other = path.resolve(path.dirname(file), r.file);
        const [branch, parent] = isParent ? [file, other] : [other, file];
        const name = (f: string) => (f === file ? '' : r.file);
        await this.labelFile(branch, 'accepted', 'kept over its parent');
        await this.labelFile(parent, 'rejected', `a branch was kept: ${path.relative(path.dirname(parent), branch).split(path.sep).join('/')}`);
        return { accepted: name(branch), rejected: name(parent) };
      },
      history: async (r) => {
        // The panel asking is the active editor: VS Code's undo and redo act on its document.
        const done = this.history.then(() => document.moveHistory(() => vscode.commands.executeCommand(r.action), HISTORY_SETTLE_MS));
        this.history = done.catch(() => undefined);
        await done;
        return null;
      },
      rerunFromStep: async (r) => {
        await this.rerun(document, r.step);
        return null;
      },
      queue: async (r) => {
        if (!this.queue) throw new Error('no review queue is open: Glance-or-Gaze: Open Review Queue…');
        return { opened: (await this.queue.move(r.move)) ?? null };
      },
    });
    const showQueue = () => {
      const status = this.queue?.statusOf(file);
      if (status) view.postQueue(status);
    };
    const listening = [
      document.onDidChange((c) => {
        // Before the setup is read, the first present() sends the document as it is then.
        if (!setup) return;
        switch (c.kind) {
          case 'reset':
            return present();
          case 'events':
            if (revealChanged()) return;
            return view.postEvents(setup.blind && !revealed ? c.events.filter((e) => ownOrRecorded(e, setup?.annotator)) : c.events, true, c.pending);
          case 'pending':
            if (revealChanged()) return;
            return view.postPending(c.pending);
          default: {
            const never: never = c;
            return never;
          }
        }
      }),
      panel.onDidChangeViewState((e) => {
        if (e.webviewPanel.active) this.active = document;
      }),
      this.queue?.onDidChange(showQueue),
    ];
    if (panel.active) this.active = document;
    panel.onDidDispose(() => {
      for (const l of listening) l?.dispose();
      view.dispose();
      if (this.active === document) this.active = undefined;
    });
    editorSetupFor(file, this.log).then(
      (s) => {
        setup = s;
        this.setups.set(document, s);
        present();
      },
      (e: Error) => this.log.error(`trajectory editor: ${e.message}`),
    );
    showQueue();
  }

  private async rerun(document: TrajectoryDocument, step: number): Promise<void> {
    if (!(await vscode.commands.getCommands(true)).includes(RERUN_COMMAND)) {
      const message = 'Re-run from here needs the command gog.rerunFromStep, which this version of Glance-or-Gaze does not have.';
      void showError(`Glance-or-Gaze: ${message}`);
      throw new Error(message);
    }
    // The branch continues the corrected trajectory as saved.
    if (document.isDirty && !(await vscode.workspace.save(document.uri))) throw new Error('the trajectory could not be saved first');
    await vscode.commands.executeCommand(RERUN_COMMAND, document.uri, step);
  }

  saveCustomDocument(document: TrajectoryDocument): Promise<void> {
    return document.save();
  }

  saveCustomDocumentAs(document: TrajectoryDocument, destination: vscode.Uri): Promise<void> {
    return document.saveAs(destination);
  }

  revertCustomDocument(document: TrajectoryDocument): Promise<void> {
    return document.revert();
  }

  backupCustomDocument(document: TrajectoryDocument, context: vscode.CustomDocumentBackupContext): Promise<vscode.CustomDocumentBackup> {
    return document.backup(context.destination);
  }

  /** Forgets a closed document (VS Code disposes it). */
  private closed(document: TrajectoryDocument): void {
    if (this.documents.get(document.file) === document) this.documents.delete(document.file);
  }

  /**
   * Labels a trajectory: through its document when it is open here (an edit to save, that
   * can be undone), else by appending the label to the annotator's file beside it (one fsynced write).
   */
  private async labelFile(file: string, label: Label, note: string): Promise<void> {
    const edit = { op: 'label', label, note } as const;
    const open = this.documents.get(file);
    if (open) {
      open.applyEdit(newAnnotationId(), edit);
      return;
    }
    const { trajectory } = await readTrajectoryBytes(file, MAX_VIEW_TRAJECTORY_BYTES);
    if (!trajectory.header) throw new Error(`${path.basename(file)} has no readable header; not labelled`);
    await appendAnnotatorEvents(file, await annotatorFor(file), [{ type: 'annotation', step: 0, t: new Date().toISOString(), id: newAnnotationId(), edit }]);
  }

  /** Why the project's label scheme refuses a label edit of `doc`, or undefined (not a label, or it fits). */
  private schemeRefusal(doc: TrajectoryDocument, edit: Edit, giveReason: string): string | undefined {
    const scheme = this.setups.get(doc)?.scheme;
    if (!scheme || edit.op !== 'label') return undefined;
    return labelProblem(scheme, edit.label, edit.tags ?? [], edit.note, giveReason);
  }

  /** Labels the trajectory of the active editor, keeping the note and tags of the annotator’s own label. */
  label(label: Label, note?: string): AnnotationEvent | undefined {
    const doc = this.active;
    if (!doc) {
      void showInformation('Glance-or-Gaze: open a trajectory to label it.');
      return undefined;
    }
    // The annotator's own label (another annotator's note and tags are not theirs to keep, nor to see in blind review).
    const annotator = this.setups.get(doc)?.annotator;
    const current = applyAnnotations(doc.header, [...doc.loaded.events.filter((e) => ownOrRecorded(e, annotator)), ...doc.pending.annotations]).label;
    const keepNote = note ?? current?.note;
    const edit: Edit = {
      op: 'label',
      label,
      ...(keepNote ? { note: keepNote } : {}),
      ...(current?.tags?.length ? { tags: current.tags } : {}),
    };
    const refused = this.schemeRefusal(doc, edit, 'write it in the note, or pass it to the command');
    if (refused) {
      void showError(`Glance-or-Gaze: not labelled: ${refused}`);
      return undefined;
    }
    return doc.applyEdit(newAnnotationId(), edit).annotation;
  }

  /** For scripts and keybindings: one edit of an open trajectory, through its undo stack. */
  applyEdit(uri: unknown, edit: unknown): AnnotationEvent {
    const doc = uri instanceof vscode.Uri ? this.documentFor(uri) : this.active;
    if (!doc) throw new Error('the trajectory is not open in the trajectory editor');
    const parsed = editSchema.safeParse(edit);
    if (!parsed.success) throw new Error(`not an edit: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    const refused = this.schemeRefusal(doc, parsed.data, 'give a note');
    if (refused) throw new Error(refused);
    return doc.applyEdit(newAnnotationId(), parsed.data).annotation;
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
