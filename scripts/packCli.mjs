// `npm run pack:cli`: the `gog` command as an npm package, glance-or-gaze-<version>.tgz, that
// `npm install -g` installs anywhere. The root package.json is the VS Code extension's
// manifest, so the package is put together in a folder of its own: packages/cli/package.json
// (name, bin, files) with the repository's version, engines and runtime dependencies (sharp,
// @node-rs/jieba: native, so installed for the machine, not bundled), the node bundles built
// for production without the extension's, the webview bundles `gog report` inlines, and the
// demo (`gog demo`, the default corpus). `--out DIR` says where the tarball goes (default
// here); it prints the tarball's path and size.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const outAt = process.argv.indexOf('--out');
const out = path.resolve(outAt >= 0 ? (process.argv[outAt + 1] ?? '') : '.');

const repo = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const template = JSON.parse(readFileSync(path.join(root, 'packages', 'cli', 'package.json'), 'utf8'));
const manifest = {
  ...template,
  version: repo.version,
  engines: { node: repo.engines.node },
  dependencies: repo.dependencies,
};

mkdirSync(out, { recursive: true });
const stage = mkdtempSync(path.join(os.tmpdir(), 'gog-pack-'));
try {
  // Built into the stage, never over dist/, which the tests and the extension run from.
  execFileSync(process.execPath, [path.join(root, 'esbuild.mjs'), '--production', '--outdir', path.join(stage, 'dist')], { cwd: root, stdio: 'inherit' });
  rmSync(path.join(stage, 'dist', 'extension.js'));
  cpSync(path.join(root, 'media', 'demo'), path.join(stage, 'media', 'demo'), { recursive: true });
  cpSync(path.join(root, 'packages', 'cli', 'README.md'), path.join(stage, 'README.md'));
  cpSync(path.join(root, 'LICENSE'), path.join(stage, 'LICENSE'));
  writeFileSync(path.join(stage, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: stage, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }),
  );
  const mb = (n) => `${(n / 1024 / 1024).toFixed(1)} MB`;
  console.log(`${path.join(out, packed.filename)}: ${mb(packed.size)} (${mb(packed.unpackedSize)} unpacked, ${packed.entryCount} files)`);
} finally {
  rmSync(stage, { recursive: true, force: true });
}
