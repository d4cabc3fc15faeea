// The run review's trajectory search on the extension's side (src/data/find/findInRun.ts):
// real trajectory files in a run folder, searched by the same threads as `gog find`, each
// match turned into its sample's row key once; files out of the folder never read; a search
// stopped (a new query in the box) stops at once, even in a pattern that would never end.
import { strict as assert } from 'node:assert';
import { promises as fs, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { findInRun } from '../../src/data/find/findInRun';
import { FIND_FIELDS, type FindQuery } from '../../src/data/find/findQuery';
import type { FindHit } from '../../src/shared/runsMessages';
import { tempDir } from '../helpers/fixtures';
import { sampleHeader } from '../helpers/trajectories';

const think = (step: number, text: string) => ({ type: 'reflection', step, t: '2026-11-24T09:00:00.000Z', id: `e${step}`, kind: 'think', text });

async function writeTrajectory(file: string, texts: string[]): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, [sampleHeader(), ...texts.map((t, i) => think(i + 1, t))].map((e) => JSON.stringify(e)).join('\n') + '\n');
}

const query = (pattern: string, regex = false): FindQuery => ({ pattern, regex, ignoreCase: true, fields: FIND_FIELDS });

describe('the run review’s trajectory search', function () {
  this.timeout(60_000);
  const tmp = tempDir('gog-find-run-');
  after(() => tmp.cleanup());

  it('names each sample found once, by its row key, at its first match, and never reads out of the run folder', async () => {
    const run = path.join(tmp.dir, 'run');
    const trajectories = ['samples/q0/trajectory.jsonl', 'samples/q1/trajectory.jsonl', 'samples/q2/trajectory.jsonl', 'samples/q3/trajectory.jsonl'];
    await writeTrajectory(path.join(run, trajectories[0]!), ['no match here']);
    await writeTrajectory(path.join(run, trajectories[1]!), ['a Koala in a tree', 'another KOALA later']);
    await writeTrajectory(path.join(run, trajectories[2]!), ['nothing', 'the koala again']);
    // q3's trajectory is a link out of the run folder: never read.
    await writeTrajectory(path.join(tmp.dir, 'outside', 'trajectory.jsonl'), ['a koala outside']);
    await fs.mkdir(path.join(run, 'samples', 'q3'), { recursive: true });
    symlinkSync(path.join(tmp.dir, 'outside', 'trajectory.jsonl'), path.join(run, trajectories[3]!));
    // A trajectory in the folder that no row names: searched, not a sample of the table.
    await writeTrajectory(path.join(run, 'branches', 'b1.trajectory.jsonl'), ['koala on a branch']);

    const hits: FindHit[] = [];
    const outcome = await findInRun({ runDir: run, trajectories, query: query('koala'), signal: new AbortController().signal, onHits: (h) => hits.push(...h) });
    assert.deepEqual(outcome, { searched: 4 });
    assert.deepEqual(
      hits.sort((a, b) => a.key - b.key),
      [
        { key: 1, step: 1, field: 'reasoning', label: 'reasoning', before: 'a ', match: 'Koala', after: ' in a tree' },
        { key: 2, step: 2, field: 'reasoning', label: 'reasoning', before: 'the ', match: 'koala', after: ' again' },
      ],
    );
  });

  it('says in one sentence why a query cannot run, or why the search stopped', async () => {
    const run = path.join(tmp.dir, 'bad');
    await writeTrajectory(path.join(run, 'samples/q0/trajectory.jsonl'), [`${'a'.repeat(50_000)}!`]);
    const signal = new AbortController().signal;
    const onHits = () => assert.fail('nothing is found');
    assert.deepEqual(await findInRun({ runDir: run, trajectories: ['samples/q0/trajectory.jsonl'], query: query('(a', true), signal, onHits }), {
      searched: 0,
      error: 'the pattern is not a regular expression (unterminated group)',
    });
    const started = Date.now();
    const stopped = await findInRun({
      runDir: run,
      trajectories: ['samples/q0/trajectory.jsonl'],
      query: query('(a+)+$', true),
      signal,
      onHits,
      fileTimeoutMs: 1000,
    });
    assert.deepEqual(stopped, {
      searched: 0,
      error: 'q0/trajectory.jsonl took more than 1 s; a pattern that backtracks without end, like (a+)+$, does that: simplify it',
    });
    assert.ok(Date.now() - started < 1000 + 4000, `took ${Date.now() - started} ms`);
  });

  it('stops at once when cancelled (a new query), in the middle of a pattern that would never end, handing on nothing more', async () => {
    const run = path.join(tmp.dir, 'cancel');
    const trajectories = ['a-quick/trajectory.jsonl', 'b-endless/trajectory.jsonl', 'c-after/trajectory.jsonl'];
    await writeTrajectory(path.join(run, trajectories[0]!), ['aaaa']);
    await writeTrajectory(path.join(run, trajectories[1]!), [`${'a'.repeat(50_000)}!`]);
    await writeTrajectory(path.join(run, trajectories[2]!), ['aaaa']);
    const stop = new AbortController();
    const hits: FindHit[] = [];
    let cancelledAt = 0;
    const outcome = await findInRun({
      runDir: run,
      trajectories,
      query: query('(a+)+$', true),
      signal: stop.signal,
      // One thread: the endless file holds up the one after it.
      threads: 1,
      onHits: (h) => {
        hits.push(...h);
        if (!cancelledAt) {
          cancelledAt = Date.now();
          stop.abort();
        }
      },
    });
    assert.ok(cancelledAt, 'the quick file was found');
    assert.ok(Date.now() - cancelledAt < 1000, `ended ${Date.now() - cancelledAt} ms after the cancel`);
    assert.deepEqual(
      hits.map((h) => h.key),
      [0],
    );
    assert.equal(outcome.error, undefined);
  });
});
