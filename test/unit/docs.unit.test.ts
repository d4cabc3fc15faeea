// The documents: README is the extension's Details page, so it opens with what a user
// needs; developer material lives in docs/. Links and commands in every document work.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { COMMANDS } from '../../src/cli/commands';
import { ROOT } from '../helpers/fixtures';
import { markdownLinks, relativeLinks } from '../helpers/markdownLinks';

const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const filesIn = (dir: string) => (existsSync(path.join(ROOT, dir)) ? readdirSync(path.join(ROOT, dir)).map((f) => `${dir}/${f}`) : []);
const DOCS = ['README.md', ...filesIn('docs'), ...filesIn('media/walkthrough')].filter((f) => f.endsWith('.md'));

/** Headings of a markdown file as GitHub anchors. */
function anchors(text: string): Set<string> {
  const slugs = new Set<string>();
  let fenced = false;
  for (const line of text.split('\n')) {
    if (/^```/.test(line)) fenced = !fenced;
    const m = !fenced && /^#{1,6}\s+(.*)$/.exec(line);
    if (m)
      slugs.add(
        m[1]!
          .trim()
          .toLowerCase()
          .replace(/[^\p{L}\p{N}\s_-]/gu, '')
          .replace(/\s/g, '-'),
      );
  }
  return slugs;
}

/** The command lines of a file's fenced shell blocks, comments and continuations stripped. */
function shellCommands(text: string): string[] {
  const commands: string[] = [];
  let shell: boolean | undefined;
  for (const line of text.split('\n')) {
    const fence = /^```(\w*)/.exec(line);
    if (fence) {
      shell = shell === undefined ? ['sh', 'bash', 'shell', 'console'].includes(fence[1]!) : undefined;
      continue;
    }
    if (shell && line.trim() && !line.trim().startsWith('#')) commands.push(line.replace(/\s+#.*$/, '').trim());
  }
  return commands;
}

describe('documents', () => {
  const readme = read('README.md');
  const developAt = readme.search(/^## Develop$/m);
  const userPart = readme.slice(0, developAt);

  it("keep README's first command setting up and running the demo, and its second running the whole test suite", () => {
    assert.deepEqual(shellCommands(readme).slice(0, 2), ['npm ci && npm run demo', 'npm test']);
    assert.ok(developAt > 0, 'README has a Develop section');
    assert.ok(!/^```/m.test(userPart), 'no command comes before the Develop section');
  });

  it('open README, the Details page, with what a user needs: what it does, a picture, the demo, endpoint, key and settings', () => {
    assert.ok(
      markdownLinks(userPart).some((l) => l.image),
      'a picture',
    );
    for (const title of [
      'Glance-or-Gaze: Try the Demo',
      'Glance-or-Gaze: Ask About Image…',
      'Glance-or-Gaze: Set API Key',
      'Glance-or-Gaze: Open Trajectory…',
      'gog.endpoint',
    ])
      assert.ok(userPart.includes(title), `the part before Develop mentions ${title}`);
    const pkg = JSON.parse(read('package.json'));
    for (const setting of Object.keys(pkg.contributes.configuration.properties))
      assert.match(userPart, new RegExp(`^\\| \`${setting.replace('.', '\\.')}\` +\\|`, 'm'), `the settings table has a row for ${setting}`);
    // Building, testing, measuring and the design are for developers: docs/.
    for (const heading of ['Tests', 'Benchmarks', 'Architecture'])
      assert.ok(!new RegExp(`^#+ ${heading}\\b`, 'm').test(readme), `README has no ${heading} section`);
    assert.match(read('docs/DEVELOPMENT.md'), /^## Tests/m);
    assert.match(read('docs/DEVELOPMENT.md'), /^## Benchmarks/m);
    const linked = markdownLinks(readme).map((l) => l.target);
    for (const doc of ['docs/DEVELOPMENT.md', 'docs/ARCHITECTURE.md']) assert.ok(linked.includes(doc), `README links ${doc}`);
  });

  it('link only to files and headings that exist', () => {
    const broken: string[] = [];
    for (const file of DOCS) {
      for (const link of relativeLinks(ROOT, file)) if (!existsSync(path.join(ROOT, link.resolved))) broken.push(`${file}:${link.line} → ${link.target}`);
      // Anchors: within the page, or in another markdown file of the repository.
      for (const m of read(file).matchAll(/\]\(([^)\s#]*)#([^)\s]+)\)/g)) {
        const target = m[1] ? path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, file)), m[1])) : file;
        if (!target.endsWith('.md') || !existsSync(path.join(ROOT, target))) continue;
        if (!anchors(read(target)).has(m[2]!)) broken.push(`${file} → ${m[1]}#${m[2]}`);
      }
    }
    assert.deepEqual(broken, []);
  });

  it('name only npm scripts and gog commands that exist', () => {
    const scripts = Object.keys(JSON.parse(read('package.json')).scripts as Record<string, string>);
    const gogCommands: string[] = [...COMMANDS.map((c) => c.name), 'help', 'version'];
    const wrong: string[] = [];
    for (const file of DOCS) {
      const text = read(file);
      for (const m of text.matchAll(/\bnpm run ([\w:-]+)/g)) if (!scripts.includes(m[1]!)) wrong.push(`${file}: npm run ${m[1]}`);
      for (const m of text.matchAll(/\bnpx gog (\w+)/g)) if (!gogCommands.includes(m[1]!)) wrong.push(`${file}: npx gog ${m[1]}`);
    }
    assert.deepEqual(wrong, []);
  });

  it('describe the architecture in docs/ARCHITECTURE.md, which the code cites instead of a file outside the repository', () => {
    const architecture = read('docs/ARCHITECTURE.md');
    for (const layer of ['src/core', 'src/model', 'src/vision', 'src/search', 'src/run', 'src/cli', 'src/extension', 'src/shared', 'webview/'])
      assert.ok(architecture.includes(layer), `ARCHITECTURE.md describes ${layer}`);
    const cites = (dir: string): string[] =>
      readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
        .filter((e) => e.isFile() && e.name.endsWith('.ts'))
        .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)))
        .filter((f) => f !== path.relative(ROOT, __filename) && read(f).includes('DESIGN.md'));
    assert.deepEqual([...cites('src'), ...cites('webview'), ...cites('test')], [], 'DESIGN.md is not part of this repository');
    for (const file of ['src/core/agent.ts', 'src/core/trajectory.ts', 'src/data/runFolder.ts'])
      assert.match(read(file).split('\n')[0]!, /docs\/ARCHITECTURE\.md/, file);
  });
});
