// What saving an annotated trajectory appends: the net change since the last save, in an
// order that applies to the same corrected trajectory as the edits did.
import { strict as assert } from 'node:assert';
import { applyAnnotations } from '../../src/core/annotations';
import type { AnnotationEvent, Edit, TrajectoryEvent } from '../../src/core/trajectory';
import { EditStack } from '../../src/review/editStack';
import { sampleHeader } from '../helpers/trajectories';

const t = '2026-11-25T00:00:00.000Z';
const header = sampleHeader({ model: { endpoint: 'x', name: 'm', dialect: 'gog', boxFormat: 'rel-1000' } });
const original: TrajectoryEvent[] = [
  { type: 'model_turn', step: 1, t, id: 'e1', raw: 'x', ms: 1 },
  { type: 'reflection', step: 1, t, id: 'e2', kind: 'think', text: 'look' },
  {
    type: 'action',
    step: 1,
    t,
    id: 'e3',
    action: { kind: 'image_search', scope: 'region', box: { model: [0, 0, 500, 500], sent: [0, 0, 252, 252], original: [0, 0, 256, 256] } },
  },
  { type: 'model_turn', step: 2, t, id: 'e4', raw: 'y', ms: 1 },
  { type: 'action', step: 2, t, id: 'e5', action: { kind: 'answer', text: 'a cat' } },
  { type: 'final', step: 2, t, id: 'e6', answer: 'a cat', stopReason: 'answered', turns: 2, ms: 2 },
];

let n = 0;
const ann = (edit: Edit): AnnotationEvent => ({ type: 'annotation', step: 0, t, id: `u${++n}`, edit });

/** What the panel shows for a list of annotations: events, dropped steps, label. */
function shown(annotations: readonly AnnotationEvent[]): unknown {
  const c = applyAnnotations(header, [...original, ...annotations]);
  // A redo after a saved undo writes a copy under a new id (`u7-2`): the same annotation.
  return {
    events: c.events.map((e) => ({ ...e, t: undefined, id: e.id?.replace(/-\d+$/, '') })),
    dropped: [...c.dropped].sort(),
    label: c.label?.label,
    problems: c.problems,
  };
}

/** A file on disk: the annotations appended so far. */
class Disk {
  lines: AnnotationEvent[] = [];
  save(stack: EditStack): AnnotationEvent[] {
    const net = stack.net();
    this.lines.push(...net);
    stack.markSaved();
    return net;
  }
}

describe('edit stack', () => {
  it('writes nothing for an edit undone before saving', () => {
    const stack = new EditStack();
    const a = ann({ op: 'set_text', target: 'e2', text: 'look closer' });
    stack.push(a);
    assert.equal(stack.isDirty, true);
    assert.equal(stack.undo(a.id!), true);
    assert.deepEqual(stack.net(), []);
    assert.equal(stack.isDirty, false);
  });

  it('follows an undo that reached VS Code before the newest edit did: the older edit is undone, the newer stays', () => {
    const disk = new Disk();
    const stack = new EditStack();
    const drop = ann({ op: 'drop_step', target: 2 });
    const label = ann({ op: 'label', label: 'rejected' });
    stack.push(drop);
    stack.push(label);
    assert.equal(stack.undo(drop.id!), true, 'VS Code undid the drop: its stack held only that entry yet');
    assert.deepEqual(
      stack.annotations.map((a) => a.id),
      [label.id],
    );
    assert.deepEqual(
      disk.save(stack).map((a) => a.id),
      [label.id],
    );
    assert.equal(stack.undo(drop.id!), false, 'an edit not in effect is not undone twice');
    assert.equal(stack.undo(label.id!), true);
    assert.deepEqual(
      disk.save(stack).map((a) => a.edit.op),
      ['revert'],
    );
  });

  it('writes a revert for an edit undone after saving, and a fresh copy when it is redone after that is saved', () => {
    const disk = new Disk();
    const stack = new EditStack();
    const a = ann({ op: 'label', label: 'accepted' });
    stack.push(a);
    assert.deepEqual(disk.save(stack), [a]);
    assert.deepEqual(stack.net(), [], 'saved: nothing more to write');
    stack.undo(a.id!);
    const [revert] = disk.save(stack);
    assert.deepEqual(revert?.edit, { op: 'revert', target: a.id });
    stack.redo(a);
    const [copy] = disk.save(stack);
    assert.equal(copy?.edit.op, 'label');
    assert.notEqual(copy?.id, a.id, 'a new id: the reverted one stays reverted');
    assert.equal(applyAnnotations(header, [...original, ...disk.lines]).label?.label, 'accepted');
  });

  it('redo after an undo that was never saved writes nothing', () => {
    const disk = new Disk();
    const stack = new EditStack();
    const a = ann({ op: 'drop_step', target: 1 });
    stack.push(a);
    disk.save(stack);
    stack.undo(a.id!);
    assert.equal(stack.isDirty, true);
    stack.redo(a);
    assert.deepEqual(stack.net(), []);
  });

  it('writes the last of several moves of one box, and keeps an order that applies the same', () => {
    const disk = new Disk();
    const stack = new EditStack();
    const moves = [10, 20, 30].map((x) => ann({ op: 'set_box', target: 'e3', box: [x, x, x + 100, x + 100] }));
    for (const m of moves) stack.push(m);
    assert.deepEqual(
      disk.save(stack).map((a) => a.id),
      [moves[2]!.id],
    );
    stack.undo(moves[2]!.id!);
    const net = disk.save(stack);
    assert.deepEqual(
      net.map((a) => a.edit.op),
      ['revert', 'set_box'],
    );
    assert.deepEqual(shown(disk.lines), shown(moves.slice(0, 2)));
    stack.redo(moves[2]!);
    disk.save(stack);
    assert.deepEqual(shown(disk.lines), shown(moves));
  });

  it('Revert goes back to the stack as last saved', () => {
    const disk = new Disk();
    const stack = new EditStack();
    const a = ann({ op: 'label', label: 'rejected' });
    const b = ann({ op: 'set_text', target: 'e5', text: 'a tabby' });
    stack.push(a);
    disk.save(stack);
    stack.push(b);
    stack.revert();
    assert.deepEqual(stack.annotations, [a]);
    assert.deepEqual(stack.net(), []);
  });

  it('writes restored (hot-exit) annotations at the first save', () => {
    const restored = [ann({ op: 'label', label: 'needs-fix', note: 'box' }), ann({ op: 'revert', target: 'old1' })];
    const stack = new EditStack(restored);
    assert.deepEqual(stack.net(), restored);
  });

  // Any sequence of edits, undos, redos and saves: the file (what was saved, plus what the
  // next save appends) shows what the stack shows.
  it('keeps the file and the stack in agreement over random sessions', () => {
    let seed = 7;
    const rnd = (k: number) => (seed = (seed * 16807) % 2147483647) % k;
    const edits = (stack: EditStack): Edit => {
      const inserted = stack.annotations.filter((a) => a.edit.op === 'insert_reflection');
      switch (rnd(7)) {
        case 0:
          return { op: 'set_box', target: 'e3', box: [rnd(100), rnd(100), 200 + rnd(100), 200 + rnd(100)] };
        case 1:
          return { op: 'set_text', target: rnd(2) ? 'e2' : 'e5', text: `text ${rnd(1000)}` };
        case 2:
          return { op: rnd(2) ? 'drop_step' : 'restore_step', target: 1 + rnd(2) };
        case 3:
          return { op: 'label', label: (['accepted', 'rejected', 'needs-fix'] as const)[rnd(3)]! };
        case 4:
          return { op: 'insert_reflection', target: 1 + rnd(2), kind: 'reflect', text: `r${rnd(99)}` };
        case 5:
          // Rewording a reflection inserted in this session.
          if (inserted.length) return { op: 'set_text', target: inserted[rnd(inserted.length)]!.id!, text: `reworded ${rnd(99)}` };
          return { op: 'set_box', target: 'e3', box: [rnd(50), rnd(50), 300, 300] };
        default:
          return { op: 'set_box', target: 'e3', box: [rnd(50), rnd(50), 300, 300] };
      }
    };
    for (let session = 0; session < 120; session++) {
      const disk = new Disk();
      const stack = new EditStack();
      const redo: AnnotationEvent[] = [];
      for (let step = 0; step < 25; step++) {
        const r = rnd(10);
        if (r < 4) {
          stack.push(ann(edits(stack)));
          redo.length = 0;
        } else if (r < 6 && stack.annotations.length) {
          // Now and then an older one: an undo that overtook the newer edits on their way to
          // VS Code. Their undo entries arrive after it, which empties VS Code's redo stack.
          const i = rnd(4) ? stack.annotations.length - 1 : rnd(stack.annotations.length);
          const top = stack.annotations[i]!;
          stack.undo(top.id!);
          if (i === stack.annotations.length) redo.push(top);
          else redo.length = 0;
        } else if (r < 8 && redo.length) stack.redo(redo.pop()!);
        else disk.save(stack);
        assert.deepEqual(shown([...disk.lines, ...stack.net()]), shown(stack.annotations), `session ${session}, step ${step}`);
      }
      const ids = disk.lines.map((a) => a.id);
      assert.equal(new Set(ids).size, ids.length, 'every id written once');
    }
  });
});
