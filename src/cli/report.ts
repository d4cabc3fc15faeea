// `gog report PATH [--out FILE.html]`: one self-contained HTML file to share. PATH is a
// benchmark run folder (results.jsonl or summary.json: its overview and failures table),
// a single run's folder (its trajectory.jsonl) or a trajectory file (the trajectory panel).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { oneLine } from '../core/agent';
import { Redactor } from '../core/redact';
import { envSecrets } from '../run/runSecrets';
import { writeFileAtomic } from '../data/atomicFile';
import { TrajectoryTooLarge } from '../core/trajectoryFile';
import { isBenchmarkRun } from '../data/runIndex';
import { buildReport } from '../run/report';
import { buildRunReport } from '../run/runReport';
import { relativeToCwd, UsageError, type Io } from './ask';
import { packageRoot } from './packageRoot';
import { parseCommandArgs } from './args';

const TRAJECTORY_FILE = 'trajectory.jsonl';

async function benchmarkRunReport(dir: string, out: string, io: Io, redactor: Redactor): Promise<number> {
  let report;
  try {
    report = await buildRunReport(dir, path.join(packageRoot(), 'dist', 'webview'), redactor);
  } catch (e) {
    io.stderr(`gog: ${oneLine(e)}`);
    return 1;
  }
  for (const p of report.problems) io.stderr(`gog: warning: results.jsonl line ${p.line}: ${p.message} (left out of the report)`);
  await writeFileAtomic(out, report.html);
  io.stdout(`report: ${relativeToCwd(out)} (${Math.round(report.html.length / 1024)} KB, ${report.samples} sample${report.samples === 1 ? '' : 's'})`);
  return 0;
}

async function trajectoryReport(trajectory: string, out: string, io: Io, redactor: Redactor): Promise<number> {
  let report;
  try {
    report = await buildReport(trajectory, path.join(packageRoot(), 'dist', 'webview'), redactor);
  } catch (e) {
    if (e instanceof TrajectoryTooLarge) {
      io.stderr(`gog: ${e.message}: a report puts the whole run into one HTML file; open the trajectory in VS Code or gog replay it instead`);
      return 1;
    }
    io.stderr(`gog: ${oneLine(e)}`);
    return 1;
  }
  for (const line of report.left) io.stderr(`gog: warning: ${line} (the report shows it as missing)`);
  await writeFileAtomic(out, report.html);
  io.stdout(`report: ${relativeToCwd(out)} (${Math.round(report.html.length / 1024)} KB, ${report.images} image${report.images === 1 ? '' : 's'} inlined)`);
  return 0;
}

/**
 * A report is made to be shared: a run made before its endpoints' echoes were redacted (or
 * elsewhere) may hold a key, and none of the environment's secrets goes into the file.
 */
export async function runReport(argv: string[], io: Io, cwd: string, env: NodeJS.ProcessEnv = {}): Promise<number> {
  const redactor = new Redactor(envSecrets(env));
  const parsed = parseCommandArgs(argv, { out: { type: 'string' } });
  const [given, ...extra] = parsed.positionals;
  if (!given || extra.length) throw new UsageError('give exactly one benchmark run folder, run folder or trajectory file');
  const target = path.resolve(cwd, given);
  const outOf = (dir: string) => (parsed.values.out ? path.resolve(cwd, parsed.values.out) : path.join(dir, 'report.html'));
  const stat = await fs.stat(target).catch(() => undefined);
  if (!stat) throw new UsageError(`${given} does not exist`);
  if (!stat.isDirectory()) return trajectoryReport(target, outOf(path.dirname(target)), io, redactor);
  if (await isBenchmarkRun(target)) return benchmarkRunReport(target, outOf(target), io, redactor);
  const trajectory = path.join(target, TRAJECTORY_FILE);
  if ((await fs.stat(trajectory).catch(() => undefined))?.isFile()) return trajectoryReport(trajectory, outOf(target), io, redactor);
  throw new UsageError(`${given} is neither a benchmark run (results.jsonl, summary.json) nor a run folder (trajectory.jsonl)`);
}
