// JSON Lines with line numbers: every line is parsed on its own, so one broken line is
// reported by number and the rest still load. A line nested too deep is one of those
// (json.ts), so no reader's later steps recurse through it.
import { jsonProblem, parseJson } from './json';

export interface LineProblem {
  /** 1-based line number in the file. */
  line: number;
  message: string;
}

export interface ParsedLine<T> {
  line: number;
  value: T;
}

export type LineCheck<T> = (value: unknown, line: number) => { ok: true; value: T } | { ok: false; message: string };

export interface JsonLinesResult<T> {
  items: ParsedLine<T>[];
  problems: LineProblem[];
}

/** One line: blank is skipped (undefined), otherwise a value or a problem. */
export function parseJsonLine<T>(raw: string, line: number, check: LineCheck<T>): ParsedLine<T> | LineProblem | undefined {
  if (raw.trim() === '') return undefined;
  let value: unknown;
  try {
    value = parseJson(raw);
  } catch (e) {
    return { line, message: jsonProblem(e) };
  }
  const checked = check(value, line);
  return checked.ok ? { line, value: checked.value } : { line, message: checked.message };
}

export function isProblem<T>(p: ParsedLine<T> | LineProblem): p is LineProblem {
  return 'message' in p;
}

/** Parses JSONL text; blank lines are skipped, a final unterminated line is read too. */
export function parseJsonLines<T>(text: string, check: LineCheck<T>): JsonLinesResult<T> {
  const items: ParsedLine<T>[] = [];
  const problems: LineProblem[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const parsed = parseJsonLine(lines[i]!.replace(/\r$/, ''), i + 1, check);
    if (!parsed) continue;
    if (isProblem(parsed)) problems.push(parsed);
    else items.push(parsed);
  }
  return { items, problems };
}

export function formatProblem(file: string, p: LineProblem): string {
  return `${file}:${p.line}: ${p.message}`;
}
