// The agreement figures of `gog agreement`, held to values worked out by hand (each title
// writes out its arithmetic) and to a published worked example (Fleiss' κ, Wikipedia's table
// of 10 subjects × 14 raters: κ = 0.210). κ = (p_o − p_e) / (1 − p_e).
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readTrajectory } from '../../src/core/trajectoryFile';
import { readSampleRecord } from '../../src/data/agreement/readSample';
import { tempDir } from '../helpers/fixtures';
import { sampleHeader } from '../helpers/trajectories';
import { annotatorViews, AgreementTally } from '../../src/data/agreement/annotatorAgreement';
import { boxIou } from '../../src/core/geometry';
import { cohensKappa, cohensKappaOfTable, fleissKappa } from '../../src/data/agreement/kappa';
import type { SampleRecord } from '../../src/data/agreement/readSample';
import type { AnnotationEvent, Edit } from '../../src/core/trajectory';

const close = (actual: number | null, expected: number, tol = 1e-12) => {
  assert.ok(actual !== null, 'κ has a value');
  assert.ok(Math.abs(actual - expected) <= tol, `${actual} vs ${expected}`);
};

describe("agreement: Cohen's κ against tables worked by hand", () => {
  // Rows: the first annotator's verdict, columns: the second's.
  const byHand: [table: number[][], observed: number, expected: number, kappa: number, how: string][] = [
    [
      [
        [20, 5],
        [10, 15],
      ],
      0.7,
      0.5,
      0.4,
      'n=50: p_o=(20+15)/50=0.7; A yes 25/50, B yes 30/50; p_e=0.5·0.6+0.5·0.4=0.5; κ=(0.7−0.5)/(1−0.5)=0.4',
    ],
    [
      [
        [45, 15],
        [25, 15],
      ],
      0.6,
      0.54,
      0.06 / 0.46,
      'n=100: p_o=(45+15)/100=0.6; A yes 0.6, B yes 0.7; p_e=0.6·0.7+0.4·0.3=0.54; κ=0.06/0.46=0.1304',
    ],
    [
      [
        [25, 35],
        [5, 35],
      ],
      0.6,
      0.46,
      0.14 / 0.54,
      'n=100: p_o=(25+35)/100=0.6; A yes 0.6, B yes 0.3; p_e=0.6·0.3+0.4·0.7=0.46; κ=0.14/0.54=0.2593',
    ],
    [
      [
        [4, 1, 0],
        [0, 2, 1],
        [1, 0, 1],
      ],
      0.7,
      0.38,
      0.32 / 0.62,
      'three verdicts, n=10: p_o=(4+2+1)/10=0.7; rows 5,3,2 and columns 5,3,2; p_e=0.25+0.09+0.04=0.38; κ=0.32/0.62=0.5161',
    ],
    [
      [
        [0, 5],
        [5, 0],
      ],
      0,
      0.5,
      -1,
      'always opposite, n=10: p_o=0; p_e=0.5·0.5+0.5·0.5=0.5; κ=(0−0.5)/0.5=−1',
    ],
    [
      [
        [1, 1],
        [1, 1],
      ],
      0.5,
      0.5,
      0,
      'agreement at chance, n=4: p_o=2/4; p_e=0.5·0.5+0.5·0.5=0.5; κ=0',
    ],
    [
      [
        [3, 0],
        [0, 2],
      ],
      1,
      0.52,
      1,
      'all agree over two categories, n=5: p_o=1; p_e=0.6²+0.4²=0.52; κ=0.48/0.48=1',
    ],
  ];
  for (const [table, observed, expected, kappa, how] of byHand)
    it(`κ=${kappa.toFixed(4)} (${how})`, () => {
      const f = cohensKappaOfTable(table);
      close(f.observed, observed);
      close(f.expected, expected);
      close(f.kappa, kappa);
      // The same from the ratings themselves, item by item.
      const cats = table.map((_, i) => `c${i}`);
      const pairs: [string, string][] = [];
      table.forEach((row, i) => row.forEach((n, j) => pairs.push(...Array.from({ length: n }, () => [cats[i]!, cats[j]!] as [string, string]))));
      close(cohensKappa(pairs, cats).kappa, kappa);
    });

  it('all agree on one category: κ is undefined (null, shown as —), not 1 or NaN; p_o=1, p_e=1·1=1, κ=0/0', () => {
    const f = cohensKappaOfTable([
      [5, 0],
      [0, 0],
    ]);
    assert.equal(f.observed, 1);
    assert.equal(f.expected, 1);
    assert.equal(f.kappa, null);
  });

  it('no items in common: κ is null and the agreement 0 of 0', () => {
    const f = cohensKappaOfTable([
      [0, 0],
      [0, 0],
    ]);
    assert.deepEqual([f.items, f.kappa], [0, null]);
  });
});

describe("agreement: Fleiss' κ", () => {
  it("Wikipedia's worked example, 10 subjects × 14 raters × 5 categories: P̄=0.378, P̄e=0.213, κ=0.210", () => {
    const table = [
      [0, 0, 0, 0, 14],
      [0, 2, 6, 4, 2],
      [0, 0, 3, 5, 6],
      [0, 3, 9, 2, 0],
      [2, 2, 8, 1, 1],
      [7, 7, 0, 0, 0],
      [3, 2, 6, 3, 0],
      [2, 5, 3, 2, 2],
      [6, 5, 2, 1, 0],
      [0, 2, 2, 3, 7],
    ];
    const f = fleissKappa(table);
    assert.equal(f.items, 10);
    assert.equal(f.observed.toFixed(3), '0.378');
    assert.equal(f.expected.toFixed(3), '0.213');
    assert.equal(f.kappa!.toFixed(3), '0.210');
    assert.equal(f.unanimous, 1, 'subject 1 only');
  });

  it('3 raters × 4 items by hand: P_i = 1, 1/3, 1/3, 1 → P̄=2/3; p = 6/12, 6/12 → P̄e=0.5; κ=(2/3−1/2)/(1/2)=1/3', () => {
    const f = fleissKappa([
      [3, 0],
      [2, 1],
      [1, 2],
      [0, 3],
    ]);
    close(f.observed, 2 / 3);
    close(f.expected, 0.5);
    close(f.kappa, 1 / 3);
  });

  it('items with a varying number of raters: P_i over each item own pairs; [2,0] P=1, [1,1] P=0, [3,0] P=1 → P̄=2/3; p=(6/7,1/7) → P̄e=37/49; κ=(2/3−37/49)/(12/49)=−13/36', () => {
    const f = fleissKappa([
      [2, 0],
      [1, 1],
      [3, 0],
      [1, 0], // one rating: left out
    ]);
    assert.equal(f.items, 3);
    close(f.observed, 2 / 3);
    close(f.expected, 37 / 49);
    close(f.kappa, (2 / 3 - 37 / 49) / (12 / 49));
    close(f.kappa, -13 / 36);
  });

  it('every rating in one category: P̄=1, P̄e=1, κ=0/0 is null', () => {
    const f = fleissKappa([
      [3, 0],
      [3, 0],
    ]);
    assert.deepEqual([f.observed, f.expected, f.kappa, f.unanimous], [1, 1, null, 2]);
  });
});

describe('agreement: box IoU', () => {
  it('[0,0,10,10] and [5,0,15,10]: intersection 50, union 150, IoU 1/3; the same box 1; apart 0', () => {
    close(boxIou([0, 0, 10, 10], [5, 0, 15, 10]), 1 / 3);
    assert.equal(boxIou([1, 2, 3, 4], [1, 2, 3, 4]), 1);
    assert.equal(boxIou([0, 0, 1, 1], [2, 2, 3, 3]), 0);
  });
});

let id = 0;
const ann = (author: string | undefined, edit: Edit, eid = `x${++id}`): AnnotationEvent => ({
  type: 'annotation',
  step: 0,
  t: '2026-12-05T00:00:00Z',
  id: eid,
  ...(author ? { author } : {}),
  edit,
});
const record = (annotations: AnnotationEvent[], gazes: [string, [number, number, number, number]][] = []): SampleRecord => ({
  file: 'x',
  gazes: new Map(gazes),
  annotations,
  problems: [],
  annotatorProblems: [],
});
const ctx = (path: string) => ({ path, benchmark: 'b', category: 'c', checkpoint: 'm' });

describe('agreement: each annotator their own label in effect', () => {
  it('the last label of each author counts; a revert takes back only that author’s event; no author is counted apart', () => {
    const r = record([
      ann('ann', { op: 'label', label: 'accepted' }, 'a1'),
      ann('bob', { op: 'label', label: 'rejected', tags: ['wrong-region', ' wrong-region '] }, 'b1'),
      ann('ann', { op: 'label', label: 'needs-fix' }, 'a2'),
      ann('ann', { op: 'revert', target: 'a2' }, 'a3'),
      ann('bob', { op: 'revert', target: 'a1' }, 'b2'), // bob cannot take back ann's label
      ann(undefined, { op: 'label', label: 'accepted' }),
    ]);
    const { views, unnamed } = annotatorViews(r);
    assert.equal(views.get('ann')?.label, 'accepted');
    assert.equal(views.get('bob')?.label, 'rejected');
    assert.deepEqual(views.get('bob')?.tags, ['wrong-region']);
    assert.equal(unnamed, 1);
  });

  it('one annotator only: no pair, no overall κ; the tally says so rather than inventing a κ of 1', () => {
    const t = new AgreementTally();
    t.add(record([ann('ann', { op: 'label', label: 'accepted' })]), ctx('s1'));
    const rep = t.report();
    assert.deepEqual(rep.labellers, ['ann']);
    assert.deepEqual(rep.verdicts.pairs, []);
    assert.equal(rep.verdicts.overall, null);
    assert.equal(rep.multiLabelled, 0);
  });

  it('three annotators: Fleiss over the samples two or more labelled, Cohen per pair, conflicts listed', () => {
    const t = new AgreementTally();
    // Items: [acc, acc, acc] P=1; [acc, acc, rej] P=1/3; [rej, rej] P=1 → P̄=7/9;
    // ratings acc 5/8, rej 3/8 → P̄e=25/64+9/64=34/64; κ=(7/9−17/32)/(15/32)=(224−153)/288·32/15=71/135.
    t.add(record(['a', 'b', 'c'].map((n) => ann(n, { op: 'label', label: 'accepted' }))), ctx('s1'));
    t.add(
      record([ann('a', { op: 'label', label: 'accepted' }), ann('b', { op: 'label', label: 'accepted' }), ann('c', { op: 'label', label: 'rejected' })]),
      ctx('s2'),
    );
    t.add(record([ann('a', { op: 'label', label: 'rejected' }), ann('c', { op: 'label', label: 'rejected' })]), ctx('s3'));
    const rep = t.report();
    assert.equal(rep.verdicts.overall?.method, 'fleiss');
    close(rep.verdicts.overall.kappa, 71 / 135);
    assert.deepEqual(
      rep.conflicts.map((c) => c.path),
      ['s2'],
    );
    assert.deepEqual(rep.conflicts[0]!.labels, { a: 'accepted', b: 'accepted', c: 'rejected' });
    const ab = rep.verdicts.pairs.find((p) => p.a === 'a' && p.b === 'b')!;
    assert.deepEqual([ab.items, ab.agreed, ab.kappa], [2, 2, null], 'a and b agreed on two accepted: one category, κ undefined');
  });

  it('error categories as presence: a pair tagging wrong-region on 1 of 2 shared samples, the other never: table [[0,1],[0,1]], p_o=1/2, p_e=(1/2)(0)+(1/2)(1)=1/2, κ=0', () => {
    const t = new AgreementTally();
    t.add(record([ann('a', { op: 'label', label: 'rejected', tags: ['wrong-region'] }), ann('b', { op: 'label', label: 'rejected' })]), ctx('s1'));
    t.add(record([ann('a', { op: 'label', label: 'accepted' }), ann('b', { op: 'label', label: 'accepted' })]), ctx('s2'));
    const rep = t.report();
    assert.equal(rep.categories.basis, 'presence');
    const c = rep.categories.perCategory[0]!;
    assert.equal(c.category, 'wrong-region');
    assert.deepEqual(c.pairs[0]!.table, [
      [0, 1],
      [0, 1],
    ]);
    close(c.pairs[0]!.kappa, 0);
    assert.equal(c.overall?.method, 'cohen');
  });

  it('boxes: two annotators on one gaze, IoU between them and with the model; a set_box on no gaze is ignored', () => {
    const t = new AgreementTally();
    t.add(
      record(
        [
          ann('a', { op: 'set_box', target: 'g1', box: [0, 0, 10, 10] }),
          ann('b', { op: 'set_box', target: 'g1', box: [5, 0, 15, 10] }),
          ann('b', { op: 'set_box', target: 'nothing', box: [0, 0, 1, 1] }),
        ],
        [['g1', [0, 0, 10, 20]]],
      ),
      ctx('s1'),
    );
    const rep = t.report();
    assert.equal(rep.boxes.gazes, 1);
    close(rep.boxes.overall.meanIou, 1 / 3);
    // Model [0,0,10,20] vs a's [0,0,10,10]: 100/200 = 0.5; vs b's [5,0,15,10]: 50/(200+100−50) = 0.2; mean 0.35.
    assert.equal(rep.gazeQuality.overall.count, 2);
    close(rep.gazeQuality.overall.meanIou, 0.35);
    assert.deepEqual(rep.gazeQuality.byCheckpoint, [{ key: 'm', count: 2, meanIou: rep.gazeQuality.overall.meanIou }]);
  });
});

describe('agreement: reading a sample', () => {
  const tmp = tempDir();
  after(tmp.cleanup);

  it('reads the header, gazes and annotations only, names id-less events by their line as the trajectory reader does, reports broken lines, and refuses a link out of its folder', async () => {
    const dir = path.join(tmp.dir, 'run');
    await fs.mkdir(dir);
    const t = '2026-12-05T00:00:00Z';
    const box = { model: [1, 2, 30, 40], sent: [1, 2, 30, 40], original: [1, 2, 30, 40] };
    const lines = [
      '',
      JSON.stringify(sampleHeader()),
      JSON.stringify({ type: 'model_turn', step: 1, t, raw: 'the word "annotation" and "region" in a model turn', ms: 1 }),
      JSON.stringify({ type: 'action', step: 1, t, action: { kind: 'image_search', scope: 'region', box } }),
      '{"type":"annotation", broken',
      JSON.stringify({ type: 'annotation', step: 0, t, author: 'ann', edit: { op: 'set_box', target: 'L4', box: [0, 0, 10, 10] } }),
    ];
    const file = path.join(dir, 'trajectory.jsonl');
    await fs.writeFile(file, lines.join('\r\n') + '\n');
    const r = await readSampleRecord({ file, root: dir });
    const loaded = await readTrajectory(file);
    assert.equal(r.header?.id, loaded.header?.id);
    assert.deepEqual([...r.gazes], [['L4', [1, 2, 30, 40]]]);
    assert.deepEqual(
      r.annotations.map((a) => a.id),
      loaded.events.filter((e) => e.type === 'annotation').map((e) => e.id),
    );
    assert.deepEqual(r.annotations[0]?.id, 'L6');
    assert.deepEqual(r.problems, [5], 'a model turn that mentions the words is read and left alone; the cut line is a problem');

    const outside = path.join(tmp.dir, 'outside.jsonl');
    await fs.writeFile(outside, lines.join('\n'));
    await fs.symlink(outside, path.join(dir, 'linked.trajectory.jsonl'));
    await assert.rejects(readSampleRecord({ file: path.join(dir, 'linked.trajectory.jsonl'), root: dir }), /links to a file outside the folder given/);
  });
});
