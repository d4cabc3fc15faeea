import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseTrajectory, readTrajectory, TrajectoryWriter } from '../../src/core/trajectoryFile';
import { tempDir } from '../helpers/fixtures';
import { sampleHeader } from '../helpers/trajectories';

describe('trajectory record', () => {
  const tmp = tempDir();
  after(tmp.cleanup);

  it('writes a header and events as JSON lines and reads them back', async () => {
    const file = path.join(tmp.dir, 'a', 'trajectory.jsonl');
    const w = await TrajectoryWriter.create(file, sampleHeader());
    await w.write({ type: 'model_turn', step: 1, raw: '<answer>x</answer>', ms: 5, finishReason: 'stop' });
    await w.write({ type: 'action', step: 1, action: { kind: 'answer', text: 'x' } });
    await w.write({ type: 'final', step: 1, answer: 'x', stopReason: 'answered', turns: 1, ms: 7 });
    await w.close();
    const text = await fs.readFile(file, 'utf8');
    assert.equal(text.split('\n').length, 5); // 4 lines and a final newline
    const t = await readTrajectory(file);
    assert.deepEqual(t.problems, []);
    assert.equal(t.header?.question, 'Who is this?');
    assert.deepEqual(
      t.events.map((e) => e.type),
      ['model_turn', 'action', 'final'],
    );
    assert.deepEqual(t.lines, [2, 3, 4]);
    assert.match(t.events[0]!.t, /^\d{4}-\d\d-\d\dT/);
  });

  it('never overwrites: creating over an existing trajectory fails', async () => {
    const file = path.join(tmp.dir, 'b.jsonl');
    await (await TrajectoryWriter.create(file, sampleHeader())).close();
    await assert.rejects(TrajectoryWriter.create(file, sampleHeader()), /EEXIST/);
    assert.equal((await readTrajectory(file)).header?.id, 'run-1');
  });

  it('reports each malformed line with its number and loads the rest', () => {
    const lines = [
      JSON.stringify(sampleHeader()),
      JSON.stringify({ type: 'model_turn', step: 1, t: 'x', raw: 'hi', ms: 1 }),
      '{"type": "model_turn", "step": 2, ', // cut mid-write
      JSON.stringify({ type: 'action', step: 2, t: 'x', action: { kind: 'teleport' } }),
      '',
      JSON.stringify({
        type: 'observation',
        step: 2,
        t: 'x',
        tool: 'image_search',
        results: [{ rank: 0, title: 't', url: 'u', snippet: 's', provider: 'p' }],
        ms: 1,
      }),
      'plain text',
      JSON.stringify(sampleHeader()),
      JSON.stringify({ type: 'final', step: 2, t: 'x', answer: null, stopReason: 'max_turns', turns: 2, ms: 9 }),
    ];
    const t = parseTrajectory(lines.join('\n'), 'f.jsonl');
    assert.deepEqual(
      t.problems.map((p) => p.line),
      [3, 4, 6, 7, 8],
    );
    assert.match(t.problems[0]!.message, /not valid JSON/);
    assert.match(t.problems[1]!.message, /bad action event: action.kind/);
    assert.match(t.problems[2]!.message, /bad observation event: results\.0\.rank/);
    assert.match(t.problems[4]!.message, /header may only be the first line/);
    assert.deepEqual(
      t.events.map((e) => e.type),
      ['model_turn', 'final'],
    );
    assert.deepEqual(t.lines, [2, 9]);
    assert.ok(t.header);
  });

  it('loads events even when the header is broken or missing', () => {
    const event = JSON.stringify({ type: 'final', step: 0, t: 'x', answer: null, stopReason: 'error', turns: 0, ms: 0 });
    const broken = parseTrajectory(`{"type":"header","schema":1}\n${event}\n`);
    assert.equal(broken.header, undefined);
    assert.equal(broken.problems[0]!.line, 1);
    assert.match(broken.problems[0]!.message, /bad header/);
    assert.equal(broken.events.length, 1);
    const missing = parseTrajectory(`\n${event}\n`);
    assert.deepEqual(missing.problems, [{ line: 2, message: 'the first line is not a trajectory header' }]);
    assert.equal(missing.events.length, 1);
  });

  it('keeps fields a later schema adds (loose objects)', () => {
    const t = parseTrajectory(JSON.stringify({ ...sampleHeader(), futureField: { a: 1 } }));
    assert.deepEqual((t.header as unknown as { futureField: unknown }).futureField, { a: 1 });
  });

  it('appends after a crash that left a half-written last line, without touching earlier lines', async () => {
    const file = path.join(tmp.dir, 'crashed.jsonl');
    const good = [JSON.stringify(sampleHeader()), JSON.stringify({ type: 'model_turn', step: 1, t: 'x', raw: 'r', ms: 1 })].join('\n');
    await fs.writeFile(file, `${good}\n{"type":"act`);
    const w = await TrajectoryWriter.append(file);
    await w.write({ type: 'annotation', step: 0, author: 'ann', edit: { op: 'label', label: 'needs-fix' } });
    await w.close();
    const text = await fs.readFile(file, 'utf8');
    assert.ok(text.startsWith(`${good}\n{"type":"act\n`));
    const t = parseTrajectory(text);
    assert.deepEqual(
      t.problems.map((p) => p.line),
      [3],
    );
    assert.deepEqual(
      t.events.map((e) => e.type),
      ['model_turn', 'annotation'],
    );
  });
});
