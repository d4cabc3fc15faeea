// A benchmark run as one self-contained HTML file (`gog report RUN_DIR`): the run review
// bundle and its styles inlined, the run's rows embedded as JSON, so the page shows the
// same overview as the Runs panel (scores by benchmark and category, turns, where the
// model gazed, the failures table) with nothing loaded from anywhere. The page's CSP is
// the panel's: scripts and styles only with its nonce, images and fonts only as data:.
// Run text is rendered by the bundle as text; here it only ever sits inside JSON.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Redactor } from '../core/redact';
import { newNonce, renderWebviewPage, scriptJson, withCodiconFont } from '../shared/webviewHtml';
import { runMessage } from './reviewMessages';

export interface RunReportResult {
  html: string;
  samples: number;
  /** Broken lines of results.jsonl, by number (left out of the report); line 0 is the whole file, refused. */
  problems: { line: number; message: string }[];
  /** What was wrong with summary.json, when it is there but was not read. */
  summaryProblem?: string;
}

/** Builds the report of the run in `runDir`; `webviewDir` holds the built bundles (dist/webview); the run's text goes through `redactor`. */
export async function buildRunReport(runDir: string, webviewDir: string, redactor: Redactor = Redactor.none): Promise<RunReportResult> {
  const run = await runMessage(runDir);
  const message = redactor.value(run.message);
  const summaryProblem = run.status.summaryProblem === undefined ? undefined : redactor.text(run.status.summaryProblem);
  const name = path.basename(runDir);
  // A report is a snapshot to share: no local path in it, and nothing is running.
  const snapshot = { ...message, run: { ...message.run, source: name, running: false } };
  const read = (file: string) => fs.readFile(path.join(webviewDir, file));
  const [script, styles, codicons, font] = await Promise.all([read('runs.js'), read('runs.css'), read('codicon.css'), read('codicon.ttf')]);
  const html = renderWebviewPage({
    title: `Glance-or-Gaze: benchmark run ${name}`,
    nonce: newNonce(),
    imageSources: 'data:',
    styleSources: '',
    fontSources: 'data:',
    styles: [{ text: withCodiconFont(codicons.toString('utf8'), `data:font/ttf;base64,${font.toString('base64')}`) }, { text: styles.toString('utf8') }],
    scripts: [{ text: scriptJson({ message: snapshot }), type: 'application/json', id: 'gog-report' }, { text: script.toString('utf8') }],
  });
  return { html, samples: message.rows.length, problems: message.problems, ...(summaryProblem ? { summaryProblem } : {}) };
}
