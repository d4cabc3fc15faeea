// The seven VSIXs of `npm run package:all`, opened: each holds its own platform's sharp,
// libvips and jieba binaries and no other's (read from each binary's header, not its name),
// and every other file is the same in all seven. Building them takes minutes (an npm install
// and a vsce pack per target), so this suite runs once, in `npm run test:package`.
// GOG_VSIX_DIR (from the repository's folder) checks VSIXs built already: the release
// workflow checks the ones it publishes. GOG_VSIX_HANDOFF (a file's path) gets a copy of
// this machine's VSIX once built: `npm test` hands it to the VS Code suite, which installs
// it instead of packaging the same checkout again.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { VSIX_TARGETS, vsixName, type VsixTarget } from '../../scripts/vsixTargets';
import { photo, ROOT, tempDir } from '../helpers/fixtures';
import { nativeBinary } from '../helpers/nativeBinary';
import { readZip, type ZipEntry } from '../helpers/zip';

interface Expected {
  os: 'linux' | 'darwin' | 'win32';
  arch: 'x64' | 'arm64';
  libc?: 'glibc' | 'musl';
  /** sharp's name for the platform: @img/sharp-<sharp>, @img/sharp-libvips-<sharp>. */
  sharp: string;
  /** napi-rs's: @node-rs/jieba-<jieba>. */
  jieba: string;
}

// What each target must hold, written out here rather than derived from how the script installs.
const EXPECTED: Record<VsixTarget, Expected> = {
  'linux-x64': { os: 'linux', arch: 'x64', libc: 'glibc', sharp: 'linux-x64', jieba: 'linux-x64-gnu' },
  'linux-arm64': { os: 'linux', arch: 'arm64', libc: 'glibc', sharp: 'linux-arm64', jieba: 'linux-arm64-gnu' },
  'alpine-x64': { os: 'linux', arch: 'x64', libc: 'musl', sharp: 'linuxmusl-x64', jieba: 'linux-x64-musl' },
  'darwin-x64': { os: 'darwin', arch: 'x64', sharp: 'darwin-x64', jieba: 'darwin-x64' },
  'darwin-arm64': { os: 'darwin', arch: 'arm64', sharp: 'darwin-arm64', jieba: 'darwin-arm64' },
  'win32-x64': { os: 'win32', arch: 'x64', sharp: 'win32-x64', jieba: 'win32-x64-msvc' },
  'win32-arm64': { os: 'win32', arch: 'arm64', sharp: 'win32-arm64', jieba: 'win32-arm64-msvc' },
};

const MODULES = 'extension/node_modules/';
/** The folder of a platform's own package (@img/sharp-…, @node-rs/jieba-…) an entry is in, if any. */
function platformPackage(name: string): string | undefined {
  const m = /^extension\/node_modules\/(@img\/sharp-[^/]+|@node-rs\/jieba-[^/]+)\//.exec(name);
  return m?.[1];
}
// vsce writes these two per target: the manifest names the target, the content types list
// the binaries' file extensions (.so, .dylib, .dll).
const PER_TARGET = new Set(['extension.vsixmanifest', '[Content_Types].xml']);
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** This machine's target, when it is one of the seven: its VSIX can be loaded here. */
function hostTarget(): VsixTarget | undefined {
  const header = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header;
  const host = { os: process.platform, arch: process.arch, libc: process.platform === 'linux' ? (header?.glibcVersionRuntime ? 'glibc' : 'musl') : undefined };
  return VSIX_TARGETS.find((t) => EXPECTED[t].os === host.os && EXPECTED[t].arch === host.arch && EXPECTED[t].libc === host.libc);
}

describe('the VSIX of every platform (npm run package:all)', function () {
  this.timeout(30 * 60_000);
  const tmp = tempDir('gog-vsix-');
  const vsix = new Map<VsixTarget, ZipEntry[]>();

  before(() => {
    let dir = process.env.GOG_VSIX_DIR && path.resolve(ROOT, process.env.GOG_VSIX_DIR);
    if (!dir) {
      dir = path.join(tmp.dir, 'out');
      // The npm script itself (production build, then every target), into a folder of our own.
      const r = spawnSync('npm', ['run', 'package:all', '--', '--out', dir], { cwd: ROOT, encoding: 'utf8', timeout: 25 * 60_000, killSignal: 'SIGKILL' });
      assert.equal(r.status, 0, `npm run package:all failed (${r.status ?? r.signal}):\n${(r.stdout + r.stderr).slice(-3000)}`);
    }
    for (const target of VSIX_TARGETS) vsix.set(target, readZip(readFileSync(path.join(dir, vsixName(target)))));
    const handoff = process.env.GOG_VSIX_HANDOFF;
    const host = hostTarget();
    if (handoff && host && !process.env.GOG_VSIX_DIR) {
      // Whole or absent: the suite that takes it may look at any moment.
      copyFileSync(path.join(dir, vsixName(host)), `${handoff}.part`);
      renameSync(`${handoff}.part`, handoff);
    }
  });
  after(() => tmp.cleanup());

  for (const target of VSIX_TARGETS) {
    const want = EXPECTED[target];
    it(`${vsixName(target)}: sharp, libvips and jieba for ${target}, every binary's header ${want.os} ${want.arch}${want.libc ? ` ${want.libc}` : ''}`, () => {
      const entries = vsix.get(target)!;
      const names = entries.map((e) => e.name);
      const manifest = entries.find((e) => e.name === 'extension.vsixmanifest')!.data.toString('utf8');
      assert.deepEqual(manifest.match(/TargetPlatform="[^"]*"/g), [`TargetPlatform="${target}"`], 'the manifest names the target');

      // The platform packages: exactly this target's, no other platform's.
      const packages = [...new Set(names.map(platformPackage).filter((p) => p !== undefined))].sort();
      const wanted = [`@img/sharp-${want.sharp}`, `@node-rs/jieba-${want.jieba}`];
      if (want.os !== 'win32') wanted.push(`@img/sharp-libvips-${want.sharp}`); // Windows' libvips DLLs are in sharp's own package
      assert.deepEqual(packages, wanted.sort());

      // The files sharp and jieba load, present …
      const lib = want.os === 'win32' ? `@img/sharp-${want.sharp}/lib/libvips-42.dll` : `@img/sharp-libvips-${want.sharp}/lib/libvips-cpp.`;
      for (const file of [`@img/sharp-${want.sharp}/lib/sharp-${want.sharp}.node`, `@node-rs/jieba-${want.jieba}/jieba.${want.jieba}.node`, lib])
        assert.ok(
          names.some((n) => n.startsWith(MODULES + file)),
          `${file}… is in ${vsixName(target)}`,
        );

      // … and every native binary anywhere in the VSIX, found by its magic number, built for this target.
      const binaries = entries.flatMap((e) => {
        const b = nativeBinary(e.data);
        return b ? [{ name: e.name, ...b }] : [];
      });
      assert.ok(binaries.length >= 3, `${binaries.length} native binaries`);
      const wrong = binaries
        .filter((b) => b.os !== want.os || b.arch !== want.arch || b.libc !== want.libc || platformPackage(b.name) === undefined)
        .map((b) => `${b.name}: ${b.format} ${b.os} ${b.arch}${b.libc ? ` ${b.libc} (needs ${b.needed!.join(', ')})` : ''}`);
      assert.deepEqual(wrong, [], `binaries in ${vsixName(target)} not built for ${target}`);
    });
  }

  it('every file but the platform packages is the same in all seven, the CHANGELOG among them', () => {
    const shared = (target: VsixTarget) =>
      new Map(
        vsix
          .get(target)!
          .filter((e) => !PER_TARGET.has(e.name) && platformPackage(e.name) === undefined)
          .map((e) => [e.name, sha256(e.data)]),
      );
    const reference = shared('linux-x64');
    for (const f of [
      'extension/package.json',
      'extension/readme.md',
      'extension/changelog.md',
      'extension/dist/extension.js',
      'extension/node_modules/sharp/lib/index.js',
    ])
      assert.ok(reference.has(f), `${f} is packaged`);
    for (const target of VSIX_TARGETS) {
      const files = shared(target);
      const differ = [...new Set([...reference.keys(), ...files.keys()])].filter((f) => reference.get(f) !== files.get(f));
      assert.deepEqual(differ, [], `files of ${vsixName(target)} that differ from ${vsixName('linux-x64')}'s`);
      // The manifests differ in the target alone.
      const manifest = (t: VsixTarget) =>
        vsix
          .get(t)!
          .find((e) => e.name === 'extension.vsixmanifest')!
          .data.toString('utf8')
          .replace(`TargetPlatform="${t}"`, 'TargetPlatform=""');
      assert.equal(manifest(target), manifest('linux-x64'));
    }
  });

  it("this machine's VSIX, unpacked, loads sharp (a real resize) and jieba (a real cut)", function () {
    const target = hostTarget();
    if (!target) this.skip();
    const home = path.join(tmp.dir, 'installed');
    for (const e of vsix.get(target)!) {
      if (!e.name.startsWith(MODULES)) continue;
      const file = path.join(home, e.name);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, e.data);
    }
    const script = `
      const at = (m) => require.resolve(m, { paths: [process.cwd()] });
      const sharp = require(at('sharp'));
      const { Jieba } = require(at('@node-rs/jieba'));
      const { dict } = require(at('@node-rs/jieba/dict'));
      if (!at('sharp').startsWith(process.cwd())) throw new Error('sharp from elsewhere: ' + at('sharp'));
      sharp(process.argv[1]).resize(32).png().toBuffer({ resolveWithObject: true }).then(({ info }) => {
        console.log(JSON.stringify({ width: info.width, words: Jieba.withDict(dict).cut('我们中出了一个叛徒', false) }));
      });`;
    const r = spawnSync(process.execPath, ['-e', script, photo('chelsea.png')], { cwd: path.join(home, 'extension'), encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { width: number; words: string[] };
    assert.equal(out.width, 32);
    assert.deepEqual(out.words, ['我们', '中', '出', '了', '一个', '叛徒']);
  });
});
