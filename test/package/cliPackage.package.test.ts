// The `gog` npm package (npm run pack:cli, scripts/packCli.mjs): built, installed with
// `npm install -g` into a fresh prefix, and run from a folder outside the repository, as a
// user without a clone runs it; and the README's Python example, run against it.
import { strict as assert } from 'node:assert';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { promises as fs, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT, tempDir } from '../helpers/fixtures';
import type { Run } from '../helpers/cli';

const repo = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };

/** The Python code block of a README's "from Python" example. */
function pythonExample(file: string): string {
  const m = /```python\n([\s\S]*?)```/.exec(readFileSync(path.join(ROOT, file), 'utf8'));
  assert.ok(m, `${file} has a Python example`);
  return m[1]!;
}

describe('the gog npm package', function () {
  this.timeout(600_000);
  const tmp = tempDir('gog-package-');
  after(() => tmp.cleanup());
  let tarball = '';
  let files: string[] = [];
  /** Outside the repository: no package.json, no node_modules above it but the temp folder's. */
  const away = () => path.join(tmp.dir, 'elsewhere');
  const bin = () => path.join(tmp.dir, 'prefix', 'bin');

  /** The installed `gog`, with the prefix's bin on PATH and nothing of the repository. */
  function installedGog(args: string[]): Promise<Run> {
    const started = Date.now();
    const child = spawn(path.join(bin(), 'gog'), args, {
      cwd: away(),
      env: { ...process.env, PATH: `${bin()}${path.delimiter}${process.env.PATH}`, NO_COLOR: '1', OPENAI_API_KEY: '', OPENAI_BASE_URL: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - started })));
  }

  before(async () => {
    const built = execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'packCli.mjs'), '--out', tmp.dir], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    tarball = path.join(tmp.dir, `glance-or-gaze-${repo.version}.tgz`);
    assert.match(built, new RegExp(`${tarball.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: [\\d.]+ MB`));
    files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).trim().split('\n');
    await fs.mkdir(away());
    // A fresh prefix, from the local npm cache where it can (the registry otherwise).
    execFileSync('npm', ['install', '-g', tarball, '--prefix', path.join(tmp.dir, 'prefix'), '--prefer-offline', '--no-audit', '--no-fund'], {
      cwd: away(),
      // npm's notes (sharp's install script is not needed: its binaries come as packages) are not the test's output.
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  });

  it('npm run pack:cli makes glance-or-gaze-<version>.tgz: the command, its bundles and the demo, under 5 MB', () => {
    const size = statSync(tarball).size;
    assert.ok(size < 5 * 1024 * 1024, `${size} bytes`);
    for (const f of [
      'package/package.json',
      'package/README.md',
      'package/LICENSE',
      'package/dist/cli.js',
      'package/dist/rankWorker.js',
      'package/dist/findWorker.js',
      'package/dist/webview/main.js',
      'package/dist/webview/runs.js',
      'package/media/demo/corpus/pages.jsonl',
    ])
      assert.ok(files.includes(f), f);
    assert.ok(files.some((f) => f.startsWith('package/media/demo/recorded/')));
  });

  it('holds no VS Code bundle, source map, source, test or dependency', () => {
    const wrong = files.filter((f) => /^package\/(dist\/extension\.js|src\/|test\/|webview\/|node_modules\/|docs\/)|\.map$|\.ts$|\.vsix$/.test(f));
    assert.deepEqual(wrong, []);
    const allowed = /^package\/(package\.json|README\.md|LICENSE|dist\/[\w/.-]+\.(js|css|ttf)|media\/demo\/.+)$/;
    assert.deepEqual(
      files.filter((f) => !allowed.test(f)),
      [],
    );
  });

  it("its package.json has the repository's version and native dependencies (sharp, @node-rs/jieba), and the gog command", () => {
    const manifest = JSON.parse(execFileSync('tar', ['xzOf', tarball, 'package/package.json'], { encoding: 'utf8' })) as Record<string, unknown>;
    assert.equal(manifest.name, 'glance-or-gaze');
    assert.equal(manifest.version, repo.version);
    assert.deepEqual(manifest.dependencies, repo.dependencies);
    assert.deepEqual(Object.keys(repo.dependencies).sort(), ['@node-rs/jieba', 'sharp']);
    assert.deepEqual(manifest.bin, { gog: 'dist/cli.js' });
    assert.equal(manifest.scripts, undefined, 'nothing runs at install but the dependencies’ own');
  });

  it('installed in a fresh prefix, gog --version and gog bench --help work outside any clone', async () => {
    const version = await installedGog(['--version']);
    assert.equal(version.code, 0, version.stderr);
    assert.equal(version.stdout, `${repo.version}\n`);
    const help = await installedGog(['bench', '--help']);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /^usage: gog bench DATASET/);
    assert.match(help.stdout, /\n {2}--concurrency N +model requests in flight at once \(default 8\)\n/);
  });

  it('gog demo runs from the installed package and writes its runs in the working folder; gog find and gog report read them', async () => {
    const demo = await installedGog(['demo', '--out', 'demo']);
    assert.equal(demo.code, 0, demo.stderr);
    assert.equal(demo.stderr, '');
    assert.match(demo.stdout, /\[4\] done +answered in 4 turns/);
    assert.match(demo.stdout, /next: point it at a real endpoint, e\.g\. gog ask --image \/\S+\/media\/demo\/images\/rocket\.jpg /);
    const runs = await fs.readdir(path.join(away(), 'demo'));
    assert.equal(runs.length, 5);
    const found = await installedGog(['find', 'demo', 'Lagrange', '--json']);
    assert.equal(found.code, 0, found.stderr);
    assert.ok(found.stdout.trim().split('\n').length >= 1, found.stdout);
    const report = await installedGog(['report', path.join('demo', '2-rocket-dscovr'), '--out', 'rocket.html']);
    assert.equal(report.code, 0, report.stderr);
    assert.match(await fs.readFile(path.join(away(), 'rocket.html'), 'utf8'), /<script/);
  });

  it("the README's Python example gets the answer from gog ask --json, here against gog replay of a demo run", async function () {
    const python = spawnSync('python3', ['--version']);
    if (python.error) this.skip(); // no Python on this machine: nothing to run the example with
    const example = pythonExample('README.md');
    assert.equal(pythonExample('packages/cli/README.md'), example, 'the package README shows the same example');
    const run = path.join(away(), 'demo', '5-coffee-no-search');
    const header = JSON.parse((await fs.readFile(path.join(run, 'trajectory.jsonl'), 'utf8')).split('\n')[0]!) as { question: string; image: { path: string } };
    const replay = spawn(path.join(bin(), 'gog'), ['replay', path.join(run, 'trajectory.jsonl')], { cwd: away(), env: { ...process.env, NO_COLOR: '1' } });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let text = '';
        replay.stdout.on('data', (d: Buffer) => {
          text += d.toString();
          const m = /at (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(text);
          if (m) resolve(m[1]!);
        });
        replay.on('close', (code) => reject(new Error(`gog replay exited ${code}: ${text}`)));
      });
      // The example as written, with its last line (the call on a placeholder photo) replaced by a call on the demo run.
      const code = `${example.trimEnd().split('\n').slice(0, -1).join('\n')}\nimport sys\nprint(json.dumps(ask(sys.argv[1], sys.argv[2], sys.argv[3])))\n`;
      const py = spawnSync('python3', ['-c', code, path.join(run, header.image.path), header.question, url], {
        cwd: away(),
        encoding: 'utf8',
        env: { ...process.env, PATH: `${bin()}${path.delimiter}${process.env.PATH}`, OPENAI_API_KEY: '' },
        timeout: 120_000,
      });
      assert.equal(py.status, 0, py.stderr);
      const [answer, trajectory] = JSON.parse(py.stdout) as [string, string];
      assert.ok(answer.length > 0, py.stdout);
      assert.ok(statSync(trajectory).isFile(), trajectory);
    } finally {
      const closed = new Promise((r) => replay.on('close', r));
      replay.kill('SIGINT');
      await closed;
    }
  });
});
