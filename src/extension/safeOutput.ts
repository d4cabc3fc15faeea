// The extension's two ways of telling the user, made safe once for every caller: the log
// (a LogOutputChannel whose every line is redacted and cleaned) and notifications (show*,
// the same plus links broken apart: messageText.ts). Callers write what they mean; nothing
// they pass from outside can carry a key, an escape or a command link through.
import * as vscode from 'vscode';
import { Redactor } from '../core/redact';
import { logText, notificationText } from './messageText';

let secrets: () => Redactor = () => Redactor.none;

/** Where the redactor comes from (set once, at activation). */
export function useSecrets(source: () => Redactor): void {
  secrets = source;
}

/** The redactor in force now, for what the extension writes to share (a run's report). */
export function currentSecrets(): Redactor {
  return secrets();
}

const LOG_METHODS = new Set<PropertyKey>(['trace', 'debug', 'info', 'warn', 'error', 'append', 'appendLine', 'replace']);

/** The log, every line of which is redacted and cleaned, whatever it is given. */
export function safeLog(log: vscode.LogOutputChannel): vscode.LogOutputChannel {
  const clean = (v: unknown): unknown => (typeof v === 'string' ? logText(v, secrets()) : v instanceof Error ? logText(v.message, secrets()) : v);
  return new Proxy(log, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      return LOG_METHODS.has(prop) ? (...args: unknown[]) => method.apply(target, args.map(clean)) : method.bind(target);
    },
  });
}

type Item = string | vscode.MessageOptions;

function show(kind: 'info' | 'warn' | 'error', message: string, rest: Item[]): Thenable<string | undefined> {
  const text = notificationText(message, secrets());
  const items = rest.map((i) => (typeof i === 'string' || !i.detail ? i : { ...i, detail: notificationText(i.detail, secrets()) }));
  const [first, ...others] = items;
  const strings = (list: Item[]) => list.filter((i): i is string => typeof i === 'string');
  const options = first !== undefined && typeof first !== 'string' ? first : undefined;
  const labels = options ? strings(others) : strings(items);
  switch (kind) {
    case 'info':
      return options ? vscode.window.showInformationMessage(text, options, ...labels) : vscode.window.showInformationMessage(text, ...labels);
    case 'warn':
      return options ? vscode.window.showWarningMessage(text, options, ...labels) : vscode.window.showWarningMessage(text, ...labels);
    case 'error':
      return options ? vscode.window.showErrorMessage(text, options, ...labels) : vscode.window.showErrorMessage(text, ...labels);
    default: {
      const never: never = kind;
      return never;
    }
  }
}

export function showInformation(message: string, ...rest: Item[]): Thenable<string | undefined> {
  return show('info', message, rest);
}

export function showWarning(message: string, ...rest: Item[]): Thenable<string | undefined> {
  return show('warn', message, rest);
}

export function showError(message: string, ...rest: Item[]): Thenable<string | undefined> {
  return show('error', message, rest);
}

/** Text for a progress notification (a title, a message), which VS Code renders as it does a notification's. */
export function progressText(text: string): string {
  return notificationText(text, secrets());
}
