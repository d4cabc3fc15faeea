// The development build the CLI tests run (dist/cli.js and friends), built when a source is
// newer than it. `npm test` builds once before the suites; a test file run alone after an
// edit still gets a fresh build. Rebuilding unconditionally in every file cost a minute of
// the suite, and rewrote dist/ under tests of other suites running at the same time.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './fixtures';

const SOURCES = ['src', 'webview', 'esbuild.mjs', 'package.json', 'package-lock.json'];
const OUTPUTS = ['cli.js', 'extension.js', 'findWorker.js', 'rankWorker.js', 'webview/main.js', 'webview/runs.js', 'webview/main.css', 'webview/runs.css'];

function newestMtime(p: string): number {
  const st = statSync(p, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, name)));
  return newest;
}

/** Whether dist/ holds every bundle, each newer than every source. */
export function builtIsCurrent(): boolean {
  const built = OUTPUTS.map((f) => statSync(path.join(ROOT, 'dist', f), { throwIfNoEntry: false })?.mtimeMs ?? 0);
  const oldest = Math.min(...built);
  return oldest > 0 && SOURCES.every((s) => newestMtime(path.join(ROOT, s)) <= oldest);
}

/** Builds dist/ (node esbuild.mjs) unless it is current. */
export function buildOnce(): void {
  if (!builtIsCurrent()) execFileSync(process.execPath, [path.join(ROOT, 'esbuild.mjs')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}
