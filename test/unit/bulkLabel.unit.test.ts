// Label All Shown: what it labels (only what has no verdict), how it says so, and the queue's
// "no corrections" filter it is used with, counted from the annotations in effect.
import { strict as assert } from 'node:assert';
import { describeBulkLabel, planBulkLabel } from '../../src/review/bulkLabel';
import { summarize, type QueueEntry } from '../../src/review/queueIndex';
import { matches } from '../../src/review/reviewQueue';
import { sampleHeader } from '../helpers/trajectories';

const t = '2026-12-05T10:00:00.000Z';
const lines = (...extra: object[]) =>
  [
    sampleHeader({ id: 'r1' }),
    { type: 'model_turn', step: 1, t, id: 'e1', raw: 'x', ms: 1 },
    { type: 'action', step: 1, t, id: 'e2', action: { kind: 'answer', text: 'a rocket' } },
    { type: 'final', step: 1, t, id: 'e3', answer: 'a rocket', stopReason: 'answered', turns: 1, ms: 10, score: { exactMatch: 1, f1: 1 } },
    ...extra,
  ]
    .map((l) => JSON.stringify(l))
    .join('\n');
const note = (id: string, edit: object) => ({ type: 'annotation', step: 1, t, id, edit });

describe('Label All Shown', () => {
  it('labels only the shown trajectories without a verdict, and says how many it leaves alone', () => {
    const shown = [{ entry: {} }, { entry: { label: 'rejected' as const } }, { entry: {} }];
    const plan = planBulkLabel(shown);
    assert.deepEqual(plan.targets, [shown[0], shown[2]]);
    assert.equal(plan.alreadyLabelled, 1);
    assert.equal(
      describeBulkLabel('accepted', 2, 1),
      'Label 2 unreviewed trajectories accepted? 1 shown trajectory already has a verdict and is left as it is. Undo Label All Shown takes it back.',
    );
    assert.equal(describeBulkLabel('accepted', 1, 0), 'Label 1 unreviewed trajectory accepted? Undo Label All Shown takes it back.');
  });

  it('counts corrections in effect for the "no corrections" filter: labels and reverted edits do not count', () => {
    const entry = (...extra: object[]): QueueEntry => {
      const text = lines(...extra);
      return summarize('r/trajectory.jsonl', text, text.length, 1);
    };
    const plain = entry(note('a1', { op: 'label', label: 'accepted' }));
    const edited = entry(note('a2', { op: 'set_text', target: 'e2', text: 'a Falcon 9' }));
    const taken = entry(note('a3', { op: 'set_text', target: 'e2', text: 'a Falcon 9' }), note('a4', { op: 'revert', target: 'a3' }));
    assert.deepEqual([plain.edits, edited.edits, taken.edits], [0, 1, 0]);
    const rightNoEdits = { score: 'correct', edited: false } as const;
    assert.deepEqual(
      [plain, edited, taken].map((e) => matches(e, rightNoEdits)),
      [true, false, true],
    );
  });
});
