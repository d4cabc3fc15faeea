// Builds the bundles: the extension host (node/cjs, `vscode` and `sharp` external),
// the `gog` command line (node/cjs, `sharp` external), the trajectory webview and the run
// review webview (browser/iife, their stylesheets, and the codicon font they use).
// `--production` minifies and drops source maps; `--watch` rebuilds on change; `--outdir DIR`
// writes to DIR instead of dist/ (packaging builds into its staging folder, so the tests
// running beside it never see dist/ rewritten under them).
import { chmodSync, copyFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const outAt = process.argv.indexOf('--outdir');
const dist = outAt >= 0 ? path.resolve(process.argv[outAt + 1] ?? '') : 'dist';
if (outAt >= 0 && !process.argv[outAt + 1]) throw new Error('--outdir needs a folder');

const node = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  external: ['vscode', 'sharp'],
};

const browser = {
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  outdir: path.join(dist, 'webview'),
};

const builds = [
  { ...node, entryPoints: { extension: 'src/extension/extension.ts' }, outdir: dist },
  { ...node, entryPoints: { cli: 'src/cli/main.ts' }, outdir: dist, banner: { js: '#!/usr/bin/env node' } },
  // The image matcher's ranking thread (src/search/rankOffThread.ts), beside both bundles.
  { ...node, entryPoints: { rankWorker: 'src/search/rankWorker.ts' }, outdir: dist },
  // The search threads of `gog find` and the run review's trajectory search (src/data/find/findInTrajectories.ts).
  { ...node, entryPoints: { findWorker: 'src/data/find/findWorker.ts' }, outdir: dist },
  { ...browser, entryPoints: { main: 'webview/main.ts' } },
  { ...browser, entryPoints: { main: 'webview/styles.css' } },
  // The run review views (failures table, charts, comparison): their own bundle and protocol.
  { ...browser, entryPoints: { runs: 'webview/runs/main.ts' } },
  { ...browser, entryPoints: { runs: 'webview/runs/runs.css' } },
];

mkdirSync(path.join(dist, 'webview'), { recursive: true });
for (const f of ['codicon.css', 'codicon.ttf']) copyFileSync(`node_modules/@vscode/codicons/dist/${f}`, path.join(dist, 'webview', f));

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  // `gog` is package.json's bin: npx runs the file itself, so it must be executable.
  chmodSync(path.join(dist, 'cli.js'), 0o755);
}
