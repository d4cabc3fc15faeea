// JSON Lines with line numbers: every line is parsed on its own, so one broken line is
// reported by number and the rest still load.

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

/** Parses JSONL text; blank lines are skipped, a final unterminated line is read too. */
export function parseJsonLines<T>(text: string, check: LineCheck<T>): JsonLinesResult<T> {
  const items: ParsedLine<T>[] = [];
  const problems: LineProblem[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    if (raw.trim() === '') continue;
    const line = i + 1;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      problems.push({ line, message: `not valid JSON (${(e as Error).message})` });
      continue;
    }
    const checked = check(value, line);
    if (checked.ok) items.push({ line, value: checked.value });
    else problems.push({ line, message: checked.message });
  }
  return { items, problems };
}

export function formatProblem(file: string, p: LineProblem): string {
  return `${file}:${p.line}: ${p.message}`;
}
