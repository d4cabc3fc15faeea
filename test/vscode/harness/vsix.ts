// The VSIX exactly as README's `npm run package` makes it. Packaging rebuilds dist/ for
// production; the development build is put back afterwards for the tests that follow.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** Runs `npm run package`, writing the VSIX to `out` instead of the repository root. */
export function packageVsix(out: string): void {
  try {
    // npm passes what follows `--` to vsce, whose last --out wins.
    execFileSync('npm', ['run', 'package', '--', '--out', out], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`npm run package failed:\n${stdout ?? ''}${stderr ?? ''}`, { cause: e });
  } finally {
    execFileSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'inherit' });
  }
}
