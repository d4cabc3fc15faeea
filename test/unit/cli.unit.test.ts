// The `gog` command as a user runs it: the built bundle in a child process.
import { strict as assert } from 'node:assert';
import { execFileSync, spawn } from 'node:child_process';
import { CLI, gog, oneErrorLine } from '../helpers/cli';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readTrajectory } from '../../src/core/trajectoryFile';
import { startReplayServer, recordingFromTrajectory, type ReplayServer } from '../../src/model/replayServer';
import { closedEndpoint, CORPUS, DEMO, photo, ROOT, tempDir } from '../helpers/fixtures';
import { blackPng } from '../helpers/images';
import { buildOnce } from '../helpers/build';

const ROCKET_Q = 'From which Lagrange point does the spacecraft launched by this rocket observe the Earth?';

describe('gog command line', function () {
  this.timeout(60_000);
  const tmp = tempDir();
  let server: ReplayServer;
  let rocketArgs: string[];

  before(async () => {
    buildOnce();
    const rec = recordingFromTrajectory(await readTrajectory(path.join(DEMO, 'recorded', '2-rocket-dscovr.trajectory.jsonl')));
    server = await startReplayServer([rec]);
    rocketArgs = ['ask', '--image', photo('rocket.jpg'), '--question', ROCKET_Q, '--endpoint', server.url, '--box-format', 'rel-1000'];
  });
  after(async () => {
    await server.close();
    tmp.cleanup();
  });

  it('answers, streams readable steps and writes the trajectory', async () => {
    const out = path.join(tmp.dir, 'plain');
    const run = await gog([...rocketArgs, '--out', out]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /\[1\] glance +reverse image search on the whole image/);
    assert.match(run.stdout, /1\. Falcon 9 launches DSCOVR/);
    assert.match(run.stdout, /\[2\] search +text: "DSCOVR orbit Lagrange point"/);
    assert.match(run.stdout, /\[3\] answer +Sun–Earth L1/);
    assert.match(run.stdout, /trajectory: .*plain\/trajectory\.jsonl/);
    assert.equal((await readTrajectory(path.join(out, 'trajectory.jsonl'))).problems.length, 0);
  });

  it("tells on stderr that the corpus's image index is being built, once: a fresh cache builds it, the next run loads it", async () => {
    const cache = path.join(tmp.dir, 'fresh-cache');
    const first = await gog([...rocketArgs, '--out', path.join(tmp.dir, 'indexing-1'), '--cache', cache]);
    assert.equal(first.code, 0, first.stderr);
    const images = (await fs.readFile(path.join(CORPUS, 'pages.jsonl'), 'utf8')).split('\n').filter((l) => l.includes('"image"')).length;
    assert.match(first.stderr, /gog: indexing the images of the local corpus .* \(once; later runs load the index\): \d+ of \d+/);
    assert.match(first.stderr, new RegExp(`gog: indexed the ${images} images of the local corpus`));
    assert.doesNotMatch(first.stdout, /gog: index/, 'not among the steps');
    const second = await gog([...rocketArgs, '--out', path.join(tmp.dir, 'indexing-2'), '--cache', cache]);
    assert.equal(second.code, 0, second.stderr);
    assert.doesNotMatch(second.stderr, /gog: index/);
  });

  it('--json prints one JSON line on stdout and nothing else', async () => {
    const out = path.join(tmp.dir, 'json');
    const run = await gog([...rocketArgs, '--out', out, '--json']);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.split('\n').filter(Boolean);
    assert.equal(lines.length, 1);
    const result = JSON.parse(lines[0]!);
    assert.equal(result.answer, 'Sun–Earth L1');
    assert.equal(result.stopReason, 'answered');
    assert.equal(result.turns, 3);
    assert.equal(result.trajectory, path.join(out, 'trajectory.jsonl'));
    assert.ok(existsSync(result.trajectory));
    assert.match(run.stderr, /\[3\] answer/); // the steps went to stderr
  });

  it('defaults the run folder to .gog/runs/<id> under the working folder, and caches searches', async () => {
    const cwd = path.join(tmp.dir, 'cwd');
    await fs.mkdir(cwd);
    const first = await gog([...rocketArgs, '--json'], { cwd });
    assert.equal(first.code, 0, first.stderr);
    const result = JSON.parse(first.stdout);
    assert.match(path.relative(cwd, result.trajectory), /^\.gog\/runs\/\d{8}-\d{6}-[0-9a-f]{6}\/trajectory\.jsonl$/);
    const second = await gog([...rocketArgs], { cwd });
    assert.match(second.stdout, /\(cached\)/);
  });

  it('a run that ends without an answer exits 1 with a one-line reason; the trajectory so far is on disk', async () => {
    const rec = recordingFromTrajectory(await readTrajectory(path.join(DEMO, 'recorded', '2-rocket-dscovr.trajectory.jsonl')));
    const failing = await startReplayServer([rec], { faults: { 2: '500', 3: '500' } });
    try {
      const out = path.join(tmp.dir, 'failing');
      const run = await gog([
        'ask',
        '--image',
        photo('rocket.jpg'),
        '--question',
        ROCKET_Q,
        '--endpoint',
        failing.url,
        '--box-format',
        'rel-1000',
        '--retries',
        '1',
        '--out',
        out,
      ]);
      assert.equal(run.code, 1);
      oneErrorLine(run, /^gog: the run failed: the model endpoint .* answered 500: .*\(trajectory so far: .*failing\/trajectory\.jsonl\)$/);
      const t = await readTrajectory(path.join(out, 'trajectory.jsonl'));
      assert.deepEqual(
        t.events.map((e) => e.type),
        ['model_turn', 'reflection', 'action', 'observation', 'final'],
      );
    } finally {
      await failing.close();
    }
  });

  describe('bad input: a one-line error naming the problem, exit 2, nothing written', () => {
    const cases: [string, () => Promise<string[]>, RegExp][] = [
      ['missing image', async () => ['--image', path.join(tmp.dir, 'nope.jpg')], /^gog: image not found: .*nope\.jpg$/],
      [
        'corrupt image',
        async () => {
          const f = path.join(tmp.dir, 'corrupt.jpg');
          await fs.writeFile(f, (await fs.readFile(photo('rocket.jpg'))).subarray(0, 5000));
          return ['--image', f];
        },
        /^gog: .*corrupt\.jpg could not be decoded \(corrupt or truncated\?\)/,
      ],
      [
        'unsupported format',
        async () => {
          const f = path.join(tmp.dir, 'vector.svg');
          await fs.writeFile(f, '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>');
          return ['--image', f];
        },
        /^gog: .*vector\.svg: unsupported image format "svg"/,
      ],
      [
        'a 20,000×20,000 PNG',
        async () => {
          const f = path.join(tmp.dir, 'huge.png');
          await fs.writeFile(f, blackPng(20000, 20000));
          return ['--image', f];
        },
        /^gog: .*huge\.png is 20000×20000 \(400 megapixels\), over the 200-megapixel limit/,
      ],
      [
        'an unreachable endpoint',
        async () => ['--endpoint', await closedEndpoint(), '--retries', '0'],
        /^gog: cannot reach the model endpoint http:\/\/127\.0\.0\.1:\d+\/v1 \(ECONNREFUSED\); is the server running\?$/,
      ],
      [
        'a wrong model name',
        async () => ['--model', 'qwen-nope'],
        /^gog: the model endpoint .* does not serve model "qwen-nope"; it serves: gog-demo-recorded$/,
      ],
      ['an empty question', async () => ['--question', ''], /^gog: the question is empty/],
      ['a bad number', async () => ['--max-turns', 'many'], /^gog: --max-turns needs a number; got "many"$/],
      ['an unknown dialect', async () => ['--dialect', 'klingon'], /^gog: unknown dialect "klingon"/],
    ];
    for (const [name, extra, pattern] of cases) {
      it(name, async () => {
        const out = path.join(tmp.dir, `bad-${name.replace(/\W+/g, '-')}`);
        const run = await gog([...rocketArgs, '--out', out, ...(await extra())]);
        assert.equal(run.code, 2, run.stderr);
        oneErrorLine(run, pattern);
        assert.equal(run.stdout, '');
        assert.ok(!existsSync(out), 'no run folder');
      });
    }

    it('with --json, the error is also the one JSON line', async () => {
      const run = await gog([...rocketArgs, '--json', '--question', ' ']);
      assert.equal(run.code, 2);
      const result = JSON.parse(run.stdout);
      assert.deepEqual([result.answer, result.stopReason, result.turns, result.trajectory], [null, 'error', 0, null]);
      assert.match(result.error, /question is empty/);
    });

    it('usage errors name the option', async () => {
      const run = await gog(['ask', '--question', 'q']);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /^gog: --image PATH is required\nrun "gog help" for usage\n$/);
      const unknown = await gog(['ask', '--image', 'x', '--question', 'q', '--frobnicate']);
      assert.match(unknown.stderr, /Unknown option '--frobnicate'/);
    });
  });

  it('a corpus with a broken line: a warning with the line number, and the run goes on', async () => {
    const dir = path.join(tmp.dir, 'corpus');
    await fs.mkdir(dir);
    const lines = (await fs.readFile(path.join(CORPUS, 'pages.jsonl'), 'utf8')).split('\n').filter((l) => l && !l.includes('"image"'));
    await fs.writeFile(path.join(dir, 'pages.jsonl'), [...lines.slice(0, 3), '{"id": "x", "title": 7}', ...lines.slice(3)].join('\n'));
    const run = await gog([...rocketArgs, '--corpus', dir, '--out', path.join(tmp.dir, 'with-broken-corpus')]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /^gog: warning: .*pages\.jsonl:4: not a page: title: .*\(skipped; the rest of the corpus loaded\)$/m);
  });

  it('gog replay serves a written trajectory, and asking again reproduces the run', async () => {
    const out = path.join(tmp.dir, 'original');
    assert.equal((await gog([...rocketArgs, '--out', out])).code, 0);
    const child = spawn(process.execPath, [CLI, 'replay', path.join(out, 'trajectory.jsonl')], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let text = '';
        child.stdout.on('data', (d) => {
          text += d;
          const m = /at (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(text);
          if (m) resolve(m[1]!);
        });
        child.on('close', (code) => reject(new Error(`replay exited ${code}: ${text}`)));
      });
      const again = path.join(tmp.dir, 'again');
      const run = await gog([
        'ask',
        '--image',
        photo('rocket.jpg'),
        '--question',
        ROCKET_Q,
        '--endpoint',
        url,
        '--box-format',
        'rel-1000',
        '--out',
        again,
        '--json',
      ]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(JSON.parse(run.stdout).answer, 'Sun–Earth L1');
      const kinds = async (dir: string) =>
        (await readTrajectory(path.join(dir, 'trajectory.jsonl'))).events.map((e) => (e.type === 'action' ? e.action.kind : e.type));
      assert.deepEqual(await kinds(again), await kinds(out));
    } finally {
      const closed = new Promise((r) => child.on('close', r));
      child.kill('SIGINT');
      await closed;
    }
  });

  it('gog demo replays the bundled questions and writes their trajectories', async () => {
    const out = path.join(tmp.dir, 'demo');
    const run = await gog(['demo', '--out', out]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    for (const name of ['1-astronaut-patch', '2-rocket-dscovr', '3-hubble-galaxies', '4-chelsea-name', '5-coffee-no-search']) {
      const t = await readTrajectory(path.join(out, name, 'trajectory.jsonl'));
      assert.deepEqual(t.problems, []);
      assert.equal((t.events.at(-1) as { stopReason: string }).stopReason, 'answered', name);
    }
    assert.match(run.stdout, /\[2\] reflect +The results only say this is a desk model/);
    assert.match(run.stdout, /\[4\] done +answered in 4 turns/);
  });

  it('npx gog works from the repository root', async () => {
    const out = execFileSync('npx', ['--no-install', 'gog', 'help'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    assert.match(out, /^gog — the Glance-or-Gaze/);
  });
});
