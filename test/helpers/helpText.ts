// Reads a command's help as a person does: its flag lines (`  --name ARG, -s   text`, the
// text wrapped onto indented lines below), its usage lines and its example.

export interface HelpFlag {
  /** `--name` as written, and `-s` when the line gives a short form. */
  long: string;
  short?: string;
  /** The flag's text, its wrapped lines joined. */
  text: string;
}

export interface ParsedHelp {
  usage: string[];
  flags: HelpFlag[];
  /** The example's command line, as printed. */
  example?: string;
}

export function parseHelp(text: string): ParsedHelp {
  const lines = text.split('\n');
  const usage = lines.filter((l) => /^(usage: | {7})gog /.test(l)).map((l) => l.replace(/^(usage: | {7})/, ''));
  const flags: HelpFlag[] = [];
  for (const line of lines) {
    const flag = /^ {2}(--[a-z][\w-]*)(?: \S+)?(?:, (-\w))?(?: {2,}(.*))?$/.exec(line);
    if (flag) {
      flags.push({ long: flag[1]!, ...(flag[2] ? { short: flag[2] } : {}), text: (flag[3] ?? '').trim() });
      continue;
    }
    const last = flags.at(-1);
    if (last && /^ {30,}\S/.test(line)) last.text = `${last.text} ${line.trim()}`.trim();
  }
  const at = lines.indexOf('example:');
  const example = at >= 0 ? lines[at + 1]?.trim() : undefined;
  return { usage, flags, ...(example ? { example } : {}) };
}

/** A command line split as a POSIX shell splits it: words, and words in single quotes. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  for (const m of line.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)) words.push(m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : m[2]!);
  return words;
}
