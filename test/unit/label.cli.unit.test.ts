// `gog label` as a user runs it: the built command in a child process, on copies of real runs.
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { applyAnnotations } from '../../src/core/annotations';
import { annotatorFileOf, readAnnotatedTrajectory } from '../../src/core/annotationFiles';
import { gog, oneErrorLine } from '../helpers/cli';
import { copyRun } from '../helpers/demoRuns';
import { tempDir } from '../helpers/fixtures';
import { buildOnce } from '../helpers/build';

describe('gog label', function () {
  this.timeout(60_000);
  const tmp = tempDir();
  before(() => buildOnce());
  after(tmp.cleanup);

  it('appends one label annotation to the annotator’s file, the original untouched, with its note and tags', async () => {
    const run = await copyRun('2-rocket-dscovr', tmp.dir);
    const before = await fs.readFile(run.trajectory);
    const r = await gog(['label', run.trajectory, 'accepted', '--note', 'good glance', '--tag', 'glance', '--tag', 'no-gaze', '--annotator', 'Ann']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /: accepted \[glance, no-gaze\] by Ann \(annotation a[0-9a-z]+\.1 in trajectory\.annotations\/ann-[0-9a-f]{8}\.jsonl\)$/m);
    assert.ok((await fs.readFile(run.trajectory)).equals(before), 'the original bytes are kept as they were');
    assert.equal((await fs.readFile(annotatorFileOf(run.trajectory, 'Ann'), 'utf8')).split('\n').filter(Boolean).length, 1, 'one line added');
    const t = await readAnnotatedTrajectory(run.trajectory);
    assert.deepEqual(t.problems, []);
    const label = applyAnnotations(t.header, t.events).label;
    assert.deepEqual({ label: label?.label, note: label?.note, tags: label?.tags }, { label: 'accepted', note: 'good glance', tags: ['glance', 'no-gaze'] });

    // A later verdict wins; the earlier one stays in the file.
    assert.equal((await gog(['label', run.trajectory, 'needs-fix', '--annotator', 'Ann'])).code, 0);
    const again = await readAnnotatedTrajectory(run.trajectory);
    assert.equal(applyAnnotations(again.header, again.events).label?.label, 'needs-fix');
    assert.equal(again.events.filter((e) => e.type === 'annotation').length, 2);
  });

  it('only appends: labels written at the same moment, or after a line another writer left unfinished, all land', async () => {
    const run = await copyRun('3-hubble-galaxies', tmp.dir);
    // Another writer was cut short mid-line: the label starts a line of its own.
    assert.equal((await gog(['label', run.trajectory, 'accepted', '--annotator', 'Ann'])).code, 0);
    await fs.appendFile(annotatorFileOf(run.trajectory, 'Ann'), '{"type":"annotation","step":0,"t":"2026-11-25T00:00:00Z","edit":{"op":"label","label":"acc');
    const runs = await Promise.all(
      ['accepted', 'rejected', 'needs-fix', 'accepted'].map((l) => gog(['label', run.trajectory, l, '--note', l, '--annotator', 'Ann'])),
    );
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    const t = await readAnnotatedTrajectory(run.trajectory);
    assert.equal(t.problems.length, 1, 'only the cut line is broken');
    const notes = t.events.flatMap((e) => (e.type === 'annotation' && e.edit.op === 'label' ? [e.edit.note] : []));
    assert.equal(notes.length, 5, 'the first label and the four');
    assert.deepEqual(notes.filter(Boolean).sort(), ['accepted', 'accepted', 'needs-fix', 'rejected']);
    assert.equal(new Set(t.events.map((e) => e.id)).size, t.events.length, 'every event has its own id');
  });

  it('refuses what is not a trajectory, or cannot be read, in one line; a wrong label is a usage error', async () => {
    const text = path.join(tmp.dir, 'notes.jsonl');
    await fs.writeFile(text, '{"hello": "world"}\n');
    const before = await fs.readFile(text, 'utf8');
    const notTrajectory = await gog(['label', text, 'accepted', '--annotator', 'Ann']);
    assert.equal(notTrajectory.code, 1);
    oneErrorLine(notTrajectory, /notes\.jsonl is not a trajectory: its first line is not a trajectory header$/);
    assert.equal(await fs.readFile(text, 'utf8'), before, 'nothing was written to it');
    oneErrorLine(await gog(['label', path.join(tmp.dir, 'missing.jsonl'), 'accepted', '--annotator', 'Ann']), /missing\.jsonl does not exist$/);
    oneErrorLine(await gog(['label', tmp.dir, 'accepted', '--annotator', 'Ann']), /is not a trajectory file \(not a regular file\)$/);
    const wrong = await gog(['label', text, 'approved']);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /unknown label "approved"; use accepted, rejected, needs-fix/);
  });
});
