// A full disk, for real: the run folder on a small tmpfs, filled so that the failing write
// lands in each file in turn (the image as sent, run.json at the start and at the end, a
// gaze crop, an evidence thumbnail, a trajectory line; for a benchmark, bench.json,
// results.jsonl, summary.json, a sample's files). Every time the command ends with one line
// naming the file and the cause, a non-zero exit (2 when nothing could be written at the
// start, and then nothing is left), and no torn file that claims success: no temporary
// file, no half image, a trajectory that ends on a whole line, run.json never "finished".
// Needs root to mount tmpfs (this machine and CI run as root); without root it is skipped,
// saying why; as root, a mount that fails fails the test.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { readTrajectory } from '../../src/core/trajectoryFile';
import { readResults } from '../../src/data/resultsLog';
import { recordingFromTrajectory, startReplayServer, type ReplayServer } from '../../src/model/replayServer';
import { benchArgs, writeBenchmark, type BenchFixture } from '../helpers/benchmarks';
import { gog, type Run } from '../helpers/cli';
import { DEMO, photo, tempDir } from '../helpers/fixtures';
import { buildOnce } from '../helpers/build';

const PAGE = 4096;
const pages = (bytes: number) => Math.ceil(bytes / PAGE);
const isRoot = process.getuid?.() === 0;
const ASTRONAUT_Q = 'Which space telescope was deployed on the mission whose patch this astronaut is wearing?';
const ENOSPC_LINE = /^gog: no space left on device \(ENOSPC\) writing (\S+)$/;

/** Every file under `dir`, relative, links not followed. */
async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await fs.readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out.push(path.relative(dir, p));
    }
  };
  await walk(dir);
  return out.sort();
}

/** The one error line of a failed command, and the file it names. */
function failedWrite(run: Run): string {
  const errors = run.stderr
    .trim()
    .split('\n')
    // Warnings and the dataset's records that were skipped are not errors.
    .filter((l) => l.startsWith('gog: ') && !l.startsWith('gog: warning') && !l.endsWith('(skipped)'));
  assert.equal(errors.length, 1, `one error line: ${run.stderr}`);
  const m = ENOSPC_LINE.exec(errors[0]!);
  assert.ok(m, `the line names the cause and the file: ${errors[0]}`);
  return m[1]!;
}

/** Nothing torn: no temporary file, every image whole, every trajectory ending on a whole line that parses. */
async function nothingTorn(dir: string): Promise<void> {
  for (const rel of await files(dir)) {
    const file = path.join(dir, rel);
    assert.ok(!/\.tmp$|\.partial/.test(rel), `a temporary file was left: ${rel}`);
    if (/\.(jpe?g|png)$/.test(rel))
      await sharp(file)
        .raw()
        .toBuffer()
        .catch((e: Error) => assert.fail(`${rel} is not a whole image: ${e.message}`));
    if (rel.endsWith('.jsonl')) {
      const text = await fs.readFile(file, 'utf8');
      assert.ok(text === '' || text.endsWith('\n'), `${rel} ends on a torn line`);
    }
    if (rel.endsWith('trajectory.jsonl')) assert.deepEqual((await readTrajectory(file)).problems, [], `${rel} reads without problems`);
    if (rel.endsWith('.json')) JSON.parse(await fs.readFile(file, 'utf8'));
  }
}

describe('a full disk: every write checked, no torn file claims success', function () {
  this.timeout(300_000);
  const tmp = tempDir('gog-disk-full-');
  const cache = path.join(tmp.dir, 'cache');
  const mounts: string[] = [];
  let level = 0;

  /** A fresh tmpfs of `n` pages. */
  async function disk(n: number): Promise<string> {
    const dir = path.join(tmp.dir, `disk-${++level}-${n}`);
    await fs.mkdir(dir);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${n * 4}k`, 'tmpfs', dir]);
    } catch (e) {
      throw new Error(`running as root, but tmpfs could not be mounted at ${dir}: ${(e as Error).message}`, { cause: e });
    }
    mounts.push(dir);
    return dir;
  }

  before(function () {
    if (!isRoot) {
      console.log('    (skipped: mounting a small tmpfs to fill needs root; run as root, as CI does)');
      this.skip();
    }
    buildOnce();
  });
  after(() => {
    for (const m of mounts) execFileSync('umount', [m]);
    tmp.cleanup();
  });

  describe('gog ask', () => {
    let server: ReplayServer;
    let ask: (out: string) => Promise<Run>;
    /** For each write of a whole run, in order: what it writes and the disk sizes (in pages) at which it is the write that fails. */
    let plan: { what: string; from: number; to: number }[];

    before(async () => {
      const rec = recordingFromTrajectory(await readTrajectory(path.join(DEMO, 'recorded', '1-astronaut-patch.trajectory.jsonl')));
      server = await startReplayServer([rec]);
      ask = (out) =>
        gog([
          'ask',
          '--image',
          photo('astronaut.png'),
          '--question',
          ASTRONAUT_Q,
          '--endpoint',
          server.url,
          '--box-format',
          'pixels-sent',
          '--cache',
          cache,
          '--out',
          out,
        ]);
      // A reference run on a disk with room (it also builds the corpus index in the cache, off the small disks).
      const ref = path.join(tmp.dir, 'reference');
      const run = await ask(ref);
      assert.equal(run.code, 0, run.stderr);
      // The writes of a run, in the order the recorder makes them, and the pages each needs.
      const size = async (rel: string) => (await fs.stat(path.join(ref, rel))).size;
      const lines = (await fs.readFile(path.join(ref, 'trajectory.jsonl'), 'utf8')).split('\n').filter(Boolean);
      const t = await readTrajectory(path.join(ref, 'trajectory.jsonl'));
      const runJson = await size('run.json');
      plan = [];
      let used = 0;
      let trajectory = 0;
      const newFile = (what: string, bytes: number) => {
        plan.push({ what, from: used, to: used + pages(bytes) - 1 });
        used += pages(bytes);
      };
      const append = (bytes: number) => {
        const more = pages(trajectory + bytes) - pages(trajectory);
        if (more) plan.push({ what: 'trajectory.jsonl', from: used, to: used + more - 1 });
        used += more;
        trajectory += bytes;
      };
      append(lines[0]!.length + 1);
      newFile(t.header!.image.path, await size(t.header!.image.path));
      newFile('images/sent.jpg', await size('images/sent.jpg'));
      newFile('run.json', runJson);
      for (const [i, e] of t.events.entries()) {
        if (e.type === 'action' && e.action.kind === 'image_search' && e.action.crop) newFile(e.action.crop, await size(e.action.crop));
        if (e.type === 'observation') for (const r of e.results) if (r.thumbnail) newFile(r.thumbnail, await size(r.thumbnail));
        append(Buffer.byteLength(lines[i + 1]!) + 1);
      }
      // The last run.json is written beside the first, then takes its place.
      plan.push({ what: 'run.json', from: used, to: used + pages(runJson) - 1 });
    });
    after(() => server?.close());

    /** Runs on disks of `n - 1`, `n` and `n + 1` pages; checks each; returns the files the failures named. */
    async function around(n: number): Promise<string[]> {
      const named: string[] = [];
      for (const size of [n - 1, n, n + 1]) {
        const mount = await disk(size);
        const out = path.join(mount, 'run');
        const run = await ask(out);
        const where = `on a disk of ${size} pages (exit ${run.code}): ${run.stderr}`;
        if (run.code === 0) {
          // It fitted: a whole run.
          assert.equal(JSON.parse(await fs.readFile(path.join(out, 'run.json'), 'utf8')).status, 'finished', where);
          await nothingTorn(mount);
          continue;
        }
        await nothingTorn(mount);
        const file = failedWrite(run);
        named.push(path.relative(out, file));
        if (run.code === 2) {
          assert.ok(!existsSync(out), `nothing is left when the run could not start, ${where}`);
        } else {
          assert.equal(run.code, 1, where);
          const t = await readTrajectory(path.join(out, 'trajectory.jsonl'));
          for (const rel of [
            ...new Set(
              t.events.flatMap((e) =>
                e.type === 'observation' ? e.results.map((r) => r.thumbnail) : e.type === 'action' && e.action.kind === 'image_search' ? [e.action.crop] : [],
              ),
            ),
          ])
            if (rel) assert.ok(existsSync(path.join(out, rel)), `the trajectory names ${rel}, which is there, ${where}`);
          const status = existsSync(path.join(out, 'run.json'))
            ? (JSON.parse(await fs.readFile(path.join(out, 'run.json'), 'utf8')) as { status: string }).status
            : 'none';
          assert.notEqual(status, 'finished', `run.json does not claim success, ${where}`);
        }
      }
      return named;
    }

    const target = (what: (p: { what: string }) => boolean, nth = 0) => {
      const found = plan.filter(what)[nth];
      assert.ok(found, 'the run makes this write');
      return found.from;
    };

    it('the image as sent (sent.jpg): exit 2, nothing left, no half image', async () => {
      assert.ok((await around(target((p) => p.what === 'images/sent.jpg') + 2)).includes('images/sent.jpg'));
    });

    it('run.json at the start: exit 2, nothing left', async () => {
      assert.ok((await around(target((p) => p.what === 'run.json'))).includes('run.json'));
    });

    it('a gaze crop: exit 1, no half crop; run.json says the run failed', async () => {
      const n = target((p) => p.what.endsWith('-crop.jpg')) + 1;
      assert.ok((await around(n)).some((f) => /-crop\.jpg$/.test(f)));
      // The crop's pages, freed again, leave room to say so.
      const out = path.join(mounts.at(-2)!, 'run');
      assert.equal(JSON.parse(await fs.readFile(path.join(out, 'run.json'), 'utf8')).status, 'failed');
    });

    it('an evidence thumbnail: exit 1, no half thumbnail', async () => {
      assert.ok((await around(target((p) => /-img-r\d+\.jpg$/.test(p.what)) + 1)).some((f) => /-img-r\d+\.jpg$/.test(f)));
    });

    it('a trajectory line: exit 1, the trajectory ends on its last whole line', async () => {
      assert.ok((await around(target((p) => p.what === 'trajectory.jsonl', 1))).includes('trajectory.jsonl'));
    });

    it('run.json at the end, after the answer: exit 1, never "answered" with exit 0', async () => {
      assert.ok((await around(target((p) => p.what === 'run.json', 1))).includes('run.json'));
    });
  });

  describe('gog bench', () => {
    let fx: BenchFixture;
    let server: ReplayServer;
    let full: number;
    // One sample: nothing the clock decides (a summary rewritten between samples on a slow machine) moves where the disk fills.
    const bench = (out: string) => gog(['bench', ...benchArgs(fx, server.url, out, cache, ['--concurrency', '1', '--limit', '1'])], { cwd: tmp.dir });

    before(async () => {
      // Samples the model answers at once: a few small files each, so every size of disk can be tried.
      fx = await writeBenchmark('simplevqa', path.join(tmp.dir, 'data'), 2, undefined, ['direct']);
      server = await startReplayServer(fx.recordings);
      const ref = path.join(tmp.dir, 'bench-reference');
      const run = await bench(ref);
      assert.equal(run.code, 0, run.stderr);
      full = 0;
      for (const rel of await files(ref)) full += pages((await fs.stat(path.join(ref, rel))).size);
    });
    after(() => server?.close());

    it('on every size of disk too small for the run: one line naming the file, exit 1 (2 when it could not start, and nothing left), bench.lock released, nothing torn', async () => {
      const named = new Set<string>();
      const codes = new Set<number | null>();
      for (let size = 1; size <= full + 1; size++) {
        const mount = await disk(size);
        const out = path.join(mount, 'run');
        const run = await bench(out);
        const where = `on a disk of ${size} pages (exit ${run.code}): ${run.stderr}`;
        assert.ok(!existsSync(path.join(out, 'bench.lock')), `bench.lock is released, ${where}`);
        if (run.code === 0) {
          await nothingTorn(mount);
          continue;
        }
        codes.add(run.code);
        await nothingTorn(mount);
        const file = path.relative(out, failedWrite(run));
        named.add(file.replace(/^samples\/[^/]+\//, 'samples/*/'));
        if (run.code === 2) assert.ok(!existsSync(out), `nothing is left when the run could not start, ${where}`);
        else {
          assert.equal(run.code, 1, where);
          const results = existsSync(path.join(out, 'results.jsonl')) ? await readResults(path.join(out, 'results.jsonl')) : undefined;
          assert.ok(!results?.tail && !results?.problems.length, `results.jsonl holds whole results only, ${where}`);
        }
      }
      // bench.json is one page: the first file that cannot fit at the start is the lock beside it.
      for (const expected of ['bench.lock', 'summary.json', 'results.jsonl', 'samples/*/trajectory.jsonl', 'samples/*/images/sent.jpg', 'samples/*/run.json'])
        assert.ok(named.has(expected), `a failure landed in ${expected}: ${[...named].join(', ')}`);
      assert.ok(codes.has(2) && codes.has(1), `both a run that could not start and one that stopped: ${[...codes].join(', ')}`);
    });
  });
});
