// Annotating as a team, as users do it: the built `gog label` in a child process names its
// annotator and writes to that annotator's own file beside the trajectory; a real `git`
// merges two annotators' branches without a conflict (the old one-file layout conflicts);
// the one reader reads every annotator's file, inside the run folder only.
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { promises as fs, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { applyAnnotations } from '../../src/core/annotations';
import { annotatorFileOf, annotatorSlug, appendAnnotatorEvents, readAnnotatedTrajectory } from '../../src/core/annotationFiles';
import { appendAnnotation } from '../../src/run/annotate';
import { QueueIndex } from '../../src/review/queueIndex';
import { gog, oneErrorLine } from '../helpers/cli';
import { copyRun } from '../helpers/demoRuns';
import { ROOT, tempDir } from '../helpers/fixtures';

/** A git that reads no config of this machine's user or system. */
function git(cwd: string, home: string, ...args: string[]): { status: number | null; out: string } {
  const r = spawnSync('git', ['-c', 'user.name=Tester', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    env: { PATH: process.env.PATH, HOME: home, GIT_CONFIG_NOSYSTEM: '1', LANG: 'C' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

async function labelsOf(trajectory: string): Promise<Record<string, string>> {
  const t = await readAnnotatedTrajectory(trajectory);
  assert.deepEqual(t.problems, []);
  return Object.fromEntries([...applyAnnotations(t.header, t.events).labels].map(([author, l]) => [author, l.label]));
}

describe('annotators', function () {
  this.timeout(120_000);
  const tmp = tempDir();
  const home = path.join(tmp.dir, 'home');
  // No user.name anywhere: the tests decide where the name comes from.
  const env = { GOG_ANNOTATOR: '', HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), USER: 'osuser' };
  before(() => {
    mkdirSync(home, { recursive: true });
    execFileSync(process.execPath, [path.join(ROOT, 'esbuild.mjs')], { cwd: ROOT });
  });
  after(tmp.cleanup);

  it('gog label --annotator writes the label, with the exact name, to that annotator’s own file; the trajectory file is untouched', async () => {
    const run = await copyRun('2-rocket-dscovr', path.join(tmp.dir, 'own-file'));
    const before = await fs.readFile(run.trajectory);
    const r = await gog(['label', run.trajectory, 'accepted', '--note', 'fine', '--annotator', 'Ann'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /: accepted by Ann \(annotation a[0-9a-z]+\.1 in trajectory\.annotations\/ann-[0-9a-f]{8}\.jsonl\)$/m);
    assert.ok((await fs.readFile(run.trajectory)).equals(before), 'the trajectory file is as it was');
    // "Ann" and "ann" are two annotators with two files; the line keeps the exact name.
    assert.equal((await gog(['label', run.trajectory, 'rejected', '--annotator', 'ann'], { env })).code, 0);
    assert.notEqual(annotatorSlug('Ann'), annotatorSlug('ann'));
    const files = (await fs.readdir(path.join(run.runDir, 'trajectory.annotations'))).sort();
    assert.deepEqual(files, [`${annotatorSlug('Ann')}.jsonl`, `${annotatorSlug('ann')}.jsonl`].sort());
    const line = JSON.parse(await fs.readFile(annotatorFileOf(run.trajectory, 'Ann'), 'utf8'));
    assert.deepEqual(
      { type: line.type, author: line.author, edit: line.edit },
      { type: 'annotation', author: 'Ann', edit: { op: 'label', label: 'accepted', note: 'fine' } },
    );
    assert.deepEqual(await labelsOf(run.trajectory), { Ann: 'accepted', ann: 'rejected' });
    // A name that is no name is refused before anything is written.
    const bad = await gog(['label', run.trajectory, 'accepted', '--annotator', ' '], { env });
    assert.equal(bad.code, 2);
    oneErrorLine(bad, /^gog: --annotator is empty; give the annotator's name$/);
  });

  it('names the annotator by default from GOG_ANNOTATOR, else the git user.name of the trajectory’s repository (read from .git/config), else the account', async () => {
    const repo = path.join(tmp.dir, 'default-name');
    const run = await copyRun('2-rocket-dscovr', repo);
    assert.equal(git(repo, home, 'init', '-q').status, 0);
    // A worktree's config lives in the main repository's folder; here the repository's own.
    await fs.appendFile(path.join(repo, '.git', 'config'), '[user]\n\tname = "Zoë Q" ; the annotator\n\temail = z@example.com\n');
    const fromGit = await gog(['label', run.trajectory, 'accepted'], { env });
    assert.equal(fromGit.code, 0, fromGit.stderr);
    assert.match(fromGit.stdout, / by Zoë Q \(annotation /);
    const fromEnv = await gog(['label', run.trajectory, 'needs-fix'], { env: { ...env, GOG_ANNOTATOR: 'Reviewer 7' } });
    assert.match(fromEnv.stdout, / by Reviewer 7 \(annotation /);
    const outside = await copyRun('2-rocket-dscovr', path.join(tmp.dir, 'no-repo'));
    const fromAccount = await gog(['label', outside.trajectory, 'rejected'], { env });
    assert.equal(fromAccount.code, 0, fromAccount.stderr);
    assert.match(fromAccount.stdout, / by \S+ \(annotation /, 'the account’s user name');
    assert.deepEqual(await labelsOf(run.trajectory), { 'Zoë Q': 'accepted', 'Reviewer 7': 'needs-fix' });
    const bad = await gog(['label', run.trajectory, 'accepted'], { env: { ...env, GOG_ANNOTATOR: 'a\u0007b' } });
    assert.equal(bad.code, 2);
    oneErrorLine(bad, /^gog: GOG_ANNOTATOR holds a control character; set it to the annotator's name, or give --annotator NAME$/);
  });

  it('two annotators label the same trajectory on two branches: git merges them without a conflict and both labels read back (one shared file conflicts)', async () => {
    const merge = async (layout: 'annotator files' | 'one file') => {
      const repo = path.join(tmp.dir, `merge-${layout.replace(' ', '-')}`);
      const run = await copyRun('2-rocket-dscovr', repo);
      const rel = path.relative(repo, run.trajectory);
      for (const args of [
        ['init', '-q', '-b', 'main'],
        ['add', '-A'],
        ['commit', '-qm', 'a run'],
      ])
        assert.equal(git(repo, home, ...args).status, 0);
      const labelOn = async (branch: string, annotator: string, label: string) => {
        assert.equal(git(repo, home, 'checkout', '-q', '-b', branch, 'main').status, 0);
        if (layout === 'annotator files') {
          const r = await gog(['label', rel, label, '--annotator', annotator], { cwd: repo, env });
          assert.equal(r.code, 0, r.stderr);
        } else await appendAnnotation(run.trajectory, { op: 'label', label: label as 'accepted' }, annotator);
        assert.equal(git(repo, home, 'add', '-A').status, 0);
        assert.equal(git(repo, home, 'commit', '-qm', `${annotator} labels`).status, 0);
      };
      await labelOn('ann', 'Ann', 'accepted');
      await labelOn('bob', 'Bob', 'rejected');
      assert.equal(git(repo, home, 'checkout', '-q', 'ann').status, 0);
      return { run, merged: git(repo, home, 'merge', '--no-edit', 'bob') };
    };

    const shared = await merge('annotator files');
    assert.equal(shared.merged.status, 0, shared.merged.out);
    assert.doesNotMatch(shared.merged.out, /CONFLICT/);
    assert.deepEqual(await labelsOf(shared.run.trajectory), { Ann: 'accepted', Bob: 'rejected' });

    // The layout before annotators: both branches append to the trajectory file, and git cannot merge them.
    const oneFile = await merge('one file');
    assert.notEqual(oneFile.merged.status, 0);
    assert.match(oneFile.merged.out, /CONFLICT \(content\): Merge conflict in 2-rocket-dscovr\/trajectory\.jsonl/);
  });

  it('reads annotations in the trajectory file and in every annotator file; a malformed line is reported with its file and line, a link out of the run folder is not read', async () => {
    const run = await copyRun('3-hubble-galaxies', path.join(tmp.dir, 'reader'));
    // The old layout keeps loading: a label in the file itself, by nobody named.
    await appendAnnotation(run.trajectory, { op: 'label', label: 'needs-fix' });
    assert.equal((await gog(['label', run.trajectory, 'accepted', '--annotator', 'Ann'], { env })).code, 0);
    const annFile = annotatorFileOf(run.trajectory, 'Ann');
    await fs.appendFile(annFile, '{"type":"annotation","step":0,"t":"2026-01-01T00:00:00Z","edit":{"op":"nonsense"}}\nnot json\n');
    const outside = path.join(tmp.dir, 'elsewhere.jsonl');
    writeFileSync(
      outside,
      `${JSON.stringify({ type: 'annotation', step: 0, t: '2026-01-01T00:00:00Z', id: 'x1', author: 'Mallory', edit: { op: 'label', label: 'accepted' } })}\n`,
    );
    symlinkSync(outside, path.join(run.runDir, 'trajectory.annotations', 'mallory.jsonl'));

    const t = await readAnnotatedTrajectory(run.trajectory);
    const slug = annotatorSlug('Ann');
    const messages = t.problems.map((p) => `${p.line}: ${p.message}`);
    assert.equal(messages.length, 3, messages.join('\n'));
    assert.ok(messages.includes('0: in trajectory.annotations/mallory.jsonl: links to a file outside the run folder; not read'), messages.join('\n'));
    assert.ok(
      messages.some((m) => m.startsWith(`2: in trajectory.annotations/${slug}.jsonl: bad annotation event`)),
      messages.join('\n'),
    );
    assert.ok(
      messages.some((m) => m.startsWith(`3: in trajectory.annotations/${slug}.jsonl: `)),
      messages.join('\n'),
    );
    const corrected = applyAnnotations(t.header, t.events);
    assert.deepEqual(
      Object.fromEntries([...corrected.labels].map(([a, l]) => [a, l.label])),
      { '': 'needs-fix', Ann: 'accepted' },
      'the in-file label and the annotator’s load; Mallory’s, outside, does not',
    );
  });
  it('gog export takes the adjudicated verdict, else the annotators’ agreed one, and skips the rest as conflict (counted in its summary and --json)', async () => {
    const dir = path.join(tmp.dir, 'adjudicate');
    const label = async (run: { trajectory: string }, verdict: string, annotator: string, ...more: string[]) => {
      const r = await gog(['label', run.trajectory, verdict, '--annotator', annotator, ...more], { env });
      assert.equal(r.code, 0, r.stderr);
      return r;
    };
    const agreed = await copyRun('2-rocket-dscovr', dir);
    await label(agreed, 'accepted', 'Ann');
    await label(agreed, 'accepted', 'Bob');
    const conflict = await copyRun('3-hubble-galaxies', dir);
    await label(conflict, 'accepted', 'Ann');
    await label(conflict, 'rejected', 'Bob');
    const settled = await copyRun('4-chelsea-name', dir);
    await label(settled, 'rejected', 'Ann');
    await label(settled, 'needs-fix', 'Bob');
    const adjudicated = await label(settled, 'accepted', 'Cleo', '--adjudicate', '--note', 'the answer is right');
    assert.match(adjudicated.stdout, /: accepted, adjudicated by Cleo \(annotation /);
    // An annotator changing their mind: their latest verdict counts, and now they agree.
    const changed = await copyRun('5-coffee-no-search', dir);
    await label(changed, 'rejected', 'Ann');
    await label(changed, 'accepted', 'Bob');
    await label(changed, 'accepted', 'Ann');

    const out = path.join(tmp.dir, 'adjudicate-out');
    const r = await gog(['export', dir, '--format', 'openai', '--out', out, '--json'], { env });
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.exported, 3);
    assert.deepEqual(result.skipped, { unlabeled: 0, 'needs-fix': 0, rejected: 0, conflict: 1, 'few-annotators': 0, stale: 0, failed: 0 });
    const manifest = (await fs.readFile(path.join(out, 'manifest.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      manifest.map((m: { trajectory: string; label: string; note?: string }) => [path.basename(path.dirname(m.trajectory)), m.label, m.note]),
      [
        ['2-rocket-dscovr', 'accepted', undefined],
        ['4-chelsea-name', 'accepted', 'the answer is right'],
        ['5-coffee-no-search', 'accepted', undefined],
      ],
    );
    assert.match(
      r.stderr,
      /3-hubble-galaxies\/trajectory\.jsonl: skipped: it has conflicting verdicts \(Ann: accepted, Bob: rejected\); an adjudicator settles it with gog label .* VERDICT --adjudicate/,
    );

    const summary = await gog(['export', dir, '--format', 'openai', '--out', path.join(tmp.dir, 'adjudicate-summary')], { env });
    assert.equal(summary.code, 0, summary.stderr);
    assert.match(summary.stdout, /^exported 3 of 4 trajectories as openai data, .*\nskipped: 1 conflict\n/);
  });

  it('gog export --min-annotators N exports only samples labelled by at least N annotators (adjudicators aside)', async () => {
    const dir = path.join(tmp.dir, 'min-annotators');
    const one = await copyRun('2-rocket-dscovr', dir);
    const two = await copyRun('5-coffee-no-search', dir);
    for (const [run, who] of [
      [one, ['Ann']],
      [two, ['Ann', 'Bob']],
    ] as const)
      for (const a of who) assert.equal((await gog(['label', run.trajectory, 'accepted', '--annotator', a], { env })).code, 0);
    // An adjudicator's verdict alone does not make a second annotator.
    assert.equal((await gog(['label', one.trajectory, 'accepted', '--annotator', 'Cleo', '--adjudicate'], { env })).code, 0);

    const r = await gog(['export', dir, '--format', 'openai', '--out', path.join(tmp.dir, 'min-out'), '--min-annotators', '2', '--json'], { env });
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.exported, 1);
    assert.equal(result.skipped['few-annotators'], 1);
    assert.doesNotMatch(r.stderr, /2-rocket-dscovr/, 'a filter the user asked for is counted, not warned about');
    const all = JSON.parse(
      (await gog(['export', dir, '--format', 'openai', '--out', path.join(tmp.dir, 'min-out-1'), '--min-annotators', '1', '--json'], { env })).stdout,
    );
    assert.equal(all.exported, 2);
    for (const bad of ['0', 'two', '1.5', ''])
      oneErrorLine(
        await gog(['export', dir, '--format', 'openai', '--out', path.join(tmp.dir, 'never'), '--min-annotators', bad], { env }),
        /^gog: --min-annotators is a whole number of annotators from 1 to 1000; got "/,
      );
  });
  it('the review queue shows a label from an annotator’s file, and reads the trajectory again when only an annotator’s file changed', async () => {
    const root = path.join(tmp.dir, 'queue');
    const run = await copyRun('2-rocket-dscovr', root);
    const index = new QueueIndex(root, path.join(tmp.dir, 'queue-cache', 'index.json'));
    const [before] = await index.scan();
    assert.equal(before?.label, undefined);
    await appendAnnotatorEvents(run.trajectory, 'Ann', [
      { type: 'annotation', step: 0, t: new Date().toISOString(), id: 'a1', edit: { op: 'label', label: 'rejected', note: 'wrong rocket' } },
    ]);
    const [after] = await index.scan();
    assert.equal(index.lastRead, 1, 'read again: the trajectory file did not change, its annotator file did');
    assert.deepEqual(
      { label: after?.label, note: after?.note, rel: after?.rel },
      { label: 'rejected', note: 'wrong rocket', rel: '2-rocket-dscovr/trajectory.jsonl' },
    );
    const [cached] = await index.scan();
    assert.equal(index.lastRead, 0, 'nothing changed since: served from the index');
    assert.equal(cached?.label, 'rejected');
  });
  it('gog label checks the label against the project’s scheme (.gog/labels.json): its verdicts, its error categories as tags, the reasons it asks for', async () => {
    const project = path.join(tmp.dir, 'scheme');
    const run = await copyRun('2-rocket-dscovr', path.join(project, 'runs'));
    mkdirSync(path.join(project, '.gog'));
    const schemeFile = path.join(project, '.gog', 'labels.json');
    writeFileSync(
      schemeFile,
      JSON.stringify({
        verdicts: [
          { label: 'accepted', key: 'a' },
          { label: 'rejected', key: 'r', needsReason: true },
        ],
        categories: [
          { id: 'wrong-region', name: 'Wrong region', key: '1', needsReason: true },
          { id: 'format', name: 'Format', key: '2' },
        ],
      }),
    );
    const label = (...args: string[]) => gog(['label', run.trajectory, ...args, '--annotator', 'Ann'], { env });
    const refused = async (args: string[], pattern: RegExp) => {
      const r = await label(...args);
      assert.equal(r.code, 2, r.stdout);
      oneErrorLine(r, pattern);
    };
    await refused(['rejected'], /^gog: a rejected label needs a reason: give --note TEXT \(the scheme in .*\.gog\/labels\.json asks for one\)$/);
    await refused(['needs-fix'], /^gog: unknown label "needs-fix"; use accepted, rejected \(the verdicts in .*\.gog\/labels\.json\)$/);
    await refused(['accepted', '--tag', 'typo'], /^gog: unknown error category "typo"; use wrong-region, format \(the categories in .*labels\.json\)$/);
    await refused(['accepted', '--tag', 'wrong-region'], /^gog: the error category wrong-region needs a reason: give --note TEXT/);
    await assert.rejects(fs.stat(path.join(run.runDir, 'trajectory.annotations')), 'nothing was written for a refused label');
    assert.equal((await label('rejected', '--tag', 'wrong-region', '--tag', 'format', '--note', 'looked at the fins')).code, 0);
    const t = await readAnnotatedTrajectory(run.trajectory);
    const given = applyAnnotations(t.header, t.events).label;
    assert.deepEqual(
      { label: given?.label, tags: given?.tags, note: given?.note },
      { label: 'rejected', tags: ['wrong-region', 'format'], note: 'looked at the fins' },
    );

    // A scheme that cannot be one is named, and nothing is labelled with it.
    writeFileSync(schemeFile, JSON.stringify({ categories: [{ id: 'format', key: 'a' }] }));
    await refused(['accepted'], /^gog: .*\.gog\/labels\.json: the key "a" is given twice; give each verdict and category its own$/);
    const elsewhere = path.join(tmp.dir, 'elsewhere-labels.json');
    writeFileSync(elsewhere, '{}');
    await fs.rm(schemeFile);
    symlinkSync(elsewhere, schemeFile);
    await refused(['accepted'], /^gog: .*\.gog\/labels\.json: links to a file outside the \.gog folder; not used$/);
  });
});
