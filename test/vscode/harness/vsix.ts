// The VSIX exactly as README's `npm run package` makes it: scripts/packageAll.ts for this
// machine's target, built in its own staging folder (dist/ is left as it is, so the tests
// running beside it keep the development build).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** Runs `npm run package`, writing the VSIX to the file `out` instead of the repository root. */
export function packageVsix(out: string): void {
  const dir = mkdtempSync(path.join(path.dirname(out), 'vsix-'));
  try {
    // npm passes what follows `--` to packageAll.ts, whose last --out wins.
    execFileSync('npm', ['run', 'package', '--', '--out', dir], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    renameSync(path.join(dir, 'gog-studio-linux-x64.vsix'), out);
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`npm run package failed:\n${stdout ?? ''}${stderr ?? ''}`, { cause: e });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
