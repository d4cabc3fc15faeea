// The corrected trajectory: annotations applied in order to the untouched original.
import { strict as assert } from 'node:assert';
import { applyAnnotations } from '../../src/core/annotations';
import type { AnnotationEvent, Edit, TrajectoryEvent } from '../../src/core/trajectory';
import { sampleHeader } from '../helpers/trajectories';

const t = '2026-11-25T00:00:00.000Z';
const header = sampleHeader({ model: { endpoint: 'x', name: 'm', dialect: 'gog', boxFormat: 'rel-1000' } });
const original: TrajectoryEvent[] = [
  { type: 'model_turn', step: 1, t, id: 'e1', raw: '<think>look</think><search><bbox>[0, 0, 500, 500]</bbox></search>', ms: 1 },
  { type: 'reflection', step: 1, t, id: 'e2', kind: 'think', text: 'look' },
  {
    type: 'action',
    step: 1,
    t,
    id: 'e3',
    action: { kind: 'image_search', scope: 'region', box: { model: [0, 0, 500, 500], sent: [0, 0, 252, 252], original: [0, 0, 256, 256] } },
  },
  { type: 'observation', step: 1, t, id: 'e4', tool: 'image_search', results: [], ms: 1 },
  { type: 'model_turn', step: 2, t, id: 'e5', raw: '<text_search>cat</text_search>', ms: 1 },
  { type: 'action', step: 2, t, id: 'e6', action: { kind: 'text_search', query: 'cat' } },
  { type: 'observation', step: 2, t, id: 'e7', tool: 'text_search', results: [], ms: 1 },
  { type: 'model_turn', step: 3, t, id: 'e8', raw: '<answer>a cat</answer>', ms: 1 },
  { type: 'action', step: 3, t, id: 'e9', action: { kind: 'answer', text: 'a cat' } },
  { type: 'final', step: 3, t, id: 'e10', answer: 'a cat', stopReason: 'answered', turns: 3, ms: 3 },
];
let n = 0;
const ann = (edit: Edit, id = `a${++n}`): AnnotationEvent => ({ type: 'annotation', step: 0, t, id, author: 'ann', edit });

describe('annotations', () => {
  it('leaves a trajectory without annotations as it is', () => {
    const c = applyAnnotations(header, original);
    assert.deepEqual(c.events, original);
    assert.equal(c.changed.size, 0);
    assert.equal(c.label, undefined);
  });

  it('moves a box (model and sent coordinates follow), edits texts, corrects the final answer, and never touches the original', () => {
    const before = structuredClone(original);
    const c = applyAnnotations(header, [
      ...original,
      ann({ op: 'set_box', target: 'e3', box: [100, 50, 300, 250] }),
      ann({ op: 'set_text', target: 'e2', text: 'look at the middle' }),
      ann({ op: 'set_text', target: 'e6', text: 'tabby cat' }),
      ann({ op: 'set_text', target: 'e9', text: 'a tabby cat' }),
    ]);
    assert.deepEqual(original, before, 'the original events are not changed');
    const gaze = c.events.find((e) => e.id === 'e3');
    assert.ok(gaze?.type === 'action' && gaze.action.kind === 'image_search');
    assert.deepEqual(gaze.action.box, { model: [195, 98, 586, 488], sent: [98.4375, 49.21875, 295.3125, 246.09375], original: [100, 50, 300, 250] });
    assert.deepEqual([...c.changed].sort(), ['e2', 'e3', 'e6', 'e9']);
    const final = c.events.find((e) => e.type === 'final');
    assert.ok(final?.type === 'final');
    assert.equal(final.answer, 'a tabby cat');
  });

  it('drops and restores steps, inserts a reflection after a step’s model turn, and keeps the last label', () => {
    const c = applyAnnotations(header, [
      ...original,
      ann({ op: 'drop_step', target: 2 }),
      ann({ op: 'drop_step', target: 1 }),
      ann({ op: 'restore_step', target: 1 }),
      ann({ op: 'insert_reflection', target: 3, kind: 'reflect', text: 'The search said tabby.' }, 'ins'),
      ann({ op: 'label', label: 'needs-fix', note: 'box too big' }),
      ann({ op: 'label', label: 'accepted', tags: ['gaze'] }),
    ]);
    assert.deepEqual([...c.dropped], [2]);
    const step3 = c.events.filter((e) => e.step === 3).map((e) => e.type);
    assert.deepEqual(step3, ['model_turn', 'reflection', 'action', 'final']);
    assert.ok(c.changed.has('ins'));
    assert.deepEqual({ label: c.label?.label, tags: c.label?.tags, note: c.label?.note }, { label: 'accepted', tags: ['gaze'], note: undefined });
  });

  it('lets a later set_text reword an inserted reflection', () => {
    const c = applyAnnotations(header, [
      ...original,
      ann({ op: 'insert_reflection', target: 2, kind: 'reflect', text: 'first try' }, 'ins2'),
      ann({ op: 'set_text', target: 'ins2', text: 'The gaze missed; search by text.' }, 'fix2'),
    ]);
    assert.deepEqual(c.problems, []);
    const inserted = c.events.find((e) => e.id === 'ins2');
    assert.ok(inserted?.type === 'reflection');
    assert.equal(inserted.text, 'The gaze missed; search by text.');
  });

  it('takes back reverted annotations (and puts back one whose revert is reverted)', () => {
    const c = applyAnnotations(header, [
      ...original,
      ann({ op: 'set_text', target: 'e6', text: 'dog' }, 'x1'),
      ann({ op: 'label', label: 'rejected' }, 'x2'),
      ann({ op: 'revert', target: 'x1' }, 'x3'),
      ann({ op: 'revert', target: 'x2' }, 'x4'),
      ann({ op: 'revert', target: 'x4' }, 'x5'),
    ]);
    const q = c.events.find((e) => e.id === 'e6');
    assert.ok(q?.type === 'action' && q.action.kind === 'text_search');
    assert.equal(q.action.query, 'cat', 'x1 was taken back');
    assert.equal(c.label?.label, 'rejected', 'x2 is back: its revert was reverted');
    assert.deepEqual(
      c.active.map((a) => a.id),
      ['x2'],
    );
  });

  it('reports, and does not apply, annotations that point at nothing or ask the impossible', () => {
    const c = applyAnnotations(header, [
      ...original,
      ann({ op: 'set_box', target: 'e6', box: [0, 0, 10, 10] }, 'p1'),
      ann({ op: 'set_box', target: 'e3', box: [0, 0, 900, 10] }, 'p2'),
      ann({ op: 'set_text', target: 'nope', text: 'x' }, 'p3'),
      ann({ op: 'drop_step', target: 9 }, 'p4'),
    ]);
    assert.equal(c.problems.length, 4);
    assert.match(c.problems[0]!, /^annotation p1 \(set_box e6\): it points at no gaze$/);
    assert.match(c.problems[1]!, /lies outside the 512×512 image/);
    assert.match(c.problems[2]!, /points at no reflection, query or answer/);
    assert.match(c.problems[3]!, /no such step/);
    assert.equal(c.changed.size, 0);
  });
});
