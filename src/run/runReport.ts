// A benchmark run as one self-contained HTML file (`gog report RUN_DIR`): the run review
// bundle and its styles inlined, the run's rows embedded as JSON, so the page shows the
// same overview as the Runs panel (scores by benchmark and category, turns, where the
// model gazed, the failures table) with nothing loaded from anywhere. The page's CSP is
// the panel's: scripts and styles only with its nonce, images and fonts only as data:.
// Run text is rendered by the bundle as text; here it only ever sits inside JSON.
// The samples' trajectories (reportDetails.ts) follow the bundle, each in an inert block
// of its own that the page parses only when the sample is opened: the first rows wait for
// the table's one compact block (reportData.ts) and nothing else.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Redactor } from '../core/redact';
import { FIRST_REPORT_ROWS, imageBlockId, packRows, REPORT_DATA_ID, REPORT_MORE_ROWS_ID, sampleBlockId, type ReportData } from '../shared/reportData';
import { newNonce, renderWebviewPage, scriptJson, withCodiconFont, type WebviewPage } from '../shared/webviewHtml';
import { buildDetails } from './reportDetails';
import { runMessage } from './reviewMessages';

/** The report's size budget when none is given (`--report-mb`, gog.review.reportMb), in MB. */
export const DEFAULT_REPORT_MB = 50;
const MB = 1024 * 1024;

export interface RunReportResult {
  html: string;
  samples: number;
  /** Samples whose trajectory is in the report, and failures of the run and of them. */
  detailed: number;
  failures: number;
  failuresIn: number;
  /** The budget stopped samples going in. */
  budgetSpent: boolean;
  /** Samples whose trajectory could not be read: "sample id: why" lines. */
  unreadable: string[];
  /** Broken lines of results.jsonl, by number (left out of the report); line 0 is the whole file, refused. */
  problems: { line: number; message: string }[];
  /** What was wrong with summary.json, when it is there but was not read. */
  summaryProblem?: string;
}

export interface RunReportOptions {
  redactor?: Redactor;
  /** The whole file's size budget, in MB: the table always goes in, trajectories while it lasts. */
  reportMb?: number;
  signal?: AbortSignal;
}

/** Builds the report of the run in `runDir`; `webviewDir` holds the built bundles (dist/webview); the run's text goes through the redactor. */
export async function buildRunReport(runDir: string, webviewDir: string, o: RunReportOptions = {}): Promise<RunReportResult> {
  const redactor = o.redactor ?? Redactor.none;
  const reportMb = o.reportMb ?? DEFAULT_REPORT_MB;
  const run = await runMessage(runDir);
  const message = redactor.value(run.message);
  const summaryProblem = run.status.summaryProblem === undefined ? undefined : redactor.text(run.status.summaryProblem);
  const name = path.basename(runDir);
  const read = (file: string) => fs.readFile(path.join(webviewDir, file));
  const [script, styles, codicons, font] = await Promise.all([read('runs.js'), read('runs.css'), read('codicon.css'), read('codicon.ttf')]);
  // A report is a snapshot to share: no local path in it, and nothing is running.
  const data: ReportData = {
    run: { ...message.run, source: name, running: false },
    problems: message.problems,
    table: packRows(message.rows.slice(0, FIRST_REPORT_ROWS)),
    rows: message.rows.length,
  };
  const moreRows = scriptJson(packRows(message.rows.slice(FIRST_REPORT_ROWS)));
  const page = (details: WebviewPage['scripts'], info?: ReportData['details']): WebviewPage => ({
    title: `Glance-or-Gaze: benchmark run ${name}`,
    nonce: newNonce(),
    imageSources: 'data:',
    styleSources: '',
    fontSources: 'data:',
    styles: [{ text: withCodiconFont(codicons.toString('utf8'), `data:font/ttf;base64,${font.toString('base64')}`) }, { text: styles.toString('utf8') }],
    scripts: [
      { text: scriptJson(info ? { ...data, details: info } : data), type: 'application/json', id: REPORT_DATA_ID },
      { text: script.toString('utf8') },
      { text: moreRows, type: 'application/json', id: REPORT_MORE_ROWS_ID },
      ...details,
    ],
  });
  // What the page weighs without a trajectory (its largest info block allowed for) is the budget's first charge.
  const bare = Buffer.byteLength(renderWebviewPage(page([]))) + 64 * 1024;
  const built = await buildDetails(runDir, message.rows, run.rows.trajectories, {
    budget: Math.max(0, reportMb * MB - bare),
    budgetMb: reportMb,
    redactor,
    ...(o.signal ? { signal: o.signal } : {}),
  });
  const blocks: WebviewPage['scripts'] = [];
  for (const [n, url] of built.images.entries()) if (url) blocks.push({ text: scriptJson(url), type: 'application/json', id: imageBlockId(n) });
  for (const key of built.info.keys) blocks.push({ text: built.samples.get(key)!, type: 'application/json', id: sampleBlockId(key) });
  const html = renderWebviewPage(page(blocks, built.info));
  return {
    html,
    samples: message.rows.length,
    detailed: built.info.keys.length,
    failures: built.info.failures,
    failuresIn: built.info.failuresIn,
    budgetSpent: built.info.budgetSpent,
    unreadable: Object.entries(built.info.unreadable).map(([key, why]) => `${message.rows[Number(key)]?.id ?? key}: ${why}`),
    problems: message.problems,
    ...(summaryProblem ? { summaryProblem } : {}),
  };
}
