// `gog agreement` as a user runs it: the built command in a child process, over trajectory
// files whose annotators' labels and box corrections were appended by the same writer `gog
// label` uses (each with its author), in the layouts PATH may name: a folder of
// trajectories, a benchmark run folder (benchmark and category from its results.jsonl), a
// queue file. The expected κ values are worked out by hand in the test titles.
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Box } from '../../src/core/geometry';
import type { Label } from '../../src/core/trajectory';
import { readTrajectory } from '../../src/core/trajectoryFile';
import type { AgreementReport } from '../../src/data/agreement/annotatorAgreement';
import { appendAnnotation } from '../../src/run/annotate';
import { syntheticResults, writeBenchRun } from '../helpers/benchRuns';
import { gog, oneErrorLine } from '../helpers/cli';
import { tempDir } from '../helpers/fixtures';
import { sampleHeader } from '../helpers/trajectories';
import { buildOnce } from '../helpers/build';

/** A trajectory with no annotations yet: header, answer, final. */
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

const label = (file: string, author: string, l: Label, tags?: string[]) => appendAnnotation(file, { op: 'label', label: l, ...(tags ? { tags } : {}) }, author);

async function json(dir: string, cwd: string): Promise<AgreementReport> {
  const r = await gog(['agreement', dir, '--json'], { cwd });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as AgreementReport;
}

describe('gog agreement', function () {
  this.timeout(120_000);
  const tmp = tempDir();
  before(() => buildOnce());
  after(tmp.cleanup);

  it("two annotators over 50 samples, table [[20,5],[10,15]]: 70.0% agree, Cohen's κ = (0.7−0.5)/(1−0.5) = 0.400; the 15 conflicts listed with their paths; a queue file of two of them reads only those", async () => {
    const dir = path.join(tmp.dir, 'pair');
    // ann accepted on 25 (20 with bob, 5 where bob rejected); bob accepted on 30 (20 + 10 where ann rejected).
    const cells: [Label, Label, number][] = [
      ['accepted', 'accepted', 20],
      ['accepted', 'rejected', 5],
      ['rejected', 'accepted', 10],
      ['rejected', 'rejected', 15],
    ];
    let i = 0;
    for (const [a, b, n] of cells)
      for (let k = 0; k < n; k++, i++) {
        const file = path.join(dir, `s${String(i).padStart(2, '0')}`, 'trajectory.jsonl');
        await plainTrajectory(file, `s${i}`);
        await label(file, 'ann', a);
        await label(file, 'bob', b);
      }
    const text = await gog(['agreement', 'pair'], { cwd: tmp.dir });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^agreement over 50 trajectories under pair: 50 labelled, 50 labelled by two or more; annotators: ann, bob$/m);
    assert.match(text.stdout, /^ {2}ann · bob +50 samples {2}70\.0% agree {2}Cohen's κ 0\.400$/m);
    assert.match(text.stdout, /^ {2}overall +50 samples {2}70\.0% agree {2}Cohen's κ 0\.400$/m);
    assert.match(text.stdout, /^conflicts: 15 samples where the verdicts differ$/m);
    assert.match(text.stdout, /^ {2}pair\/s20\/trajectory\.jsonl {2}ann accepted · bob rejected$/m);
    assert.match(text.stdout, /^ {2}pair\/s25\/trajectory\.jsonl {2}ann rejected · bob accepted$/m);

    const r = await json('pair', tmp.dir);
    assert.deepEqual(r.labellers, ['ann', 'bob']);
    const pair = r.verdicts.pairs[0]!;
    assert.deepEqual(pair.table, [
      [20, 5, 0],
      [10, 15, 0],
      [0, 0, 0],
    ]);
    assert.equal(pair.observed, 0.7);
    assert.ok(Math.abs(pair.kappa! - 0.4) < 1e-12, String(pair.kappa));
    assert.equal(r.conflicts.length, 15);

    // A queue file under .gog/queues/ lists paths from the project: two samples only, one of them a conflict.
    await fs.mkdir(path.join(tmp.dir, '.gog', 'queues'), { recursive: true });
    await fs.writeFile(path.join(tmp.dir, '.gog', 'queues', 'two.json'), JSON.stringify(['pair/s00/trajectory.jsonl', 'pair/s20/trajectory.jsonl']));
    const q = await json('.gog/queues/two.json', tmp.dir);
    assert.equal(q.samples, 2);
    assert.deepEqual(q.verdicts.pairs[0]!.table[0], [1, 1, 0]);
    assert.deepEqual(
      q.conflicts.map((c) => c.path),
      ['pair/s20/trajectory.jsonl'],
    );
  });

  it("three annotators on a benchmark run: Fleiss' κ = (2/3 − 1/2)/(1 − 1/2) = 1/3 (pattern [3,0] [2,1] [1,2] [0,3] ×3), a·b κ = (0.75−0.5)/(1−0.5) = 0.5; gaze IoU between annotators and model-vs-correction by benchmark, category and checkpoint", async () => {
    const dir = path.join(tmp.dir, 'run');
    const results = syntheticResults(12, { seed: 3 });
    // Every sample has a gaze (the synthetic ones may have none): the first turn looks at a region.
    for (const r of results) {
      if (!r.gazes.length) r.gazes.push([0.1, 0.2, 0.5, 0.6]);
      r.turns = Math.max(r.turns, 2);
    }
    await writeBenchRun(dir, results);
    const pattern: [Label, Label, Label][] = [
      ['accepted', 'accepted', 'accepted'],
      ['accepted', 'accepted', 'rejected'],
      ['accepted', 'rejected', 'rejected'],
      ['rejected', 'rejected', 'rejected'],
    ];
    // Expected gaze quality, worked out here: a's correction is the model's box (IoU 1), b's
    // keeps its left ⌊w/2⌋ pixels (IoU ⌊w/2⌋/w); c corrects nothing.
    const quality = new Map<string, number[]>();
    const between: number[] = [];
    for (const [i, r] of results.entries()) {
      const file = path.join(dir, r.trajectory);
      const [a, b, c] = pattern[i % 4]!;
      await label(file, 'a', a);
      await label(file, 'b', b);
      await label(file, 'c', c);
      const t = await readTrajectory(file);
      const gaze = t.events.find((e) => e.type === 'action' && e.action.kind === 'image_search' && e.action.scope === 'region');
      assert.ok(gaze?.type === 'action' && gaze.action.kind === 'image_search' && gaze.action.box);
      const m = gaze.action.box.original;
      const w = m[2] - m[0];
      const half = Math.floor(w / 2);
      const cut: Box = [m[0], m[1], m[0] + half, m[3]];
      await appendAnnotation(file, { op: 'set_box', target: gaze.id!, box: [...m] }, 'a');
      await appendAnnotation(file, { op: 'set_box', target: gaze.id!, box: cut }, 'b');
      between.push(half / w);
      for (const key of [`benchmark:${r.benchmark}`, `category:${r.category}`, 'checkpoint:m']) quality.set(key, [...(quality.get(key) ?? []), 1, half / w]);
    }
    const rep = await json('run', tmp.dir);
    assert.deepEqual(rep.labellers, ['a', 'b', 'c']);
    assert.equal(rep.verdicts.overall?.method, 'fleiss');
    assert.ok(Math.abs(rep.verdicts.overall.kappa! - 1 / 3) < 1e-12, String(rep.verdicts.overall.kappa));
    const ab = rep.verdicts.pairs.find((p) => p.a === 'a' && p.b === 'b')!;
    assert.deepEqual(ab.table[0]!.slice(0, 2), [6, 3]);
    assert.ok(Math.abs(ab.kappa! - 0.5) < 1e-12, String(ab.kappa));
    assert.equal(rep.conflicts.length, 6);

    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    assert.equal(rep.boxes.gazes, 12);
    assert.ok(Math.abs(rep.boxes.overall.meanIou! - mean(between)) < 1e-12);
    const seen = (kind: string, groups: { key: string; count: number; meanIou: number | null }[]) =>
      groups.map((g) => [`${kind}:${g.key}`, g.count, Number(g.meanIou!.toFixed(12))]);
    const want = [...quality].map(([k, xs]) => [k, xs.length, Number(mean(xs).toFixed(12))]);
    const got = [
      ...seen('benchmark', rep.gazeQuality.byBenchmark),
      ...seen('category', rep.gazeQuality.byCategory),
      ...seen('checkpoint', rep.gazeQuality.byCheckpoint),
    ];
    assert.deepEqual(
      got.sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
      want.sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
    );
    assert.ok(new Set(rep.gazeQuality.byBenchmark.map((g) => g.key)).size >= 3, 'benchmarks come from results.jsonl');

    const text = await gog(['agreement', 'run'], { cwd: tmp.dir });
    assert.match(text.stdout, /^ {2}overall +12 samples {2}50\.0% unanimous {2}Fleiss' κ 0\.333$/m);
    assert.match(text.stdout, /^gaze boxes corrected by two or more annotators: 12 gazes, mean IoU between annotators 0\.\d{3}$/m);
    assert.match(text.stdout, /^gaze quality, IoU of the model's box with the annotator's correction: 24 corrections, mean 0\.\d{3}$/m);
    assert.match(text.stdout, /^ {2}by checkpoint: m 0\.\d{3} \(24\)$/m);
  });

  it('edge cases: one annotator has nothing to compare; all agreeing on one verdict shows κ as — (null in --json), never 1; labels without a name are counted apart', async () => {
    const one = path.join(tmp.dir, 'one');
    await plainTrajectory(path.join(one, 'a', 'trajectory.jsonl'), 'a');
    await label(path.join(one, 'a', 'trajectory.jsonl'), 'ann', 'accepted');
    await appendAnnotation(path.join(one, 'a', 'trajectory.jsonl'), { op: 'label', label: 'rejected' });
    const r1 = await gog(['agreement', 'one'], { cwd: tmp.dir });
    assert.equal(r1.code, 0, r1.stderr);
    assert.match(r1.stdout, /^verdicts: only ann gave any; agreement needs two annotators on the same samples$/m);
    assert.match(r1.stdout, /^ {2}1 annotation without an annotator's name left out$/m);
    const j1 = await json('one', tmp.dir);
    assert.deepEqual([j1.verdicts.pairs, j1.verdicts.overall, j1.unnamedAnnotations], [[], null, 1]);

    const same = path.join(tmp.dir, 'same');
    for (const s of ['x', 'y', 'z']) {
      const file = path.join(same, s, 'trajectory.jsonl');
      await plainTrajectory(file, s);
      await label(file, 'ann', 'accepted', ['format']);
      await label(file, 'bob', 'accepted', ['format']);
    }
    const r2 = await gog(['agreement', 'same'], { cwd: tmp.dir });
    assert.match(r2.stdout, /^ {2}ann · bob +3 samples {2}100\.0% agree {2}Cohen's κ — \(undefined: one category throughout, so chance agrees every time\)$/m);
    assert.match(r2.stdout, /^conflicts: none$/m);
    const j2 = await json('same', tmp.dir);
    assert.equal(j2.verdicts.pairs[0]!.kappa, null);
    assert.equal(j2.verdicts.pairs[0]!.observed, 1);
    assert.equal(j2.categories.perCategory[0]!.category, 'format');
    assert.equal(j2.categories.perCategory[0]!.pairs[0]!.kappa, null);
  });

  it('refuses what it cannot read in one line (exit 2), and never follows a trajectory link out of the folder (its labels are not counted)', async () => {
    oneErrorLine(await gog(['agreement', path.join(tmp.dir, 'missing')]), /missing: no such file or folder$/);
    const txt = path.join(tmp.dir, 'notes.txt');
    await fs.writeFile(txt, 'hello');
    const r = await gog(['agreement', txt]);
    assert.equal(r.code, 2);
    oneErrorLine(r, /notes\.txt is neither a trajectory \(\.jsonl\), a queue file \(\.json\) nor a folder$/);
    const empty = path.join(tmp.dir, 'empty');
    await fs.mkdir(empty);
    const e = await gog(['agreement', empty]);
    assert.equal(e.code, 2);
    oneErrorLine(e, /no trajectory files .* under /);
    assert.equal((await gog(['agreement'])).code, 2);

    // A labelled trajectory outside, and a folder whose trajectory.jsonl links to it.
    const outside = path.join(tmp.dir, 'outside', 'trajectory.jsonl');
    await plainTrajectory(outside, 'out');
    await label(outside, 'ann', 'accepted');
    await label(outside, 'bob', 'rejected');
    const linked = path.join(tmp.dir, 'linked');
    await plainTrajectory(path.join(linked, 'inside', 'trajectory.jsonl'), 'in');
    await fs.mkdir(path.join(linked, 'evil'));
    await fs.symlink(outside, path.join(linked, 'evil', 'trajectory.jsonl'));
    const l = await gog(['agreement', linked, '--json']);
    assert.equal(l.code, 0, l.stderr);
    const rep = JSON.parse(l.stdout) as AgreementReport;
    assert.deepEqual([rep.samples, rep.labelled, rep.conflicts.length], [1, 0, 0]);
  });
});
