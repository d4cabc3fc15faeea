// `gog report TRAJECTORY [--out FILE.html]`: the trajectory panel as one HTML file to share.
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { oneLine } from '../core/agent';
import { writeFileAtomic } from '../data/atomicFile';
import { TrajectoryTooLarge } from '../core/trajectoryFile';
import { buildReport } from '../run/report';
import { relativeToCwd, UsageError, type Io } from './ask';
import { packageRoot } from './packageRoot';

export async function runReport(argv: string[], io: Io, cwd: string): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { out: { type: 'string' } } });
  } catch (e) {
    throw new UsageError(oneLine(e));
  }
  const [file, ...extra] = parsed.positionals;
  if (!file || extra.length) throw new UsageError('give exactly one trajectory file');
  const trajectory = path.resolve(cwd, file);
  const out = parsed.values.out ? path.resolve(cwd, parsed.values.out) : path.join(path.dirname(trajectory), 'report.html');
  let report;
  try {
    report = await buildReport(trajectory, path.join(packageRoot(), 'dist', 'webview'));
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
