// What the VSIX will hold, as `vsce ls` lists it (the same file selection `npm run package` uses).
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../helpers/fixtures';

describe('extension package', function () {
  this.timeout(60_000);

  it('ships the bundle, the demo and sharp with its linux-x64 binary, and no sources or tests', () => {
    const files = execFileSync('npx', ['--no-install', 'vsce', 'ls'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')
      .filter(Boolean);
    for (const f of [
      'package.json',
      'dist/extension.js',
      'dist/webview/main.js',
      'dist/webview/main.css',
      'dist/webview/codicon.ttf',
      'media/demo/corpus/pages.jsonl',
      'media/demo/images/PROVENANCE.md',
      'node_modules/@img/sharp-linux-x64/lib/sharp-linux-x64.node',
      'node_modules/sharp/lib/index.js',
    ]) {
      assert.ok(files.includes(f), `${f} is missing from the package`);
    }
    assert.ok(files.some((f) => /^node_modules\/@img\/sharp-libvips-linux-x64\/lib\/libvips-cpp\.so/.test(f)));
    for (const f of files)
      assert.ok(
        !/^(src|test|scratch|webview|media\/screenshots|\.gog|\.ci)\//.test(f) && !f.endsWith('.map') && f !== 'dist/cli.js',
        `${f} should not be packaged`,
      );
  });

  it('declares what VS Code needs: engine, activation, untrusted workspaces, commands and settings', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    assert.equal(pkg.engines.vscode, '^1.100.0');
    assert.equal(pkg.main, './dist/extension.js');
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.deepEqual(
      pkg.contributes.commands.map((c: { command: string }) => c.command),
      ['gog.askAboutImage', 'gog.openTrajectory', 'gog.setApiKey'],
    );
    assert.deepEqual(
      pkg.contributes.customEditors.map((e: { viewType: string }) => e.viewType),
      ['gog.trajectory'],
    );
    const settings = Object.keys(pkg.contributes.configuration.properties);
    for (const s of ['gog.endpoint', 'gog.model', 'gog.dialect', 'gog.boxFormat', 'gog.maxTurns', 'gog.maxPixels', 'gog.corpusFolder'])
      assert.ok(settings.includes(s), s);
    for (const s of settings) assert.ok(!/api.?key|secret|password|credential|bearer/i.test(s), `${s}: no secrets in settings`);
    assert.deepEqual(pkg.dependencies, { sharp: pkg.dependencies.sharp }, 'only sharp ships in node_modules; the rest is bundled');
  });
});
