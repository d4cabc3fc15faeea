// Glance-or-Gaze: Label All Shown… and Undo Label All Shown: the review queue's bulk action
// (src/review/bulkLabel.ts says what is labelled and how Undo works). Labels go to the
// annotator's own file, as `gog label` writes them, under a cancellable progress.
import * as vscode from 'vscode';
import { LABELS, type Label } from '../core/trajectory';
import { findLabelScheme, labelProblem } from '../data/labelScheme';
import { describeBulkLabel, planBulkLabel, trajectories, type BulkBatch } from '../review/bulkLabel';
import { appendAnnotatorAnnotation } from '../run/annotate';
import { annotatorFor } from './annotatorSetting';
import type { ReviewQueueView } from './reviewQueueView';
import { showInformation } from './safeOutput';

export const BULK_COMMANDS = {
  labelShown: 'gog.review.labelShown',
  undoLabelShown: 'gog.review.undoLabelShown',
} as const;
const CAN_UNDO = 'gog.reviewQueue.canUndoBulk';

/** What a run of the command did: for scripts and tests. */
export interface BulkResult {
  label: Label;
  labelled: number;
  alreadyLabelled: number;
  cancelled: boolean;
}

export function registerBulkLabel(queue: ReviewQueueView, log: vscode.LogOutputChannel): vscode.Disposable[] {
  let last: BulkBatch | undefined;

  const setLast = async (batch: BulkBatch | undefined) => {
    last = batch?.written.length ? batch : undefined;
    await vscode.commands.executeCommand('setContext', CAN_UNDO, !!last);
  };

  /**
   * `label` (asked for when absent) on every shown trajectory without a verdict; `options.confirmed`
   * skips the confirmation (scripts), `options.note` gives the reason a scheme may ask for.
   */
  const labelShown = async (given?: unknown, options?: unknown): Promise<BulkResult | undefined> => {
    const root = queue.root;
    if (!root) throw new Error('no review queue is open: Glance-or-Gaze: Open Review Queue…');
    const opts = (typeof options === 'object' && options !== null ? options : {}) as { confirmed?: unknown; note?: unknown };
    const scheme = await findLabelScheme(root);
    const verdicts = scheme.verdicts.map((v) => v.label);
    if (given !== undefined && !(typeof given === 'string' && (LABELS as readonly string[]).includes(given)))
      throw new Error(`unknown verdict "${typeof given === 'string' ? given.slice(0, 40) : typeof given}"; use ${verdicts.join(', ')}`);
    const { targets, alreadyLabelled } = planBulkLabel(queue.shownFiles());
    if (!targets.length) {
      void showInformation(`Glance-or-Gaze: every trajectory shown already has a verdict (${alreadyLabelled.toLocaleString('en')}); nothing to label.`);
      return undefined;
    }
    const label =
      (given as Label | undefined) ??
      (await vscode.window.showQuickPick(verdicts, { title: `Glance-or-Gaze: the verdict for ${trajectories(targets.length)} shown without one` }));
    if (!label) return undefined;
    let note = typeof opts.note === 'string' ? opts.note.trim() || undefined : undefined;
    if (!note && labelProblem(scheme, label, [], undefined) !== undefined && labelProblem(scheme, label, [], 'x') === undefined) {
      note = (
        await vscode.window.showInputBox({
          title: `Glance-or-Gaze: why ${label}?`,
          prompt: 'The label scheme asks a reason for this verdict; it goes on every label',
        })
      )?.trim();
      if (!note) return undefined;
    }
    const problem = labelProblem(scheme, label, [], note, 'give a note');
    if (problem) throw new Error(problem);
    if (opts.confirmed !== true) {
      const go = `Label ${targets.length.toLocaleString('en')}`;
      const answer = await vscode.window.showWarningMessage(describeBulkLabel(label, targets.length, alreadyLabelled), { modal: true }, go);
      if (answer !== go) return undefined;
    }
    const annotator = await annotatorFor(root);
    const batch: BulkBatch = { annotator, label, written: [] };
    const edit = { op: 'label', label: label as Label, ...(note ? { note } : {}) } as const;
    let cancelled = false;
    try {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Glance-or-Gaze: labelling ${label}`, cancellable: true },
        async (progress, token) => {
          for (const [i, t] of targets.entries()) {
            if (token.isCancellationRequested) {
              cancelled = true;
              return;
            }
            const written = await appendAnnotatorAnnotation(t.file, edit, annotator);
            batch.written.push({ file: t.file, id: written.id! });
            progress.report({ increment: 100 / targets.length, message: `${i + 1} of ${targets.length}` });
          }
        },
      );
    } finally {
      // What was written stays undoable, even when a write failed half way.
      await setLast(batch);
      await queue.reindexBulk(batch.written.map((w) => w.file));
    }
    log.info(`review queue: labelled ${trajectories(batch.written.length)} ${label} in bulk${cancelled ? ' (cancelled)' : ''}`);
    void vscode.window
      .showInformationMessage(`Glance-or-Gaze: labelled ${trajectories(batch.written.length)} ${label}.`, 'Undo')
      .then((choice) => (choice === 'Undo' ? vscode.commands.executeCommand(BULK_COMMANDS.undoLabelShown) : undefined));
    return { label: label as Label, labelled: batch.written.length, alreadyLabelled, cancelled };
  };

  /** Appends a revert of each label the last batch wrote, to the same annotator's file. */
  const undoLabelShown = async (): Promise<{ reverted: number } | undefined> => {
    const batch = last;
    if (!batch) {
      void showInformation('Glance-or-Gaze: no Label All Shown to undo in this window.');
      return undefined;
    }
    await setLast(undefined);
    const done: string[] = [];
    try {
      for (const w of batch.written) {
        await appendAnnotatorAnnotation(w.file, { op: 'revert', target: w.id }, batch.annotator);
        done.push(w.file);
      }
    } catch (e) {
      // Those not yet taken back stay undoable.
      await setLast({ ...batch, written: batch.written.slice(done.length) });
      throw e;
    } finally {
      await queue.reindexBulk(done);
    }
    log.info(`review queue: took back ${done.length} labels ${batch.label} given in bulk`);
    return { reverted: done.length };
  };

  return [vscode.commands.registerCommand(BULK_COMMANDS.labelShown, labelShown), vscode.commands.registerCommand(BULK_COMMANDS.undoLabelShown, undoLabelShown)];
}
