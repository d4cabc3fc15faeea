// The host side of reviewing benchmark runs: reading results.jsonl as a stream (and a run
// still being written), finding runs and their progress, rows for the table, and
// comparing two runs down to the step where two trajectories part.
import { strict as assert } from 'node:assert';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { readTrajectory } from '../../src/core/trajectoryFile';
import { comparePairs, firstDivergence, summaryDeltas, sameAction } from '../../src/data/compare';
import { loadRunRows, readMoreRows, toReviewRow } from '../../src/data/reviewRows';
import { FIRST_ROWS, runMessages } from '../../src/run/reviewMessages';
import { isReviewRow, reviewRowSchema, runsHostMessageSchema } from '../../src/shared/runsMessages';
import { readAllResults, readResults, readSummary } from '../../src/data/resultsFile';
import { findRuns, isComplete, RunStatusReader } from '../../src/data/runIndex';
import { isRight } from '../../src/data/verdict';
import { comparedSamples, realBenchRun, summaryOf, syntheticResults, writeBenchRun, writeResults } from '../helpers/benchRuns';
import { tempDir } from '../helpers/fixtures';

describe('benchmark run review: reading runs', () => {
  const tmp = tempDir('gog-review-');
  after(() => tmp.cleanup());

  it('reads every valid result, reports broken lines by number, and leaves a half-written last line for later', async () => {
    const dir = path.join(tmp.dir, 'partial');
    const results = syntheticResults(5);
    writeResults(dir, results);
    const file = path.join(dir, 'results.jsonl');
    appendFileSync(file, 'not json\n{"id": "x"}\n\n' + JSON.stringify(syntheticResults(7)[6]).slice(0, 40));
    const seen: number[] = [];
    const first = await readResults(file, (_r, line) => seen.push(line));
    assert.deepEqual(seen, [1, 2, 3, 4, 5]);
    assert.deepEqual(
      first.problems.map((p) => [p.line, p.message.split(' (')[0]!.split(':')[0]]),
      [
        [6, 'not valid JSON'],
        [7, 'not a sample result'],
      ],
    );
    // The writer finishes the line: the next read takes it, with the right line number.
    const rest = JSON.stringify(syntheticResults(7)[6]).slice(40);
    appendFileSync(file, rest + '\n');
    const more: [string, number][] = [];
    const second = await readResults(file, (r, line) => more.push([r.id, line]), first.cursor);
    assert.deepEqual(more, [['q00006', 9]]);
    assert.deepEqual(second.problems, []);
    // Nothing new: nothing read.
    const third = await readResults(file, () => assert.fail('read twice'), second.cursor);
    assert.deepEqual(third.cursor, second.cursor);
  });

  it('takes a last line without its newline when it is complete JSON, and reads a missing file as empty', async () => {
    const dir = path.join(tmp.dir, 'no-newline');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'results.jsonl'), JSON.stringify(syntheticResults(1)[0]));
    assert.equal((await readAllResults(path.join(dir, 'results.jsonl'))).results.length, 1);
    assert.deepEqual(await readAllResults(path.join(dir, 'nothing.jsonl')), { results: [], problems: [] });
    assert.equal(await readSummary(path.join(dir, 'summary.json')), undefined);
    writeFileSync(path.join(dir, 'summary.json'), '{"samples": "ten"}');
    const bad = await readSummary(path.join(dir, 'summary.json'));
    assert.ok(bad && !bad.ok && /^not a run summary: /.test(bad.message));
  });

  it('finds benchmark runs (not single-query runs) in a folder, newest first, and a run folder given itself', async () => {
    const root = path.join(tmp.dir, 'runs');
    writeResults(path.join(root, '20261124-100000-bench'), syntheticResults(3));
    writeResults(path.join(root, '20261125-090000-bench'), syntheticResults(2), false);
    mkdirSync(path.join(root, '20261126-query'), { recursive: true });
    writeFileSync(path.join(root, '20261126-query', 'trajectory.jsonl'), '');
    assert.deepEqual(
      (await findRuns(root)).map((d) => path.basename(d)),
      ['20261125-090000-bench', '20261124-100000-bench'],
    );
    assert.deepEqual(await findRuns(path.join(root, '20261124-100000-bench')), [path.join(root, '20261124-100000-bench')]);
    assert.deepEqual(await findRuns(path.join(tmp.dir, 'missing')), []);
  });

  it('tallies progress and accuracy while a run is written, reading only what was appended', async () => {
    const dir = path.join(tmp.dir, 'live');
    const all = syntheticResults(40, { judged: true });
    writeResults(dir, all.slice(0, 10), summaryOf([], { samples: 40 }));
    const reader = new RunStatusReader();
    let s = await reader.read(dir);
    assert.equal(s.done, 10);
    assert.equal(s.total, 40);
    assert.equal(isComplete(s), false);
    assert.equal(s.correct, all.slice(0, 10).filter(isRight).length);
    appendFileSync(
      path.join(dir, 'results.jsonl'),
      all
        .slice(10)
        .map((r) => JSON.stringify(r) + '\n')
        .join(''),
    );
    writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(summaryOf(all)));
    s = await reader.read(dir);
    assert.equal(s.done, 40);
    assert.equal(isComplete(s), true);
    assert.equal(s.correct, all.filter(isRight).length);
    assert.equal(s.judged, all.filter((r) => r.scores.judge).length);
    // A new, smaller run written in the same place is read from the start.
    writeResults(dir, all.slice(0, 3));
    assert.equal((await reader.read(dir)).done, 3);
  });

  it('makes one small row per sample, with its cause, and keeps trajectory paths out of the rows', async () => {
    const dir = path.join(tmp.dir, 'rows');
    const results = syntheticResults(300, { judged: true });
    await writeBenchRun(dir, results.slice(0, 200), { trajectories: false });
    const rows = await loadRunRows(dir);
    assert.equal(rows.rows.length, 200);
    assert.deepEqual(
      rows.rows.map((r) => r.key),
      [...Array(200).keys()],
    );
    assert.equal(rows.trajectories[17], results[17]!.trajectory);
    assert.ok(!JSON.stringify(rows.rows).includes('trajectory.jsonl'), 'rows name no files');
    const causes = new Set(rows.rows.map((r) => r.cause));
    for (const c of [null, 'wrong_answer', 'judge_disagrees', 'parse_error', 'tool_error', 'max_turns', 'timeout', 'error'])
      assert.ok(causes.has(c as never), `${c} occurs`);
    appendFileSync(
      path.join(dir, 'results.jsonl'),
      results
        .slice(200)
        .map((r) => JSON.stringify(r) + '\n')
        .join(''),
    );
    const more = await readMoreRows(dir, rows);
    assert.equal(more.rows.length, 100);
    assert.equal(more.rows[0]!.key, 200);
    assert.equal(rows.rows.length, 300);
  });

  it("checks rows as the schema does, and posts a big run's rows in chunks that all say how many there are", async () => {
    const rows = syntheticResults(1200, { judged: true }).map((r, i) => toReviewRow(r, i));
    const verdicts = (v: unknown) => [isReviewRow(v), reviewRowSchema.safeParse(v).success];
    for (const r of rows.slice(0, 50)) assert.deepEqual(verdicts(r), [true, true]);
    const r = rows[3]!;
    const broken: unknown[] = [
      null,
      'row',
      { ...r, key: -1 },
      { ...r, key: 1.5 },
      { ...r, index: -1 },
      { ...r, tokens: [12] },
      { ...r, id: 3 },
      { ...r, answer: undefined },
      { ...r, gold: ['a', 2] },
      { ...r, cause: 'bored' },
      { ...r, em: Number.NaN },
      { ...r, f1: '1' },
      { ...r, judge: 'yes' },
      { ...r, stop: 'nope' },
      { ...r, turns: -2 },
      { ...r, searches: [1, 2] },
      { ...r, gazes: [[0, 0, 1]] },
      { ...r, gazes: [[0, 0, 1, Infinity]] },
      { ...r, ms: null },
      { ...r, tokens: undefined },
      Object.fromEntries(Object.entries(r).filter(([k]) => k !== 'category')),
    ];
    for (const b of broken) assert.deepEqual(verdicts(b), [false, false], JSON.stringify(b));
    assert.deepEqual(verdicts({ ...r, answer: null, cause: null, judge: null, gazes: [] }), [true, true]);

    const info = { title: 'run', source: '/runs/run', total: 1200, done: 0, running: false };
    const messages = runMessages(info, rows, [{ line: 9, message: 'bad' }]);
    assert.deepEqual(
      messages.map((m) => [m.type, 'rows' in m ? m.rows.length : 0, 'run' in m ? m.run.done : 0]),
      [
        ['run', FIRST_ROWS, 1200],
        ['rows', 700, 1200],
      ],
    );
    assert.deepEqual(
      messages.flatMap((m) => ('rows' in m ? m.rows.map((x) => x.key) : [])),
      rows.map((x) => x.key),
    );
    assert.deepEqual(runMessages(info, rows.slice(0, 10), []).length, 1);
    for (const m of messages) assert.ok(runsHostMessageSchema.safeParse(m).success);
  });
});

describe('benchmark run review: comparing two runs', function () {
  this.timeout(60_000);
  const tmp = tempDir('gog-compare-');
  let a: Awaited<ReturnType<typeof realBenchRun>>;
  let b: Awaited<ReturnType<typeof realBenchRun>>;
  before(async () => {
    a = await realBenchRun(path.join(tmp.dir, 'a'), comparedSamples('a'));
    b = await realBenchRun(path.join(tmp.dir, 'b'), comparedSamples('b'));
  });
  after(() => tmp.cleanup());

  it('the real runs score as scripted', () => {
    assert.deepEqual(
      a.map((r) => [r.id, isRight(r), r.cause ?? 'right']),
      [
        ['rocket-top', true, 'right'],
        ['astronaut-mission', false, 'wrong_answer'],
        ['coffee-drink', true, 'right'],
        ['chelsea-animal', false, 'parse_error'],
        ['hubble-field', false, 'wrong_answer'],
      ],
    );
    assert.deepEqual(a[0]!.searches, { text: 0, glance: 0, gaze: 2 });
    assert.ok(a[0]!.gazes.every((g) => g.every((v) => v >= 0 && v <= 1)));
  });

  it('pairs samples by id: regressions, improvements, unchanged, and samples only one run has', () => {
    const { pairs } = comparePairs(a, b.slice(0, 4));
    assert.deepEqual(
      pairs.map((p) => [p.id, p.change]),
      [
        ['rocket-top', 'regression'],
        ['astronaut-mission', 'improvement'],
        ['coffee-drink', 'both_right'],
        ['chelsea-animal', 'both_wrong'],
        ['hubble-field', 'only_a'],
      ],
    );
    assert.deepEqual(pairs[0]!.sides[1], { answer: 'A satellite', right: false, cause: 'wrong_answer', turns: 2, f1: 0 });
    assert.equal(comparePairs(a.slice(0, 1), b.slice(2, 3)).pairs[1]!.change, 'only_b');
  });

  it('gives summary deltas for all samples and per benchmark', () => {
    const deltas = summaryDeltas(a, b);
    const em = deltas.find((d) => d.group === 'all' && d.metric === 'exact match')!;
    assert.deepEqual(em.values, [2 / 5, 3 / 5]);
    assert.equal(em.better, 'higher');
    assert.ok(deltas.some((d) => d.group === 'fvqa' && d.metric === 'average turns'));
    assert.ok(!deltas.some((d) => d.metric === 'judge'), 'no judge figures when nothing was judged');
  });

  it('finds the first step where two trajectories act differently', async () => {
    const events = async (run: 'a' | 'b', id: string) => (await readTrajectory(path.join(tmp.dir, run, 'samples', id, 'trajectory.jsonl'))).events;
    assert.deepEqual(firstDivergence(await events('a', 'rocket-top'), await events('b', 'rocket-top')), {
      step: 2,
      a: `gaze at [${(await events('a', 'rocket-top')).flatMap((e) => (e.type === 'action' && e.action.kind === 'image_search' ? [e.action.box!.original] : []))[1]!.join(', ')}]`,
      b: 'answer "A satellite"',
      aSteps: 3,
      bSteps: 2,
    });
    const astro = firstDivergence(await events('a', 'astronaut-mission'), await events('b', 'astronaut-mission'));
    assert.equal(astro.step, 1);
    assert.equal(astro.a, 'text search "astronaut space telescope"');
    assert.match(astro.b!, /^gaze at \[\d+, \d+, \d+, \d+\]$/);
    assert.deepEqual(firstDivergence(await events('a', 'coffee-drink'), await events('b', 'coffee-drink')), {
      step: null,
      a: null,
      b: null,
      aSteps: 1,
      bSteps: 1,
    });
    // The Hubble runs glance alike, then answer differently.
    assert.equal(firstDivergence(await events('a', 'hubble-field'), await events('b', 'hubble-field')).step, 2);
  });

  it('counts near-identical boxes and re-spaced text as the same action', () => {
    const gaze = (b: [number, number, number, number]) => ({
      kind: 'image_search' as const,
      scope: 'region' as const,
      box: { model: b, sent: b, original: b },
    });
    assert.ok(sameAction(gaze([100, 100, 300, 300]), gaze([101, 100, 300, 301])));
    assert.ok(!sameAction(gaze([100, 100, 300, 300]), gaze([150, 150, 350, 350])));
    assert.ok(sameAction({ kind: 'text_search', query: 'STS-93  Chandra' }, { kind: 'text_search', query: 'sts-93 chandra' }));
    assert.ok(!sameAction({ kind: 'answer', text: 'Chandra' }, { kind: 'text_search', query: 'Chandra' }));
  });
});

describe('benchmark run review: sample files and review queues', () => {
  const tmp = tempDir('gog-queues-');
  after(() => tmp.cleanup());

  it('follows a trajectory path only inside the run folder, to a regular file', async () => {
    const { sampleTrajectory } = await import('../../src/data/sampleFiles');
    const { symlinkSync } = await import('node:fs');
    const run = path.join(tmp.dir, 'run');
    await writeBenchRun(run, syntheticResults(2));
    assert.equal(await sampleTrajectory(run, 'samples/q00000/trajectory.jsonl'), path.join(run, 'samples', 'q00000', 'trajectory.jsonl'));
    writeFileSync(path.join(tmp.dir, 'outside.jsonl'), '');
    symlinkSync(path.join(tmp.dir, 'outside.jsonl'), path.join(run, 'link.jsonl'));
    for (const [rel, why] of [
      ['../outside.jsonl', /outside the run folder/],
      ['link.jsonl', /outside the run folder/],
      ['/etc/passwd', /not a trajectory in the run folder/],
      ['samples/q00009/trajectory.jsonl', /missing/],
      ['samples', /not a trajectory/],
    ] as const)
      await assert.rejects(sampleTrajectory(run, rel), why, rel);
  });

  it("writes queues under the project's .gog/queues, named from the run and the filter, never over another", async () => {
    const { projectOf, queueName, queuesDir, writeQueue } = await import('../../src/data/sampleFiles');
    const { readFileSync } = await import('node:fs');
    assert.equal(projectOf('/home/me/proj/.gog/runs/20261124-fvqa'), '/home/me/proj');
    assert.equal(projectOf('/data/runs/20261124-fvqa'), '/data/runs');
    assert.equal(queueName('20261124-100000-fvqa', 'wrong answer or parse error, "Eiffel"'), '20261124-100000-fvqa-wrong-answer-or-parse-error-eiffel');
    const dir = queuesDir(tmp.dir);
    const first = await writeQueue(dir, 'q', ['/a/trajectory.jsonl', '/b/trajectory.jsonl']);
    const second = await writeQueue(dir, 'q', ['/c/trajectory.jsonl']);
    assert.deepEqual([path.relative(tmp.dir, first), path.relative(tmp.dir, second)], ['.gog/queues/q.json', '.gog/queues/q-2.json']);
    assert.deepEqual(JSON.parse(readFileSync(first, 'utf8')), ['/a/trajectory.jsonl', '/b/trajectory.jsonl']);
  });

  it('names a queue from the chips in whole words: "all failures", and a long filter cut where a word ends, whole in its title', async () => {
    const { queueName, queuesDir, writeQueue } = await import('../../src/data/sampleFiles');
    const { readQueueFile } = await import('../../src/review/queueFile');
    const { describeFilters, FAILURES } = await import('../../webview/runs/tableModel');
    const { readFileSync } = await import('node:fs');
    const none = { causes: new Set<never>(), benchmark: '', category: '', text: '', turns: null, gaze: null };
    const run = '20261124-100000-fvqa';
    // "All failures" picks every failure cause; the name says so, not a list cut mid-word.
    const all = describeFilters({ ...none, causes: new Set(FAILURES) });
    assert.equal(all, 'all failures');
    assert.equal(queueName(run, all), '20261124-100000-fvqa-all-failures');
    // Causes with no sample under the other filters chose nothing and are not named.
    const present = (c: string) => c !== 'cancelled' && c !== 'timeout';
    assert.equal(describeFilters({ ...none, causes: new Set(FAILURES.filter(present)) }, present), 'all failures');
    assert.equal(describeFilters({ ...none, causes: new Set(['wrong_answer', 'timeout'] as const) }, present), 'wrong answer');
    // A long filter: cut where a word ends, marked with an ellipsis; each word kept is whole.
    const long = describeFilters({
      ...none,
      causes: new Set(['wrong_answer', 'judge_disagrees', 'parse_error', 'tool_error', 'max_turns'] as const),
      benchmark: 'simplevqa',
      category: 'landmark',
      turns: { turns: 8, outcome: 'wrong' },
      text: 'lighthouse keeper',
    });
    const name = queueName(run, long);
    assert.ok(name.endsWith('…'), name);
    const words = name.slice(run.length + 1, -1).split('-');
    const all_words = long
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter(Boolean);
    assert.deepEqual(words, all_words.slice(0, words.length), `${name}: whole words, in order`);
    assert.ok(name.length - run.length - 1 <= 80, name);
    assert.equal(queueName(run, 'wrong answer or parse error'), '20261124-100000-fvqa-wrong-answer-or-parse-error', 'a short name is whole');
    // The whole filter is the queue's title; the reader takes the titled file.
    const file = await writeQueue(queuesDir(tmp.dir), name, [path.join(tmp.dir, 'a', 'trajectory.jsonl')], `${run}: ${long}`);
    assert.equal(path.basename(file), `${name}.json`);
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { title: `${run}: ${long}`, trajectories: [path.join(tmp.dir, 'a', 'trajectory.jsonl')] });
    assert.deepEqual((await readQueueFile(file)).files, ['trajectory.jsonl']);
  });
});
