// Every command's --out, given what it must refuse: a dangling symbolic link, a link to a
// folder, a file, a folder that holds files, a folder it cannot write (a read-only file
// system, so even root cannot). Each exits 2 with one line naming the problem, asks no
// endpoint (a canary on 127.0.0.1 hears nothing), and creates nothing anywhere in the
// working directory. A report --out that is a file or a folder is refused the same way.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { startReplayServer } from '../../src/model/replayServer';
import { benchArgs, writeBenchmark, type BenchFixture } from '../helpers/benchmarks';
import { gog } from '../helpers/cli';
import { photo, tempDir } from '../helpers/fixtures';
import { snapshot } from '../helpers/tree';
import { startWireServer, type WireServer } from '../helpers/wireServer';
import { buildOnce } from '../helpers/build';

const isRoot = process.getuid?.() === 0;
const ROCKET_Q = 'From which Lagrange point does the spacecraft launched by this rocket observe the Earth?';

type Kind = 'folder' | 'file';
type OutCase = 'dangling link' | 'link to a folder' | 'a file' | 'a folder with files' | 'an unwritable folder';
const CASES: OutCase[] = ['dangling link', 'link to a folder', 'a file', 'a folder with files', 'an unwritable folder'];

describe('--out of every command: refused in one line, exit 2, nothing created', function () {
  this.timeout(120_000);
  const tmp = tempDir('gog-out-');
  const inputs = path.join(tmp.dir, 'inputs');
  const readOnly = path.join(tmp.dir, 'read-only');
  let mounted = false;
  let canary: WireServer;
  let fx: BenchFixture;
  let commands: { name: string; kind: Kind; args: (out: string) => string[] }[];

  before(async () => {
    buildOnce();
    canary = await startWireServer((_req, res) => {
      res.writeHead(500);
      res.end();
    });
    // What the commands read, made outside the working directories they run in.
    await fs.mkdir(inputs);
    const demo = await gog(['demo', '--out', path.join(inputs, 'demo')], { cwd: inputs });
    assert.equal(demo.code, 0, demo.stderr);
    fx = await writeBenchmark('simplevqa', path.join(inputs, 'data'), 4);
    const replay = await startReplayServer(fx.recordings);
    const bench = await gog(['bench', ...benchArgs(fx, replay.url, path.join(inputs, 'bench'), path.join(inputs, 'cache'))], { cwd: inputs });
    await replay.close();
    assert.equal(bench.code, 0, bench.stderr);
    const image = `data:image/jpeg;base64,${(await sharp(photo('chelsea.png')).resize(96, 64).jpeg().toBuffer()).toString('base64')}`;
    await fs.writeFile(
      path.join(inputs, 'chat.jsonl'),
      JSON.stringify({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image_url', image_url: { url: image } },
              { type: 'text', text: 'Whose cat is this?' },
            ],
          },
          { role: 'assistant', content: '<answer>Chelsea</answer>' },
        ],
      }) + '\n',
    );
    const run = path.join(inputs, 'demo', '1-astronaut-patch');
    const trajectory = path.join(run, 'trajectory.jsonl');
    commands = [
      {
        name: 'ask',
        kind: 'folder',
        args: (out) => ['ask', '--image', photo('rocket.jpg'), '--question', ROCKET_Q, '--endpoint', canary.url, '--out', out],
      },
      { name: 'bench', kind: 'folder', args: (out) => ['bench', fx.file, '--endpoint', canary.url, '--out', out] },
      { name: 'rerun', kind: 'folder', args: (out) => ['rerun', trajectory, '--from-step', '2', '--endpoint', canary.url, '--out', out] },
      { name: 'export', kind: 'folder', args: (out) => ['export', run, '--format', 'openai', '--out', out] },
      { name: 'import', kind: 'folder', args: (out) => ['import', path.join(inputs, 'chat.jsonl'), '--format', 'openai-chat', '--out', out] },
      { name: 'merge', kind: 'folder', args: (out) => ['merge', path.join(inputs, 'bench'), '--out', out] },
      { name: 'demo', kind: 'folder', args: (out) => ['demo', '--out', out] },
      { name: 'export-rl', kind: 'file', args: (out) => ['export-rl', path.join(inputs, 'bench'), '--out', out] },
      { name: 'report', kind: 'file', args: (out) => ['report', run, '--out', out] },
      { name: 'report --csv', kind: 'file', args: (out) => ['report', path.join(inputs, 'bench'), '--csv', out] },
      { name: 'report --parquet', kind: 'file', args: (out) => ['report', path.join(inputs, 'bench'), '--parquet', out] },
    ];
    // A folder nobody may write, root included: a read-only file system. Without root, a folder without write permission.
    await fs.mkdir(readOnly);
    if (isRoot) {
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', readOnly]);
        mounted = true;
      } catch (e) {
        throw new Error(`running as root, but a read-only tmpfs could not be mounted at ${readOnly}: ${(e as Error).message}`, { cause: e });
      }
    } else await fs.chmod(readOnly, 0o555);
  });
  after(async () => {
    await canary?.close();
    if (mounted) execFileSync('umount', [readOnly]);
    else await fs.chmod(readOnly, 0o755).catch(() => undefined);
    tmp.cleanup();
  });

  /** A fresh working directory holding what the case needs; returns the --out to give. */
  async function setUp(cwd: string, c: OutCase, kind: Kind): Promise<string> {
    await fs.mkdir(cwd);
    const name = kind === 'file' ? 'out.html' : 'out';
    switch (c) {
      case 'dangling link':
        await fs.symlink(path.join(cwd, 'nowhere'), path.join(cwd, name));
        return path.join(cwd, name);
      case 'link to a folder':
        await fs.mkdir(path.join(cwd, 'elsewhere'));
        await fs.symlink(path.join(cwd, 'elsewhere'), path.join(cwd, name));
        return path.join(cwd, name);
      case 'a file':
        await fs.writeFile(path.join(cwd, name), 'mine');
        return path.join(cwd, name);
      case 'a folder with files':
        await fs.mkdir(path.join(cwd, name));
        await fs.writeFile(path.join(cwd, name, 'keep.txt'), 'mine');
        return path.join(cwd, name);
      case 'an unwritable folder':
        return path.join(readOnly, name);
    }
  }

  const expected: Record<OutCase, RegExp> = {
    'dangling link': /is a symbolic link to nothing; give .* not a link$/,
    'link to a folder': /is a symbolic link; give .* not a link$/,
    'a file': /is a file|already exists; give a new file name/,
    'a folder with files': /is not empty \(keep\.txt\)|is a folder; give the name of a new file|not empty and holds no benchmark run/,
    'an unwritable folder': /is not writable/,
  };

  for (const c of CASES) {
    it(`every command refuses ${c}`, async function () {
      const failures: string[] = [];
      for (const cmd of commands) {
        const cwd = path.join(tmp.dir, `${cmd.name}-${c.replace(/\W+/g, '-')}`);
        const out = await setUp(cwd, c, cmd.kind);
        const before = await snapshot(cwd);
        const requests = canary.requests.length;
        const run = await gog(cmd.args(out), { cwd });
        const lines = run.stderr.trim().split('\n').filter(Boolean);
        const problems = [
          run.code !== 2 && `exit ${run.code}`,
          lines.length !== 1 && `${lines.length} lines`,
          !(lines[0] ?? '').startsWith('gog: ') && 'not a gog: line',
          !expected[c].test(lines[0] ?? '') && 'wrong message',
          canary.requests.length !== requests && 'asked the endpoint',
          JSON.stringify(await snapshot(cwd)) !== JSON.stringify(before) && `created or changed files: ${JSON.stringify(Object.keys(await snapshot(cwd)))}`,
        ].filter(Boolean);
        if (problems.length) failures.push(`${cmd.name}: ${problems.join(', ')} — ${run.stderr.trim().replace(/\n/g, ' | ')}`);
      }
      assert.deepEqual(failures, []);
    });
  }

  it('gog report --out: a file is never written over (one line, exit 2); a folder is refused the same way, not with a raw EISDIR', async () => {
    const cwd = path.join(tmp.dir, 'report-over');
    await fs.mkdir(cwd);
    await fs.writeFile(path.join(cwd, 'mine.html'), 'my page');
    await fs.mkdir(path.join(cwd, 'folder'));
    const run = path.join(inputs, 'demo', '2-rocket-dscovr');
    const over = await gog(['report', run, '--out', 'mine.html'], { cwd });
    assert.equal(over.code, 2, over.stderr);
    assert.equal(over.stderr, `gog: --out ${path.join(cwd, 'mine.html')} already exists; give a new file name (the report is never written over a file)\n`);
    assert.equal(await fs.readFile(path.join(cwd, 'mine.html'), 'utf8'), 'my page');
    const folder = await gog(['report', run, '--out', 'folder'], { cwd });
    assert.equal(folder.code, 2, folder.stderr);
    assert.equal(folder.stderr, `gog: --out ${path.join(cwd, 'folder')} is a folder; give the name of a new file for the report\n`);
    assert.deepEqual(await fs.readdir(path.join(cwd, 'folder')), []);
    const fresh = await gog(['report', run, '--out', 'new.html'], { cwd });
    assert.equal(fresh.code, 0, fresh.stderr);
  });
});
