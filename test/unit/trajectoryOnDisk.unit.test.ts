// An annotated trajectory's file: appended to, told apart from a rewritten one, copied whole.
import { strict as assert } from 'node:assert';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { AnnotationEvent } from '../../src/core/trajectory';
import { parseTrajectoryBytes, readTrajectory } from '../../src/core/trajectoryFile';
import { appendAnnotations, compareWithDisk, readTrajectoryBytes, writeAnnotatedCopy } from '../../src/review/trajectoryOnDisk';
import { tempDir } from '../helpers/fixtures';
import { sampleHeader } from '../helpers/trajectories';

const t = '2026-11-25T00:00:00.000Z';
const lines = [
  JSON.stringify(sampleHeader()),
  JSON.stringify({ type: 'model_turn', step: 1, t, raw: '<answer>a cat</answer>', ms: 3 }),
  JSON.stringify({ type: 'action', step: 1, t, action: { kind: 'answer', text: 'a cat' } }),
];
const label: AnnotationEvent = { type: 'annotation', step: 0, t, id: 'u1', edit: { op: 'label', label: 'accepted', note: 'fine' } };

describe('trajectory on disk', () => {
  const tmp = tempDir('gog-ondisk-');
  after(() => tmp.cleanup());
  let n = 0;
  const fresh = (text = lines.join('\n') + '\n') => {
    const file = path.join(tmp.dir, `t${++n}.trajectory.jsonl`);
    writeFileSync(file, text);
    return file;
  };

  it('reads the bytes and the record (older events named by their line)', async () => {
    const file = fresh();
    const { bytes, trajectory } = await readTrajectoryBytes(file, 1 << 20);
    assert.equal(bytes.toString(), readFileSync(file, 'utf8'));
    assert.equal(trajectory.header?.id, 'run-1');
    assert.deepEqual(
      trajectory.events.map((e) => e.id),
      ['L2', 'L3'],
    );
    await assert.rejects(readTrajectoryBytes(file, 10), /over the/);
  });

  it('parses appended lines as events only, numbered on from where the file was read', () => {
    const tail = Buffer.from(`${JSON.stringify({ type: 'notice', step: 1, t, message: 'more' })}\n${lines[0]}\n`);
    const more = parseTrajectoryBytes(tail, 'x', 4);
    assert.deepEqual(
      more.events.map((e) => e.id),
      ['L4'],
    );
    assert.deepEqual(more.problems, [{ line: 5, message: 'a header may only be the first line' }]);
  });

  it('tells appended lines from a changed file', async () => {
    const file = fresh();
    const known = readFileSync(file);
    assert.deepEqual(await compareWithDisk(file, known), { kind: 'same' });
    appendFileSync(file, '{"type":"notice","step":1,"t":"x","message":"m"}\n');
    const appended = await compareWithDisk(file, known);
    assert.equal(appended.kind, 'appended');
    assert.ok(appended.kind === 'appended' && appended.tail.toString().startsWith('{"type":"notice"'));
    writeFileSync(file, known.toString().replace('a cat', 'a dog'));
    assert.deepEqual(await compareWithDisk(file, known), { kind: 'replaced', why: 'its lines were changed' });
    writeFileSync(file, lines[0]!);
    assert.equal((await compareWithDisk(file, known)).kind, 'replaced');
  });

  it('appends annotations after the last line, ending an unterminated one first', async () => {
    const file = fresh(lines.join('\n'));
    const known = readFileSync(file);
    const written = await appendAnnotations(file, known, [label]);
    assert.equal(readFileSync(file, 'utf8'), `${lines.join('\n')}\n${JSON.stringify(label)}\n`);
    assert.equal(written.length, readFileSync(file).length - known.length);
    const back = await readTrajectory(file);
    assert.deepEqual(back.problems, []);
    assert.deepEqual(back.events.at(-1), label);
    assert.equal((await appendAnnotations(file, readFileSync(file), [])).length, 0, 'nothing to write: nothing written');
  });

  it('Save As writes the lines read and the annotations to the new file', async () => {
    const file = fresh();
    const known = readFileSync(file);
    writeFileSync(file, 'changed meanwhile\n');
    const copy = path.join(tmp.dir, 'copy', 'saved-as.trajectory.jsonl');
    await writeAnnotatedCopy(copy, known, [label]);
    assert.equal(readFileSync(copy, 'utf8'), `${known.toString()}${JSON.stringify(label)}\n`);
  });
});
