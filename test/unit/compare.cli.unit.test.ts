// `gog compare RUN_A RUN_B [RUN_C …] [--baseline RUN] [--json]` as a user runs it (the built
// bundle in a child process) on run folders on disk: two runs made for real by the agent,
// larger synthetic runs with broken lines and hostile fields, and three runs whose verdicts
// are chosen sample by sample, so the significance figures are known by hand.
import { strict as assert } from 'node:assert';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { isRight } from '../../src/data/verdict';
import { gog, oneErrorLine } from '../helpers/cli';
import { comparedSamples, realBenchRun, syntheticResults, writeBenchRun } from '../helpers/benchRuns';
import { tempDir } from '../helpers/fixtures';
import { writeThreeRuns } from '../helpers/verdictRuns';
import { buildOnce } from '../helpers/build';

describe('gog compare', function () {
  this.timeout(120_000);
  const tmp = tempDir('gog-compare-cli-');
  const [dirA, dirB] = [path.join(tmp.dir, 'a'), path.join(tmp.dir, 'b')];

  before(async () => {
    buildOnce();
    await realBenchRun(dirA, comparedSamples('a'));
    await realBenchRun(dirB, comparedSamples('b'));
  });
  after(() => tmp.cleanup());

  it('lists regressions and improvements with answers, gold and the step where the trajectories part, then the summaries', async () => {
    const run = await gog(['compare', dirA, dirB]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    const out = run.stdout;
    assert.match(out, /^exact match +40\.0% +60\.0% +\+20\.0 pts$/m);
    const regressions = out.slice(out.indexOf('regressions (1)'), out.indexOf('improvements ('));
    assert.match(regressions, /rocket-top \[fvqa\/vehicle\] What is on top of the rocket\?/);
    assert.match(regressions, /gold: payload fairing \| fairing/);
    assert.match(regressions, /A: "Payload fairing" right, 3 turns/);
    assert.match(regressions, /B: "A satellite" wrong \(wrong_answer\), 2 turns/);
    assert.match(regressions, /diverge at step 2: A gaze at \[\d+, \d+, \d+, \d+\] · B answer "A satellite"/);
    const improvements = out.slice(out.indexOf('improvements (2)'), out.indexOf('unchanged:'));
    assert.match(
      improvements,
      /astronaut-mission .*\n.*\n {4}A: "Hubble" wrong \(wrong_answer\), 2 turns\n {4}B: "Chandra" right, 3 turns\n {4}diverge at step 1: A text search "astronaut space telescope"/,
    );
    assert.match(improvements, /hubble-field [^\n]*\n(.*\n){3} {4}diverge at step 2: A answer "Stars" · B answer "Galaxies"/);
    assert.match(out, /unchanged: 1 right in both, 1 wrong in both\nonly in A: 0\nonly in B: 0/);
  });

  it('--json prints the same comparison as one line', async () => {
    const run = await gog(['compare', dirA, dirB, '--json']);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.split('\n').filter(Boolean);
    assert.equal(lines.length, 1);
    const c = JSON.parse(lines[0]!);
    assert.deepEqual(c.counts, { regression: 1, improvement: 2, both_right: 1, both_wrong: 1, only_a: 0, only_b: 0 });
    assert.deepEqual([c.a.run, c.a.results, c.b.run, c.b.results], [dirA, 5, dirB, 5]);
    const [rocket] = c.regressions;
    assert.equal(rocket.id, 'rocket-top');
    assert.deepEqual(rocket.gold, ['payload fairing', 'fairing']);
    assert.deepEqual([rocket.a.answer, rocket.a.right, rocket.b.answer, rocket.b.right], ['Payload fairing', true, 'A satellite', false]);
    assert.deepEqual([rocket.divergence.step, rocket.divergence.b, rocket.divergence.aSteps, rocket.divergence.bSteps], [2, 'answer "A satellite"', 3, 2]);
    assert.deepEqual(
      c.improvements.map((i: { id: string; divergence: { step: number } }) => [i.id, i.divergence.step]),
      [
        ['astronaut-mission', 1],
        ['hubble-field', 2],
      ],
    );
    const em = c.deltas.find((d: { group: string; metric: string }) => d.group === 'all' && d.metric === 'exact match');
    assert.deepEqual([em.a, em.b], [0.4, 0.6]);
  });

  it('on larger runs: every changed sample found, samples only one run has, broken lines named, the rest compared', async () => {
    const a = syntheticResults(300, { seed: 3 });
    const b = syntheticResults(300, { seed: 11 }).slice(0, 280);
    const [sa, sb] = [path.join(tmp.dir, 'sa'), path.join(tmp.dir, 'sb')];
    await writeBenchRun(sa, a);
    await writeBenchRun(sb, b);
    appendFileSync(path.join(sb, 'results.jsonl'), '{"id": "broken"\n' + JSON.stringify({ ...b[0], turns: -1 }) + '\n');
    const run = await gog(['compare', sa, sb, '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^gog: warning: B, results\.jsonl line 281: not valid JSON.*\(skipped\)$/m);
    assert.match(run.stderr, /^gog: warning: B, results\.jsonl line 282: not a sample result.*turns/m);
    const c = JSON.parse(run.stdout);
    const expect = (want: 'regression' | 'improvement') =>
      b.filter((rb, i) => (want === 'regression' ? isRight(a[i]!) && !isRight(rb) : !isRight(a[i]!) && isRight(rb))).map((r) => r.id);
    assert.ok(expect('regression').length > 20 && expect('improvement').length > 20);
    assert.deepEqual(
      c.regressions.map((r: { id: string }) => r.id),
      expect('regression'),
    );
    assert.deepEqual(
      c.improvements.map((r: { id: string }) => r.id),
      expect('improvement'),
    );
    assert.deepEqual(
      c.onlyA,
      a.slice(280).map((r) => r.id),
    );
    for (const x of [...c.regressions, ...c.improvements]) assert.ok(!('error' in x.divergence), JSON.stringify(x.divergence));
  });

  it('never follows a trajectory out of its run folder, and keeps terminal escapes from the runs off the terminal', async () => {
    const [ha, hb] = [path.join(tmp.dir, 'ha'), path.join(tmp.dir, 'hb')];
    const [ra] = syntheticResults(40, { seed: 3 }).filter((r) => isRight(r));
    const [rb] = syntheticResults(40, { seed: 3 }).filter((r) => !isRight(r));
    const evil = '\u001b]0;pwned\u0007\u001b[31mred';
    await writeBenchRun(ha, [{ ...ra!, id: 'x', question: `What? ${evil}` }]);
    await writeBenchRun(hb, [{ ...rb!, id: 'x', answer: `no ${evil}`, trajectory: `../ha/${ra!.trajectory}` }], { trajectories: false });
    mkdirSync(path.join(hb, 'samples'), { recursive: true });
    writeFileSync(path.join(hb, 'samples', 'stray.txt'), '');
    const run = await gog(['compare', ha, hb]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /regressions \(1\)/);
    assert.match(run.stdout, /divergence not read: the trajectory \.\.\/ha\/samples\/q\d+\/trajectory\.jsonl is outside the run folder; not opened/);
    assert.ok(![...run.stdout].some((ch) => ch !== '\n' && (ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)), JSON.stringify(run.stdout));
    // Shown, as visible escapes: nothing a terminal would act on.
    assert.ok(run.stdout.includes('What? \\u001b]0;pwned\\u0007\\u001b[31mred'), run.stdout);
  });

  it('refuses fewer than two benchmark runs with one line and exit status 2', async () => {
    const empty = path.join(tmp.dir, 'empty');
    mkdirSync(empty);
    const notRun = await gog(['compare', dirA, empty]);
    assert.equal(notRun.code, 2);
    oneErrorLine(notRun, /^gog: run B \(.*empty\) is not a benchmark run: it has no results\.jsonl or summary\.json$/);
    const missing = await gog(['compare', path.join(tmp.dir, 'nowhere'), dirB]);
    assert.equal(missing.code, 2);
    oneErrorLine(missing, /^gog: run A \(.*nowhere\) is not a folder$/);
    const one = await gog(['compare', dirA]);
    assert.equal(one.code, 2);
    oneErrorLine(one, /give two or more benchmark run folders/);
  });

  it('three runs made by the agent: a column per run, disagreements first with where each disagreeing run parts from A, McNemar p per run', async () => {
    // Run C: A's script, but the coffee answered "Tea" (right in A and B, wrong in C) and the Hubble field right.
    const dirC = path.join(tmp.dir, 'c');
    await realBenchRun(
      dirC,
      comparedSamples('a').map((s) =>
        s.id === 'coffee-drink'
          ? { ...s, turns: ['<think>Looks like tea.</think><answer>Tea</answer>'] }
          : s.id === 'hubble-field'
            ? { ...s, turns: ['<think>Look at the whole picture.</think><search><img></search>', '<answer>Galaxies</answer>'] }
            : s,
      ),
    );
    const run = await gog(['compare', dirA, dirB, dirC, '--json']);
    assert.equal(run.code, 0, run.stderr);
    const c = JSON.parse(run.stdout);
    assert.deepEqual(
      c.runs.map((r: { label: string; run: string; results: number }) => [r.label, r.run, r.results]),
      [
        ['A', dirA, 5],
        ['B', dirB, 5],
        ['C', dirC, 5],
      ],
    );
    // rocket: A ✓ B ✗ C ✓; astronaut: A ✗ B ✓ C ✗; coffee: A ✓ B ✓ C ✗; cat: ✗ in all; hubble: A ✗ B ✓ C ✓.
    assert.deepEqual(c.counts, { regression: 2, improvement: 2, all_right: 0, all_wrong: 1, partial: 0 });
    const verdicts = (x: { id: string; sides: { right: boolean }[] }) => [x.id, x.sides.map((s) => s.right)];
    assert.deepEqual(c.regressions.map(verdicts), [
      ['rocket-top', [true, false, true]],
      ['coffee-drink', [true, true, false]],
    ]);
    assert.deepEqual(c.improvements.map(verdicts), [
      ['astronaut-mission', [false, true, false]],
      ['hubble-field', [false, true, true]],
    ]);
    // Only the runs whose verdict differs from A's are set against A's trajectory.
    const parts = (x: { divergences: { run: string; step: number }[] }) => x.divergences.map((d) => [d.run, d.step]);
    assert.deepEqual(parts(c.regressions[0]), [['B', 2]]);
    assert.deepEqual(parts(c.regressions[1]), [['C', 1]]);
    assert.deepEqual(parts(c.improvements[1]), [
      ['B', 2],
      ['C', 2],
    ]);
    // By hand, p = min(1, 2·Σ_{i≤min(b,c)} C(b+c, i)/2^(b+c)):
    // B against A: b=1 (rocket), c=2 (astronaut, hubble): 2·(1+3)/8 = 1; C against A: b=1 (coffee), c=1 (hubble): 2·(1+2)/4 → 1.
    const all = (r: string) => c.paired.find((f: { run: string; group: string }) => f.run === r && f.group === 'all');
    assert.deepEqual([all('B').samples, all('B').baselineOnly, all('B').runOnly, all('B').p, all('B').verdict], [5, 1, 2, 1, 'few']);
    assert.deepEqual([all('C').samples, all('C').baselineOnly, all('C').runOnly, all('C').p, all('C').verdict], [5, 1, 1, 1, 'few']);
    const text = await gog(['compare', dirA, dirB, dirC]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^summary +A +B +C +B − A +C − A$/m);
    assert.match(text.stdout, /^exact match +40\.0% +60\.0% +40\.0% +\+20\.0 pts +\+0\.0 pts$/m);
    assert.match(text.stdout, /coffee-drink [^\n]*\n(.*\n){4} {4}C against A: diverge at step 1: A answer "Coffee" · C answer "Tea"/);
    assert.match(text.stdout, /^unchanged: 0 right in all 3, 1 wrong in all 3$/m);
  });
});

interface PairedJson {
  group: string;
  kind: string;
  run: string;
  samples: number;
  baselineOnly: number;
  runOnly: number;
  baseline: number;
  accuracy: number;
  difference: number;
  p: number;
  ci: [number, number];
  verdict: string;
}

describe('gog compare over three runs', function () {
  this.timeout(120_000);
  const tmp = tempDir('gog-compare-three-');
  const dirs = ['a', 'b', 'c'].map((n) => path.join(tmp.dir, n)) as [string, string, string];

  before(async () => {
    buildOnce();
    await writeThreeRuns(dirs);
  });
  after(() => tmp.cleanup());

  const close = (x: number, y: number) => Math.abs(x - y) <= 1e-12;
  const figure = (c: { paired: PairedJson[] }, run: string, group: string) => {
    const f = c.paired.find((x) => x.run === run && x.group === group);
    assert.ok(f, `no figure for ${run} in ${group}`);
    return f;
  };

  it('--json: each run against the baseline A, with McNemar exact p as worked out by hand and a reproducible bootstrap interval', async () => {
    const run = await gog(['compare', ...dirs, '--json']);
    assert.equal(run.code, 0, run.stderr);
    const c = JSON.parse(run.stdout);
    assert.deepEqual(
      c.runs.map((r: { label: string; run: string; results: number }) => [r.label, r.run, r.results]),
      [
        ['A', dirs[0], 41],
        ['B', dirs[1], 40],
        ['C', dirs[2], 41],
      ],
    );
    assert.equal(c.baseline, 'A');
    assert.equal('a' in c || 'onlyA' in c, false, 'the two-run fields are for two runs');
    assert.deepEqual(c.counts, { regression: 14, improvement: 4, all_right: 13, all_wrong: 9, partial: 1 });
    assert.deepEqual(c.significance.resamples, 10_000);
    // Hand-worked: p = min(1, 2·Σ_{i≤min(b,c)} C(b+c, i)/2^(b+c)).
    const expected: [run: string, group: string, n: number, b: number, c: number, p: number][] = [
      ['B', 'all', 40, 12, 3, (2 * (1 + 15 + 105 + 455)) / 2 ** 15], // 0.03515625
      ['B', 'fvqa', 20, 3, 0, 2 / 2 ** 3], // 0.25
      ['B', 'infoseek', 20, 9, 3, (2 * (1 + 12 + 66 + 220)) / 2 ** 12], // 0.14599609375
      ['C', 'all', 41, 5, 1, (2 * (1 + 6)) / 2 ** 6], // 0.21875
      ['C', 'fvqa', 21, 4, 1, (2 * (1 + 5)) / 2 ** 5], // 0.375
      ['C', 'infoseek', 20, 1, 0, 1], // 2·1/2 = 1
    ];
    for (const [r, group, n, b, cc, p] of expected) {
      const f = figure(c, r, group);
      assert.deepEqual([f.samples, f.baselineOnly, f.runOnly], [n, b, cc], `${r} ${group}: paired samples and discordant counts`);
      assert.ok(close(f.p, p), `${r} ${group}: p ${f.p} vs ${p}`);
      assert.ok(close(f.difference, (cc - b) / n), `${r} ${group}: difference`);
      assert.ok(f.ci[0] <= f.difference && f.difference <= f.ci[1], `${r} ${group}: the interval holds the difference`);
    }
    assert.ok(close(figure(c, 'B', 'all').baseline, 27 / 40) && close(figure(c, 'B', 'all').accuracy, 18 / 40));
    assert.ok(close(figure(c, 'C', 'all').baseline, 28 / 41) && close(figure(c, 'C', 'all').accuracy, 24 / 41));
    // B's drop is significant by both figures; C's could be noise; five discordant samples are too few to tell.
    assert.equal(figure(c, 'B', 'all').verdict, 'significant');
    assert.ok(figure(c, 'B', 'all').ci[1] < 0);
    assert.equal(figure(c, 'C', 'all').verdict, 'noise');
    assert.ok(figure(c, 'C', 'all').ci[0] < 0 && figure(c, 'C', 'all').ci[1] >= 0);
    assert.equal(figure(c, 'C', 'fvqa').verdict, 'few');
    // Categories too.
    assert.deepEqual([figure(c, 'B', 'vehicle').baselineOnly, figure(c, 'B', 'vehicle').runOnly], [3, 0]);
    // Seeded: the same command prints the same line.
    const again = await gog(['compare', ...dirs, '--json']);
    assert.equal(again.stdout, run.stdout);
    // The runs disagree: regressions (A right, another wrong) with every run's answer and where each disagreeing run parts from A.
    assert.equal(c.regressions.length, 14);
    const first = c.regressions[0];
    assert.equal(first.id, 'q00000');
    assert.deepEqual(
      first.sides.map((s: { right: boolean }) => s.right),
      [true, false, false],
    );
    assert.deepEqual(
      first.divergences.map((d: { run: string }) => d.run),
      ['B', 'C'],
    );
    assert.deepEqual(c.partial, [{ id: 'q00040', rollout: 0, runs: ['A', 'C'] }]);
  });

  it('text: the runs, the summaries with a column per run, and the paired figures; disagreements first, the partial apart', async () => {
    const run = await gog(['compare', ...dirs]);
    assert.equal(run.code, 0, run.stderr);
    const out = run.stdout;
    assert.match(out, /^A: .*a \(41 results\) · baseline\nB: .*b \(40 results\)\nC: .*c \(41 results\)\n/);
    assert.match(out, /^summary +A +B +C +B − A +C − A$/m);
    // Each run's own results (A and C have one sample B lacks): 28/41, 18/40, 24/41.
    assert.match(out, /^exact match +68\.3% +45\.0% +58\.5% +-23\.3 pts +-9\.8 pts$/m);
    assert.match(out, /95% CI of the difference by a paired bootstrap \(10,000 resamples, seed \d+\)/);
    assert.match(out, /^ {2}all samples +B +40 +67\.5% +45\.0% +-22\.5 pts +\[-\d+\.\d, -\d+\.\d\] pts +0\.035 +12 +3 +significant at 5%$/m);
    assert.match(out, /^ {2}all samples +C +41 +68\.3% +58\.5% +-9\.8 pts +\[-?\d+\.\d, [+-]\d+\.\d\] pts +0\.219 +5 +1 +could be noise$/m);
    assert.match(out, /^ {2}benchmark fvqa +B +20 .* 0\.250 +3 +0 /m);
    const regressions = out.slice(out.indexOf('regressions (14): right in the baseline A, wrong in another run'), out.indexOf('improvements ('));
    assert.match(
      regressions,
      /q00000 \[fvqa\/vehicle\][^\n]*\n {4}gold: [^\n]*\n {4}A: "[^"]*" right, \d turns? \(baseline\)\n {4}B: "not [^"]*" wrong \(wrong_answer\), \d turns?\n {4}C: "not [^"]*" wrong/,
    );
    assert.match(regressions, /\n {4}B against A: diverge at step \d+: A .* · B .*\n {4}C against A: diverge at step \d+/);
    assert.ok(out.indexOf('improvements (4): wrong in the baseline A, right in another run') > 0);
    assert.match(out, /^unchanged: 13 right in all 3, 9 wrong in all 3$/m);
    assert.match(out, /^not in every run: 1: q00040 \(AC\)$/m);
  });

  it('--baseline reads every figure against another run, named by letter or folder', async () => {
    for (const given of ['B', 'b', dirs[1]]) {
      const run = await gog(['compare', ...dirs, '--baseline', given, '--json']);
      assert.equal(run.code, 0, run.stderr);
      const c = JSON.parse(run.stdout);
      assert.equal(c.baseline, 'B');
      const a = figure(c, 'A', 'all');
      assert.deepEqual([a.samples, a.baselineOnly, a.runOnly], [40, 3, 12]);
      assert.ok(close(a.p, (2 * (1 + 15 + 105 + 455)) / 2 ** 15), 'the same p the other way round: the test is two-sided');
      assert.ok(close(a.difference, 9 / 40));
      // C against B: b=5, c=10, p = 2·(1+15+105+455+1365+3003)/2^15 = 9888/32768.
      const cc = figure(c, 'C', 'all');
      assert.deepEqual([cc.samples, cc.baselineOnly, cc.runOnly], [40, 5, 10]);
      assert.ok(close(cc.p, 9888 / 32768), `p ${cc.p}`);
      assert.equal(cc.verdict, 'noise');
      // Regressions are read against B now: right in B, wrong in another run.
      assert.equal(c.counts.regression + c.counts.improvement, 18);
      assert.ok(c.regressions.every((r: { sides: { right: boolean }[] }) => r.sides[1]!.right));
    }
    const text = await gog(['compare', ...dirs, '--baseline', 'B']);
    assert.match(text.stdout, /^A: .*\nB: .* · baseline\n/);
    assert.match(text.stdout, /^summary +A +B +C +A − B +C − B$/m);
  });

  it('refuses more than eight runs, a baseline that is none of them and a run given twice, with one line and exit status 2', async () => {
    const nine = await gog(['compare', ...dirs, ...dirs, ...dirs]);
    assert.equal(nine.code, 2);
    oneErrorLine(nine, /^gog: compare at most 8 runs at once \(9 given\)$/);
    const noD = await gog(['compare', ...dirs, '--baseline', 'D']);
    assert.equal(noD.code, 2);
    oneErrorLine(noD, /^gog: --baseline D is none of the runs compared: give a letter from A to C or one of the run folders$/);
    const twice = await gog(['compare', dirs[0], dirs[1], dirs[0]]);
    assert.equal(twice.code, 2);
    oneErrorLine(twice, /^gog: run C \(.*a\) is the same folder as run A$/);
    assert.equal(twice.stdout, '');
  });
});
