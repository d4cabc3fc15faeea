// Which run is which: bench.json records the workspace's commit (read from .git's files, never
// by running git), the Runs view and reports show how the run was made beside its name, and a
// run's name and notes live in its folder (notes.json) without touching its results.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readBenchMeta } from '../../src/data/benchRun';
import { gitHead } from '../../src/data/gitHead';
import { RunStatusReader } from '../../src/data/runIndex';
import { readRunNotes, RunNotesError, writeRunNotes, MAX_RUN_NAME_CHARS } from '../../src/data/runNotes';
import { startReplayServer } from '../../src/model/replayServer';
import { runInfo } from '../../src/run/reviewMessages';
import { writeBenchmark } from '../helpers/benchmarks';
import { gog } from '../helpers/cli';
import { tempDir } from '../helpers/fixtures';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'init.defaultBranch=main', ...args], {
    cwd,
    encoding: 'utf8',
  }).trim();
}

/** The report's embedded message (the JSON `gog report` writes into its page). */
async function reportMessage(html: string): Promise<{ message: { run: Record<string, unknown> } }> {
  const text = await fs.readFile(html, 'utf8');
  const m = /<script[^>]*id="gog-report"[^>]*>([\s\S]*?)<\/script>/.exec(text);
  assert.ok(m, 'the report embeds its run');
  // The page's first block: the run and its table (src/shared/reportData.ts).
  const data = JSON.parse(m[1]!) as { run: Record<string, unknown> };
  return { message: { run: data.run } };
}

describe('which run is which: identity, name and notes', function () {
  this.timeout(180_000);
  const tmp = tempDir('gog-identity-');
  after(() => tmp.cleanup());

  describe('the workspace commit, read from .git', () => {
    let repo: string;
    let first: string;
    before(async () => {
      repo = path.join(tmp.dir, 'repo');
      await fs.mkdir(path.join(repo, 'sub', 'deeper'), { recursive: true });
      git(repo, 'init', '-q');
      await fs.writeFile(path.join(repo, 'a.txt'), 'a\n');
      git(repo, 'add', '.');
      git(repo, 'commit', '-qm', 'one');
      first = git(repo, 'rev-parse', 'HEAD');
    });

    it('a branch, from a sub-folder, as git says', async () => {
      assert.deepEqual(await gitHead(path.join(repo, 'sub', 'deeper')), { commit: first, branch: 'main' });
    });

    it('packed refs, a detached HEAD, a linked worktree', async () => {
      await fs.writeFile(path.join(repo, 'b.txt'), 'b\n');
      git(repo, 'add', '.');
      git(repo, 'commit', '-qm', 'two');
      const second = git(repo, 'rev-parse', 'HEAD');
      git(repo, 'pack-refs', '--all');
      await assert.rejects(fs.stat(path.join(repo, '.git', 'refs', 'heads', 'main')), 'the ref is packed');
      assert.deepEqual(await gitHead(repo), { commit: second, branch: 'main' });
      const wt = path.join(tmp.dir, 'wt');
      git(repo, 'worktree', 'add', '-q', '-b', 'side', wt, first);
      assert.deepEqual(await gitHead(wt), { commit: first, branch: 'side' });
      git(repo, 'checkout', '-q', '--detach', first);
      assert.deepEqual(await gitHead(repo), { commit: first });
      git(repo, 'checkout', '-q', 'main');
    });

    it('not a repository, or a HEAD that points outside the git folder: nothing', async () => {
      const plain = path.join(tmp.dir, 'plain');
      await fs.mkdir(plain);
      // tmp is not inside a repository (os.tmpdir), so the walk up finds none.
      assert.equal(await gitHead(plain), undefined);
      const evil = path.join(tmp.dir, 'evil');
      await fs.mkdir(path.join(evil, '.git'), { recursive: true });
      await fs.writeFile(path.join(tmp.dir, 'target'), 'a'.repeat(40) + '\n');
      await fs.writeFile(path.join(evil, '.git', 'HEAD'), 'ref: refs/../../../target\n');
      assert.equal(await gitHead(evil), undefined);
    });
  });

  describe('a run made in a repository', () => {
    let repo: string;
    let out: string;
    let commit: string;
    before(async () => {
      repo = path.join(tmp.dir, 'project');
      await fs.mkdir(repo);
      git(repo, 'init', '-q');
      const fx = await writeBenchmark('mmsearch', path.join(repo, 'data'), 3);
      git(repo, 'add', '.');
      git(repo, 'commit', '-qm', 'data');
      commit = git(repo, 'rev-parse', 'HEAD');
      const server = await startReplayServer(fx.recordings);
      try {
        out = path.join(repo, 'runs', 'r1');
        const run = await gog(['bench', fx.file, '--endpoint', server.url, '--out', out, '--cache', path.join(tmp.dir, 'cache'), '--max-turns', '3'], {
          cwd: repo,
        });
        assert.equal(run.code, 0, run.stderr);
      } finally {
        await server.close();
      }
    });

    it('bench.json records the commit and branch; the run says model, endpoint host, dialect, boxes, prompts, turns, search, gog and commit', async () => {
      const meta = await readBenchMeta(out);
      assert.deepEqual(meta.workspace, { commit, branch: 'main' });
      const info = runInfo(await new RunStatusReader().read(out));
      const identity = new Map(info.identity);
      assert.equal(identity.get('model'), 'gog-test-model');
      assert.match(identity.get('endpoint') ?? '', /^127\.0\.0\.1:\d+$/);
      assert.equal(identity.get('max turns'), '3');
      assert.equal(identity.get('commit'), `${commit.slice(0, 12)} (main)`);
      for (const k of ['dialect', 'boxes', 'prompts', 'search', 'gog']) assert.ok(identity.get(k), `${k} is shown`);
      assert.equal(info.name, undefined);
    });

    it('a name and notes given are kept in notes.json and shown in the report, the results untouched', async () => {
      const results = await fs.readFile(path.join(out, 'results.jsonl'));
      await writeRunNotes(out, { name: 'Qwen2.5-VL 7B\tstep 400\u001b[31m', notes: 'lr 1e-6\r\nretries on\u0007' });
      assert.deepEqual(await readRunNotes(out), { name: 'Qwen2.5-VL 7B step 400 [31m', notes: 'lr 1e-6\nretries on' });
      await writeRunNotes(out, { notes: 'second thoughts' });
      assert.deepEqual(await readRunNotes(out), { name: 'Qwen2.5-VL 7B step 400 [31m', notes: 'second thoughts' }, 'the name stays when only the notes change');
      assert.deepEqual(await fs.readFile(path.join(out, 'results.jsonl')), results);
      const html = path.join(tmp.dir, 'r1.html');
      const run = await gog(['report', out, '--out', html]);
      assert.equal(run.code, 0, run.stderr);
      const { message } = await reportMessage(html);
      assert.equal(message.run.name, 'Qwen2.5-VL 7B step 400 [31m');
      assert.equal(message.run.notes, 'second thoughts');
      assert.ok(
        Array.isArray(message.run.identity) &&
          (message.run.identity as [string, string][]).some(([k, v]) => k === 'commit' && v.startsWith(commit.slice(0, 12))),
      );
      await writeRunNotes(out, { name: '' });
      assert.deepEqual(await readRunNotes(out), { notes: 'second thoughts' }, 'an empty name removes it');
    });

    it('a name and notes given at once are both kept: each change reads what the one before wrote', async () => {
      await writeRunNotes(out, { name: '', notes: '' });
      const refused = writeRunNotes(out, { name: 'x'.repeat(MAX_RUN_NAME_CHARS + 1) });
      await Promise.all([
        writeRunNotes(out, { name: 'checkpoint 1200' }),
        assert.rejects(refused, /at most 200 characters/),
        writeRunNotes(out, { notes: 'provider serper' }),
        writeRunNotes(path.join(out, '.', ''), { notes: 'provider serper, judge on' }),
      ]);
      assert.deepEqual(await readRunNotes(out), { name: 'checkpoint 1200', notes: 'provider serper, judge on' });
    });

    it('a name over the limit is refused, not cut; a notes.json that is not ours, or links outside, is named and the run still reads', async () => {
      await assert.rejects(writeRunNotes(out, { name: 'x'.repeat(MAX_RUN_NAME_CHARS + 1) }), /at most 200 characters/);
      await fs.writeFile(path.join(out, 'notes.json'), '{"name": 5');
      await assert.rejects(readRunNotes(out), (e: unknown) => e instanceof RunNotesError && /notes\.json is /.test(e.message));
      const status = await new RunStatusReader().read(out);
      assert.equal(status.notes, undefined);
      assert.match(status.notesProblem ?? '', /notes\.json/);
      assert.equal(status.done, 3);
      const secret = path.join(tmp.dir, 'secret.json');
      await fs.writeFile(secret, JSON.stringify({ name: 'from outside' }));
      await fs.rm(path.join(out, 'notes.json'));
      await fs.symlink(secret, path.join(out, 'notes.json'));
      await assert.rejects(readRunNotes(out), /notes\.json/);
      assert.equal(runInfo(await new RunStatusReader().read(out)).name, undefined);
    });
  });
});
