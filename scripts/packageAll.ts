// `npm run package:all`: one VSIX per VS Code target (scripts/vsixTargets.ts), each with that
// platform's sharp/libvips and jieba binaries and no other's. The files vsce would pack from
// here, less node_modules, are copied to a staging folder; for each target npm installs the
// production dependencies there as that platform's (`--os`, `--cpu`, `--libc`: npm picks the
// optional native packages by them, whatever machine it runs on) and vsce packs the folder
// with `--target`. test/package/vsix.package.test.ts checks every binary's header.
//
//   tsx scripts/packageAll.ts [--out DIR] [--target linux-arm64 …]
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isVsixTarget, npmPlatform, VSIX_TARGETS, vsixName, type VsixTarget } from './vsixTargets';

const ROOT = path.resolve(__dirname, '..');
const VSCE = path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
// Bounds per step: an install downloads a few platform packages (cached after the first run).
const INSTALL_TIMEOUT_MS = 10 * 60_000;
const PACK_TIMEOUT_MS = 5 * 60_000;

class UsageError extends Error {}

function parseArgs(argv: string[]): { out: string; targets: VsixTarget[] } {
  let out = ROOT;
  const targets: VsixTarget[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = argv[i + 1];
    if ((arg === '--out' || arg === '--target') && (value === undefined || value.startsWith('--'))) throw new UsageError(`${arg} needs a value`);
    if (arg === '--out') out = path.resolve(value!);
    else if (arg === '--target') {
      if (!isVsixTarget(value!)) throw new UsageError(`--target ${value}: not one of ${VSIX_TARGETS.join(', ')}`);
      targets.push(value);
    } else throw new UsageError(`${arg}: unknown argument (--out DIR, --target NAME)`);
    i++;
  }
  return { out, targets: targets.length ? targets : [...VSIX_TARGETS] };
}

/** Runs a command to its end, within its time limit; its output goes to ours. */
function run(what: string, command: string, args: string[], cwd: string, timeout: number): void {
  const r = spawnSync(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'], timeout, killSignal: 'SIGKILL' });
  if (r.error) throw new Error(`${what}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${what} exited with ${r.status ?? r.signal}`);
}

/** The files vsce packs from the repository, node_modules aside (they are installed per target). */
function packagedFiles(): string[] {
  const r = spawnSync(process.execPath, [VSCE, 'ls', '--no-dependencies'], { cwd: ROOT, encoding: 'utf8', timeout: PACK_TIMEOUT_MS });
  if (r.status !== 0) throw new Error(`vsce ls exited with ${r.status ?? r.signal}: ${r.stderr.trim().split('\n')[0] ?? ''}`);
  return r.stdout.split('\n').filter((f) => f && !f.startsWith('node_modules/'));
}

/** npm itself: the one running this script when started by `npm run`, else the one on PATH. */
function npm(args: string[]): [string, string[]] {
  const cli = process.env.npm_execpath;
  return cli && /\.c?js$/.test(cli) ? [process.execPath, [cli, ...args]] : ['npm', args];
}

function packageTarget(stage: string, out: string, target: VsixTarget): string {
  const { os: npmOs, cpu, libc } = npmPlatform(target);
  rmSync(path.join(stage, 'node_modules'), { recursive: true, force: true });
  const install = ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', `--os=${npmOs}`, `--cpu=${cpu}`];
  if (libc) install.push(`--libc=${libc}`);
  run(`${target}: npm ci`, ...npm(install), stage, INSTALL_TIMEOUT_MS);
  const packed = path.join(stage, vsixName(target));
  const vsce = [VSCE, 'package', '--target', target, '--no-rewrite-relative-links', '--allow-missing-repository', '--out', packed];
  run(`${target}: vsce package`, process.execPath, vsce, stage, PACK_TIMEOUT_MS);
  // Into place whole: a VSIX under its final name is a finished one.
  const final = path.join(out, vsixName(target));
  const partial = `${final}.partial`;
  copyFileSync(packed, partial);
  renameSync(partial, final);
  return final;
}

function main(): number {
  let args: { out: string; targets: VsixTarget[] };
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`package:all: ${e.message}`);
    return 2;
  }
  mkdirSync(args.out, { recursive: true });
  const stage = mkdtempSync(path.join(os.tmpdir(), 'gog-package-'));
  try {
    // The bundles are built for production into the staging folder, never over dist/: tests
    // running the development build beside a packaging (npm test runs them at once) keep theirs.
    run(
      'esbuild --production',
      process.execPath,
      [path.join(ROOT, 'esbuild.mjs'), '--production', '--outdir', path.join(stage, 'dist')],
      ROOT,
      PACK_TIMEOUT_MS,
    );
    for (const file of [...packagedFiles(), 'package-lock.json', '.vscodeignore']) {
      if (file.startsWith('dist/')) continue;
      mkdirSync(path.dirname(path.join(stage, file)), { recursive: true });
      copyFileSync(path.join(ROOT, file), path.join(stage, file));
    }
    for (const target of args.targets) {
      const vsix = packageTarget(stage, args.out, target);
      console.log(`package:all: ${vsix} (${(statSync(vsix).size / 1e6).toFixed(1)} MB)`);
    }
    return 0;
  } catch (e) {
    console.error(`package:all: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

process.exitCode = main();
