// What the VSIX will hold, as `vsce ls` lists it (the same file selection `npm run package` uses).
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { ROOT } from '../helpers/fixtures';
import { relativeLinks } from '../helpers/markdownLinks';

describe('extension package', function () {
  this.timeout(60_000);
  let files: string[];

  before(() => {
    files = execFileSync('npx', ['--no-install', 'vsce', 'ls'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')
      .filter(Boolean);
  });

  it('ships the bundle, the demo, sharp and jieba with their linux-x64 binaries, and no sources or tests', () => {
    for (const f of [
      'package.json',
      'CHANGELOG.md',
      'dist/extension.js',
      'dist/rankWorker.js',
      'dist/findWorker.js',
      'dist/webview/main.js',
      'dist/webview/main.css',
      'dist/webview/runs.js',
      'dist/webview/runs.css',
      'dist/webview/codicon.ttf',
      'media/activitybar.svg',
      'media/demo/corpus/pages.jsonl',
      'media/demo/images/PROVENANCE.md',
      'node_modules/@img/sharp-linux-x64/lib/sharp-linux-x64.node',
      'node_modules/sharp/lib/index.js',
      'node_modules/@node-rs/jieba/index.js',
      'node_modules/@node-rs/jieba/dict.txt',
      'node_modules/@node-rs/jieba-linux-x64-gnu/jieba.linux-x64-gnu.node',
    ]) {
      assert.ok(files.includes(f), `${f} is missing from the package`);
    }
    assert.ok(files.some((f) => /^node_modules\/@img\/sharp-libvips-linux-x64\/lib\/libvips-cpp\.so/.test(f)));
    for (const f of files)
      assert.ok(!/^(src|test|scratch|webview|\.gog|\.ci)\//.test(f) && !f.endsWith('.map') && f !== 'dist/cli.js', `${f} should not be packaged`);
  });

  // vsce applies .vscodeignore's `!` lines after the others, so excluding a folder inside a
  // kept one does nothing: sharp's C++ sources and build scripts shipped that way.
  it("ships sharp's runtime (lib/, package.json, LICENSE) and not its C++ sources or build scripts", () => {
    const sharp = files.filter((f) => f.startsWith('node_modules/sharp/'));
    assert.ok(sharp.includes('node_modules/sharp/lib/index.js') && sharp.includes('node_modules/sharp/package.json'));
    assert.deepEqual(
      sharp.filter((f) => !/^node_modules\/sharp\/(lib\/[^/]+\.js|lib\/index\.d\.ts|package\.json|LICENSE)$/.test(f)),
      [],
    );
  });

  // The Details page of an installed extension is its packaged README, read from the
  // extension's folder: a relative link works only if the file it names was packaged.
  it('packages every file that the README, and the markdown it links to, link to', () => {
    const broken: string[] = [];
    const markdown = files.filter((f) => f.endsWith('.md'));
    assert.ok(markdown.includes('README.md'));
    for (const file of markdown) {
      for (const link of relativeLinks(ROOT, file)) {
        if (!files.includes(link.resolved)) broken.push(`${file}:${link.line} links to ${link.target}, which is not in the package`);
      }
    }
    assert.deepEqual(broken, []);
    const screenshots = files.filter((f) => f.startsWith('media/screenshots/'));
    const linked = new Set(markdown.flatMap((f) => relativeLinks(ROOT, f).map((l) => l.resolved)));
    for (const f of screenshots) assert.ok(linked.has(f), `${f} is packaged but no packaged page shows it`);
  });

  it('packages the media of every walkthrough step', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const steps = (pkg.contributes.walkthroughs as { steps: { id: string; media: Record<string, unknown> }[] }[]).flatMap((w) => w.steps);
    assert.ok(steps.length >= 4);
    for (const step of steps) {
      const media = ['markdown', 'image', 'svg'].map((k) => step.media[k]).filter((m): m is string => typeof m === 'string');
      assert.equal(media.length, 1, `${step.id} shows one markdown page or picture`);
      assert.ok(files.includes(media[0]!), `${step.id}: ${media[0]} is not in the package`);
    }
  });

  it('has an icon of its own, drawn by scripts/icon.mjs, and a gallery banner', async () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    assert.equal(typeof pkg.icon, 'string', 'package.json names an icon');
    assert.ok(files.includes(pkg.icon), `${pkg.icon} is in the package`);
    const committed = sharp(path.join(ROOT, pkg.icon));
    const meta = await committed.metadata();
    assert.equal(meta.format, 'png');
    assert.ok(meta.width >= 128 && meta.width === meta.height, `${meta.width}×${meta.height}: square, at least 128 pixels`);
    // The committed file is what the script draws now: the icon is made by code, not by hand.
    const { renderIcon } = (await import(path.join(ROOT, 'scripts', 'icon.mjs'))) as { renderIcon: () => Promise<Buffer> };
    const raw = (image: Buffer | string) => sharp(image).ensureAlpha().raw().toBuffer();
    assert.ok((await raw(await renderIcon())).equals(await raw(path.join(ROOT, pkg.icon))), 'run npm run icon and commit its output');
    assert.match(pkg.galleryBanner?.color ?? '', /^#[0-9a-f]{6}$/i);
    assert.ok(['dark', 'light'].includes(pkg.galleryBanner.theme));
  });

  it('is called Glance-or-Gaze wherever a user reads its name: palette, menus, messages, docs', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    type Command = { command: string; title: string; category?: string; icon?: string };
    const commands = pkg.contributes.commands as Command[];
    const hidden = new Set(
      ((pkg.contributes.menus.commandPalette ?? []) as { command: string; when: string }[]).filter((m) => m.when === 'false').map((m) => m.command),
    );
    for (const c of commands) {
      // In the palette as "Glance-or-Gaze: Title"; typing "glance" or "gog" finds it (workbench test).
      if (!hidden.has(c.command)) assert.equal(c.category, 'Glance-or-Gaze', `${c.command}'s category`);
      else assert.match(c.title, /^Glance-or-Gaze: /, `${c.command} is for menus, which show no category: its title says whose it is`);
    }
    // Context menus show the title alone (a view's title bar shows a command's icon, its title as the tooltip);
    // in our own Runs view (under the Glance-or-Gaze container's title) the name is already on screen.
    const menus = Object.entries(pkg.contributes.menus as Record<string, { command: string; when?: string }[]>).filter(([where]) => where !== 'commandPalette');
    for (const [where, items] of menus)
      for (const item of items) {
        if (/^view\//.test(where) && /^view == gog\.runs\b/.test(item.when ?? '')) continue;
        const c = commands.find((x) => x.command === item.command)!;
        // A title bar (a view's, an editor's) shows the icon, the title as its tooltip.
        if (where === 'view/title' || where === 'editor/title') {
          assert.ok(c.icon, `${where}: ${c.command} has an icon`);
          continue;
        }
        assert.match(c.title, /^Glance-or-Gaze: /, `${where}: ${c.command} shows "${c.title}"`);
      }
    // Nothing a user reads calls it "GoG:" any more.
    const sources = execFileSync('git', ['ls-files', 'package.json', 'src', 'webview', 'media/walkthrough', '*.md'], { cwd: ROOT, encoding: 'utf8' })
      .split('\n')
      .filter((f) => /\.(ts|json|md)$/.test(f));
    const stale = sources.flatMap((f) =>
      readFileSync(path.join(ROOT, f), 'utf8')
        .split('\n')
        .flatMap((line, i) => (/\bGoG: /.test(line) ? [`${f}:${i + 1}`] : [])),
    );
    assert.deepEqual(stale, []);
  });

  it('declares what VS Code needs: engine, activation, untrusted workspaces, commands and settings', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    assert.equal(pkg.engines.vscode, '^1.100.0');
    assert.equal(pkg.main, './dist/extension.js');
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.deepEqual(
      pkg.contributes.commands.map((c: { command: string }) => c.command),
      [
        'gog.tryDemo',
        'gog.askAboutImage',
        'gog.openTrajectory',
        'gog.setApiKey',
        'gog.setJudgeApiKey',
        'gog.setSearchKey',
        'gog.rerunFromStep',
        'gog.exportTrainingData',
        'gog.showAgreement',
        'gog.adjudicate',
        'gog.askAboutImageFromMenu',
        'gog.runBenchmark',
        'gog.openRun',
        'gog.compareRuns',
        'gog.refreshRuns',
        'gog.addRunsFolder',
        'gog.removeRunsFolder',
        'gog.exportTable',
        'gog.openReport',
        'gog.openReviewQueue',
        'gog.review.next',
        'gog.review.previous',
        'gog.review.resume',
        'gog.review.skip',
        'gog.review.flag',
        'gog.review.showFlagged',
        'gog.review.labelShown',
        'gog.review.undoLabelShown',
        'gog.review.filter',
        'gog.review.clearFilter',
        'gog.review.refresh',
        'gog.review.accept',
        'gog.review.reject',
        'gog.review.needsFix',
        'gog.review.openFolderFromMenu',
        'gog.review.flagFromMenu',
        'gog.trajectory.applyEdit',
        'gog.nextSample',
        'gog.previousSample',
      ],
    );
    assert.deepEqual(
      pkg.contributes.customEditors.map((e: { viewType: string }) => e.viewType),
      ['gog.trajectory'],
    );
    const settings = Object.keys(pkg.contributes.configuration.properties);
    for (const s of ['gog.endpoint', 'gog.model', 'gog.dialect', 'gog.boxFormat', 'gog.maxTurns', 'gog.maxPixels', 'gog.corpusFolder'])
      assert.ok(settings.includes(s), s);
    for (const s of settings) assert.ok(!/api.?key|secret|password|credential|bearer/i.test(s), `${s}: no secrets in settings`);
    assert.deepEqual(
      Object.keys(pkg.dependencies).sort(),
      ['@node-rs/jieba', 'sharp'],
      'only the native modules (sharp; jieba) ship in node_modules; the rest is bundled',
    );
  });
});
