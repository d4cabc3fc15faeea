// Bundles the real-VS-Code test code: the launcher (Node) and the suite that runs inside
// the extension host (`vscode` and mocha are provided there).
import * as esbuild from 'esbuild';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';

const here = path.dirname(new URL(import.meta.url).pathname);
const out = path.join(here, '..', '.out', 'vscode');
const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: 'inline', logLevel: 'warning' };
const suite = readdirSync(path.join(here, 'suite'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => path.join(here, 'suite', f));

await Promise.all([
  esbuild.build({ ...common, entryPoints: [path.join(here, 'launcher.ts')], outdir: out, external: ['playwright-core'] }),
  esbuild.build({ ...common, entryPoints: suite, outdir: path.join(out, 'suite'), external: ['vscode', 'mocha', 'sharp'] }),
]);
