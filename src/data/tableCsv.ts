// A run table as CSV (RFC 4180): a header line, CRLF between records, a field quoted when it
// holds a comma, a double quote, CR or LF, and a quote inside doubled; UTF-8, no byte-order
// mark. Null is an empty field. Text the dataset, the model or the web wrote is guarded
// against formula injection (OWASP's rule): a spreadsheet runs a cell that starts with = + -
// @ (or a TAB or CR before one) as a formula, so such a cell gets a leading single quote,
// which spreadsheets show as text. Numbers and booleans are ours and written as they are.
import type { Cell, TableColumn, TableRow } from './runTable';

const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA_START = /^[=+\-@\t\r]/;

/** A text cell as a spreadsheet will take it: a leading ' when it would start a formula. */
export function guardFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

function field(value: Cell, column: TableColumn): string {
  if (value === null) return '';
  let text = typeof value === 'string' ? value : String(value);
  if (typeof value === 'string' && column.untrusted) text = guardFormula(text);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function tableCsv(columns: readonly TableColumn[], rows: readonly TableRow[]): string {
  const lines = [columns.map((c) => field(c.name, c)).join(',')];
  for (const row of rows) lines.push(row.map((v, i) => field(v, columns[i]!)).join(','));
  return lines.join('\r\n') + '\r\n';
}
