// Label All Shown in a real VS Code (trusted workspace): the review queue filtered to right
// answers with no corrections, every one without a verdict labelled accepted in the
// annotator's own file, a verdict someone gave left alone, and Undo taking back exactly those
// labels with reverts. Read back from disk, as export would.
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { annotatorFileOf, readAnnotatedTrajectory } from '../../../src/core/annotationFiles';
import { applyAnnotations } from '../../../src/core/annotations';
import type { BulkResult } from '../../../src/extension/bulkLabelCommand';
import { appendAnnotatorAnnotation } from '../../../src/run/annotate';
import { sampleHeader } from '../../helpers/trajectories';

const workspace = () => vscode.workspace.workspaceFolders![0]!.uri.fsPath;

function trajectory(file: string, id: string, right: boolean): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const t = '2026-12-05T10:00:00.000Z';
  const lines = [
    sampleHeader({ id, sampleId: id, dataset: 'mine' }),
    { type: 'action', step: 1, t, id: 'e1', action: { kind: 'answer', text: right ? 'a rocket' : 'a bus' } },
    {
      type: 'final',
      step: 1,
      t,
      id: 'e2',
      answer: right ? 'a rocket' : 'a bus',
      stopReason: 'answered',
      turns: 1,
      ms: 10,
      score: { exactMatch: right ? 1 : 0, f1: right ? 1 : 0 },
    },
  ];
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
}

const verdictOf = async (file: string) => {
  const t = await readAnnotatedTrajectory(file);
  return applyAnnotations(t.header, t.events).label?.label;
};

describe('Label All Shown in a real VS Code (trusted workspace)', () => {
  const folder = () => path.join(workspace(), 'bulk');
  const file = (s: string) => path.join(folder(), s, 'trajectory.jsonl');

  before(async () => {
    await vscode.extensions.getExtension('gog-studio.glance-or-gaze-studio')!.activate();
    // b0, b1: right, no corrections, no verdict; b2: right but corrected; b3: wrong; b4: right, already rejected by ann.
    trajectory(file('b0'), 'b0', true);
    trajectory(file('b1'), 'b1', true);
    trajectory(file('b2'), 'b2', true);
    await appendAnnotatorAnnotation(file('b2'), { op: 'set_text', target: 'e1', text: 'a Falcon 9' }, 'ann');
    trajectory(file('b3'), 'b3', false);
    trajectory(file('b4'), 'b4', true);
    await appendAnnotatorAnnotation(file('b4'), { op: 'label', label: 'rejected' }, 'ann');
    await vscode.workspace.getConfiguration('gog').update('annotator', 'dee', vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('gog').update('annotator', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('labels the shown right answers with no corrections accepted, leaves a given verdict alone, and Undo takes back exactly those', async () => {
    await vscode.commands.executeCommand('gog.openReviewQueue', vscode.Uri.file(folder()));
    const counts = await vscode.commands.executeCommand<{ shown: number }>('gog.review.filter', { score: 'correct', edited: false });
    assert.equal(counts.shown, 3, 'b0, b1 and b4 are right answers with no corrections');

    const result = await vscode.commands.executeCommand<BulkResult>('gog.review.labelShown', 'accepted', { confirmed: true });
    assert.deepEqual(result, { label: 'accepted', labelled: 2, alreadyLabelled: 1, cancelled: false });
    assert.deepEqual(await Promise.all(['b0', 'b1', 'b2', 'b3', 'b4'].map((s) => verdictOf(file(s)))), [
      'accepted',
      'accepted',
      undefined,
      undefined,
      'rejected',
    ]);
    const dee = readFileSync(annotatorFileOf(file('b0'), 'dee'), 'utf8')
      .trim()
      .split('\n');
    assert.equal(dee.length, 1);
    assert.equal((JSON.parse(dee[0]!) as { author: string }).author, 'dee');
    assert.equal(existsSync(annotatorFileOf(file('b4'), 'dee')), false, "ann's verdict is not replaced, nothing is written there");
    assert.equal((await vscode.commands.executeCommand<{ reviewed: number }>('gog.review.filter', {})).reviewed, 3, 'the queue counts them reviewed');

    const undone = await vscode.commands.executeCommand<{ reverted: number }>('gog.review.undoLabelShown');
    assert.deepEqual(undone, { reverted: 2 });
    assert.deepEqual(await Promise.all(['b0', 'b1', 'b4'].map((s) => verdictOf(file(s)))), [undefined, undefined, 'rejected']);
    const lines = readFileSync(annotatorFileOf(file('b0'), 'dee'), 'utf8')
      .trim()
      .split('\n');
    const [label, revert] = lines.map((l) => JSON.parse(l) as { id: string; edit: { op: string; target?: string } });
    assert.deepEqual([lines.length, revert!.edit.op, revert!.edit.target], [2, 'revert', label!.id], 'append-only: the label stays, a revert takes it back');
    assert.equal((await vscode.commands.executeCommand<{ reviewed: number }>('gog.review.filter', {})).reviewed, 1);
    assert.equal(await vscode.commands.executeCommand('gog.review.undoLabelShown'), undefined, 'nothing left to undo');
  });
});
