// `gog report RUN_DIR` carries the samples' trajectories: the built command in a child
// process over a benchmark run the agent wrote (the replay server, the bundled photos and
// corpus), each sample's block read back from the HTML and held to its trajectory read
// independently (the corrected one: an annotation moved a box). Failures go first; the
// size budget (--report-mb) is kept to the byte and said; a trajectory that links out of
// the run folder is not read; the table's compact columns give back the rows they packed.
import { strict as assert } from 'node:assert';
import { promises as fs, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { readTrajectory } from '../../src/core/trajectoryFile';
import type { SampleResult } from '../../src/data/results';
import { loadRunRows } from '../../src/data/reviewRows';
import { packRows, reportDataSchema, sampleDetailSchema, unpackRows, type SampleDetail } from '../../src/shared/reportData';
import { isReviewRow } from '../../src/shared/runsMessages';
import { comparedSamples, realBenchRun, syntheticResults, writeBenchRun } from '../helpers/benchRuns';
import { gog } from '../helpers/cli';
import { tempDir } from '../helpers/fixtures';

const MB = 1024 * 1024;

/** The page's JSON blocks by id, read as a browser would see their text. */
function blocks(html: string): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const m of html.matchAll(/<script nonce="[^"]+" type="application\/json" id="([^"]+)">([\s\S]*?)<\/script>/g)) out.set(m[1]!, JSON.parse(m[2]!));
  return out;
}

function details(html: string): Map<number, SampleDetail> {
  const out = new Map<number, SampleDetail>();
  for (const [id, v] of blocks(html)) if (id.startsWith('gog-sample-')) out.set(Number(id.slice('gog-sample-'.length)), sampleDetailSchema.parse(v));
  return out;
}

function reportData(html: string) {
  return reportDataSchema.parse(blocks(html).get('gog-report'));
}

describe('gog report RUN_DIR: the samples’ trajectories in the report', function () {
  this.timeout(120_000);
  const tmp = tempDir('gog-report-details-');
  const dir = path.join(tmp.dir, '20261124-100000-real');
  let results: SampleResult[];

  before(async () => {
    results = await realBenchRun(dir, comparedSamples('b'));
    // An annotator moved the rocket's gaze box: the report shows the corrected trajectory.
    const rocket = path.join(dir, results.find((r) => r.id === 'rocket-top')!.trajectory);
    const t = await readTrajectory(rocket);
    const gaze = t.events.find((e) => e.type === 'action' && e.action.kind === 'image_search' && e.action.box)!;
    const { width, height } = t.header!.image.oriented;
    const moved = [Math.round(width * 0.1), Math.round(height * 0.1), Math.round(width * 0.5), Math.round(height * 0.5)];
    writeFileSync(
      rocket,
      readFileSync(rocket, 'utf8') +
        JSON.stringify({
          type: 'annotation',
          step: gaze.step,
          t: '2026-11-24T10:05:00.000Z',
          id: 'a1',
          edit: { op: 'set_box', target: gaze.id ?? gaze.step, box: moved },
        }) +
        '\n',
    );
  });
  after(() => tmp.cleanup());

  it('holds every failure’s turns, queries, evidence titles and gaze boxes (corrected), and says so', async () => {
    const out = path.join(tmp.dir, 'all.html');
    const run = await gog(['report', dir, '--out', out]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    const failures = results.filter((r) => r.cause);
    assert.ok(failures.length >= 2, 'the run has failures');
    const kb = Math.round(readFileSync(out, 'utf8').length / 1024);
    assert.match(
      run.stdout,
      new RegExp(`^report: .*all\\.html \\(${kb} KB, 5 samples; trajectories of 5: ${failures.length} of ${failures.length} failures\\)\\n$`),
    );
    const html = readFileSync(out, 'utf8');
    assert.ok(!html.includes(tmp.dir), 'no local path in the report');
    const data = reportData(html);
    assert.deepEqual(data.details!.keys, [0, 1, 2, 3, 4]);
    assert.equal(data.details!.failuresIn, failures.length);
    assert.equal(data.details!.budgetSpent, false);
    const got = details(html);
    const images = [...blocks(html)].filter(([id]) => id.startsWith('gog-image-'));
    for (const [key, r] of results.entries()) {
      const d = got.get(key)!;
      const t = await readTrajectory(path.join(dir, r.trajectory));
      const actions = t.events.flatMap((e) => (e.type === 'action' ? [e] : []));
      assert.equal(d.steps.filter((s) => s.action).length, actions.length, `${r.id}: one step per action`);
      const queries = actions.flatMap((e) => (e.action.kind === 'text_search' ? [e.action.query] : []));
      assert.deepEqual(
        d.steps.flatMap((s) => (s.action?.kind === 'text_search' ? [s.action.query] : [])),
        queries,
        `${r.id}: the queries`,
      );
      const titles = t.events.flatMap((e) => (e.type === 'observation' ? e.results.slice(0, 8).map((x) => x.title) : []));
      assert.deepEqual(
        d.steps.flatMap((s) => s.evidence.map((e) => e.title)),
        titles,
        `${r.id}: the evidence titles`,
      );
      assert.deepEqual(
        d.steps.flatMap((s) => s.reasoning.map((x) => x.text)),
        t.events.flatMap((e) => (e.type === 'reflection' ? [e.text] : [])),
        `${r.id}: the reasoning`,
      );
      assert.equal(d.answer, r.answer);
      // The image, small: re-encoded WebP, a few hundred pixels on the long side.
      assert.notEqual(d.image, null, `${r.id}: an image`);
      const url = blocks(html).get(`gog-image-${d.image}`) as string;
      const bytes = Buffer.from(url.replace(/^data:image\/webp;base64,/, ''), 'base64');
      const { default: sharp } = await import('sharp');
      const meta = await sharp(bytes).metadata();
      assert.equal(meta.format, 'webp');
      assert.ok(Math.max(meta.width, meta.height) <= 384 && Math.max(meta.width, meta.height) >= 100, `${r.id}: ${meta.width}×${meta.height}`);
    }
    assert.equal(images.length, 5, 'one image per photo');
    // The rocket's first gaze is the corrected box, relative to the image.
    const rocket = got.get(results.findIndex((r) => r.id === 'rocket-top'))!;
    const gaze = rocket.steps.find((s) => s.action?.kind === 'gaze')!;
    assert.ok(gaze.corrected);
    assert.ok(gaze.action?.kind === 'gaze' && gaze.action.box, 'a box');
    const box = gaze.action.box;
    for (const [v, want] of box.map((v, i) => [v, [0.1, 0.1, 0.5, 0.5][i]!] as const)) assert.ok(Math.abs(v - want) < 0.01, `corrected box ${box.join(', ')}`);
  });

  it('keeps to --report-mb: failures first, then the rest, until it is spent; the output and the page say so', async () => {
    const full = readFileSync(path.join(tmp.dir, 'all.html'), 'utf8');
    // What the page weighs with no trajectory in it, and a budget that takes some of them but not all.
    const bare = full.replace(/\s*<script nonce="[^"]+" type="application\/json" id="gog-(sample|image)-\d+">[\s\S]*?<\/script>/g, '').length;
    const mb = Math.round(((bare + 64 * 1024 + (full.length - bare) * 0.45) / MB) * 1000) / 1000;
    const out = path.join(tmp.dir, 'budget.html');
    const run = await gog(['report', dir, '--out', out, '--report-mb', String(mb)]);
    assert.equal(run.code, 0, run.stderr);
    const html = readFileSync(out, 'utf8');
    assert.ok(Buffer.byteLength(html) <= mb * MB, `${Buffer.byteLength(html)} bytes within ${mb} MB`);
    const data = reportData(html);
    const keys = data.details!.keys;
    assert.ok(keys.length > 0 && keys.length < 5, `some trajectories but not all: ${keys.join(', ')}`);
    assert.deepEqual([...details(html).keys()].sort(), keys);
    const failures = results.flatMap((r, k) => (r.cause ? [k] : []));
    // Failures first: a right sample goes in only once every failure is in.
    if (keys.some((k) => !results[k]!.cause))
      assert.deepEqual(
        failures.filter((k) => keys.includes(k)),
        failures,
      );
    else assert.ok(keys.every((k) => results[k]!.cause));
    assert.equal(data.details!.budgetSpent, true);
    assert.equal(data.details!.budgetMb, mb);
    assert.match(
      run.stdout,
      new RegExp(`; trajectories of ${keys.length}: \\d+ of ${failures.length} failures, then the ${mb} MB budget \\(--report-mb\\) was spent\\)\\n$`),
    );
    // Too small to hold a trajectory: the table alone, said.
    const tiny = await gog(['report', dir, '--out', path.join(tmp.dir, 'tiny.html'), '--report-mb', '1']);
    assert.equal(tiny.code, 0, tiny.stderr);
    assert.match(tiny.stdout, /; trajectories of 0: 0 of \d+ failures, then the 1 MB budget \(--report-mb\) was spent\)\n$/);
  });

  it('refuses a budget out of range, naming the flag, and writes nothing', async () => {
    for (const bad of ['0', '401', 'lots', '1e3']) {
      const out = path.join(tmp.dir, `bad-${bad}.html`);
      const run = await gog(['report', dir, '--out', out, '--report-mb', bad]);
      assert.equal(run.code, 2, `${bad}: ${run.stderr}`);
      assert.match(run.stderr, /^gog: --report-mb: the report size budget must be from 1 to 400 MB; got "/);
      await assert.rejects(fs.stat(out));
    }
  });

  it('does not follow a trajectory that links out of the run folder: the sample is named, the file never read', async () => {
    const copy = path.join(tmp.dir, 'linked');
    await fs.cp(dir, copy, { recursive: true });
    const secret = path.join(tmp.dir, 'outside.jsonl');
    const victim = results.find((r) => r.id === 'coffee-drink')!;
    writeFileSync(secret, readFileSync(path.join(dir, victim.trajectory), 'utf8').replace(/Plainly coffee/g, 'OUTSIDE-SECRET-TEXT'));
    await fs.rm(path.join(copy, victim.trajectory));
    symlinkSync(secret, path.join(copy, victim.trajectory));
    const out = path.join(tmp.dir, 'linked.html');
    const run = await gog(['report', copy, '--out', out]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      /^gog: warning: coffee-drink: the trajectory samples\/coffee-drink\/trajectory\.jsonl is outside the run folder; not opened \(its trajectory is not in the report\)\n$/,
    );
    const html = readFileSync(out, 'utf8');
    assert.ok(!html.includes('OUTSIDE-SECRET-TEXT'));
    assert.ok(!html.includes(tmp.dir));
    const data = reportData(html);
    assert.equal(data.details!.keys.length, 4);
    assert.match(Object.values(data.details!.unreadable)[0]!, /outside the run folder/);
  });

  it('packs the table into columns that unpack to the same rows, and refuses columns that do not hold rows', async () => {
    const synthetic = path.join(tmp.dir, 'synthetic');
    await writeBenchRun(synthetic, syntheticResults(300, { judged: true }), { trajectories: false });
    const { rows } = await loadRunRows(synthetic);
    const packed = JSON.parse(JSON.stringify(packRows(rows))) as ReturnType<typeof packRows>;
    const back = unpackRows(packed);
    assert.deepEqual(back, rows);
    assert.ok(Array.isArray(back) && back.every(isReviewRow));
    assert.ok(JSON.stringify(packed).length < JSON.stringify(rows).length * 0.6, 'smaller than the rows spelled out');
    const broken: [string, (p: Record<string, unknown>) => void, RegExp][] = [
      ['a short column', (p) => (p.f1 as number[]).pop(), /^f1 is not a column of 300$/],
      ['a cause there is not', (p) => ((p.cause as { values: string[] }).values[0] = 'bad'), /^cause "bad" is not one there is$/],
      ['a code past its values', (p) => ((p.benchmark as { codes: number[] }).codes[5] = 99), /^benchmark of row 5/],
      ['a number that is text', (p) => ((p.turns as unknown[])[7] = '3'), /^turns of row 7/],
      ['a gaze of three numbers', (p) => ((p.gazes as number[][])[2] = [0.1, 0.2, 0.3]), /^gazes of row 2/],
      ['no table', (p) => delete p.n, /^the table is missing$/],
    ];
    for (const [what, breakIt, message] of broken) {
      const p = JSON.parse(JSON.stringify(packed)) as Record<string, unknown>;
      breakIt(p);
      const got = unpackRows(p);
      assert.ok(typeof got === 'string' && message.test(got), `${what}: ${typeof got === 'string' ? got : 'rows'}`);
    }
  });
});
