// `npm run test:vscode`: the extension inside a real VS Code, through @vscode/test-electron's
// runTests(). Where the desktop VS Code can be downloaded (a developer's laptop) runTests
// downloads and starts it as usual; where it cannot (these machines), runTests is given
// our launcher, which serves the same VS Code version with code-server in headless
// Chromium. The choice is made here and printed. GOG_VSCODE=desktop|code-server forces it.
//
// Three suites: the extension under development in a trusted and in an untrusted
// workspace, and the VSIX that `npm run package` makes, installed as a user installs it.
import { execFileSync } from 'node:child_process';
import { promises as dns } from 'node:dns';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, copyFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { downloadAndUnzipVSCode, resolveCliArgsFromVSCodeExecutablePath, runTests } from '@vscode/test-electron';
import { CODE_SERVER_VERSION, codeServerInstalled, installExtension } from './harness/codeServer';
import { packageVsix } from './harness/vsix';

const ROOT = path.resolve(__dirname, '..', '..');
const VSCODE_VERSION = '1.100.3'; // the version code-server 4.100.3 serves
type Mode = 'desktop' | 'code-server';
const SUITES = ['trusted', 'untrusted', 'installed'] as const;
type Suite = (typeof SUITES)[number];

async function desktopReachable(): Promise<boolean> {
  const lookup = dns.lookup('update.code.visualstudio.com').then(
    () => true,
    () => false,
  );
  return Promise.race([lookup, new Promise<boolean>((r) => setTimeout(() => r(false), 3000))]);
}

async function chooseMode(): Promise<Mode> {
  const forced = process.env.GOG_VSCODE;
  if (forced === 'desktop' || forced === 'code-server') return forced;
  if (await desktopReachable()) return 'desktop';
  if (!codeServerInstalled()) throw new Error('the desktop VS Code cannot be downloaded here and code-server is not installed: run test/vscode/setup.sh');
  return 'code-server';
}

/** Paths outside the test folder that a leaking VS Code server would create. */
function leakCandidates(): string[] {
  const home = os.homedir();
  const tmp = os.tmpdir();
  const listed = readdirSync(tmp)
    .filter((f) => /^(vscode-|code-server|playwright)/i.test(f))
    .map((f) => path.join(tmp, f));
  return [
    ...listed,
    path.join(home, '.config', 'code-server'),
    path.join(home, '.local', 'share', 'code-server'),
    path.join(home, '.cache', 'code-server'),
  ].filter((p) => existsSync(p));
}

function workspaceFixture(dir: string, suite: Suite): string {
  const ws = path.join(dir, 'workspace');
  mkdirSync(path.join(ws, 'photos'), { recursive: true });
  copyFileSync(path.join(ROOT, 'media', 'demo', 'images', 'rocket.jpg'), path.join(ws, 'photos', 'rocket.jpg'));
  if (suite === 'untrusted') {
    mkdirSync(path.join(ws, '.vscode'));
    writeFileSync(path.join(ws, '.vscode', 'settings.json'), JSON.stringify({ 'gog.endpoint': 'http://127.0.0.1:9/v1' }, null, 2));
  }
  return ws;
}

/**
 * Packages the VSIX and installs it into the suite's extensions folder with the VS Code
 * CLI, as a user would. The extension under development is then a stand-in
 * (installed-host/): VS Code runs extension tests only beside one. Under `npm test`,
 * GOG_TEST_VSIX names the VSIX the package suite built from this checkout with the same
 * script (`npm run package:all`, this machine's target); when it is not there (the suite
 * run alone, or the package suite failed), the VSIX is packaged here.
 */
async function installPackage(mode: Mode, dir: string): Promise<string> {
  const vsix = path.join(dir, 'glance-or-gaze-studio.vsix');
  let started = Date.now();
  const built = process.env.GOG_TEST_VSIX;
  const handedOff = !!built && existsSync(built);
  if (handedOff) copyFileSync(built, vsix);
  else packageVsix(vsix);
  const packaged = (Date.now() - started) / 1000;
  started = Date.now();
  const profile = { userDataDir: path.join(dir, 'profile'), extensionsDir: path.join(dir, 'extensions') };
  if (mode === 'code-server') installExtension(vsix, { ...profile, runDir: path.join(dir, 'install') });
  else {
    const [cli] = resolveCliArgsFromVSCodeExecutablePath(await downloadAndUnzipVSCode(VSCODE_VERSION), { reuseMachineInstall: true });
    execFileSync(cli!, ['--install-extension', vsix, `--extensions-dir=${profile.extensionsDir}`, `--user-data-dir=${profile.userDataDir}`], {
      stdio: 'ignore',
    });
  }
  const made = handedOff ? `the package suite's VSIX (${built})` : `npm run package ${packaged.toFixed(1)} s`;
  console.log(`installed suite: ${made}, installed with the VS Code CLI in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return path.join(__dirname, 'installed-host');
}

async function main(): Promise<number> {
  const mode = await chooseMode();
  console.log(
    mode === 'desktop'
      ? `real-VS-Code tests: desktop VS Code ${VSCODE_VERSION}, downloaded by @vscode/test-electron`
      : `real-VS-Code tests: code-server ${CODE_SERVER_VERSION} (VS Code ${VSCODE_VERSION}) in headless Chromium, through runTests() with test/vscode/code-server-as-vscode`,
  );
  execFileSync(process.execPath, [path.join(__dirname, 'build.mjs')], { stdio: 'inherit' });
  const before = new Set(leakCandidates());
  let failed = 0;
  // `npm run test:vscode -- installed` runs one suite.
  const chosen = process.argv.slice(2);
  for (const suite of SUITES.filter((s) => !chosen.length || chosen.includes(s))) {
    const dir = mkdtempSync(path.join(os.tmpdir(), `gog-vscode-${suite}-`));
    const started = Date.now();
    try {
      const extensionDevelopmentPath = suite === 'installed' ? await installPackage(mode, dir) : ROOT;
      await runTests({
        ...(mode === 'desktop' ? { version: VSCODE_VERSION } : { vscodeExecutablePath: path.join(__dirname, 'code-server-as-vscode') }),
        extensionDevelopmentPath,
        extensionTestsPath: path.join(ROOT, 'test', '.out', 'vscode', 'suite', 'index.js'),
        launchArgs: [
          workspaceFixture(dir, suite),
          `--user-data-dir=${path.join(dir, 'profile')}`,
          `--extensions-dir=${path.join(dir, 'extensions')}`,
          ...(suite === 'untrusted' ? ['--gog-workspace-trust'] : []),
        ],
        extensionTestsEnv: {
          GOG_VSCODE_SUITE: suite,
          GOG_TEST_PROFILE_DIR: path.join(dir, 'profile'),
          GOG_TEST_EXTENSIONS_DIR: path.join(dir, 'extensions'),
          GOG_TEST_SOURCE_DIR: ROOT,
          ...(process.env.GOG_VSCODE_FILE ? { GOG_VSCODE_FILE: process.env.GOG_VSCODE_FILE } : {}),
        },
      });
      console.log(`${suite} suite passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    } catch (e) {
      failed++;
      console.error(`${suite} suite FAILED after ${((Date.now() - started) / 1000).toFixed(1)} s: ${(e as Error).message}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const leaked = leakCandidates().filter((p) => !before.has(p));
  if (leaked.length) {
    failed++;
    console.error(`left behind outside the test folder: ${leaked.join(', ')}`);
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
