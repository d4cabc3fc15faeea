// `gog compare RUN_A RUN_B [--json]` as a user runs it (the built bundle in a child
// process) on run folders on disk: two runs made for real by the agent, and larger
// synthetic runs with broken lines and hostile fields.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { isRight } from '../../src/data/verdict';
import { gog, oneErrorLine } from '../helpers/cli';
import { comparedSamples, realBenchRun, syntheticResults, writeBenchRun } from '../helpers/benchRuns';
import { ROOT, tempDir } from '../helpers/fixtures';

describe('gog compare', function () {
  this.timeout(120_000);
  const tmp = tempDir('gog-compare-cli-');
  const [dirA, dirB] = [path.join(tmp.dir, 'a'), path.join(tmp.dir, 'b')];

  before(async () => {
    execFileSync(process.execPath, [path.join(ROOT, 'esbuild.mjs')], { cwd: ROOT });
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

  it('refuses what is not two benchmark runs with one line and exit status 2', async () => {
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
    oneErrorLine(one, /give exactly two benchmark run folders/);
  });
});
