// A run re-executed exactly and offline: `gog replay` serves a trajectory's model turns and
// its searches (provider `recorded`), and `gog ask` against it records the same steps, the
// same evidence (thumbnails byte for byte) and the same answer, with no corpus at all.
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readTrajectory } from '../../src/core/trajectoryFile';
import type { ObservationEvent } from '../../src/core/trajectory';
import { gog } from '../helpers/cli';
import { DEMO, photo, tempDir } from '../helpers/fixtures';
import { buildOnce } from '../helpers/build';

const QUESTION = 'Which space telescope was deployed on the mission whose patch this astronaut is wearing?';

describe('recorded searches: a run re-executed exactly, offline', function () {
  this.timeout(60_000);
  const tmp = tempDir('gog-recorded-');
  before(() => buildOnce());
  after(tmp.cleanup);

  it('gog replay serves the searches too; the re-run matches the original step for step', async () => {
    // The original: the demo's astronaut run (two gazes, a reflection, a text search) against the local corpus.
    const demo = await gog(['demo', '--out', path.join(tmp.dir, 'demo')]);
    assert.equal(demo.code, 0, demo.stderr);
    const original = path.join(tmp.dir, 'demo', '1-astronaut-patch', 'trajectory.jsonl');

    let url = '';
    const rerun = path.join(tmp.dir, 'rerun');
    let result: Awaited<ReturnType<typeof gog>> | undefined;
    const replay = await gog(['replay', original], {
      started: (child, output) => {
        const timer = setInterval(() => {
          const m = /at (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(output.stdout());
          if (!m || !/recorded searches: (\d+)/.test(output.stdout())) return;
          clearInterval(timer);
          url = m[1]!;
          assert.match(output.stdout(), /recorded searches: 3\b/);
          void (async () => {
            result = await gog([
              'ask',
              '--image',
              photo('astronaut.png'),
              '--question',
              QUESTION,
              '--endpoint',
              url,
              '--image-search',
              'recorded',
              '--text-search',
              'recorded',
              '--corpus',
              path.join(tmp.dir, 'no-such-corpus'),
              '--no-cache',
              '--out',
              rerun,
              '--json',
            ]);
            child.kill('SIGINT');
          })();
        }, 20);
      },
    });
    assert.equal(replay.code, 0, replay.stderr);
    assert.ok(result, 'the re-run ran');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).answer, 'Chandra X-ray Observatory');

    const a = await readTrajectory(original);
    const b = await readTrajectory(path.join(rerun, 'trajectory.jsonl'));
    const steps = (t: typeof a) => t.events.map((e) => (e.type === 'action' ? `${e.step}:${e.action.kind}` : `${e.step}:${e.type}`));
    assert.deepEqual(steps(b), steps(a));
    const obs = (t: typeof a) => t.events.filter((e): e is ObservationEvent => e.type === 'observation');
    assert.deepEqual(
      obs(b).map((o) => o.results.map((r) => [r.rank, r.title, r.url, r.snippet])),
      obs(a).map((o) => o.results.map((r) => [r.rank, r.title, r.url, r.snippet])),
    );
    for (const [i, o] of obs(a).entries()) {
      for (const [j, r] of o.results.entries()) {
        const other = obs(b)[i]!.results[j]!;
        if (!r.thumbnail) continue;
        const same = (await fs.readFile(path.join(path.dirname(original), r.thumbnail))).equals(await fs.readFile(path.join(rerun, other.thumbnail!)));
        assert.ok(same, `thumbnail ${i}.${j} byte for byte`);
      }
    }
    assert.match(b.header!.search.image, /^recorded@http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(!JSON.stringify(b.header).includes(DEMO + '/corpus'), 'no corpus was used');
  });
});
