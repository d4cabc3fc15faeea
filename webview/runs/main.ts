// Entry point of the run review bundle: one benchmark run (the failures table and its
// charts), runs compared, or one sample's trajectories in two runs side by side, whichever
// the host sends. Inside VS Code it talks to the
// extension; in a standalone report (`gog report RUN_DIR`) the run is embedded in the page.
import '../zodConfig';
import { REPORT_DATA_ID, reportDataSchema, unpackRows } from '../../src/shared/reportData';
import { runsHostMessageSchema, type RunsHostMessage } from '../../src/shared/runsMessages';
import { CompareView } from './compareView';
import { DiffView } from './diffView';
import { connectRunsHost } from './host';
import { RunView } from './runView';

const root = document.getElementById('app')!;
const host = connectRunsHost();
let runView: RunView | undefined;
let compareView: CompareView | undefined;
let diffView: DiffView | undefined;
/** A report's rows painted first, and in each later chunk (as the panel posts them: src/run/reviewMessages.ts). */
const FIRST_ROWS = 500;
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
  const rows = unpackRows(data.table);
  const table = typeof rows === 'string' ? [] : rows;
  const problems = typeof rows === 'string' ? [...data.problems, { line: 0, message: `the report's table cannot be read: ${rows}` }] : data.problems;
  const run = { ...data.run, done: table.length };
  handle({ type: 'run', run, rows: table.slice(0, FIRST_ROWS), problems });
  if (data.details) runView?.setReportDetails(data.details);
  const more = (from: number) => {
    if (from >= table.length) return;
    handle({ type: 'rows', run, rows: table.slice(from, from + MORE_ROWS), problems: [] });
    setTimeout(() => more(from + MORE_ROWS), 0);
  };
  setTimeout(() => more(FIRST_ROWS), 0);
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
