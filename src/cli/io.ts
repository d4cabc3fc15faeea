// What every `gog` command prints through and fails with: the Io sink, its redacting
// wrapper, and the usage error (exit 2). A module of its own, light, so that main.ts can
// load it at start and each command's own modules only when that command runs.
import * as path from 'node:path';
import { redactorFor } from '../core/redact';
import type { TerminalLine } from '../core/terminalText';

export class UsageError extends Error {}

/**
 * Where a command prints. The sink (main.ts) cleans every line of control characters
 * (terminal escapes, bidi overrides), so text from outside (a dataset, a label, a file
 * name, a server) may be printed as it is; a TerminalLine's colours are ours, and the sink
 * keeps them on a terminal (without NO_COLOR).
 */
export interface Io {
  stdout: (line: string | TerminalLine) => void;
  stderr: (line: string | TerminalLine) => void;
  width: number;
}

/** Output that never prints a secret, whatever text reaches it (a server's echo, say). */
export function redactingIo(io: Io, secrets: readonly string[]): Io {
  const redactor = redactorFor(secrets);
  if (redactor.empty) return io;
  const clean = (l: string | TerminalLine) => (typeof l === 'string' ? redactor.text(l) : l.map((t) => redactor.text(t)));
  return { ...io, stdout: (l) => io.stdout(clean(l)), stderr: (l) => io.stderr(clean(l)) };
}

export function relativeToCwd(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') ? rel : p;
}
