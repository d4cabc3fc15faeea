// `gog queue split` as a user runs it: the built command in a child process over a folder of
// trajectories and over a queue file; its queue files read back with the review queue's own
// reader (review/queueFile.ts), as the editor opens them.
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readQueueFile } from '../../src/review/queueFile';
import { gog, oneErrorLine } from '../helpers/cli';
import { tempDir } from '../helpers/fixtures';
import { sampleHeader } from '../helpers/trajectories';
import { buildOnce } from '../helpers/build';

/** The absolute trajectory paths of each annotator's queue file in `dir`. */
async function queues(dir: string, names: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const n of names) {
    const list = await readQueueFile(path.join(dir, `${n}.json`));
    out.set(
      n,
      list.files.map((rel) => path.join(list.root, rel)),
    );
  }
  return out;
}

describe('gog queue split', function () {
  this.timeout(120_000);
  const tmp = tempDir();
  const project = () => path.join(tmp.dir, 'project');
  const all: string[] = [];
  before(async () => {
    buildOnce();
    for (let i = 0; i < 100; i++) {
      const file = path.join(project(), 'runs', 'r1', 'samples', `${i}-0`, 'trajectory.jsonl');
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, JSON.stringify(sampleHeader({ id: `s${i}` })) + '\n');
      all.push(file);
    }
  });
  after(tmp.cleanup);

  it('100 trajectories among a, b, c with --overlap 0.2: every sample assigned, exactly 20 to two annotators and none to three, no annotator twice on one, 40 each; the same seed gives the same queues, another seed others', async () => {
    const r = await gog(['queue', 'split', 'runs/r1', '--annotators', 'a,b,c', '--overlap', '0.2', '--seed', '7', '--out', '.gog/queues/'], { cwd: project() });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'split 100 trajectories among 3 annotators, 20 (20.0%) given to two: a 40, b 40, c 40 → .gog/queues/{a,b,c}.json (seed 7)');
    const q = await queues(path.join(project(), '.gog', 'queues'), ['a', 'b', 'c']);
    const times = new Map<string, number>();
    for (const [name, files] of q) {
      assert.equal(new Set(files).size, files.length, `${name} has no sample twice`);
      for (const f of files) times.set(f, (times.get(f) ?? 0) + 1);
    }
    assert.deepEqual([...times.keys()].sort(), [...all].sort(), 'every sample assigned, and only those');
    assert.equal([...times.values()].filter((n) => n === 2).length, 20, 'overlap 0.2 of 100');
    assert.equal([...times.values()].filter((n) => n > 2).length, 0);
    // The overlapped samples spread over every pair.
    const pairs = new Set<string>();
    for (const f of all) {
      const who = ['a', 'b', 'c'].filter((n) => q.get(n)!.includes(f));
      if (who.length === 2) pairs.add(who.join('+'));
    }
    assert.deepEqual([...pairs].sort(), ['a+b', 'a+c', 'b+c']);
    const file = JSON.parse(await fs.readFile(path.join(project(), '.gog', 'queues', 'a.json'), 'utf8')) as { annotator: string; trajectories: string[] };
    assert.equal(file.annotator, 'a');
    assert.match(file.trajectories[0]!, /^runs\/r1\/samples\/\d+-0\/trajectory\.jsonl$/, 'paths from the project, as the queue reader takes them');
    assert.deepEqual((await fs.readdir(path.join(project(), '.gog', 'queues'))).sort(), ['a.json', 'b.json', 'c.json'], 'no temporary file left');

    const again = await gog(['queue', 'split', 'runs/r1', '--annotators', 'a,b,c', '--overlap', '0.2', '--seed', '7', '--out', 'again'], { cwd: project() });
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(await queues(path.join(project(), 'again'), ['a', 'b', 'c']), q, 'same seed, same queues');
    const other = await gog(['queue', 'split', 'runs/r1', '--annotators', 'a,b,c', '--overlap', '0.2', '--seed', '8', '--out', 'other'], { cwd: project() });
    assert.equal(other.code, 0, other.stderr);
    assert.notDeepEqual(await queues(path.join(project(), 'other'), ['a', 'b', 'c']), q, 'another seed, another split');
  });

  it('splits a queue file: only its samples; overlap 0 gives each sample to exactly one; overlap 1 to two each', async () => {
    const listed = all.slice(0, 9).map((f) => path.relative(project(), f));
    await fs.mkdir(path.join(project(), '.gog', 'queues'), { recursive: true });
    await fs.writeFile(path.join(project(), '.gog', 'queues', 'nine.json'), JSON.stringify(listed));
    const none = await gog(['queue', 'split', '.gog/queues/nine.json', '--annotators', 'x,y', '--out', 'zero'], { cwd: project() });
    assert.equal(none.code, 0, none.stderr);
    assert.match(none.stdout, /^split 9 trajectories among 2 annotators, 0 \(0\.0%\) given to two: x [45], y [45] /);
    const zero = await queues(path.join(project(), 'zero'), ['x', 'y']);
    assert.deepEqual([...zero.get('x')!, ...zero.get('y')!].sort(), all.slice(0, 9).sort());
    const both = await gog(['queue', 'split', '.gog/queues/nine.json', '--annotators', 'x,y', '--overlap', '1', '--out', 'one'], { cwd: project() });
    assert.equal(both.code, 0, both.stderr);
    const one = await queues(path.join(project(), 'one'), ['x', 'y']);
    assert.deepEqual([one.get('x')!.length, one.get('y')!.length], [9, 9]);
  });

  it('refuses bad input in one line (exit 2) and writes nothing: overlap outside 0–1, one annotator, a name twice, a name that is a path, a bad seed, an existing queue', async () => {
    const out = path.join(project(), 'refused');
    const cases: [string[], RegExp][] = [
      [['--annotators', 'a,b', '--overlap', '1.5'], /--overlap takes the share of samples given to two annotators, from 0 to 1; got "1\.5"$/],
      [['--annotators', 'a,b', '--overlap=-0.1'], /--overlap .* got "-0\.1"$/],
      [['--annotators', 'a,b', '--overlap', 'lots'], /--overlap .* got "lots"$/],
      [['--annotators', 'a'], /--annotators: a split needs two or more annotators$/],
      [['--annotators', 'a,b,a'], /--annotators: a is named twice$/],
      [['--annotators', 'a,../b'], /--annotators: "\.\.\/b" is not a name a queue file can take/],
      [['--annotators', 'a,'], /--annotators: "" is not a name/],
      [['--annotators', 'a,b', '--seed=-1'], /--seed takes a whole number from 0 to 4294967295; got "-1"$/],
      [[], /give the annotators/],
    ];
    for (const [flags, pattern] of cases) {
      const r = await gog(['queue', 'split', 'runs/r1', ...flags, '--out', 'refused'], { cwd: project() });
      assert.equal(r.code, 2, `${flags.join(' ')}: ${r.stderr}`);
      oneErrorLine(r, pattern);
    }
    oneErrorLine(await gog(['queue', 'split', 'runs/r1', '--annotators', 'a,b'], { cwd: project() }), /--out DIR/);
    oneErrorLine(await gog(['queue', 'split', 'nowhere', '--annotators', 'a,b', '--out', 'refused'], { cwd: project() }), /nowhere: no such file or folder$/);
    oneErrorLine(await gog(['queue', 'join'], { cwd: project() }), /unknown queue command "join"/);
    assert.equal(await fs.stat(out).catch(() => undefined), undefined, 'nothing written for any of them');

    // b.json already holds someone's queue: refused before a.json or c.json is written, and b.json kept.
    await fs.mkdir(out);
    await fs.writeFile(path.join(out, 'b.json'), '["mine.jsonl"]');
    const r = await gog(['queue', 'split', 'runs/r1', '--annotators', 'a,b,c', '--out', 'refused'], { cwd: project() });
    assert.equal(r.code, 2);
    oneErrorLine(r, /refused\/b\.json already exists; a split never writes over a queue: remove it or choose another --out$/);
    assert.deepEqual(await fs.readdir(out), ['b.json']);
    assert.equal(await fs.readFile(path.join(out, 'b.json'), 'utf8'), '["mine.jsonl"]');
  });
});
