// `gog find` as a user runs it: the built command in a child process over real runs (the
// demo questions run by `gog demo --out`, a benchmark run the agent wrote), checked against
// the trajectories read independently: every text of each field that holds the query is
// found, once, and nothing else. Links out of the folder are not followed; a pattern that
// backtracks without end stops within its budget with one line saying so; Ctrl+C ends the
// search at once with 130; --json lines parse; the text printed is safe for a terminal.
import { strict as assert } from 'node:assert';
import { type ChildProcess } from 'node:child_process';
import { cpSync, promises as fs, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { readTrajectory } from '../../src/core/trajectoryFile';
import { FIND_FIELDS, type FindField } from '../../src/data/find/findQuery';
import { comparedSamples, realBenchRun } from '../helpers/benchRuns';
import { gog, oneErrorLine, type Run } from '../helpers/cli';
import { tempDir } from '../helpers/fixtures';
import { assertTerminalSafe } from '../helpers/terminalChecks';
import { sampleHeader } from '../helpers/trajectories';

interface JsonMatch {
  file: string;
  line: number;
  sample: string | null;
  trajectory: string | null;
  step: number;
  field: FindField;
  part: string | null;
  rank: number | null;
  event: string;
  correction: boolean;
  before: string;
  match: string;
  after: string;
  count: number;
}

/** A text of a trajectory, as the finder should see it: where, which field, the text. */
interface Text {
  file: string;
  line: number;
  step: number;
  field: FindField;
  part: string | null;
  rank: number | null;
  text: string;
}

/** Every searchable text of the trajectory files, read with the product's reader, not the finder's. */
async function textsOf(files: readonly string[]): Promise<Text[]> {
  const out: Text[] = [];
  for (const file of files) {
    const t = await readTrajectory(file);
    const answers = new Map<number, string>();
    t.events.forEach((e, i) => {
      const at = { file, line: t.lines[i]!, step: e.step };
      if (e.type === 'reflection') out.push({ ...at, field: e.kind === 'reflect' ? 'reflection' : 'reasoning', part: e.kind, rank: null, text: e.text });
      if (e.type === 'action' && e.action.kind === 'text_search') out.push({ ...at, field: 'query', part: null, rank: null, text: e.action.query });
      if (e.type === 'action' && e.action.kind === 'answer') {
        answers.set(e.step, e.action.text);
        out.push({ ...at, field: 'answer', part: null, rank: null, text: e.action.text });
      }
      if (e.type === 'final' && e.answer !== null && answers.get(e.step) !== e.answer)
        out.push({ ...at, field: 'answer', part: null, rank: null, text: e.answer });
      if (e.type === 'observation')
        for (const r of e.results)
          for (const part of ['title', 'snippet', 'summary'] as const) if (r[part]) out.push({ ...at, field: 'evidence', part, rank: r.rank, text: r[part] });
    });
  }
  return out;
}

const key = (m: Pick<Text, 'file' | 'line' | 'field' | 'part' | 'rank'>) => `${m.file}:${m.line} ${m.field} ${m.part ?? ''} ${m.rank ?? ''}`;

function jsonLines(run: Run): JsonMatch[] {
  return run.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as JsonMatch);
}

/** Files whose names sort after the others': searched last by a walk in name order. */
async function writeTrajectory(file: string, events: object[]): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, [sampleHeader(), ...events].map((e) => JSON.stringify(e)).join('\n') + '\n');
}

const think = (step: number, text: string, id = `e${step}`) => ({ type: 'reflection', step, t: '2026-11-24T09:00:00.000Z', id, kind: 'think', text });

describe('gog find', function () {
  this.timeout(300_000);
  const tmp = tempDir('gog-find-');
  const root = path.join(tmp.dir, 'runs');
  const demo = path.join(root, 'demo');
  const bench = path.join(root, 'bench-a');
  let files: string[];
  let texts: Text[];

  before(async () => {
    const made = await gog(['demo', '--out', demo]);
    assert.equal(made.code, 0, made.stderr);
    await realBenchRun(bench, comparedSamples('a'));
    files = [];
    for (const dir of [demo, path.join(bench, 'samples')]) for (const name of await fs.readdir(dir)) files.push(path.join(dir, name, 'trajectory.jsonl'));
    texts = await textsOf(files);
  });
  after(() => tmp.cleanup());

  /** Runs `gog find` with --json and checks what it found against the texts that match. */
  async function checkFind(args: string[], matches: (text: string) => boolean, fields: readonly FindField[] = FIND_FIELDS): Promise<JsonMatch[]> {
    const run = await gog(['find', root, ...args, '--json']);
    assert.equal(run.code, 0, run.stderr);
    const found = jsonLines(run);
    const want = texts.filter((t) => fields.includes(t.field) && matches(t.text)).map(key);
    assert.ok(want.length, `the check needs texts that match ${args.join(' ')}`);
    assert.deepEqual(found.map(key).sort(), want.sort(), args.join(' '));
    assert.match(run.stderr, new RegExp(`^${found.length} match(es)? in \\d+ trajector(y|ies) of ${files.length} searched, [\\d.]+ s\\n$`));
    return found;
  }

  it('finds a text in every field of real runs, each once, as the field it is in, with its context', async () => {
    const found = await checkFind(['DSCOVR'], (t) => t.includes('DSCOVR'));
    assert.deepEqual([...new Set(found.map((m) => m.field))].sort(), ['evidence', 'query', 'reasoning', 'reflection']);
    const reflection = found.find((m) => m.field === 'reflection')!;
    assert.equal(reflection.match, 'DSCOVR');
    assert.equal(reflection.count, 2);
    assert.equal(`${reflection.before}${reflection.match}${reflection.after}`.replace(/…/g, '').length > 60, true);
    const text = await gog(['find', root, 'DSCOVR'], { cwd: tmp.dir });
    assert.equal(text.code, 0);
    assert.ok(
      text.stdout
        .split('\n')
        .includes(
          `runs/demo/2-rocket-dscovr/trajectory.jsonl:${reflection.line}  step 2 reflection  The photo is the February 2015 Falcon 9 launch of DSCOVR, the Deep Space Climate Observatory. Now I need where DSCOVR observes…  (×2)`,
        ),
      text.stdout,
    );
  });

  for (const field of FIND_FIELDS)
    it(`searches only the ${field} texts with --in ${field}`, async () => {
      // A word of one of the field's texts (the longest), so there is something to find.
      const sample = texts.find((t) => t.field === field)!;
      const word = sample.text.split(/[^\p{L}\p{N}]+/u).sort((a, b) => b.length - a.length)[0]!;
      const found = await checkFind(['--in', field, '--ignore-case', word], (t) => t.toLowerCase().includes(word.toLowerCase()), [field]);
      assert.ok(found.every((m) => m.field === field));
    });

  it('takes a regular expression (unicode, case as asked) and finds what it matches, JSON lines that parse', async () => {
    const re = /sun.earth l\d\b/iu;
    const found = await checkFind(['--regex', '-i', 'sun.earth l\\d\\b'], (t) => re.test(t));
    for (const m of found) assert.match(m.match, re);
    await checkFind(['--regex', '^(Sun|Deep)\\s'], (t) => /^(Sun|Deep)\s/u.test(t));
  });

  it('names the sample of a benchmark run, and searches a folder of runs, nested folders and named files', async () => {
    const run = await gog(['find', root, 'payload', '-i'], { cwd: root });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^bench-a\/samples\/rocket-top\/trajectory\.jsonl:\d+ {2}rocket-top {2}step 3 answer {2}Payload fairing$/m);
    const one = await gog(['find', path.join(bench, 'samples', 'rocket-top', 'trajectory.jsonl'), 'fairing', '-i', '--json']);
    assert.deepEqual(
      jsonLines(one).map((m) => [m.sample, m.field]),
      [['rocket-top', 'answer']],
    );
    const deep = path.join(tmp.dir, 'nested', 'a', 'b', 'c', 'mine.trajectory.jsonl');
    await writeTrajectory(deep, [think(1, 'a zebra in the nested folder')]);
    const nested = await gog(['find', path.join(tmp.dir, 'nested'), 'zebra', '--json']);
    assert.deepEqual(
      jsonLines(nested).map((m) => [m.file, m.step, m.field]),
      [[deep, 1, 'reasoning']],
    );
  });

  it('never reads through a link out of the folder, and says which it did not follow', async () => {
    const outside = path.join(tmp.dir, 'outside');
    await writeTrajectory(path.join(outside, 'run', 'trajectory.jsonl'), [think(1, 'ZEPPELIN seen outside')]);
    await writeTrajectory(path.join(outside, 'lone.trajectory.jsonl'), [think(1, 'ZEPPELIN in a lone file')]);
    const folder = path.join(tmp.dir, 'links');
    await writeTrajectory(path.join(folder, 'inside', 'trajectory.jsonl'), [think(1, 'ZEPPELIN inside')]);
    symlinkSync(path.join(outside, 'run'), path.join(folder, 'to-run-outside'));
    symlinkSync(path.join(outside, 'lone.trajectory.jsonl'), path.join(folder, 'to-file.trajectory.jsonl'));
    symlinkSync(path.join(folder, 'inside'), path.join(folder, 'same-inside'));
    const run = await gog(['find', folder, 'ZEPPELIN', '--json']);
    assert.equal(run.code, 0, run.stderr);
    // The file inside once (its link inside is the same file), nothing from outside.
    assert.deepEqual(
      jsonLines(run).map((m) => [path.relative(folder, m.file), m.before + m.match + m.after]),
      [['inside/trajectory.jsonl', 'ZEPPELIN inside']],
    );
    const real = await fs.realpath(folder);
    for (const link of ['to-run-outside', 'to-file.trajectory.jsonl'])
      assert.ok(run.stderr.includes(`gog: warning: ${path.join(folder, link)}: a link out of ${real}; not followed`), run.stderr);
  });

  it('names the lines it could not read by number and searches the rest of the file', async () => {
    const file = path.join(tmp.dir, 'malformed', 'run', 'trajectory.jsonl');
    const good = (step: number) => JSON.stringify(think(step, `the KOALA of step ${step}`, `e${step}`));
    const lines = [
      JSON.stringify(sampleHeader()),
      good(1),
      // Cut short mid-write, not JSON, an event of no known kind, each holding the text.
      good(2).slice(0, 60) + ' KOALA',
      'KOALA, not JSON at all',
      JSON.stringify({ type: 'reflection', step: 3, text: 'a KOALA with no kind' }),
      good(4),
      // Unreadable too, but cannot hold the text: never parsed, never named.
      '{"type":"reflection", broken',
      good(6),
    ];
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, lines.join('\n') + '\n');
    const run = await gog(['find', path.dirname(path.dirname(file)), 'KOALA', '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(
      jsonLines(run).map((m) => [m.line, m.step, m.match]),
      [
        [2, 1, 'KOALA'],
        [6, 4, 'KOALA'],
        [8, 6, 'KOALA'],
      ],
    );
    assert.equal(
      run.stderr.split('\n')[0],
      `gog: warning: ${file}: lines 3, 4, 5 could not be read as trajectory events (cut short, not JSON, or of an unknown kind); the rest of the file was searched`,
    );
    assert.match(run.stderr.split('\n')[1]!, /^3 matches in 1 trajectory of 1 searched, [\d.]+ s$/);
  });

  it('stops a pattern that backtracks without end within the file budget, with one line saying so', async () => {
    const folder = path.join(tmp.dir, 'redos');
    await writeTrajectory(path.join(folder, 'run', 'trajectory.jsonl'), [think(1, `${'a'.repeat(50_000)}!`)]);
    const run = await gog(['find', folder, '(a+)+$', '--regex', '--file-timeout', '2']);
    assert.equal(run.code, 1);
    oneErrorLine(
      run,
      /^gog: the search stopped: .*run\/trajectory\.jsonl took more than 2 s \(--file-timeout\); a pattern that backtracks without end, like \(a\+\)\+\$, does that: simplify it, or allow more time with --file-timeout \(0 matches in 0 trajectories of 0 searched before it\)$/,
    );
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.equal(run.stdout, '');
    // The budget from the search's start, plus starting the process on a busy machine.
    assert.ok(run.ms < 2000 + 6000, `took ${run.ms} ms`);
  });

  it('stops the whole search at --timeout, with one line saying so', async () => {
    const folder = path.join(tmp.dir, 'redos-many');
    for (const n of [1, 2, 3, 4, 5, 6]) await writeTrajectory(path.join(folder, `run-${n}`, 'trajectory.jsonl'), [think(1, `${'a'.repeat(50_000)}!`)]);
    const run = await gog(['find', folder, '(a+)+$', '--regex', '--timeout', '1.5', '--file-timeout', '60']);
    assert.equal(run.code, 1);
    oneErrorLine(
      run,
      /^gog: the search stopped after 1\.5 s \(--timeout\), not done: 0 matches in 0 trajectories of 0 searched of \d found; allow more time with --timeout$/,
    );
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.ok(run.ms < 1500 + 6000, `took ${run.ms} ms`);
  });

  it('ends at once on Ctrl+C, with 130, even in the middle of a pattern that would never end', async () => {
    const folder = path.join(tmp.dir, 'interrupt');
    await writeTrajectory(path.join(folder, 'a-quick', 'trajectory.jsonl'), [think(1, 'aaaa')]);
    await writeTrajectory(path.join(folder, 'b-endless', 'trajectory.jsonl'), [think(1, `${'a'.repeat(50_000)}!`)]);
    let sent = 0;
    const run = await gog(['find', folder, '(a+)+$', '--regex'], {
      started: (child: ChildProcess, output) => {
        // The first match printed: the search is under way, the endless file on a thread.
        child.stdout!.on('data', () => {
          if (sent || !output.stdout().includes('\n')) return;
          sent = Date.now();
          child.kill('SIGINT');
        });
      },
    });
    assert.ok(sent, run.stderr);
    assert.equal(run.code, 130, run.stderr);
    assert.match(run.stdout, /a-quick\/trajectory\.jsonl:2 {2}step 1 reasoning {2}aaaa$/m);
    // The quick file is counted searched once its thread says it is done, which may come after the signal.
    assert.match(run.stderr, /^cancelled: 1 match in 1 trajectory of [01] searched, [\d.]+ s$/m);
    const after = Date.now() - sent;
    assert.ok(after < 1500, `ended ${after} ms after Ctrl+C`);
  });

  it('stops at --limit, and quietly when its reader goes away (| head)', async () => {
    const limited = await gog(['find', root, 'the', '-i', '--limit', '3']);
    assert.equal(limited.code, 0, limited.stderr);
    assert.equal(limited.stdout.trim().split('\n').length, 3);
    assert.match(limited.stderr, /^3 matches in [1-3] trajector(y|ies) of \d+ searched \(stopped at --limit 3\), [\d.]+ s\n$/);
    // Enough matches that the output outlasts its reader.
    const many = path.join(tmp.dir, 'many');
    for (let i = 0; i < 200; i++) cpSync(path.join(demo, '2-rocket-dscovr'), path.join(many, `r${i}`), { recursive: true });
    const run = await gog(['find', many, 'e', '--json'], {
      started: (child: ChildProcess) => child.stdout!.once('data', () => child.stdout!.destroy()),
    });
    assert.equal(run.code, 141, run.stderr);
    assert.equal(run.stderr, '');
  });

  it('prints text from the trajectories with nothing a terminal would act on', async () => {
    const file = path.join(tmp.dir, 'hostile', 'trajectory.jsonl');
    await writeTrajectory(file, [think(1, 'see \u001b]0;pwned\u0007 the \u001b[2J GOAL \u202eevil\u202c and \r over')]);
    for (const args of [[], ['--json']]) {
      const run = await gog(['find', path.dirname(file), 'GOAL', ...args]);
      assert.equal(run.code, 0, run.stderr);
      assertTerminalSafe(run, args.join(' '));
      assert.match(run.stdout, /\\u001b\]0;pwned\\u0007/);
    }
    const json = jsonLines(await gog(['find', path.dirname(file), 'GOAL', '--json']))[0]!;
    assert.equal(json.before, 'see \u001b]0;pwned\u0007 the \u001b[2J ');
  });

  it('finds a reviewer’s correction as a correction of the field it corrects', async () => {
    const file = path.join(tmp.dir, 'corrected', 'trajectory.jsonl');
    await writeTrajectory(file, [
      think(1, 'a rocket on a pad', 'e1'),
      { type: 'action', step: 1, t: '2026-11-24T09:00:00.000Z', id: 'e2', action: { kind: 'text_search', query: 'rocket launch' } },
      { type: 'annotation', step: 0, t: '2026-11-24T10:00:00.000Z', id: 'a1', edit: { op: 'set_text', target: 'e2', text: 'Falcon 9 DSCOVR launch' } },
    ]);
    const run = await gog(['find', path.dirname(file), 'DSCOVR'], { cwd: path.dirname(file) });
    assert.equal(run.stdout, 'trajectory.jsonl:4  step 1 query (corrected)  Falcon 9 DSCOVR launch\n');
  });

  it('refuses bad input with one line and 2, before searching anything', async () => {
    const cases: [string[], RegExp][] = [
      [['find', root, '(a', '--regex'], /^gog: the pattern is not a regular expression \(unterminated group\)$/],
      [['find', root, 'x', '--in', 'thoughts'], /^gog: --in: unknown field "thoughts"; use reasoning, reflection, query, evidence, answer$/],
      [['find', path.join(tmp.dir, 'absent'), 'x'], /^gog: .*absent: no such file or folder$/],
      [['find', root], /^gog: give a trajectory file or folder and the text to find: gog find PATH QUERY/],
      [['find', root, 'x', '--limit', '0'], /^gog: --limit takes a whole number of matches, 1 or more; got "0"$/],
      [['find', root, 'x', '--timeout', 'soon'], /^gog: --timeout takes seconds, more than 0 and at most 86400; got "soon"$/],
      [['find', root, ''], /^gog: the text to find is empty$/],
    ];
    for (const [args, message] of cases) {
      const run = await gog(args);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      oneErrorLine(run, message);
      assert.equal(run.stdout, '');
    }
  });
});
