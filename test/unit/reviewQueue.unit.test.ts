// The review queue: a folder (or a queue file's list) indexed, filtered, counted, and moved through.
import { strict as assert } from 'node:assert';
import { appendFileSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { TrajectoryEvent } from '../../src/core/trajectory';
import { readQueueFile } from '../../src/review/queueFile';
import { QueueIndex } from '../../src/review/queueIndex';
import { ReviewQueue } from '../../src/review/reviewQueue';
import { tempDir } from '../helpers/fixtures';
import { sampleHeader } from '../helpers/trajectories';

const t = '2026-11-25T00:00:00.000Z';

function trajectory(o: {
  question: string;
  gaze?: boolean;
  reflect?: boolean;
  correct?: boolean;
  label?: 'accepted' | 'rejected';
  dialect?: 'gog' | 'tool-calls';
}): string {
  const events: TrajectoryEvent[] = [{ type: 'model_turn', step: 1, t, raw: 'x', ms: 1, id: 'e1' }];
  if (o.reflect) events.push({ type: 'reflection', step: 1, t, kind: 'reflect', text: 'hm', id: 'e2' });
  if (o.gaze)
    events.push({
      type: 'action',
      step: 1,
      t,
      id: 'e3',
      action: { kind: 'image_search', scope: 'region', box: { model: [0, 0, 100, 100], sent: [0, 0, 100, 100], original: [0, 0, 100, 100] } },
    });
  events.push({ type: 'action', step: 2, t, id: 'e4', action: { kind: 'answer', text: 'a' } });
  events.push({
    type: 'final',
    step: 2,
    t,
    id: 'e5',
    answer: 'a',
    stopReason: 'answered',
    turns: 2,
    ms: 5,
    ...(o.correct === undefined ? {} : { score: { exactMatch: o.correct ? 1 : 0, f1: o.correct ? 1 : 0 } }),
  });
  if (o.label) events.push({ type: 'annotation', step: 0, t, id: 'u1', edit: { op: 'label', label: o.label } });
  const header = sampleHeader({ question: o.question, ...(o.dialect ? { model: { ...sampleHeader().model, dialect: o.dialect } } : {}) });
  return [header, ...events].map((e) => JSON.stringify(e)).join('\n') + '\n';
}

describe('review queue', () => {
  const tmp = tempDir('gog-queue-');
  after(() => tmp.cleanup());
  const root = path.join(tmp.dir, 'bench');
  const write = (rel: string, text: string) => {
    const file = path.join(root, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    return file;
  };
  before(() => {
    write('trajectories/s2.jsonl', trajectory({ question: 'two', gaze: true, correct: false }));
    write('trajectories/s10.jsonl', trajectory({ question: 'ten', reflect: true, correct: true, label: 'accepted' }));
    write('trajectories/s1.jsonl', trajectory({ question: 'one', correct: true, dialect: 'tool-calls' }));
    write('other/run/trajectory.jsonl', trajectory({ question: 'run', gaze: true, reflect: true, label: 'rejected' }));
    write('notes/readme.jsonl', 'not a trajectory\n');
  });

  it('indexes a folder in path order (numbers as numbers), counts reviewed, filters, and resumes at the first unreviewed', async () => {
    const index = new QueueIndex(root, path.join(tmp.dir, 'cache', 'index.json'));
    await index.loadCache();
    const q = new ReviewQueue(await index.scan());
    assert.deepEqual(
      q.shown.map((e) => e.rel),
      ['other/run/trajectory.jsonl', 'trajectories/s1.jsonl', 'trajectories/s2.jsonl', 'trajectories/s10.jsonl'],
    );
    assert.deepEqual(q.counts, { total: 4, reviewed: 2, shown: 4 });
    assert.equal(q.firstUnreviewed()?.rel, 'trajectories/s1.jsonl');
    assert.equal(q.step('trajectories/s1.jsonl', 1)?.rel, 'trajectories/s2.jsonl');
    assert.equal(q.step('trajectories/s1.jsonl', -1)?.rel, 'other/run/trajectory.jsonl');
    assert.equal(q.step('trajectories/s10.jsonl', 1), undefined);
    const only = (f: ConstructorParameters<typeof Object>[0]) => {
      q.filter = f as typeof q.filter;
      return q.shown.map((e) => e.question);
    };
    assert.deepEqual(only({ label: 'unreviewed' }), ['one', 'two']);
    assert.deepEqual(only({ label: 'accepted' }), ['ten']);
    assert.deepEqual(only({ score: 'correct' }), ['one', 'ten']);
    assert.deepEqual(only({ score: 'wrong' }), ['two']);
    assert.deepEqual(only({ score: 'unscored' }), ['run']);
    assert.deepEqual(only({ gaze: true }), ['run', 'two']);
    assert.deepEqual(only({ reflection: false }), ['one', 'two']);
    assert.deepEqual(only({ dialect: 'tool-calls' }), ['one']);
    assert.deepEqual(only({ stopReason: 'max_turns' }), []);
    // From a file the filter hides (just labelled out of "unreviewed"), the neighbour in path order.
    q.filter = { label: 'unreviewed' };
    assert.equal(q.step('trajectories/s10.jsonl', -1)?.rel, 'trajectories/s2.jsonl');
    assert.equal(q.step('other/run/trajectory.jsonl', 1)?.rel, 'trajectories/s1.jsonl');

    // A label appended on disk: only that file is read again.
    await index.saveCache();
    const again = new QueueIndex(root, path.join(tmp.dir, 'cache', 'index.json'));
    await again.loadCache();
    const file = path.join(root, 'trajectories/s1.jsonl');
    appendFileSync(file, JSON.stringify({ type: 'annotation', step: 0, t, id: 'u9', edit: { op: 'label', label: 'rejected' } }) + '\n');
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    const q2 = new ReviewQueue(await again.scan());
    assert.equal(again.lastRead, 1);
    assert.equal(q2.entry('trajectories/s1.jsonl')?.label, 'rejected');
    assert.deepEqual(q2.counts, { total: 4, reviewed: 3, shown: 4 });
  });

  it('opens a queue file: its listed trajectories only, relative paths from the project holding .gog/', async () => {
    const queues = path.join(tmp.dir, '.gog', 'queues');
    mkdirSync(queues, { recursive: true });
    const queueFile = path.join(queues, 'bench-wrong.json');
    writeFileSync(
      queueFile,
      JSON.stringify([path.join(root, 'trajectories/s2.jsonl'), 'bench/other/run/trajectory.jsonl', 'bench/trajectories/s2.jsonl', 'x.txt']),
    );
    const list = await readQueueFile(queueFile);
    assert.equal(list.root, root);
    assert.deepEqual(list.files, ['trajectories/s2.jsonl', 'other/run/trajectory.jsonl']);
    const index = new QueueIndex(list.root, undefined, list.files);
    const q = new ReviewQueue(await index.scan());
    assert.deepEqual(
      q.shown.map((e) => e.question),
      ['run', 'two'],
    );
    assert.ok(index.includes('trajectories/s2.jsonl'));
    assert.ok(!index.includes('trajectories/s1.jsonl'));
  });

  it('refuses a queue file that is not a list of trajectories, in one line', async () => {
    const bad = (name: string, text: string) => {
      const file = path.join(tmp.dir, name);
      writeFileSync(file, text);
      return readQueueFile(file);
    };
    await assert.rejects(bad('a.json', '{nope'), /^Error: the queue file a\.json is not JSON$/);
    await assert.rejects(bad('b.json', '{"x": 1}'), /is not a list of trajectory paths/);
    await assert.rejects(bad('c.json', '["a.txt"]'), /lists no trajectory/);
  });
});
