// Show Agreement…, Review Conflicts and Adjudicate… in a real VS Code (trusted workspace),
// over trajectories in the workspace whose annotators' verdicts were appended to their own
// files as `gog label` appends them. What an adjudication writes is read back from disk.
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { annotatorFileOf } from '../../../src/core/annotationFiles';
import type { Label } from '../../../src/core/trajectory';
import type { Adjudication } from '../../../src/extension/adjudicateCommand';
import type { GogApi } from '../../../src/extension/extension';
import type { AgreementMessage } from '../../../src/shared/agreementMessage';
import { appendAnnotatorAnnotation } from '../../../src/run/annotate';
import { sampleHeader } from '../../helpers/trajectories';

const workspace = () => vscode.workspace.workspaceFolders![0]!.uri.fsPath;

function trajectory(file: string, id: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const t = '2026-12-05T10:00:00.000Z';
  const lines = [
    sampleHeader({ id, sampleId: id, dataset: 'mine' }),
    { type: 'action', step: 1, t, id: 'e1', action: { kind: 'answer', text: 'a rocket' } },
    { type: 'final', step: 1, t, id: 'e2', answer: 'a rocket', stopReason: 'answered', turns: 1, ms: 10 },
  ];
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
}

/** The adjudicator's lines on disk, as gog label --adjudicate writes them. */
function adjudications(file: string): { author?: string; edit: { op: string; label?: Label; adjudicated?: boolean } }[] {
  return readFileSync(annotatorFileOf(file, 'lead'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { author?: string; edit: { op: string; label?: Label; adjudicated?: boolean } });
}

/** The agreement panels' tabs, once the workbench lists one (its tab follows the panel by an event). */
async function agreementTabs(): Promise<readonly vscode.Tab[]> {
  const find = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.label === 'Agreement: team');
  if (find().length) return find();
  await new Promise<void>((resolve) => {
    const d = vscode.window.tabGroups.onDidChangeTabs(() => {
      if (!find().length) return;
      d.dispose();
      resolve();
    });
  });
  return find();
}

describe('agreement and adjudication in a real VS Code (trusted workspace)', () => {
  let api: GogApi;
  let files: string[];
  const team = () => path.join(workspace(), 'team');

  before(async () => {
    api = await vscode.extensions.getExtension<GogApi>('gog-studio.glance-or-gaze-studio')!.activate();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    files = ['s0', 's1', 's2', 's3'].map((s) => path.join(team(), s, 'trajectory.jsonl'));
    // s0 and s1: ann and bob disagree; s2 and s3: they agree.
    const verdicts: [Label, Label][] = [
      ['accepted', 'rejected'],
      ['rejected', 'accepted'],
      ['accepted', 'accepted'],
      ['rejected', 'rejected'],
    ];
    for (const [i, file] of files.entries()) {
      trajectory(file, `s${i}`);
      await appendAnnotatorAnnotation(file, { op: 'label', label: verdicts[i]![0] }, 'ann');
      await appendAnnotatorAnnotation(file, { op: 'label', label: verdicts[i]![1] }, 'bob');
    }
    await vscode.workspace.getConfiguration('gog').update('annotator', 'lead', vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('gog').update('annotator', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it("Show Agreement… shows gog agreement's figures for a folder: Cohen's κ of ann · bob, and the two conflicts", async () => {
    const shown = await vscode.commands.executeCommand<AgreementMessage | undefined>('gog.showAgreement', vscode.Uri.file(team()));
    assert.ok(shown, 'the command returns what the panel shows');
    assert.deepEqual(api.agreement.shown(), shown);
    const r = shown.report;
    assert.equal(r.samples, 4);
    assert.deepEqual(r.labellers, ['ann', 'bob']);
    // Table [[1,1],[1,1]]: p_o = 2/4, p_e = 0.5·0.5 + 0.5·0.5 = 0.5, κ = 0.
    assert.equal(r.verdicts.pairs.length, 1);
    assert.equal(r.verdicts.pairs[0]!.observed, 0.5);
    assert.equal(r.verdicts.pairs[0]!.kappa, 0);
    assert.equal(r.verdicts.overall?.method, 'cohen');
    assert.deepEqual(
      r.conflicts.map((c) => [c.path, c.labels, c.adjudicated]),
      [
        ['team/s0/trajectory.jsonl', { ann: 'accepted', bob: 'rejected' }, undefined],
        ['team/s1/trajectory.jsonl', { ann: 'rejected', bob: 'accepted' }, undefined],
      ],
    );
    const tabs = await agreementTabs();
    assert.equal(tabs.length, 1, 'one agreement panel');
    assert.ok(tabs[0]!.input instanceof vscode.TabInputWebview, `a webview panel: ${JSON.stringify(tabs[0]!.input)}`);
    assert.match(tabs[0]!.input.viewType, /gog\.agreement$/);
  });

  it("the panel's Adjudicate button writes the adjudicator's verdict to their own file as gog label --adjudicate does, and the conflict shows settled", async () => {
    await api.agreement.request({ method: 'adjudicate', index: 0, label: 'rejected' });
    const lines = adjudications(files[0]!);
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.author, 'lead');
    assert.deepEqual(lines[0]!.edit, { op: 'label', label: 'rejected', adjudicated: true });
    const conflicts = api.agreement.shown()!.report.conflicts;
    assert.equal(conflicts[0]!.adjudicated, 'rejected');
    assert.equal(conflicts[1]!.adjudicated, undefined);
    // gog agreement reads the same: measured again, the first conflict is settled, the κ figures unchanged (the adjudicator is no annotator).
    const again = await vscode.commands.executeCommand<AgreementMessage>('gog.showAgreement', vscode.Uri.file(team()));
    assert.deepEqual(again.report.labellers, ['ann', 'bob']);
    assert.deepEqual(
      again.report.conflicts.map((c) => c.adjudicated),
      ['rejected', undefined],
    );
  });

  it('Review Conflicts opens the review queue over exactly the conflicts not yet settled', async () => {
    const queues = path.join(workspace(), '.gog', 'queues');
    const before = new Set(existsSync(queues) ? readdirSync(queues) : []);
    await api.agreement.request({ method: 'reviewConflicts' });
    const written = readdirSync(queues).filter((f) => !before.has(f));
    assert.equal(written.length, 1, `one new queue file: ${written.join(', ')}`);
    const queue = JSON.parse(readFileSync(path.join(queues, written[0]!), 'utf8')) as { title: string; trajectories: string[] };
    assert.deepEqual(queue.trajectories, [files[1]]);
    // The review queue is open on it: refreshing it lists that one trajectory.
    const counts = await vscode.commands.executeCommand<{ total: number }>('gog.review.refresh');
    assert.equal(counts?.total, 1);
  });

  it('Adjudicate… in the trajectory editor of a conflict sample goes through its document, is saved at once, and settles the conflict', async () => {
    await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(files[1]!), 'gog.trajectory');
    const done = await vscode.commands.executeCommand<Adjudication | undefined>('gog.adjudicate', undefined, 'accepted');
    assert.ok(done, 'the command returns what it wrote');
    assert.equal(done.file, files[1]);
    const lines = adjudications(files[1]!);
    assert.deepEqual(
      lines.map((l) => [l.author, l.edit]),
      [['lead', { op: 'label', label: 'accepted', adjudicated: true }]],
    );
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
    assert.ok(tab?.input instanceof vscode.TabInputCustom);
    assert.equal(tab.isDirty, false, 'saved: nothing waits in the editor');
    const again = await vscode.commands.executeCommand<AgreementMessage>('gog.showAgreement', vscode.Uri.file(team()));
    assert.deepEqual(
      again.report.conflicts.map((c) => c.adjudicated),
      ['rejected', 'accepted'],
    );
  });

  it('Adjudicate… refuses a verdict the label scheme does not have, in one line, writing nothing', async () => {
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('gog.adjudicate', vscode.Uri.file(files[2]!), 'maybe')),
      /unknown verdict "maybe"; use accepted, rejected, needs-fix/,
    );
    assert.throws(() => readFileSync(annotatorFileOf(files[2]!, 'lead')), /ENOENT/);
  });
});
