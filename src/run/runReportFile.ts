// Open Report in VS Code: a benchmark run's HTML report written where `gog report RUN_DIR`
// writes it, the run's report.html (made again each time, only over a regular file), so a
// VSIX user without `gog` on the PATH gets the same file. When the run folder cannot take it
// (read-only, report.html a link or a folder), it goes to a new folder under `tempRoot`.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Redactor } from '../core/redact';
import { writeFileAtomic } from '../core/atomicFile';
import { buildRunReport } from './runReport';

export const REPORT_FILE = 'report.html';

export interface RunReportFile {
  file: string;
  samples: number;
  /** Why the report is not in the run folder, when it is not. */
  elsewhere?: string;
  /** Lines of results.jsonl left out, and a summary.json problem. */
  warnings: string[];
}

async function writeInRun(runDir: string, html: string): Promise<string> {
  const file = path.join(runDir, REPORT_FILE);
  const existing = await fs.lstat(file).catch(() => undefined);
  if (existing && !existing.isFile()) throw new Error(`${REPORT_FILE} in the run folder is not a file`);
  await writeFileAtomic(file, html);
  return file;
}

export async function writeRunReportFile(runDir: string, webviewDir: string, redactor: Redactor, tempRoot: string, reportMb?: number): Promise<RunReportFile> {
  const report = await buildRunReport(runDir, webviewDir, { redactor, ...(reportMb !== undefined ? { reportMb } : {}) });
  const warnings = report.problems.map((p) => (p.line ? `results.jsonl line ${p.line}: ${p.message}` : p.message));
  if (report.summaryProblem) warnings.push(report.summaryProblem);
  warnings.push(...report.unreadable.map((line) => `${line} (its trajectory is not in the report)`));
  try {
    return { file: await writeInRun(runDir, report.html), samples: report.samples, warnings };
  } catch (e) {
    const dir = await fs.mkdtemp(path.join(tempRoot, 'gog-report-'));
    const file = path.join(dir, `${path.basename(runDir)}-${REPORT_FILE}`);
    await writeFileAtomic(file, report.html);
    return { file, samples: report.samples, elsewhere: (e as Error).message, warnings };
  }
}
