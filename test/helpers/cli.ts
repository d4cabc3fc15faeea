// The built `gog` command in a child process, as a user runs it.
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { ROOT } from './fixtures';

export const CLI = path.join(ROOT, 'dist', 'cli.js');

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface GogOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Called once the child runs (to signal it, say). */
  started?: (child: ChildProcess, output: { stdout: () => string; stderr: () => string }) => void;
}

export function gog(args: string[], options: GogOptions = {}): Promise<Run> {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: '1', OPENAI_API_KEY: '', OPENAI_BASE_URL: '', ...options.env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  options.started?.(child, { stdout: () => stdout, stderr: () => stderr });
  return new Promise<Run>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - started }));
  });
}

/** Exactly one error line (warnings aside), matching the pattern. */
export function oneErrorLine(run: Run, pattern: RegExp): void {
  const lines = run.stderr
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('gog: ') && !l.startsWith('gog: warning'));
  assert.equal(lines.length, 1, run.stderr);
  assert.match(lines[0]!, pattern);
}
