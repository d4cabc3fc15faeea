// What the trajectory diff panel is sent (src/run/diffMessage.ts), from run folders on disk:
// both trajectories whole with the first divergence, one image for both runs' boxes, and
// nothing read or shown from outside a run folder (a trajectory path that leaves it, an
// image that is a link out of its sample folder).
import { strict as assert } from 'node:assert';
import { symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { diffMessage } from '../../src/run/diffMessage';
import { comparedSamples, realBenchRun, syntheticResults, writeBenchRun } from '../helpers/benchRuns';
import { tempDir } from '../helpers/fixtures';

describe('trajectory diff message', function () {
  this.timeout(120_000);
  const tmp = tempDir('gog-diff-message-');
  const [dirA, dirB] = [path.join(tmp.dir, 'a'), path.join(tmp.dir, 'b')];
  after(() => tmp.cleanup());

  it('sends both trajectories, the first divergence and the image the first run was given, as a URL made by the caller', async () => {
    const [ra] = await realBenchRun(dirA, comparedSamples('a').slice(0, 1));
    const [rb] = await realBenchRun(dirB, comparedSamples('b').slice(0, 1));
    const m = await diffMessage(
      [
        { dir: dirA, label: 'A', result: ra! },
        { dir: dirB, label: 'B', result: rb! },
      ],
      (file) => `url:${path.relative(tmp.dir, file)}`,
    );
    assert.deepEqual([m.sample.id, m.divergence.step, m.divergence.b], ['rocket-top', 2, 'answer "A satellite"']);
    assert.deepEqual(
      m.sides.map((s) => [s.label, s.title, s.side.right, s.events.some((e) => e.type === 'final')]),
      [
        ['A', 'a', true, true],
        ['B', 'b', false, true],
      ],
    );
    assert.equal(m.image?.from, 0);
    assert.match(m.image?.url ?? '', /^url:a\/samples\/rocket-top\/images\/sent\.jpg$/);
    assert.deepEqual(m.notes, []);
  });

  it('reads no trajectory outside its run folder, and shows no image that links out of its sample folder', async () => {
    const [ha, hb] = [path.join(tmp.dir, 'ha'), path.join(tmp.dir, 'hb')];
    const [r] = syntheticResults(1, { seed: 3 });
    await writeBenchRun(ha, [r!]);
    await writeBenchRun(hb, [r!]);
    // A trajectory path that leaves the run folder: refused before anything is read.
    await assert.rejects(
      diffMessage(
        [
          { dir: ha, label: 'A', result: r! },
          { dir: hb, label: 'B', result: { ...r!, trajectory: `../ha/${r!.trajectory}` } },
        ],
        (f) => f,
      ),
      /outside the run folder/,
    );
    // Both runs' images are links to a file outside: the diff shows its turns and no image, and says why.
    const outside = path.join(tmp.dir, 'secret.jpg');
    writeFileSync(outside, 'not for the webview');
    for (const d of [ha, hb]) {
      const image = path.join(d, path.dirname(r!.trajectory), 'image.jpg');
      unlinkSync(image);
      symlinkSync(outside, image);
    }
    const urls: string[] = [];
    const m = await diffMessage(
      [
        { dir: ha, label: 'A', result: r! },
        { dir: hb, label: 'B', result: r! },
      ],
      (f) => (urls.push(f), f),
    );
    assert.equal(m.image, null);
    assert.deepEqual(urls, [], 'no URL made for a file outside');
    assert.match(m.notes[0]!, /^No image to draw the boxes on \(A: image\.jpg .*; B: image\.jpg .*\)\.$/);
    assert.ok(m.sides.every((s) => s.events.length > 0));
  });
});
