// What the extension host sends an editor, decided outside VS Code: the label scheme as the
// editor reads it (bounded to the workspace folder by real path, a broken file named with its
// line or field), the keys the panel takes from it, and blind review (others' annotations left
// out until the annotator has a verdict). The real-VS-Code side: test/vscode/workbench/scheme.workbench.test.ts.
import { strict as assert } from 'node:assert';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { AnnotationEvent, TrajectoryEvent } from '../../src/core/trajectory';
import { readTrajectory } from '../../src/core/trajectoryFile';
import { DEFAULT_LABEL_SCHEME, findLabelScheme } from '../../src/data/labelScheme';
import { blindView } from '../../src/review/blindView';
import { gog, oneErrorLine } from '../helpers/cli';
import { copyRun } from '../helpers/demoRuns';
import { tempDir } from '../helpers/fixtures';

describe('the label scheme and blind review, as the editor gets them', function () {
  this.timeout(120_000);
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('names a labels.json that is not JSON with its line (the editor and gog label), a wrong field by its path', async () => {
    const project = path.join(tmp.dir, 'broken');
    const run = await copyRun('2-rocket-dscovr', path.join(project, 'runs'));
    mkdirSync(path.join(project, '.gog'));
    const file = path.join(project, '.gog', 'labels.json');
    writeFileSync(file, '{\n  "verdicts": [\n    { "label": "accepted", }\n  ]\n}\n');
    await assert.rejects(findLabelScheme(path.dirname(run.trajectory)), (e: Error) => {
      assert.equal(e.message, `${file} is not JSON (line 3); fix it, or remove it for the default verdicts`);
      return true;
    });
    const r = await gog(['label', run.trajectory, 'accepted', '--annotator', 'Ann']);
    assert.equal(r.code, 2);
    oneErrorLine(r, /^gog: .*labels\.json is not JSON \(line 3\); fix it/);
    writeFileSync(file, '{\n  "verdicts": [\n    { "label": "accepted",');
    await assert.rejects(findLabelScheme(path.dirname(run.trajectory)), /labels\.json is not JSON \(line 3\b/);
    writeFileSync(file, JSON.stringify({ verdicts: [{ label: 'accepted', key: 'A' }] }));
    await assert.rejects(findLabelScheme(path.dirname(run.trajectory)), /labels\.json: verdicts\.0\.key: a key is one lower-case letter or digit; fix it/);
  });

  it('looks no higher than the workspace folder, and refuses a .gog folder that links out of it', async () => {
    const outer = path.join(tmp.dir, 'outer');
    const workspace = path.join(outer, 'workspace');
    const run = await copyRun('2-rocket-dscovr', path.join(workspace, 'runs'));
    mkdirSync(path.join(outer, '.gog'));
    writeFileSync(path.join(outer, '.gog', 'labels.json'), JSON.stringify({ verdicts: [{ label: 'accepted', key: 'y' }] }));
    const dir = path.dirname(run.trajectory);
    assert.equal((await findLabelScheme(dir)).verdicts[0]!.key, 'y', 'gog label looks up to the project above');
    assert.deepEqual(await findLabelScheme(dir, { root: workspace }), DEFAULT_LABEL_SCHEME, 'the editor stops at the workspace folder');
    symlinkSync(path.join(outer, '.gog'), path.join(workspace, '.gog'));
    await assert.rejects(findLabelScheme(dir, { root: workspace }), /labels\.json: links to a file outside the workspace folder; not used$/);
  });

  it('blind review leaves out others’ labels and edits (and unattributed ones) until the annotator has a verdict, saved or not', async () => {
    const run = await copyRun('2-rocket-dscovr', path.join(tmp.dir, 'blind'));
    const t = await readTrajectory(run.trajectory);
    const recorded = t.events.filter((e) => e.type !== 'annotation');
    const note = (author: string | undefined, id: string, edit: AnnotationEvent['edit']): AnnotationEvent => ({
      type: 'annotation',
      step: 0,
      t: '2026-01-01T00:00:00Z',
      id,
      edit,
      ...(author ? { author } : {}),
    });
    const bob = note('bob', 'ub1', { op: 'label', label: 'rejected', note: 'off' });
    const bobDrop = note('bob', 'ub2', { op: 'drop_step', target: 1 });
    const old = note(undefined, 'uo1', { op: 'label', label: 'accepted' });
    const anaDrop = note('ana', 'ua1', { op: 'drop_step', target: 2 });
    const events: TrajectoryEvent[] = [...recorded, bob, bobDrop, old, anaDrop];

    const before = blindView(t.header, events, [], 'ana');
    assert.deepEqual(before.events, [...recorded, anaDrop], 'the recorded events and Ana’s own edit only');
    assert.deepEqual(
      before.kept.map((i) => events[i]),
      before.events,
    );
    assert.equal(before.hidden, 3);
    assert.equal(before.revealed, false);
    // Her verdict given, not saved yet: everything.
    const given = blindView(t.header, events, [note(undefined, 'up1', { op: 'label', label: 'accepted' })], 'ana');
    assert.deepEqual({ hidden: given.hidden, revealed: given.revealed, n: given.events.length }, { hidden: 0, revealed: true, n: events.length });
    // Saved: everything.
    const saved = blindView(t.header, [...events, note('ana', 'ua2', { op: 'label', label: 'accepted' })], [], 'ana');
    assert.equal(saved.revealed, true);
    // Her verdict taken back (revert): hidden again.
    const reverted = blindView(
      t.header,
      [...events, note('ana', 'ua2', { op: 'label', label: 'accepted' }), note('ana', 'ua3', { op: 'revert', target: 'ua2' })],
      [],
      'ana',
    );
    assert.equal(reverted.revealed, false);
    // No annotator name: only the recorded events.
    assert.deepEqual(blindView(t.header, events, [], undefined).events, recorded);
  });
});
