// `gog report PATH [--out FILE.html]`: one self-contained HTML file to share. PATH is a
// benchmark run folder (results.jsonl or summary.json: its overview and failures table),
// a single run's folder (its trajectory.jsonl) or a trajectory file (the trajectory panel).
// --out is a new file, never written over; without it the report is the run's report.html,
// made again each time. The file is written whole or not at all, also under a signal.
// --csv FILE and --parquet FILE (a benchmark run only) write the run's table instead
// (reportTable.ts); the HTML too only when --out is also given. A benchmark run's report
// carries its samples' trajectories, failures first, within --report-mb (runReport.ts).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { untilAborted } from '../core/abortable';
import { oneLine } from '../core/agent';
import { FolderFileRefused } from '../core/folderFile';
import { Redactor } from '../core/redact';
import { envSecrets } from '../run/runSecrets';
import { writeFileAtomic } from '../core/atomicFile';
import { TrajectoryTooLarge } from '../core/trajectoryFile';
import { checkNewFile, FolderTaken } from '../data/emptyFolder';
import { SUMMARY_FILE } from '../data/resultsFile';
import { isBenchmarkRun } from '../data/runIndex';
import { buildReport } from '../run/report';
import { buildRunReport } from '../run/runReport';
import { SettingError } from '../core/settingDecl';
import { REPORT_MB, reviewFlagValue } from '../review/reviewSettings';
import { relativeToCwd, UsageError, type Io } from './io';
import { packageRoot } from './packageRoot';
import { parseCommandArgs } from './args';
import { REPORT } from './commands';
import { stoppedExitCode } from './stopSignal';
import { checkTableTargets, tableTargets, writeReportTables } from './reportTable';

const TRAJECTORY_FILE = 'trajectory.jsonl';
const DEFAULT_NAME = 'report.html';

function cancelled(out: string, io: Io, signal: AbortSignal): number {
  io.stderr(`gog: report cancelled; nothing was written to ${relativeToCwd(out)}`);
  return stoppedExitCode(signal);
}

/** Writes the finished report, unless a signal came first (then nothing is written and the exit code is returned). */
async function save(out: string, html: string, io: Io, signal: AbortSignal): Promise<number | undefined> {
  if (signal.aborted) return cancelled(out, io, signal);
  await writeFileAtomic(out, html);
  return undefined;
}

async function benchmarkRunReport(dir: string, out: string, io: Io, redactor: Redactor, reportMb: number, signal: AbortSignal): Promise<number> {
  let report;
  try {
    report = await untilAborted(buildRunReport(dir, path.join(packageRoot(), 'dist', 'webview'), { redactor, reportMb, signal }), signal);
  } catch (e) {
    if (signal.aborted) return cancelled(out, io, signal);
    io.stderr(`gog: ${oneLine(e)}`);
    return 1;
  }
  for (const p of report.problems) io.stderr(`gog: warning: ${p.line ? `results.jsonl line ${p.line}: ${p.message}` : p.message} (left out of the report)`);
  if (report.summaryProblem)
    io.stderr(`gog: warning: ${report.summaryProblem.startsWith(SUMMARY_FILE) ? report.summaryProblem : `${SUMMARY_FILE}: ${report.summaryProblem}`}`);
  // One line however many: a run whose trajectories were not kept is not 10,000 warnings.
  const [first, ...others] = report.unreadable;
  if (first)
    io.stderr(
      `gog: warning: ${others.length ? `${report.unreadable.length.toLocaleString('en')} samples' trajectories could not be read, the first ` : ''}${first} (${others.length ? 'they are' : 'its trajectory is'} not in the report)`,
    );
  const stopped = await save(out, report.html, io, signal);
  if (stopped !== undefined) return stopped;
  const s = (n: number, word: string) => `${n.toLocaleString('en')} ${word}${n === 1 ? '' : 's'}`;
  io.stdout(
    `report: ${relativeToCwd(out)} (${Math.round(report.html.length / 1024)} KB, ${s(report.samples, 'sample')}; trajectories of ${report.detailed.toLocaleString('en')}: ` +
      `${report.failuresIn.toLocaleString('en')} of ${s(report.failures, 'failure')}${report.budgetSpent ? `, then the ${reportMb} MB budget (--report-mb) was spent` : ''})`,
  );
  return 0;
}

async function trajectoryReport(trajectory: string, out: string, io: Io, redactor: Redactor, signal: AbortSignal): Promise<number> {
  let report;
  try {
    report = await untilAborted(buildReport(trajectory, path.join(packageRoot(), 'dist', 'webview'), redactor), signal);
  } catch (e) {
    if (signal.aborted) return cancelled(out, io, signal);
    if (e instanceof TrajectoryTooLarge) {
      io.stderr(`gog: ${e.message}: a report puts the whole run into one HTML file; open the trajectory in VS Code or gog replay it instead`);
      return 1;
    }
    if (e instanceof FolderFileRefused) {
      io.stderr(`gog: ${path.join(path.dirname(trajectory), e.shown)} ${e.reason}; no report made`);
      return 2;
    }
    io.stderr(`gog: ${oneLine(e)}`);
    return 1;
  }
  for (const line of report.left) io.stderr(`gog: warning: ${line} (the report shows it as missing)`);
  const stopped = await save(out, report.html, io, signal);
  if (stopped !== undefined) return stopped;
  io.stdout(`report: ${relativeToCwd(out)} (${Math.round(report.html.length / 1024)} KB, ${report.images} image${report.images === 1 ? '' : 's'} inlined)`);
  return 0;
}

/**
 * A report is made to be shared: a run made before its endpoints' echoes were redacted (or
 * elsewhere) may hold a key, and none of the environment's secrets goes into the file.
 */
export async function runReport(
  argv: string[],
  io: Io,
  cwd: string,
  env: NodeJS.ProcessEnv = {},
  signal: AbortSignal = new AbortController().signal,
): Promise<number> {
  const redactor = new Redactor(envSecrets(env));
  const parsed = parseCommandArgs(argv, REPORT);
  const [given, ...extra] = parsed.positionals;
  if (!given || extra.length) throw new UsageError('give exactly one benchmark run folder, run folder or trajectory file');
  const target = path.resolve(cwd, given);
  const stat = await fs.stat(target).catch(() => undefined);
  if (!stat) throw new UsageError(`${given} does not exist`);
  let kind: 'bench' | 'trajectory';
  let source: string;
  if (!stat.isDirectory()) [kind, source] = ['trajectory', target];
  else if (await isBenchmarkRun(target)) [kind, source] = ['bench', target];
  else if ((await fs.stat(path.join(target, TRAJECTORY_FILE)).catch(() => undefined))?.isFile())
    [kind, source] = ['trajectory', path.join(target, TRAJECTORY_FILE)];
  else throw new UsageError(`${given} is neither a benchmark run (results.jsonl, summary.json) nor a run folder (trajectory.jsonl)`);
  const budgetText = parsed.values['report-mb'];
  let reportMb = REPORT_MB.default;
  if (budgetText !== undefined) {
    if (kind !== 'bench') throw new UsageError(`--${REPORT_MB.flag} takes a benchmark run folder (results.jsonl); ${given} is a single run`);
    try {
      reportMb = reviewFlagValue(REPORT_MB, budgetText);
    } catch (e) {
      if (e instanceof SettingError) throw new UsageError(e.message);
      throw e;
    }
  }
  const tables = tableTargets(parsed.values, cwd);
  if (tables.length && kind !== 'bench') throw new UsageError(`--csv and --parquet take a benchmark run folder (results.jsonl); ${given} is a single run`);
  if (tables.length) {
    const refused = await checkTableTargets(tables, io);
    if (refused !== undefined) return refused;
    if (!parsed.values.out) return writeReportTables(source, tables, io, signal);
  }

  // --out is a new file; the run's own report.html is made again, but only over a file.
  const out = parsed.values.out ? path.resolve(cwd, parsed.values.out) : path.join(kind === 'bench' ? source : path.dirname(source), DEFAULT_NAME);
  if (tables.some((t) => t.file === out)) throw new UsageError('--out and a table flag name the same file; give each its own');
  try {
    if (parsed.values.out) await checkNewFile(out, 'report');
    else {
      const existing = await fs.lstat(out).catch(() => undefined);
      if (existing && !existing.isFile()) throw new FolderTaken(`${out} is not a file; give --out FILE.html for the report`);
    }
  } catch (e) {
    if (!(e instanceof FolderTaken)) throw e;
    io.stderr(`gog: ${e.message}`);
    return 2;
  }
  if (tables.length) {
    const code = await writeReportTables(source, tables, io, signal);
    if (code !== 0) return code;
  }
  return kind === 'bench' ? benchmarkRunReport(source, out, io, redactor, reportMb, signal) : trajectoryReport(source, out, io, redactor, signal);
}
