// A sharp that cannot load (installed for another platform, a broken install) is said as
// such, with sharp's own first line and what to do, and never as an unreadable image; the
// commands that read no image run without it. The built bundle, copied beside a sharp that
// throws as the real one does when its native binary is missing.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildOnce } from '../helpers/build';
import { CLI } from '../helpers/cli';
import { closedEndpoint, photo, ROOT, tempDir } from '../helpers/fixtures';

// The start of what sharp 0.34 throws when it finds no binary for the platform.
const SHARP_FAILURE =
  'Could not load the "sharp" module using the linux-x64 runtime\nPossible solutions:\n- Ensure optional dependencies can be installed:\n    npm install --include=optional sharp';

describe('gog with a sharp that cannot load', function () {
  this.timeout(60_000);
  const tmp = tempDir('gog-nosharp-');
  const cli = path.join(tmp.dir, 'pkg', 'dist', 'cli.js');
  const run = (args: string[]) =>
    spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1', OPENAI_API_KEY: '' } });

  before(() => {
    buildOnce();
    const pkg = path.join(tmp.dir, 'pkg');
    mkdirSync(path.join(pkg, 'dist'), { recursive: true });
    copyFileSync(CLI, cli);
    copyFileSync(path.join(ROOT, 'package.json'), path.join(pkg, 'package.json'));
    symlinkSync(path.join(ROOT, 'media'), path.join(pkg, 'media')); // the demo corpus gog ask searches
    const sharp = path.join(pkg, 'node_modules', 'sharp');
    mkdirSync(sharp, { recursive: true });
    writeFileSync(path.join(sharp, 'package.json'), JSON.stringify({ name: 'sharp', version: '0.34.0', main: 'index.js' }));
    writeFileSync(path.join(sharp, 'index.js'), `throw new Error(${JSON.stringify(SHARP_FAILURE)});\n`);
  });
  after(() => tmp.cleanup());

  it('gog ask: one line saying sharp could not load and what to do, not "not a readable image"', async () => {
    const r = run(['ask', '--image', photo('rocket.jpg'), '--question', 'What is this?', '--endpoint', await closedEndpoint()]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(
      r.stderr,
      /^gog: sharp, the image library, could not be loaded \(Could not load the "sharp" module using the linux-x64 runtime\): reinstall for this platform \(\w+-\w+\); see https:\/\/sharp\.pixelplumbing\.com\/install$/m,
    );
    assert.doesNotMatch(r.stderr, /readable image|could not be decoded/);
  });

  it('commands that read no image run without it', () => {
    const help = run(['help', 'bench']);
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /gog bench/);
  });
});
