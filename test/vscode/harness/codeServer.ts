// code-server (a real VS Code, served to a browser) for tests: started in its own
// process group, with its profile, extensions, config, cache and temp files all inside
// one folder of the test run, and ended as a whole group.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';

export const CODE_SERVER_VERSION = '4.100.3';
const ROOT = path.resolve(__dirname, '..', '..', '..');

export function codeServerBin(): string {
  return path.join(ROOT, '.tools', `code-server-${CODE_SERVER_VERSION}`, 'bin', 'code-server');
}

export function codeServerInstalled(): boolean {
  return existsSync(path.join(ROOT, '.tools', `code-server-${CODE_SERVER_VERSION}`, '.complete'));
}

export interface CodeServerOptions {
  /** Everything the server writes goes under here. */
  runDir: string;
  userDataDir: string;
  extensionsDir: string;
  /** Start with workspace trust off (everything trusted), as runTests asks by default. */
  disableWorkspaceTrust: boolean;
  log?: (line: string) => void;
}

export interface CodeServer {
  url: string;
  origin: string;
  stop(): Promise<void>;
}

function endGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

/** code-server's config, cache, data and temp folders, all inside `runDir`. */
function isolatedEnv(runDir: string): NodeJS.ProcessEnv {
  if (!codeServerInstalled()) throw new Error(`code-server ${CODE_SERVER_VERSION} is not installed: run test/vscode/setup.sh`);
  const dirs = { XDG_CONFIG_HOME: 'xdg-config', XDG_CACHE_HOME: 'xdg-cache', XDG_DATA_HOME: 'xdg-data', TMPDIR: 'tmp' } as const;
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(dirs)) {
    env[k] = path.join(runDir, v);
    mkdirSync(env[k], { recursive: true });
  }
  return env;
}

/** `code-server --install-extension`: installs a VSIX into `extensionsDir` the way a user does, and exits. */
export function installExtension(vsix: string, o: Pick<CodeServerOptions, 'runDir' | 'userDataDir' | 'extensionsDir'>): void {
  execFileSync(codeServerBin(), ['--install-extension', vsix, '--extensions-dir', o.extensionsDir, '--user-data-dir', o.userDataDir], {
    env: isolatedEnv(o.runDir),
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
}

export async function startCodeServer(o: CodeServerOptions): Promise<CodeServer> {
  const env = isolatedEnv(o.runDir);
  const args = [
    '--bind-addr',
    '127.0.0.1:0',
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--user-data-dir',
    o.userDataDir,
    '--extensions-dir',
    o.extensionsDir,
    ...(o.disableWorkspaceTrust ? ['--disable-workspace-trust'] : []),
  ];
  const child = spawn(codeServerBin(), args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d.toString();
      for (const line of d.toString().split('\n')) if (line.trim()) o.log?.(`[code-server] ${line}`);
      const m = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)\/?/.exec(output);
      if (m) resolve(m[1]!);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`code-server exited (${code}) before listening:\n${output}`)));
    setTimeout(() => reject(new Error(`code-server did not start within 60 s:\n${output}`)), 60_000).unref();
  });
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not yet
    }
    if (i > 100) throw new Error('code-server did not answer /healthz');
    await new Promise((r) => setTimeout(r, 100));
  }
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return {
    url,
    origin: new URL(url).host,
    async stop() {
      endGroup(child, 'SIGTERM');
      const timer = setTimeout(() => endGroup(child, 'SIGKILL'), 5000);
      await closed;
      clearTimeout(timer);
      endGroup(child, 'SIGKILL'); // file watchers and helpers it started
    },
  };
}
