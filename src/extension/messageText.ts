// What the extension writes to its log and shows in notifications, made safe (no vscode
// here, so it is tested as plain code). Text from outside (a run folder's or a dataset's
// name, a server's error, a file's content) may hold a secret an endpoint echoed, terminal
// escapes and bidi overrides (the log is read in a terminal too), and, for a notification,
// a Markdown link: VS Code renders `[label](command:…)` in a message as a button that runs
// the command. Secrets are redacted, controls shown as \uXXXX, and links broken apart.
import type { Redactor } from '../core/redact';
import { terminalSafe } from '../core/terminalText';

export function logText(text: string, redactor: Redactor): string {
  return terminalSafe(redactor.text(text));
}

/** Our messages hold no links; a `](` that came from outside becomes `] (`, which no renderer takes for one. */
export function notificationText(text: string, redactor: Redactor): string {
  return logText(text, redactor).replace(/\]\s*\(/g, '] (');
}
