// `Glance-or-Gaze: Adjudicate…` (gog.adjudicate): an adjudicator's verdict on a trajectory,
// which settles its annotators' conflicting ones, written as `gog label --adjudicate` writes
// it: checked against the project's label scheme (labelScheme.ts) and appended to the
// adjudicator's own file beside the trajectory (run/annotate.ts). When the trajectory is open
// in the trajectory editor the verdict goes through its document instead (one edit that can
// be undone) and the document is saved at once, so the editor and the file agree.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { applyAnnotations, teamVerdict } from '../core/annotations';
import { LABELS, type AnnotationEvent, type Label } from '../core/trajectory';
import { findLabelScheme, labelProblem } from '../data/labelScheme';
import { newAnnotationId } from '../review/edits';
import { appendAnnotatorAnnotation } from '../run/annotate';
import { annotatorFor } from './annotatorSetting';
import type { TrajectoryEditorProvider } from './trajectoryEditor';

export const ADJUDICATE_COMMAND = 'gog.adjudicate';

/** What an adjudication wrote: the event, by whom, to which trajectory. */
export interface Adjudication {
  file: string;
  annotation: AnnotationEvent;
}

function fileOf(given: unknown, editors: TrajectoryEditorProvider): string | undefined {
  if (given instanceof vscode.Uri) return given.scheme === 'file' ? given.fsPath : undefined;
  if (typeof given === 'string' && given) return path.resolve(given);
  return editors.activeDocument?.file;
}

/** The verdict asked for, each item saying which annotators gave it. */
async function pickVerdict(file: string, verdicts: readonly Label[], editors: TrajectoryEditorProvider): Promise<Label | undefined> {
  const doc = editors.documentFor(vscode.Uri.file(file));
  const given = doc ? teamVerdict(applyAnnotations(doc.header, [...doc.loaded.events, ...doc.pending.annotations])) : undefined;
  const by = (l: Label) =>
    given?.kind === 'conflict'
      ? given.labels
          .filter((s) => s.label === l)
          .map((s) => s.author || 'unnamed')
          .join(', ')
      : '';
  const picked = await vscode.window.showQuickPick(
    verdicts.map((label) => ({ label, description: by(label) ? `given by ${by(label)}` : '' })),
    { title: `Glance-or-Gaze: adjudicated verdict on ${path.basename(path.dirname(file))}/${path.basename(file)}`, ignoreFocusOut: true },
  );
  return picked?.label;
}

/**
 * Adjudicates `given` (a Uri or path; the active trajectory editor's file when absent) with
 * `label` (asked for when absent) and `note` (asked for when the scheme wants a reason).
 * Resolves undefined when the person cancelled; rejects with a one-line reason.
 */
export async function adjudicate(editors: TrajectoryEditorProvider, given?: unknown, label?: unknown, note?: unknown): Promise<Adjudication | undefined> {
  const file = fileOf(given, editors);
  if (!file) throw new Error('open a trajectory in the trajectory editor (or give its file) to adjudicate it');
  const scheme = await findLabelScheme(path.dirname(file));
  const verdicts = scheme.verdicts.map((v) => v.label);
  if (label !== undefined && !(typeof label === 'string' && (LABELS as readonly string[]).includes(label)))
    throw new Error(`unknown verdict "${typeof label === 'string' ? label.slice(0, 40) : typeof label}"; use ${verdicts.join(', ')}`);
  const verdict = (label as Label | undefined) ?? (await pickVerdict(file, verdicts, editors));
  if (!verdict) return undefined;
  let reason = typeof note === 'string' ? note.trim() : undefined;
  if (!reason && labelProblem(scheme, verdict, [], undefined) !== undefined && labelProblem(scheme, verdict, [], 'x') === undefined) {
    // The scheme asks a reason for this verdict.
    reason = (
      await vscode.window.showInputBox({
        title: `Glance-or-Gaze: why ${verdict}?`,
        prompt: 'The label scheme asks a reason for this verdict',
        ignoreFocusOut: true,
      })
    )?.trim();
    if (!reason) return undefined;
  }
  const problem = labelProblem(scheme, verdict, [], reason);
  if (problem) throw new Error(problem.replace('give --note TEXT', 'give a note'));
  const edit = { op: 'label', label: verdict, adjudicated: true, ...(reason ? { note: reason } : {}) } as const;
  const uri = vscode.Uri.file(file);
  const doc = editors.documentFor(uri);
  if (doc) {
    const applied = doc.applyEdit(newAnnotationId(), edit).annotation;
    if (!(await vscode.workspace.save(uri))) throw new Error(`${path.basename(file)} could not be saved; the verdict waits in the editor`);
    return { file, annotation: applied };
  }
  return { file, annotation: await appendAnnotatorAnnotation(file, edit, await annotatorFor(file)) };
}
