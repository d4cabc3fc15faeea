// `gog help`: the list of commands, and each command's usage, flags, defaults and example,
// written from the commands' declarations (commands.ts) and the run settings' (settingsSpec.ts).
import type { CliFlag } from '../run/settingsSpec';
import { COMMANDS, isSettingFlag, type CommandSpec } from './commands';

/** Lines are wrapped to this width; a flag's text starts at FLAG_COLUMN. */
const WIDTH = 100;
const FLAG_COLUMN = 35;

/** The help flag every command takes (main.ts answers it before the command's parser runs). */
export const HELP_FLAG: CliFlag = { type: 'boolean', short: 'h', help: 'print this help' };

function wrap(text: string, indent: number, first = indent): string[] {
  const lines: string[] = [];
  let line = '';
  let room = WIDTH - first;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > room) {
      lines.push(line);
      line = word;
      room = WIDTH - indent;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** `--name ARG, -s`: how a flag is written on its help line. */
export function flagLabel(name: string, flag: CliFlag): string {
  return `--${name}${flag.arg ? ` ${flag.arg}` : ''}${flag.short ? `, -${flag.short}` : ''}`;
}

function flagLines(name: string, flag: CliFlag): string[] {
  const label = `  ${flagLabel(name, flag)}`;
  const pad = ' '.repeat(FLAG_COLUMN);
  // A label too long for its column (two spaces at least before the text) gets the text on the lines below it.
  if (label.length > FLAG_COLUMN - 2) return [label, ...wrap(flag.help, FLAG_COLUMN).map((l) => pad + l)];
  const [first = '', ...rest] = wrap(flag.help, FLAG_COLUMN);
  return [label.padEnd(FLAG_COLUMN) + first, ...rest.map((l) => pad + l)];
}

/** An argument as a POSIX shell reads it back: bare when it is plain, else in single quotes. */
export function shellWord(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** `gog help COMMAND` and `gog COMMAND --help`. */
export function commandHelp(spec: CommandSpec): string {
  const flags = Object.entries(spec.options);
  const own = flags.filter(([name]) => !isSettingFlag(name));
  const settings = flags.filter(([name]) => isSettingFlag(name));
  const out = spec.usage.map((u, i) => `${i ? '       ' : 'usage: '}gog ${spec.name} ${u}`);
  out.push('', ...wrap(spec.summary.charAt(0).toUpperCase() + spec.summary.slice(1) + '.', 0));
  for (const p of spec.about ?? []) out.push('', ...wrap(p, 0));
  out.push('', 'options:');
  for (const [name, flag] of own) out.push(...flagLines(name, flag));
  out.push(...flagLines('help', HELP_FLAG));
  if (settings.length) {
    out.push('', 'model and search options (the settings VS Code reads as gog.*):');
    for (const [name, flag] of settings) out.push(...flagLines(name, flag));
  }
  out.push('', 'example:', `  gog ${[spec.name, ...spec.example].map(shellWord).join(' ')}`);
  for (const n of spec.notes ?? []) out.push('', ...wrap(n, 0));
  return out.join('\n');
}

/** `gog help`: the commands, one line each. */
export function commandList(): string {
  const rows: [string, string][] = [
    ...COMMANDS.map((c): [string, string] => [c.name, c.summary]),
    ['help', 'this list; gog help COMMAND (or gog COMMAND --help) for its options'],
    ['version', 'the version of gog (also --version)'],
  ];
  const width = Math.max(...rows.map(([name]) => name.length)) + 4;
  return [
    'gog — the Glance-or-Gaze search-augmented VQA agent, headless',
    '',
    'usage: gog COMMAND [options]',
    '',
    'commands:',
    ...rows.flatMap(([name, text]) => {
      const [first = '', ...rest] = wrap(text, 2 + width);
      return [`  ${name.padEnd(width)}${first}`, ...rest.map((l) => ' '.repeat(2 + width) + l)];
    }),
    '',
    'Try it with no model and no key: gog demo. Then: gog help ask.',
  ].join('\n');
}
