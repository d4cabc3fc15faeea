// Run folders from someone else whose own files are links to a secret outside: results.jsonl,
// summary.json, queries.jsonl, a sample's trajectory.jsonl, a sample's whole folder. For
// gog report, compare, merge, export and label, the secret never appears in any output or
// any file written, and each refusal is one warning (or one error) naming the file. A hard
// link is a regular file inside the folder, and is read.
import { strict as assert } from 'node:assert';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { startReplayServer, type ReplayServer } from '../../src/model/replayServer';
import { benchArgs, writeBenchmark, type BenchFixture } from '../helpers/benchmarks';
import { summaryOf } from '../helpers/benchRuns';
import { gog, type Run } from '../helpers/cli';
import { tempDir } from '../helpers/fixtures';
import { buildOnce } from '../helpers/build';

const SECRET = 'hunter2-SECRET';

/** Every file under `dir` (links not followed) that holds the secret. */
async function filesWithSecret(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await fs.readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && (await fs.readFile(p)).includes(SECRET)) found.push(p);
    }
  };
  await walk(dir);
  return found;
}

function noSecretIn(run: Run): void {
  assert.ok(!`${run.stdout}${run.stderr}`.includes('hunter2'), `the secret leaked:\n${run.stdout}\n${run.stderr}`);
}

const warnings = (run: Run) => run.stderr.split('\n').filter((l) => l.startsWith('gog: warning:'));

describe('run folder files that link outside it are never read', function () {
  this.timeout(180_000);
  const tmp = tempDir('gog-run-links-');
  const outside = path.join(tmp.dir, 'outside');
  let fx: BenchFixture;
  let server: ReplayServer;
  let base: string;

  /** A copy of the benchmark run, changed by `plant`. */
  async function variant(name: string, plant: (dir: string) => Promise<void>): Promise<string> {
    const dir = path.join(tmp.dir, name);
    await fs.cp(base, dir, { recursive: true });
    await plant(dir);
    return dir;
  }

  before(async () => {
    buildOnce();
    fx = await writeBenchmark('simplevqa', path.join(tmp.dir, 'data'), 6);
    server = await startReplayServer(fx.recordings);
    base = path.join(tmp.dir, 'base');
    const run = await gog(['bench', ...benchArgs(fx, server.url, base, path.join(tmp.dir, 'cache'))], { cwd: tmp.dir });
    assert.equal(run.code, 0, run.stderr);
    await fs.mkdir(outside);
    // Secrets shaped to be read: a results line and a summary that parse, a trajectory that is labelled.
    const lines = (await fs.readFile(path.join(base, 'results.jsonl'), 'utf8')).trim().split('\n');
    const first = JSON.parse(lines[0]!) as { question: string };
    await fs.writeFile(
      path.join(outside, 'secret-results.jsonl'),
      `${JSON.stringify({ ...first, question: `what is ${SECRET}?` })}\n${SECRET} line two\nroot:x:0:0:${SECRET}\n`,
    );
    await fs.writeFile(path.join(outside, 'secret-summary.json'), JSON.stringify(summaryOf([], { dataset: `/private/${SECRET}.jsonl` })));
    await fs.writeFile(path.join(outside, 'secret.txt'), `${SECRET}\n`);
    const t = (await fs.readFile(path.join(base, 'samples', '0-0', 'trajectory.jsonl'), 'utf8')).trim().split('\n');
    const header = { ...JSON.parse(t[0]!), question: `what is ${SECRET}?` };
    const label = { type: 'annotation', step: 0, t: '2026-11-24T10:00:00.000Z', id: 'x1', edit: { op: 'label', label: 'accepted' } };
    await fs.writeFile(path.join(outside, 'secret-trajectory.jsonl'), [JSON.stringify(header), ...t.slice(1), JSON.stringify(label)].join('\n') + '\n');
    await fs.cp(path.join(base, 'samples', '1-0'), path.join(outside, 'secret-sample'), { recursive: true });
    await fs.writeFile(path.join(outside, 'secret-sample', 'notes.txt'), SECRET);
  });
  after(async () => {
    await server.close();
    tmp.cleanup();
  });

  describe('gog report', () => {
    it('results.jsonl links outside: one warning naming it, nothing of it in the report', async () => {
      const dir = await variant('r-results', async (d) => {
        await fs.rm(path.join(d, 'results.jsonl'));
        await fs.symlink(path.join(outside, 'secret-results.jsonl'), path.join(d, 'results.jsonl'));
      });
      const run = await gog(['report', dir]);
      assert.equal(run.code, 0, run.stderr);
      noSecretIn(run);
      assert.deepEqual(warnings(run), ['gog: warning: results.jsonl links to a file outside the run folder; not read (left out of the report)']);
      assert.deepEqual(await filesWithSecret(dir), []);
      assert.match(run.stdout, /report: .*report\.html \(\d+ KB, 0 samples; trajectories of 0: 0 of 0 failures\)/);
    });

    it('summary.json links outside: one warning naming it, nothing of it in the report', async () => {
      const dir = await variant('r-summary', async (d) => {
        await fs.rm(path.join(d, 'summary.json'));
        await fs.symlink(path.join(outside, 'secret-summary.json'), path.join(d, 'summary.json'));
      });
      const run = await gog(['report', dir]);
      assert.deepEqual(await filesWithSecret(dir), []);
      assert.equal(run.code, 0, run.stderr);
      noSecretIn(run);
      assert.deepEqual(warnings(run), ['gog: warning: summary.json links to a file outside the run folder; not read']);
    });

    it("a sample's trajectory.jsonl links outside: its report is refused in one line, nothing written", async () => {
      const dir = await variant('r-trajectory', async (d) => {
        await fs.rm(path.join(d, 'samples', '0-0', 'trajectory.jsonl'));
        await fs.symlink(path.join(outside, 'secret-trajectory.jsonl'), path.join(d, 'samples', '0-0', 'trajectory.jsonl'));
      });
      const run = await gog(['report', path.join(dir, 'samples', '0-0')]);
      assert.deepEqual(await filesWithSecret(dir), []);
      assert.equal(run.code, 2, run.stderr);
      noSecretIn(run);
      assert.match(run.stderr, /^gog: .*samples\/0-0\/trajectory\.jsonl links to a file outside the run folder; no report made\n$/);
      assert.ok(!existsSync(path.join(dir, 'samples', '0-0', 'report.html')));
    });

    it('a hard link is a regular file inside the folder: it is read', async () => {
      const copy = path.join(outside, 'results-copy.jsonl');
      await fs.copyFile(path.join(base, 'results.jsonl'), copy);
      const dir = await variant('r-hardlink', async (d) => {
        await fs.rm(path.join(d, 'results.jsonl'));
        await fs.link(copy, path.join(d, 'results.jsonl'));
      });
      const run = await gog(['report', dir]);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(warnings(run), []);
      assert.match(run.stdout, /\(\d+ KB, 6 samples; trajectories of \d+/);
    });
  });

  it('gog compare: B’s results.jsonl links outside: one warning naming it, the secret nowhere', async () => {
    const dir = await variant('c-results', async (d) => {
      await fs.rm(path.join(d, 'results.jsonl'));
      await fs.symlink(path.join(outside, 'secret-results.jsonl'), path.join(d, 'results.jsonl'));
    });
    const run = await gog(['compare', base, dir, '--json']);
    assert.equal(run.code, 0, run.stderr);
    noSecretIn(run);
    assert.deepEqual(warnings(run), ['gog: warning: B, results.jsonl links to a file outside the run folder; not read (skipped)']);
  });

  describe('gog merge', () => {
    it('results.jsonl links outside: one line naming it; the merged run holds nothing of the secret', async () => {
      const dir = await variant('m-results', async (d) => {
        await fs.rm(path.join(d, 'results.jsonl'));
        await fs.symlink(path.join(outside, 'secret-results.jsonl'), path.join(d, 'results.jsonl'));
      });
      const out = path.join(tmp.dir, 'merged-1');
      const run = await gog(['merge', dir, '--out', out]);
      assert.deepEqual(await filesWithSecret(out), []);
      // Its results are left out, so the merge lacks them: written, said INCOMPLETE, exit 1.
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, /^gog: INCOMPLETE: /m);
      noSecretIn(run);
      assert.equal(run.stderr.split('\n').filter((l) => /results\.jsonl links to a file outside the run folder/.test(l)).length, 1, run.stderr);
      assert.deepEqual(await filesWithSecret(out), []);
    });

    it("a sample's folder (and queries.jsonl) linked outside: not merged, said in one line; nothing of the secret in the merged run", async () => {
      const dir = await variant('m-sample', async (d) => {
        await fs.rm(path.join(d, 'samples', '1-0'), { recursive: true });
        await fs.symlink(path.join(outside, 'secret-sample'), path.join(d, 'samples', '1-0'));
        await fs.rm(path.join(d, 'queries.jsonl'));
        await fs.symlink(path.join(outside, 'secret.txt'), path.join(d, 'queries.jsonl'));
      });
      const out = path.join(tmp.dir, 'merged-2');
      const run = await gog(['merge', dir, '--out', out]);
      assert.deepEqual(await filesWithSecret(out), []);
      assert.equal(run.code, 0, run.stderr);
      noSecretIn(run);
      assert.equal(
        run.stderr.split('\n').filter((l) => /samples\/1-0 is a link, not a folder of the run; its files are not merged/.test(l)).length,
        1,
        run.stderr,
      );
      assert.deepEqual(await filesWithSecret(out), []);
      assert.ok(existsSync(path.join(out, 'samples', '0-0', 'trajectory.jsonl')), 'the other samples are merged');
    });
  });

  it('gog export: a trajectory.jsonl that links outside its run folder is skipped in one warning; the export holds nothing of it', async () => {
    const dir = await variant('e-trajectory', async (d) => {
      await fs.rm(path.join(d, 'samples', '0-0', 'trajectory.jsonl'));
      await fs.symlink(path.join(outside, 'secret-trajectory.jsonl'), path.join(d, 'samples', '0-0', 'trajectory.jsonl'));
    });
    const out = path.join(tmp.dir, 'export-1');
    const run = await gog(['export', path.join(dir, 'samples', '0-0', 'trajectory.jsonl'), '--format', 'openai', '--out', out, '--json']);
    assert.deepEqual(await filesWithSecret(out), []);
    assert.equal(run.code, 0, run.stderr);
    noSecretIn(run);
    assert.equal(warnings(run).length, 1, run.stderr);
    assert.match(warnings(run)[0]!, /trajectory\.jsonl: skipped: it cannot be read: trajectory\.jsonl links to a file outside the run folder; not read$/);
    assert.equal(JSON.parse(run.stdout).exported, 0);
    assert.deepEqual(await filesWithSecret(out), []);
  });

  it('gog label: a trajectory.jsonl that links outside is neither read nor written: one line, the target unchanged', async () => {
    const target = path.join(outside, 'secret-trajectory.jsonl');
    const before = await fs.readFile(target);
    const dir = await variant('l-trajectory', async (d) => {
      await fs.rm(path.join(d, 'samples', '0-0', 'trajectory.jsonl'));
      await fs.symlink(target, path.join(d, 'samples', '0-0', 'trajectory.jsonl'));
    });
    const run = await gog(['label', path.join(dir, 'samples', '0-0', 'trajectory.jsonl'), 'rejected', '--note', 'x']);
    assert.ok((await fs.readFile(target)).equals(before), 'the file the link points to was not written');
    assert.equal(run.code, 1, run.stderr);
    noSecretIn(run);
    assert.match(run.stderr, /^gog: .*trajectory\.jsonl links to a file outside the run folder; not read or labelled\n$/);
    assert.ok((await fs.readFile(target)).equals(before), 'the file the link points to was not written');
  });
});
