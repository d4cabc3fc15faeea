// Text for a terminal. Whatever did not come from our own code (model and web text, dataset
// fields, labels, file names, a server's error) may carry characters a terminal acts on:
// escape sequences that retitle the window, clear the screen or hide text (ESC, C1 CSI
// U+009B), a carriage return that overwrites the line, and bidirectional overrides that show
// text in another order than it is (U+202E). Each is written as a visible \uXXXX escape, the
// way JSON writes it (so a JSON line stays the same JSON), as is a lone surrogate; tabs,
// newlines and every other character (emoji, CJK, combining marks, joiners) are kept.
// Our own colours are the only escapes that reach a terminal: a TerminalLine carries them,
// and only this module makes one, from parts it cleans.

/** C0 controls but tab and newline, DEL, C1 controls, bidirectional marks and overrides, lone surrogates. */
const UNSAFE = /(?![\t\n])[\p{Cc}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u{d800}-\u{dfff}]/gu;

const escapeOf = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, escapeOf);
}

/** Whether the text holds nothing a terminal would act on. */
export function isTerminalSafe(text: string): boolean {
  UNSAFE.lastIndex = 0;
  return !UNSAFE.test(text);
}

/** SGR codes of the colours we print: dim, bold green, red… */
export type Style = '0' | '1' | '2' | '31' | '32' | '33' | '35' | '36' | '1;32';

export type LinePart = string | { style: Style; text: string };

/** A line made of cleaned parts, with and without our colours; the sink picks one. */
export class TerminalLine {
  private constructor(
    /** The line without escapes (a log, a pipe, NO_COLOR). */
    readonly plain: string,
    /** The line with our colours. */
    readonly styled: string,
  ) {}

  static of(parts: readonly LinePart[]): TerminalLine {
    let plain = '';
    let styled = '';
    for (const part of parts) {
      const text = terminalSafe(typeof part === 'string' ? part : part.text);
      plain += text;
      styled += typeof part === 'string' || part.style === '0' ? text : `\u001b[${part.style}m${text}\u001b[0m`;
    }
    return new TerminalLine(plain, styled);
  }

  /**
   * The same line with `f` applied to its text: a redaction, which turns parts of the text
   * into other text. What `f` returns is cleaned again, so it cannot add an escape.
   */
  map(f: (text: string) => string): TerminalLine {
    return new TerminalLine(terminalSafe(f(this.plain)), keepOurEscapes(this.styled, f));
  }
}

// eslint-disable-next-line no-control-regex -- our own colour escapes, the only ones a TerminalLine holds
const OUR_ESCAPE = /(\u001b\[[0-9;]*m)/;

/** Applies `f` to the text between our own escapes, cleaning what it returns. */
function keepOurEscapes(styled: string, f: (text: string) => string): string {
  return styled
    .split(OUR_ESCAPE)
    .map((piece, i) => (i % 2 ? piece : terminalSafe(f(piece))))
    .join('');
}

/** A line as the terminal gets it: text not made as a TerminalLine is cleaned whole. */
export function terminalOutput(line: string | TerminalLine, color: boolean): string {
  if (line instanceof TerminalLine) return color ? line.styled : line.plain;
  return terminalSafe(line);
}

/** The text of a line without colours: for a log that is not a terminal. */
export function plainText(line: string | TerminalLine): string {
  return terminalOutput(line, false);
}
