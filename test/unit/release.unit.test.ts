// The release workflow (.github/workflows/release.yml) parsed as YAML, and its shell steps
// run here as GitHub would run them, with `npx` replaced by a recorder on PATH: the version
// and CHANGELOG check, and each registry's step with its token missing (a notice, nothing
// run) and present (vsce/ovsx given all seven VSIXs, the token only in the environment).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { VSIX_TARGETS, vsixName } from '../../scripts/vsixTargets';
import { ROOT, tempDir } from '../helpers/fixtures';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
interface Job {
  needs?: string | string[];
  'timeout-minutes'?: number;
  env?: Record<string, string>;
  permissions?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: { push: { tags: string[] } };
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
}

const FILE = path.join(ROOT, '.github', 'workflows', 'release.yml');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

function workflow(): Workflow {
  const doc = parseDocument(readFileSync(FILE, 'utf8'), { uniqueKeys: true });
  assert.deepEqual(
    doc.errors.map((e) => e.message),
    [],
    'release.yml parses',
  );
  return doc.toJS() as Workflow;
}

function step(job: Job, pattern: RegExp): Step {
  const found = job.steps.filter((s) => pattern.test(s.run ?? ''));
  assert.equal(found.length, 1, `one step runs ${pattern}`);
  return found[0]!;
}

/** Runs a step's script with bash -e, as GitHub does, in `cwd`, with `npx` a recorder. */
function runStep(script: string, cwd: string, env: Record<string, string>) {
  const bin = path.join(cwd, '.bin');
  const calls = path.join(cwd, 'npx-calls.txt');
  mkdirSync(bin, { recursive: true });
  // One line per call: its arguments, NUL-separated, then whether each token was in its environment.
  writeFileSync(
    path.join(bin, 'npx'),
    `#!/usr/bin/env bash\n{ printf '%s\\0' "$@"; printf 'VSCE_PAT=%s OVSX_PAT=%s\\n' "\${VSCE_PAT:+set}" "\${OVSX_PAT:+set}"; } >> '${calls}'\n`,
    { mode: 0o755 },
  );
  const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
    cwd,
    encoding: 'utf8',
    timeout: 30_000,
    env: { PATH: `${bin}:${process.env.PATH}`, HOME: cwd, ...env },
  });
  const recorded = existsSync(calls)
    ? readFileSync(calls, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const at = line.lastIndexOf('\0');
          return { args: line.slice(0, at).split('\0'), tokens: line.slice(at + 1) };
        })
    : [];
  return { status: r.status, out: r.stdout + r.stderr, calls: recorded };
}

describe('release workflow', () => {
  const tmp = tempDir('gog-release-');
  after(() => tmp.cleanup());

  it('parses, runs on a version tag, and builds, packages, tests what it publishes', () => {
    const wf = workflow();
    assert.deepEqual(wf.on.push.tags, ['v*.*.*']);
    assert.deepEqual(wf.permissions, { contents: 'read' }, 'read-only by default');
    assert.deepEqual(Object.keys(wf.jobs).sort(), ['build', 'github-release', 'marketplace', 'open-vsx']);
    for (const [name, job] of Object.entries(wf.jobs)) {
      assert.ok(typeof job['timeout-minutes'] === 'number', `${name} has a time limit`);
      if (name !== 'build') assert.equal(job.needs, 'build', `${name} waits for the tested build`);
      // An expression in a script is text pasted into the shell: values go in through env.
      for (const s of job.steps) assert.ok(!/\$\{\{/.test(s.run ?? ''), `${name}: no \${{ }} inside a run script`);
    }
    assert.deepEqual(wf.jobs['github-release']!.permissions, { contents: 'write' }, 'only the release job writes');
    const build = wf.jobs.build!.steps.map((s) => s.run ?? s.uses ?? '');
    const at = (cmd: string) => build.findIndex((r) => r.trim() === cmd);
    assert.ok(at('npm ci --no-audit --no-fund') >= 0);
    assert.ok(at('npm ci --no-audit --no-fund') < at('npm run package:all -- --out release'));
    assert.ok(at('npm run package:all -- --out release') < at('npm test'));
    // The package suite checks the seven that are published, not a build of its own.
    assert.equal(wf.jobs.build!.steps[at('npm test')]!.env!.GOG_VSIX_DIR, 'release');
    assert.ok(pkg.scripts['package:all'], 'package.json has the package:all script the workflow runs');
    assert.match(pkg.scripts.test, /scripts\/testSuites\.mjs/);
    assert.match(readFileSync(path.join(ROOT, 'scripts', 'testSuites.mjs'), 'utf8'), /test\/package\/\.mocharc\.json/, 'npm test runs the package suite');
  });

  it("refuses a tag that is not package.json's version, and a CHANGELOG without its section; writes the notes from it", () => {
    const check = step(workflow().jobs.build!, /CHANGELOG\.md/).run!;
    const dir = path.join(tmp.dir, 'version');
    mkdirSync(dir);
    copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
    copyFileSync(path.join(ROOT, 'CHANGELOG.md'), path.join(dir, 'CHANGELOG.md'));

    const ok = runStep(check, dir, { GITHUB_REF_NAME: `v${pkg.version}` });
    assert.equal(ok.status, 0, ok.out);
    const notes = readFileSync(path.join(dir, 'release-notes.md'), 'utf8');
    assert.equal(notes.split('\n')[0], `## ${pkg.version}`, "the notes are this version's section of the CHANGELOG that ships");
    assert.ok(notes.split('\n').length > 10 && !/^## (?!#)/m.test(notes.slice(3)), 'the whole section, and no other');

    const wrongTag = runStep(check, dir, { GITHUB_REF_NAME: 'v99.0.0' });
    assert.equal(wrongTag.status, 1);
    assert.match(wrongTag.out, new RegExp(`^::error::the tag v99\\.0\\.0 is not v${pkg.version.replace(/\./g, '\\.')}, package.json's version$`, 'm'));

    writeFileSync(path.join(dir, 'CHANGELOG.md'), '# Changelog\n\n## 0.0.1\n\n- older\n');
    const noSection = runStep(check, dir, { GITHUB_REF_NAME: `v${pkg.version}` });
    assert.equal(noSection.status, 1);
    assert.match(noSection.out, new RegExp(`^::error::CHANGELOG.md has no section '## ${pkg.version.replace(/\./g, '\\.')}'$`, 'm'));
  });

  for (const [job, token, tool] of [
    ['marketplace', 'VSCE_PAT', `@vscode/vsce@${pkg.devDependencies['@vscode/vsce']}`],
    ['open-vsx', 'OVSX_PAT', 'ovsx@'],
  ] as const) {
    it(`${job}: without ${token} a notice and nothing run; with it, all seven VSIXs published, the token never on the command line`, () => {
      const wf = workflow().jobs[job]!;
      assert.equal(wf.env?.[token], `\${{ secrets.${token} }}`, `${token} comes from the repository's secret, through the environment`);
      const publish = step(wf, /\bpublish\b/).run!;
      const dir = path.join(tmp.dir, job);
      mkdirSync(path.join(dir, 'release'), { recursive: true });
      for (const t of VSIX_TARGETS) writeFileSync(path.join(dir, 'release', vsixName(t)), 'PK');

      const without = runStep(publish, dir, { [token]: '' });
      assert.equal(without.status, 0, without.out);
      assert.match(without.out, new RegExp(`^::notice title=[^:]+::not published: the repository has no ${token} secret$`, 'm'));
      assert.deepEqual(without.calls, [], 'nothing was run');

      const secret = 'canary-token-8f3a1c';
      const withToken = runStep(publish, dir, { [token]: secret });
      assert.equal(withToken.status, 0, withToken.out);
      assert.equal(withToken.calls.length, 1);
      const { args, tokens } = withToken.calls[0]!;
      assert.ok(args[1]!.startsWith(tool), `${args[1]} is ${tool}…`);
      assert.deepEqual(args.slice(2, 5), ['publish', '--skip-duplicate', '--packagePath']);
      assert.deepEqual(args.slice(5).sort(), VSIX_TARGETS.map((t) => `release/${vsixName(t)}`).sort());
      assert.ok(!args.some((a) => a.includes(secret)), 'the token is not an argument');
      assert.match(tokens, new RegExp(`${token}=set`));
    });
  }
});
