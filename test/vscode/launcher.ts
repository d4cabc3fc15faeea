// Stands in for the VS Code executable given to @vscode/test-electron's runTests() on
// machines where the desktop build cannot be downloaded. It reads the arguments runTests
// passes, serves VS Code with code-server, opens the workbench in headless Chromium with
// the extension under development and the test runner, relays the tests' output, and exits
// with their exit code. Everything it starts lives in the test's temporary folder and ends
// with it.
//
// Extra argument of ours: --gog-workspace-trust keeps workspace trust on (runTests always
// passes --disable-workspace-trust), for the untrusted-workspace suite.
import { mkdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { launchChromium } from './harness/chromium';
import { startCodeServer, type CodeServer } from './harness/codeServer';
import { workbenchUrl } from './harness/workbenchUrl';

const LIMIT_MS = Number(process.env.GOG_VSCODE_TIMEOUT_MS ?? 300_000);
const verbose = !!process.env.GOG_VSCODE_VERBOSE;
/** Marks the test suite's output among everything the workbench logs (see suite/index.ts). */
export const TEST_OUTPUT_MARK = '[gog-test]';

interface Args {
  extensionDevelopmentPath: string;
  extensionTestsPath: string;
  userDataDir: string;
  extensionsDir: string;
  folder: string;
  workspaceTrust: boolean;
}

function parse(argv: string[]): Args {
  const value = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const folder = argv.find((a) => !a.startsWith('-'));
  const need = (name: string, v: string | undefined) => {
    if (!v) throw new Error(`launcher: missing ${name} in ${argv.join(' ')}`);
    return path.resolve(v);
  };
  return {
    extensionDevelopmentPath: need('--extensionDevelopmentPath', value('extensionDevelopmentPath')),
    extensionTestsPath: need('--extensionTestsPath', value('extensionTestsPath')),
    userDataDir: need('--user-data-dir', value('user-data-dir')),
    extensionsDir: need('--extensions-dir', value('extensions-dir')),
    folder: need('a workspace folder', folder),
    workspaceTrust: argv.includes('--gog-workspace-trust') || !argv.includes('--disable-workspace-trust'),
  };
}

async function main(): Promise<number> {
  const args = parse(process.argv.slice(2));
  // The folder holding the profile runTests chose is the test's temporary folder.
  const runDir = path.join(path.dirname(args.userDataDir), 'launcher');
  mkdirSync(runDir, { recursive: true });
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say(`launcher: code-server + headless Chromium for ${path.basename(args.folder)} (workspace trust ${args.workspaceTrust ? 'on' : 'off'})`);

  let server: CodeServer | undefined;
  let context: Awaited<ReturnType<typeof launchChromium>> | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    server = await startCodeServer({
      runDir,
      userDataDir: args.userDataDir,
      extensionsDir: args.extensionsDir,
      disableWorkspaceTrust: !args.workspaceTrust,
      ...(verbose ? { log: say } : {}),
    });
    context = await launchChromium(path.join(runDir, 'chromium'));
    const page = context.pages()[0] ?? (await context.newPage());
    const exit = new Promise<number>((resolve) => {
      void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code));
    });
    // The extension host's console reaches the page's console; the suite marks its own lines.
    page.on('console', (message) => {
      void Promise.all(message.args().map((a) => a.jsonValue().catch(() => '?'))).then((values: unknown[]) => {
        const text = values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(' ');
        const at = text.indexOf(TEST_OUTPUT_MARK);
        if (at !== -1) process.stdout.write(`${text.slice(at + TEST_OUTPUT_MARK.length).replace(/^ /, '')}\n`);
        else if (verbose) say(`[console.${message.type()}] ${text.slice(0, 400)}`);
      });
    });
    page.on('pageerror', (e) => {
      if (verbose) say(`launcher: page error: ${e.message}`);
    });
    const timeout = new Promise<number>((resolve) => {
      timer = setTimeout(() => {
        const shot = path.join(path.dirname(args.extensionTestsPath), `timeout-${Date.now()}.png`);
        void page
          .screenshot({ path: shot })
          .catch(() => undefined)
          .then(() => {
            process.stderr.write(`launcher: the tests did not finish within ${LIMIT_MS / 1000} s; screenshot ${shot}\n`);
            resolve(124);
          });
      }, LIMIT_MS);
    });
    await page.goto(
      workbenchUrl(server, { folder: args.folder, extensionDevelopmentPath: args.extensionDevelopmentPath, extensionTestsPath: args.extensionTestsPath }),
    );
    return await Promise.race([exit, timeout]);
  } finally {
    clearTimeout(timer);
    await context?.close().catch(() => undefined);
    await server?.stop();
    rmSync(runDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`launcher: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
