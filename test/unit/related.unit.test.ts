// A trajectory's parent and branches: branches found beside it (branches/*/) and in sibling
// folders by what their header names as parent, never by their folder alone.
import { strict as assert } from 'node:assert';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { readHeaderOnly, relatedTrajectories } from '../../src/review/related';
import { tempDir } from '../helpers/fixtures';
import { sampleHeader } from '../helpers/trajectories';

const t = '2026-11-25T00:00:00.000Z';

function write(file: string, parent?: { file: string; step: number }, answer = 'a'): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const header = sampleHeader({ id: path.basename(path.dirname(file)), ...(parent ? { parent: { ...parent, id: 'run-1' } } : {}) });
  const final = { type: 'final', step: 2, t, id: 'e9', answer, stopReason: 'answered', turns: 2, ms: 5 };
  writeFileSync(file, [header, final].map((e) => JSON.stringify(e)).join('\n') + '\n');
}

describe('related trajectories', () => {
  const tmp = tempDir('gog-related-');
  after(() => tmp.cleanup());

  it('lists the parent, and branches beside it or in sibling folders whose header names this file', async () => {
    const runs = path.join(tmp.dir, 'runs');
    const parent = path.join(runs, 'parent', 'trajectory.jsonl');
    write(parent);
    write(path.join(runs, 'parent', 'branches', 's2-x', 'trajectory.jsonl'), { file: '../../trajectory.jsonl', step: 2 }, 'from two');
    write(path.join(runs, 'sibling', 'trajectory.jsonl'), { file: '../parent/trajectory.jsonl', step: 1 }, 'from one');
    // Beside it but the branch of another run, and a run with no parent: not listed.
    write(path.join(runs, 'other', 'trajectory.jsonl'));
    write(path.join(runs, 'cousin', 'trajectory.jsonl'), { file: '../other/trajectory.jsonl', step: 1 });
    write(path.join(runs, 'parent', 'branches', 's3-y', 'trajectory.jsonl'), { file: '../../../other/trajectory.jsonl', step: 3 });
    // Opened through a link to its folder, a branch naming it through the link is found (real paths compared).
    symlinkSync(path.join(runs, 'parent'), path.join(tmp.dir, 'linked'));
    write(path.join(tmp.dir, 'linked-branch', 'trajectory.jsonl'), { file: '../linked/trajectory.jsonl', step: 1 });

    const related = await relatedTrajectories(parent, await readHeaderOnly(parent));
    assert.equal(related.parent, undefined);
    assert.deepEqual(
      related.branches.map((b) => [b.file, b.step, b.answer]),
      [
        ['../sibling/trajectory.jsonl', 1, 'from one'],
        ['branches/s2-x/trajectory.jsonl', 2, 'from two'],
      ],
    );

    const viaLink = path.join(tmp.dir, 'linked', 'trajectory.jsonl');
    const linked = await relatedTrajectories(viaLink, await readHeaderOnly(viaLink));
    assert.deepEqual(
      linked.branches.map((b) => b.file),
      ['../linked-branch/trajectory.jsonl', 'branches/s2-x/trajectory.jsonl'],
    );

    const branch = path.join(runs, 'sibling', 'trajectory.jsonl');
    const back = await relatedTrajectories(branch, await readHeaderOnly(branch));
    assert.deepEqual(back.parent && [back.parent.file, back.parent.step, back.parent.missing], ['../parent/trajectory.jsonl', 1, undefined]);
    assert.deepEqual(back.branches, []);
  });

  it('says when the parent a header names is missing', async () => {
    const lone = path.join(tmp.dir, 'lone', 'trajectory.jsonl');
    write(lone, { file: '../gone/trajectory.jsonl', step: 2 });
    const related = await relatedTrajectories(lone, await readHeaderOnly(lone));
    assert.equal(related.parent?.missing, true);
  });
});
