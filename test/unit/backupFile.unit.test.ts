// Hot-exit backups of unsaved annotations: restored as they were, and a file changed since
// (otherwise than by appending) is told apart, so a restore never saves over it unawares.
import { strict as assert } from 'node:assert';
import type { AnnotationEvent } from '../../src/core/trajectory';
import { restoreBackup, serializeBackup } from '../../src/review/backupFile';

const pending: AnnotationEvent[] = [
  { type: 'annotation', step: 2, t: '2026-11-25T00:00:00.000Z', id: 'u0123456789abcdef', edit: { op: 'drop_step', target: 2 } },
  { type: 'annotation', step: 0, t: '2026-11-25T00:00:01.000Z', id: 'u0123456789abcdee', edit: { op: 'label', label: 'accepted', note: 'ok' } },
];

describe('hot-exit backups', () => {
  const file = Buffer.from('{"type":"header"}\n{"type":"model_turn"}\n');

  it('gives back the unsaved annotations of an unchanged file, or of one appended to since', () => {
    const text = serializeBackup(file, pending);
    assert.deepEqual(restoreBackup(text, file), { ok: true, pending });
    assert.deepEqual(restoreBackup(text, Buffer.concat([file, Buffer.from('{"type":"final"}\n')])), { ok: true, pending });
  });

  it('keeps them but flags a file rewritten or shortened since', () => {
    const text = serializeBackup(file, pending);
    const rewritten = restoreBackup(text, Buffer.from(file.toString().replace('model_turn', 'model_tern')));
    assert.ok(rewritten.ok && rewritten.conflict && rewritten.pending.length === 2);
    const shorter = restoreBackup(text, file.subarray(0, 10));
    assert.ok(shorter.ok && shorter.conflict);
  });

  it('refuses what is not one of its backups', () => {
    assert.deepEqual(restoreBackup('nope', file), { ok: false, message: 'the backup is not JSON' });
    const other = restoreBackup(JSON.stringify({ kind: 'something-else' }), file);
    assert.ok(!other.ok && /not one of ours/.test(other.message));
  });
});
