// Entry point of the run review bundle: one benchmark run (the failures table and its
// charts), runs compared, or one sample's trajectories in two runs side by side, whichever
// the host sends. Inside VS Code it talks to the
// extension; in a standalone report (`gog report RUN_DIR`) the run is embedded in the page.
import '../zodConfig';
import { FIRST_REPORT_ROWS, REPORT_DATA_ID, REPORT_MORE_ROWS_ID, reportDataSchema, unpackRows } from '../../src/shared/reportData';
import { runsHostMessageSchema, type RunsHostMessage } from '../../src/shared/runsMessages';
import { AgreementView } from './agreementView';
import { CompareView } from './compareView';
import { DiffView } from './diffView';
import { connectRunsHost } from './host';
import { RunView } from './runView';

const root = document.getElementById('app')!;
const host = connectRunsHost();
let runView: RunView | undefined;
let compareView: CompareView | undefined;
let diffView: DiffView | undefined;
let agreementView: AgreementView | undefined;
/** A report's rows in each chunk after the first (as the panel posts them: src/run/reviewMessages.ts). */
const MORE_ROWS = 2500;

function handle(message: RunsHostMessage): void {
  switch (message.type) {
    case 'run':
    case 'rows':
      runView ??= new RunView(root, host);
      return runView.handle(message);
    case 'select':
      return runView?.reveal(message.key);
    case 'found':
    case 'findDone':
      return runView?.found(message);
    case 'compare':
      compareView ??= new CompareView(root, host);
      return compareView.handle(message);
    case 'diff':
      diffView ??= new DiffView(root, host);
      return diffView.handle(message);
    case 'exportTable':
      return void runView?.exportTable();
    case 'gazeQuality':
      return runView?.setGazeQuality(message);
    case 'agreement':
      agreementView ??= new AgreementView(root, host);
      return agreementView.handle(message);
    case 'response':
      return host.resolve(message.requestId, message.ok, message.error, message.divergence);
    default: {
      const never: never = message;
      console.warn('gog: a message this view does not show', never);
    }
  }
}

const embedded = document.getElementById(REPORT_DATA_ID);
if (embedded) {
  // A standalone report: the table's one compact block, checked column by column (a schema
  // over every row is what made a big report slow), painted from its first rows while the
  // rest follow, as the panel's messages do. The samples' blocks are parsed only when opened.
  const data = reportDataSchema.parse(JSON.parse(embedded.textContent ?? '{}'));
  const run = { ...data.run, done: data.rows };
  const unpacked = (v: unknown, firstKey: number, problems: { line: number; message: string }[]) => {
    const rows = unpackRows(v, firstKey);
    if (typeof rows !== 'string') return rows;
    problems.push({ line: 0, message: `the report's table cannot be read: ${rows}` });
    return [];
  };
  const problems = [...data.problems];
  handle({ type: 'run', run, rows: unpacked(data.table, 0, problems), problems });
  if (data.details) runView?.setReportDetails(data.details);
  // The rest of the rows follow the bundle in the page: read once the page is parsed.
  const rest = () => {
    const block = document.getElementById(REPORT_MORE_ROWS_ID);
    const more: { line: number; message: string }[] = [];
    const rows = block ? unpacked(JSON.parse(block.textContent ?? 'null'), FIRST_REPORT_ROWS, more) : [];
    const next = (from: number) => {
      if (from >= rows.length && !more.length) return;
      handle({ type: 'rows', run, rows: rows.slice(from, from + MORE_ROWS), problems: from === 0 ? more : [] });
      if (from + MORE_ROWS < rows.length) setTimeout(() => next(from + MORE_ROWS), 0);
    };
    next(0);
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', rest, { once: true });
  else setTimeout(rest, 0);
} else {
  window.addEventListener('message', (event: MessageEvent) => {
    const parsed = runsHostMessageSchema.safeParse(event.data);
    if (!parsed.success) {
      console.warn('gog: ignored a message that is not part of the protocol', parsed.error.issues[0]);
      return;
    }
    handle(parsed.data);
  });
  host.post({ type: 'ready' });
}
