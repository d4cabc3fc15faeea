// `gog agreement` after `gog label --adjudicate`, both the built command in a child process:
// an adjudicator's verdict settles a conflict (the conflict says so) and is not an
// annotator's verdict (the adjudicator is no labeller, the κ figures are the annotators').
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { AgreementReport } from '../../src/data/agreement/annotatorAgreement';
import { buildOnce } from '../helpers/build';
import { gog } from '../helpers/cli';
import { tempDir } from '../helpers/fixtures';
import { sampleHeader } from '../helpers/trajectories';

async function plainTrajectory(file: string, id: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const t = '2026-12-05T10:00:00.000Z';
  const lines = [
    sampleHeader({ id, sampleId: id, dataset: 'mine' }),
    { type: 'action', step: 1, t, id: 'e1', action: { kind: 'answer', text: 'a rocket' } },
    { type: 'final', step: 1, t, id: 'e2', answer: 'a rocket', stopReason: 'answered', turns: 1, ms: 10 },
  ];
  await fs.writeFile(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
}

describe('gog agreement after gog label --adjudicate', function () {
  this.timeout(120_000);
  const tmp = tempDir();
  before(() => buildOnce());
  after(tmp.cleanup);

  it('an adjudicated conflict is listed as settled with the adjudicator’s verdict, and the adjudicator is not counted as an annotator', async () => {
    const dir = path.join(tmp.dir, 'team');
    const files = ['s1', 's2'].map((s) => path.join(dir, s, 'trajectory.jsonl'));
    for (const [i, f] of files.entries()) await plainTrajectory(f, `s${i + 1}`);
    const label = async (file: string, who: string, verdict: string, ...more: string[]) => {
      const r = await gog(['label', file, verdict, '--annotator', who, ...more], { cwd: tmp.dir });
      assert.equal(r.code, 0, r.stderr);
    };
    // s1: ann and bob disagree; s2: they agree.
    await label(files[0]!, 'ann', 'accepted');
    await label(files[0]!, 'bob', 'rejected');
    await label(files[1]!, 'ann', 'accepted');
    await label(files[1]!, 'bob', 'accepted');
    await label(files[0]!, 'lead', 'rejected', '--adjudicate');

    const r = await gog(['agreement', dir, '--json'], { cwd: tmp.dir });
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as AgreementReport;
    assert.deepEqual(report.labellers, ['ann', 'bob'], 'the adjudicator gave no annotator verdict');
    assert.equal(report.verdicts.pairs.length, 1);
    assert.equal(report.verdicts.pairs[0]!.items, 2);
    assert.deepEqual(report.conflicts, [{ path: 'team/s1/trajectory.jsonl', labels: { ann: 'accepted', bob: 'rejected' }, adjudicated: 'rejected' }]);
  });
});
